using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Premises by the beginning of their number, in any case: the account search finds «Тимофеев 46» from the flats
    /// numbered 46… (a few thousand in a region of a million) rather than from the tens of thousands of people whose name
    /// has the word (a surname with its patronymics).
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261209010000_PremiseFlatIndex")]
    public partial class PremiseFlatIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("CREATE INDEX ix_premises_flat ON premises (lower(number) text_pattern_ops);");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP INDEX ix_premises_flat;");
    }
}
