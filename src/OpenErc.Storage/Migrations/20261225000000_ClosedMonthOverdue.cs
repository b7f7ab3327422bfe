using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A closed month's overdue rows (reports.md §10): per account × service × supplier with overdue principal on the
    /// month's last day — the debt of service months before it (their bills fell due within the month at the latest) —
    /// the oldest unpaid month, the last payment and the month's own charge. The debtors register reads them instead of
    /// grouping the month's whole debt book. Written by the closing (<c>write_closed_month_overdue(m)</c>); the months
    /// closed before are written here.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261225000000_ClosedMonthOverdue")]
    public partial class ClosedMonthOverdue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE closed_month_overdue (
                    month date NOT NULL,
                    account_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    overdue numeric(15,2) NOT NULL,
                    oldest date,
                    last_paid date,
                    monthly numeric(15,2) NOT NULL,
                    PRIMARY KEY (month, account_id, service_id, supplier_id));

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

                SELECT write_closed_month_overdue(month) FROM billing_periods WHERE state = 'closed' ORDER BY month;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION write_closed_month_overdue(date); DROP TABLE closed_month_overdue;");
        }
    }
}
