using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The part of a closed month's overdue row beyond the limitation period (reports.md §10: debt within / beyond it): the
    /// chunks of service months up to <c>limitation</c>, the newest whose due date lies more than three years before the
    /// month's last day (computed by the closing, <c>DebtAge.LimitationBound</c>). Months closed before have none (NULL: not
    /// split, rather than nothing beyond).
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231000000_OverdueLimitation")]
    public partial class OverdueLimitation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE closed_month_overdue ADD COLUMN beyond_limitation numeric(15,2);
                DROP FUNCTION write_closed_month_overdue(date);
                CREATE FUNCTION write_closed_month_overdue(m date, limitation date) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO closed_month_overdue (month, account_id, service_id, supplier_id, overdue, oldest, last_paid, monthly, beyond_limitation)
                    SELECT m, d.account_id, d.service_id, d.supplier_id, d.overdue, d.oldest, d.last_paid, coalesce(b.charged, 0), d.beyond
                    FROM (SELECT account_id, service_id, supplier_id,
                                 sum(coalesce(charged, 0) - coalesce(allocated, 0))
                                     FILTER (WHERE kind = 0 AND coalesce(charged, 0) - coalesce(allocated, 0) > 0 AND service_month < m) AS overdue,
                                 coalesce(sum(coalesce(charged, 0) - coalesce(allocated, 0))
                                     FILTER (WHERE kind = 0 AND coalesce(charged, 0) - coalesce(allocated, 0) > 0 AND service_month <= limitation), 0) AS beyond,
                                 min(service_month) FILTER (WHERE kind = 0 AND coalesce(charged, 0) - coalesce(allocated, 0) > 0) AS oldest,
                                 max(paid_on) AS last_paid
                          FROM debt_books WHERE month = m AND service_id IS NOT NULL AND supplier_id IS NOT NULL GROUP BY 1, 2, 3) d
                    LEFT JOIN account_balances b ON b.month = m AND b.account_id = d.account_id AND b.service_id = d.service_id AND b.supplier_id = d.supplier_id
                    WHERE d.overdue > 0
                    ORDER BY 2, 3, 4;
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION write_closed_month_overdue(date, date);
                CREATE FUNCTION write_closed_month_overdue(m date) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO closed_month_overdue
                    SELECT m, d.account_id, d.service_id, d.supplier_id, d.overdue, d.oldest, d.last_paid, coalesce(b.charged, 0)
                    FROM (SELECT account_id, service_id, supplier_id,
                                 sum(coalesce(charged, 0) - coalesce(allocated, 0))
                                     FILTER (WHERE kind = 0 AND coalesce(charged, 0) - coalesce(allocated, 0) > 0 AND service_month < m) AS overdue,
                                 min(service_month) FILTER (WHERE kind = 0 AND coalesce(charged, 0) - coalesce(allocated, 0) > 0) AS oldest,
                                 max(paid_on) AS last_paid
                          FROM debt_books WHERE month = m AND service_id IS NOT NULL AND supplier_id IS NOT NULL GROUP BY 1, 2, 3) d
                    LEFT JOIN account_balances b ON b.month = m AND b.account_id = d.account_id AND b.service_id = d.service_id AND b.supplier_id = d.supplier_id
                    WHERE d.overdue > 0
                    ORDER BY 2, 3, 4;
                $$;
                ALTER TABLE closed_month_overdue DROP COLUMN beyond_limitation;
                """);
        }
    }
}
