using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The debt book of every account as it stood when a month closed: what was charged and what was allocated, summed by
    /// service × supplier × service month (× penalty or debt, × allocation kind with the latest payment day), over all
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
            migrationBuilder.Sql("""
                CREATE TABLE debt_books (
                    month date NOT NULL,
                    account_id bigint NOT NULL,
                    allocated boolean NOT NULL,      -- false: charged (kind 0 debt, 1 penalty); true: allocated (kind: 0 debt, 1 penalty, 2 advance)
                    service_id bigint,
                    supplier_id bigint,
                    service_month date,
                    kind smallint NOT NULL,
                    amount numeric(15,2) NOT NULL,
                    paid_on date);
                CREATE INDEX ix_debt_books ON debt_books (month, account_id);

                CREATE FUNCTION write_debt_book(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    p date := (SELECT max(month) FROM debt_books WHERE month < m);
                    after date := coalesce(p, '-infinity');
                BEGIN
                    INSERT INTO debt_books (month, account_id, allocated, service_id, supplier_id, service_month, kind, amount, paid_on)
                    WITH entries AS (
                        SELECT account_id, false AS allocated, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, service_month,
                               (kind = 6)::int::smallint AS kind, kopecks * 0.01 AS amount, NULL::date AS paid_on
                        FROM charge_lines WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        SELECT account_id, true, service_id, supplier_id, service_month, kind, amount, paid_on
                        FROM payment_allocations WHERE booking_month > after AND booking_month <= m
                        UNION ALL
                        SELECT account_id, allocated, service_id, supplier_id, service_month, kind, amount, paid_on FROM debt_books WHERE month = p),
                    summed AS (
                        SELECT account_id, allocated, service_id, supplier_id, service_month, kind, sum(amount) AS amount, max(paid_on) AS paid_on
                        FROM entries GROUP BY 1, 2, 3, 4, 5, 6),
                    -- The latest month charged: its chunks weigh an advance's split (DebtBook), settled or not.
                    latest AS (
                        SELECT account_id, max(service_month) AS month FROM summed WHERE NOT allocated AND kind = 0 AND amount > 0 GROUP BY 1),
                    settled AS (
                        SELECT account_id, service_id, supplier_id, service_month, kind FROM summed s
                        WHERE service_month IS NOT NULL AND kind IN (0, 1) AND service_id IS NOT NULL AND supplier_id IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM latest l WHERE l.account_id = s.account_id AND l.month = s.service_month)
                        GROUP BY 1, 2, 3, 4, 5
                        HAVING coalesce(sum(amount) FILTER (WHERE NOT allocated), 0) = coalesce(sum(amount) FILTER (WHERE allocated), 0))
                    SELECT m, s.account_id, s.allocated, s.service_id, s.supplier_id, s.service_month, s.kind, s.amount, s.paid_on
                    FROM summed s
                    WHERE NOT EXISTS (SELECT 1 FROM settled x
                                      WHERE x.account_id = s.account_id AND x.service_id = s.service_id AND x.supplier_id = s.supplier_id
                                        AND x.service_month = s.service_month AND x.kind = s.kind)
                    ORDER BY s.account_id;
                END $$;

                DO $$
                DECLARE m date;
                BEGIN
                    FOR m IN SELECT month FROM billing_periods WHERE state = 'closed' ORDER BY month LOOP
                        PERFORM write_debt_book(m);
                    END LOOP;
                END $$;
                """);
        }

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
