using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The part of a balance's recalculations that is benefits in kind (reports.md §5: the ОСВ's «R, в т.ч. льготы»): the
    /// month's «Льгота» lines, kept by the closing with the other turnovers; the months closed before are filled from their
    /// lines. A partial index finds the few balances with benefits, which the region's ОСВ from the snapshot reads.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261229000000_BalanceBenefits")]
    public partial class BalanceBenefits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE account_balances ADD COLUMN benefits numeric(15,2) NOT NULL DEFAULT 0;
                UPDATE account_balances b SET benefits = x.v
                FROM (SELECT booking_month, account_id, service_id, supplier_id, sum(kopecks) * 0.01 AS v
                      FROM charge_lines WHERE kind = 8 GROUP BY 1, 2, 3, 4) x
                WHERE b.month = x.booking_month AND b.account_id = x.account_id AND b.service_id = x.service_id AND b.supplier_id = x.supplier_id;
                CREATE INDEX ix_account_balances_benefits ON account_balances (month) WHERE benefits <> 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_account_balances_benefits; ALTER TABLE account_balances DROP COLUMN benefits;");
        }
    }
}
