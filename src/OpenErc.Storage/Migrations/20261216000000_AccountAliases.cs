using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>An account's other numbers: an earlier system's, the ЕЛС and ИЖКУ of ГИС ЖКХ (each number one account's).</summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261216000000_AccountAliases")]
    public partial class AccountAliases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "account_aliases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    number = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_account_aliases", x => x.id);
                    table.ForeignKey(
                        name: "fk_account_aliases_personal_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "personal_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_account_aliases_account_id",
                table: "account_aliases",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_account_aliases_number",
                table: "account_aliases",
                column: "number",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "account_aliases");
        }
    }
}
