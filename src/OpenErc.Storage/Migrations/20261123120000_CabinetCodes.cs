using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The code a citizen registers in the cabinet with, together with the account number: one per account, random,
    /// printed on the account's ЕПД. Made when the account's first document is issued.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123120000_CabinetCodes")]
    public partial class CabinetCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE cabinet_codes (
                    account_id bigint PRIMARY KEY REFERENCES personal_accounts (id),
                    code text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE cabinet_codes;");
    }
}
