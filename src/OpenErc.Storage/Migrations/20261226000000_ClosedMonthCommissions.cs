using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The agents' commissions a closed month's payments left to their recipients, by building × service × supplier
    /// (<c>closed_month_commissions</c>): with the snapshot's payments and penalties paid they make the split of payments
    /// (reports.md §6) by booking month without reading the month's allocation lines. Written by the closing
    /// (<c>write_closed_month_commissions(m)</c>); the months closed before are written here.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261226000000_ClosedMonthCommissions")]
    public partial class ClosedMonthCommissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE closed_month_commissions (
                    month date NOT NULL,
                    building_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    commission numeric(15,2) NOT NULL,
                    PRIMARY KEY (month, building_id, service_id, supplier_id));

                CREATE FUNCTION write_closed_month_commissions(m date) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO closed_month_commissions
                    SELECT m, p.building_id, coalesce(al.service_id, 0), coalesce(al.supplier_id, 0), sum(al.commission)
                    FROM payment_allocations al JOIN personal_accounts a ON a.id = al.account_id JOIN premises p ON p.id = a.premise_id
                    WHERE al.booking_month = m AND al.commission <> 0
                    GROUP BY 1, 2, 3, 4;
                $$;

                SELECT write_closed_month_commissions(month) FROM billing_periods WHERE state = 'closed' ORDER BY month;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION write_closed_month_commissions(date); DROP TABLE closed_month_commissions;");
        }
    }
}
