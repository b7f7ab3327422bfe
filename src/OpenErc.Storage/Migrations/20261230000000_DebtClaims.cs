using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The centre's legal work on debts (reports.md §10): claims by account with their stage, case, months and amount, the
    /// day the act entered into force and a repayment agreement — what the debtors register's court status and the rule of
    /// УСЗН (court-confirmed debt, ЖК ст. 159) read.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261230000000_DebtClaims")]
    public partial class DebtClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "debt_claims",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    supplier_id = table.Column<long>(type: "bigint", nullable: true),
                    stage = table.Column<int>(type: "integer", nullable: false),
                    case_number = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    court = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    debt_from = table.Column<DateOnly>(type: "date", nullable: false),
                    debt_to = table.Column<DateOnly>(type: "date", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(15,2)", precision: 15, scale: 2, nullable: false),
                    filed_on = table.Column<DateOnly>(type: "date", nullable: false),
                    in_force_on = table.Column<DateOnly>(type: "date", nullable: true),
                    agreement_on = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_debt_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_debt_claims_organisations_supplier_id",
                        column: x => x.supplier_id,
                        principalTable: "organisations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_debt_claims_personal_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "personal_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_debt_claims_account_id",
                table: "debt_claims",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_debt_claims_supplier_id",
                table: "debt_claims",
                column: "supplier_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "debt_claims");
        }
    }
}
