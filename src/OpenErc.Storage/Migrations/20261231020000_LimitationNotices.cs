using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>The notices of a coming limitation of a communal service for debt (ПП 354 п. 119; reports.md §10).</summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231020000_LimitationNotices")]
    public partial class LimitationNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "limitation_notices",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    service_id = table.Column<long>(type: "bigint", nullable: false),
                    sent_on = table.Column<DateOnly>(type: "date", nullable: false),
                    delivered_on = table.Column<DateOnly>(type: "date", nullable: true),
                    document = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_limitation_notices", x => x.id);
                    table.ForeignKey(
                        name: "fk_limitation_notices_personal_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "personal_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_limitation_notices_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_limitation_notices_account_id",
                table: "limitation_notices",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_limitation_notices_service_id",
                table: "limitation_notices",
                column: "service_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "limitation_notices");
        }
    }
}
