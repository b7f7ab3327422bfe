using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The closed month's debt books keep what a penalty needs, so that the month's penalties read them and what was booked
    /// since instead of all history (README, «Penalties»):
    /// <list type="bullet">
    /// <item>a chunk's allocations as one row per payment day (<c>allocated</c>, <c>paid_on</c>) beside its charged row
    /// (<c>charged</c>, <c>paid_on</c> null), so that a chunk paid in parts keeps each part's day, as does an advance;</item>
    /// <item>a chunk's penalty row while its principal is open: a chunk (service × supplier × service month) leaves the
    /// books only when both its principal and its penalties are settled (and it is not of the account's latest charged
    /// month);</item>
    /// <item><c>penalty_runs</c>: each penalty run's rules as text; a run whose rules differ from the last one's (a key rate
    /// entered or corrected) recomputes all history.</item>
    /// </list>
    /// The books of closed months are written again.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261210000000_DatedDebtBooks")]
    public partial class DatedDebtBooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION write_debt_book(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    p date := (SELECT max(month) FROM debt_books WHERE month < m);
                    after date := coalesce(p, '-infinity');
                BEGIN
                    INSERT INTO debt_books (month, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on)
                    WITH entries AS (
                        SELECT account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, service_month,
                               (kind = 6)::int::smallint AS kind, kopecks * 0.01 AS charged, NULL::numeric AS allocated, NULL::date AS paid_on
                        FROM charge_lines WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        SELECT account_id, service_id, supplier_id, service_month, kind, NULL, amount, paid_on
                        FROM payment_allocations WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        SELECT account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on FROM debt_books WHERE month = p),
                    -- One row per key and payment day; the charged sum is the row without a day.
                    summed AS (
                        SELECT account_id, service_id, supplier_id, service_month, kind, paid_on, sum(charged) AS charged, sum(allocated) AS allocated
                        FROM entries GROUP BY 1, 2, 3, 4, 5, 6),
                    keyed AS (
                        SELECT s.*, coalesce(sum(charged) OVER k, 0) = coalesce(sum(allocated) OVER k, 0) AS even
                        FROM summed s WINDOW k AS (PARTITION BY account_id, service_id, supplier_id, service_month, kind)),
                    chunks AS (
                        SELECT k.*, bool_and(even) FILTER (WHERE kind IN (0, 1)) OVER c AS settled
                        FROM keyed k WINDOW c AS (PARTITION BY account_id, service_id, supplier_id, service_month)),
                    -- The latest month charged: its chunks weigh an advance's split (DebtBook), settled or not.
                    latest AS (
                        SELECT account_id, max(service_month) AS month FROM summed WHERE kind = 0 AND paid_on IS NULL AND charged > 0 GROUP BY 1)
                    SELECT m, s.account_id, s.service_id, s.supplier_id, s.service_month, s.kind, s.charged, s.allocated, s.paid_on
                    FROM chunks s LEFT JOIN latest l ON l.account_id = s.account_id
                    WHERE NOT (s.service_month IS NOT NULL AND s.kind IN (0, 1) AND s.service_id IS NOT NULL AND s.supplier_id IS NOT NULL
                               AND s.settled AND s.service_month IS DISTINCT FROM l.month)
                    ORDER BY s.account_id;
                END $$;

                {{DebtBooks.RewriteDebtBooks}}

                CREATE TABLE penalty_runs (
                    run_id bigint PRIMARY KEY REFERENCES billing_runs (id),
                    rules text NOT NULL);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                DROP TABLE penalty_runs;
                {{DebtBooks.WriteDebtBook}}
                {{DebtBooks.RewriteDebtBooks}}
                """);
        }
    }
}
