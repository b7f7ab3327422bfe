using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Two more figures of a closed month's snapshot by building × service × supplier (reports.md §20): how much of the
    /// month before's own bill was paid by the closed month's end (I3: the charges for that service month, recalculations
    /// correcting it included whenever booked, and the payments allocated to it paid by then), and how many of the accounts
    /// charged for the service have an individual meter of its resource in service (I13). Written by the closing beside
    /// the snapshot (<c>write_closed_month_bills(m)</c>); the months closed before are written here.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261224000000_ClosedMonthBills")]
    public partial class ClosedMonthBills : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE closed_month_bills (
                    month date NOT NULL,
                    building_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    previous_bill numeric(15,2) NOT NULL,
                    previous_bill_paid numeric(15,2) NOT NULL,
                    charged_accounts integer NOT NULL,
                    metered_accounts integer NOT NULL,
                    PRIMARY KEY (month, building_id, service_id, supplier_id));

                CREATE FUNCTION write_closed_month_bills(m date) RETURNS void LANGUAGE sql AS $$
                    WITH prev AS (SELECT (m - interval '1 month')::date AS s, (m + interval '1 month')::date AS e),
                    bill AS (
                        SELECT l.building_id, l.service_id::bigint AS service_id, l.supplier_id::bigint AS supplier_id, sum(l.kopecks) * 0.01 AS charged
                        FROM charge_lines l, prev WHERE l.booking_month >= prev.s AND l.booking_month <= m AND l.service_month = prev.s
                          AND l.kind NOT IN (6, 7)
                        GROUP BY 1, 2, 3),
                    paid AS (
                        SELECT p.building_id, al.service_id, al.supplier_id, sum(al.amount) AS paid
                        FROM payment_allocations al JOIN personal_accounts a ON a.id = al.account_id JOIN premises p ON p.id = a.premise_id, prev
                        WHERE al.booking_month >= prev.s AND al.booking_month <= m AND al.service_month = prev.s AND al.kind <> 1 AND al.paid_on < prev.e
                        GROUP BY 1, 2, 3),
                    charged AS (
                        SELECT p.building_id, b.service_id, b.supplier_id, count(*) AS accounts,
                               count(*) FILTER (WHERE EXISTS (
                                   SELECT 1 FROM meters mt JOIN services s ON s.id = b.service_id
                                   WHERE mt.kind IN (1, 2) AND mt.resource = s.resource AND s.resource <> 0
                                     AND (mt.account_id = a.id OR mt.account_id IS NULL AND mt.premise_id = a.premise_id)
                                     AND mt.installed_on < m AND (mt.removed_on IS NULL OR mt.removed_on > m) AND (mt.failed_on IS NULL OR mt.failed_on > m))) AS metered
                        FROM account_balances b JOIN personal_accounts a ON a.id = b.account_id JOIN premises p ON p.id = a.premise_id
                        WHERE b.month = m AND b.charged <> 0
                        GROUP BY 1, 2, 3)
                    INSERT INTO closed_month_bills
                    SELECT m, k.building_id, k.service_id, k.supplier_id, coalesce(bill.charged, 0), coalesce(paid.paid, 0),
                           coalesce(charged.accounts, 0), coalesce(charged.metered, 0)
                    FROM (SELECT building_id, service_id, supplier_id FROM bill UNION SELECT building_id, service_id, supplier_id FROM paid
                          UNION SELECT building_id, service_id, supplier_id FROM charged) k
                    LEFT JOIN bill USING (building_id, service_id, supplier_id)
                    LEFT JOIN paid USING (building_id, service_id, supplier_id)
                    LEFT JOIN charged USING (building_id, service_id, supplier_id);
                $$;

                SELECT write_closed_month_bills(month) FROM billing_periods WHERE state = 'closed' ORDER BY month;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION write_closed_month_bills(date); DROP TABLE closed_month_bills;");
        }
    }
}
