using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The debt book of every account as it stood when a month closed: one row per chunk (service × supplier × service
    /// month × debt or penalty) with what was charged and what was allocated to it and the latest payment day, and a row
    /// per advance, over all
    /// history up to the month — without the chunks that are settled (charged = allocated to them), except those of the
    /// account's latest charged month, which weigh an advance's split. A payment's book is
    /// then the last closed month's rows plus what was booked after it, not all history (README, «The debt book»).
    /// <c>write_debt_book(m)</c> is called by the closing of a month, in its transaction; closed months are written here.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261208010000_DebtBooks")]
    public partial class DebtBooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                CREATE TABLE debt_books (
                    month date NOT NULL,
                    account_id bigint NOT NULL,
                    service_id bigint,
                    supplier_id bigint,
                    service_month date,
                    kind smallint NOT NULL,          -- 0 debt, 1 penalty (a chunk: what was charged and allocated to it); 2 advance
                    charged numeric(15,2),           -- NULL: nothing charged under the key (an advance, a chunk only paid)
                    allocated numeric(15,2),         -- NULL: nothing allocated to it
                    paid_on date);                   -- the latest allocation's payment day
                CREATE INDEX ix_debt_books ON debt_books (month, account_id);

                {{WriteDebtBook}}

                {{RewriteDebtBooks}}
                """);
        }

        /// <summary>
        /// <c>write_debt_book(m)</c> of this migration: a chunk's allocations summed into one row with the latest payment day
        /// (the migration <c>DatedDebtBooks</c> replaces it and puts it back when reverted).
        /// </summary>
        internal const string WriteDebtBook = """
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
                summed AS (
                    SELECT account_id, service_id, supplier_id, service_month, kind, sum(charged) AS charged, sum(allocated) AS allocated,
                           max(paid_on) AS paid_on
                    FROM entries GROUP BY 1, 2, 3, 4, 5),
                -- The latest month charged: its chunks weigh an advance's split (DebtBook), settled or not.
                latest AS (
                    SELECT account_id, max(service_month) AS month FROM summed WHERE kind = 0 AND charged > 0 GROUP BY 1)
                SELECT m, s.account_id, s.service_id, s.supplier_id, s.service_month, s.kind, s.charged, s.allocated, s.paid_on
                FROM summed s LEFT JOIN latest l ON l.account_id = s.account_id
                WHERE NOT (s.service_month IS NOT NULL AND s.kind IN (0, 1) AND s.service_id IS NOT NULL AND s.supplier_id IS NOT NULL
                           AND coalesce(s.charged, 0) = coalesce(s.allocated, 0) AND s.service_month IS DISTINCT FROM l.month)
                ORDER BY s.account_id;
            END $$;
            """;

        /// <summary>The books of every closed month written again, in the order of the months, by the current <c>write_debt_book</c>.</summary>
        internal const string RewriteDebtBooks = """
            TRUNCATE debt_books;
            DO $$
            DECLARE m date;
            BEGIN
                FOR m IN SELECT month FROM billing_periods WHERE state = 'closed' ORDER BY month LOOP
                    PERFORM write_debt_book(m);
                END LOOP;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION write_debt_book(date);
                DROP TABLE debt_books;
                """);
        }
    }
}
