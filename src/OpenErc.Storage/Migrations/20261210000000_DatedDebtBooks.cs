using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The closed month's debt books keep what a penalty needs, so that the month's penalties read them and what was booked
    /// since instead of all history (README, «Penalties»):
    /// <list type="bullet">
    /// <item>each allocation of a chunk with its payment day (<c>paid_days</c>, <c>paid_amounts</c>, beside the sum and the
    /// latest day a payment's book reads), so that a chunk paid in parts keeps each part's day, as does an advance;</item>
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
                ALTER TABLE debt_books ADD COLUMN paid_days date[], ADD COLUMN paid_amounts numeric(15,2)[];

                CREATE OR REPLACE FUNCTION write_debt_book(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    p date := (SELECT max(month) FROM debt_books WHERE month < m);
                    after date := coalesce(p, '-infinity');
                BEGIN
                    INSERT INTO debt_books (month, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on, paid_days, paid_amounts)
                    WITH entries AS (
                        SELECT account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, service_month,
                               (kind = 6)::int::smallint AS kind, kopecks * 0.01 AS charged, NULL::numeric AS allocated, NULL::date AS paid_on
                        FROM charge_lines WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        SELECT account_id, service_id, supplier_id, service_month, kind, NULL, amount, paid_on
                        FROM payment_allocations WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        -- The previous books: a row's charged sum once, beside its first allocation.
                        SELECT d.account_id, d.service_id, d.supplier_id, d.service_month, d.kind, CASE WHEN coalesce(a.n, 1) = 1 THEN d.charged END,
                               a.amount, a.day
                        FROM debt_books d LEFT JOIN LATERAL unnest(d.paid_days, d.paid_amounts) WITH ORDINALITY AS a(day, amount, n) ON true
                        WHERE d.month = p),
                    -- Sorted once by key: the chunk's and the account's windows read the groups in that order.
                    summed AS (
                        SELECT account_id, service_id, supplier_id, service_month, kind, sum(charged) AS charged, sum(allocated) AS allocated,
                               max(paid_on) AS paid_on,
                               array_agg(paid_on) FILTER (WHERE paid_on IS NOT NULL) AS paid_days,
                               array_agg(allocated) FILTER (WHERE paid_on IS NOT NULL) AS paid_amounts
                        FROM entries GROUP BY 1, 2, 3, 4, 5),
                    chunks AS (
                        SELECT s.*,
                               -- A chunk stays while its principal or its penalties are open.
                               bool_and(coalesce(charged, 0) = coalesce(allocated, 0)) FILTER (WHERE kind IN (0, 1))
                                   OVER (PARTITION BY account_id, service_id, supplier_id, service_month) AS settled,
                               -- The latest month charged: its chunks weigh an advance's split (DebtBook), settled or not.
                               max(service_month) FILTER (WHERE kind = 0 AND charged > 0) OVER (PARTITION BY account_id) AS latest
                        FROM summed s)
                    SELECT m, account_id, service_id, supplier_id, service_month, kind, charged, allocated, paid_on, paid_days, paid_amounts
                    FROM chunks
                    WHERE NOT (service_month IS NOT NULL AND kind IN (0, 1) AND service_id IS NOT NULL AND supplier_id IS NOT NULL
                               AND settled AND service_month IS DISTINCT FROM latest)
                    ORDER BY account_id;
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
                ALTER TABLE debt_books DROP COLUMN paid_days, DROP COLUMN paid_amounts;
                {{DebtBooks.WriteDebtBook}}
                {{DebtBooks.RewriteDebtBooks}}
                """);
        }
    }
}
