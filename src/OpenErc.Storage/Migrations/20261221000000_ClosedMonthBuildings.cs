using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A closed month's snapshot by building (reports.md §20's "monthly balance snapshot", at the grain of a building, so
    /// that every figure above a building — municipality, management company, street, supplier, service — is a sum of a
    /// few hundred thousand rows instead of a month's 13 M balances): per building × service × supplier the turnover
    /// sheet's columns with debt and advance netted per balance row, the penalties paid, and the debt book's debt by age
    /// on the month's last day; per building the accounts, those charged, in debt and overdue, their area, and the
    /// individual meters with and without a reading for the month. Written by the month's closing
    /// (<c>write_closed_month_buildings(m, bounds)</c>, <c>bounds</c> the newest service month of each overdue bucket
    /// 1…5 as the application's due dates give them); the months closed before are written here with the same rule.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261221000000_ClosedMonthBuildings")]
    public partial class ClosedMonthBuildings : Migration
    {
        /// <summary>The function's text up to its debt book by building (<see cref="BookByChunk"/>).</summary>
        internal const string WriteBuildingsHead = """
            CREATE OR REPLACE FUNCTION write_closed_month_buildings(m date, bounds date[]) RETURNS void LANGUAGE sql AS $$
                WITH accts AS MATERIALIZED (
                    SELECT a.id AS account_id, p.building_id, p.total_area * a.share AS area FROM personal_accounts a JOIN premises p ON p.id = a.premise_id),
                bal AS (
                    SELECT x.building_id, b.service_id, b.supplier_id, b.account_id, b.opening, b.charged, b.recalculated, b.penalties, b.paid, b.closing
                    FROM account_balances b JOIN accts x USING (account_id) WHERE b.month = m),
                pen AS (
                    SELECT x.building_id, coalesce(al.service_id, 0) AS service_id, coalesce(al.supplier_id, 0) AS supplier_id, sum(al.amount) AS paid_penalties
                    FROM payment_allocations al JOIN accts x USING (account_id) WHERE al.booking_month = m AND al.kind = 1 GROUP BY 1, 2, 3),
                chunks AS (
                    SELECT d.account_id, coalesce(d.service_id, 0) AS service_id, coalesce(d.supplier_id, 0) AS supplier_id, d.kind,
                           coalesce(d.charged, 0) - coalesce(d.allocated, 0) AS o,
                           CASE WHEN d.service_month <= bounds[5] THEN 5 WHEN d.service_month <= bounds[4] THEN 4 WHEN d.service_month <= bounds[3] THEN 3
                                WHEN d.service_month <= bounds[2] THEN 2 WHEN d.service_month <= bounds[1] THEN 1 ELSE 0 END AS bucket
                    FROM debt_books d WHERE d.month = m),
            """;

        /// <summary>The debt book by building, summed chunk by chunk.</summary>
        internal const string BookByChunk = """
                book AS (
                    SELECT x.building_id, c.service_id, c.supplier_id,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0), 0) AS debt,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 0), 0) AS current_debt,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 1), 0) AS overdue_1,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 2), 0) AS overdue_2,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 3), 0) AS overdue_3,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 4), 0) AS overdue_4,
                           coalesce(sum(o) FILTER (WHERE kind = 0 AND o > 0 AND bucket = 5), 0) AS overdue_5,
                           coalesce(sum(o) FILTER (WHERE kind = 1), 0) AS penalty_debt,
                           coalesce(-sum(o) FILTER (WHERE o < 0 AND kind <> 1), 0) AS advance
                    FROM chunks c JOIN accts x USING (account_id) GROUP BY 1, 2, 3),
            """;

        /// <summary>The function's text after its debt book.</summary>
        internal const string WriteBuildingsTail = """
                turnover AS (
                    SELECT building_id, service_id, supplier_id, count(*) AS accounts, count(*) FILTER (WHERE closing > 0) AS debtors,
                           sum(greatest(opening, 0)) AS opening_debt, sum(greatest(-opening, 0)) AS opening_advance, sum(charged) AS charged,
                           sum(recalculated) AS recalculated, sum(penalties) AS penalties, sum(paid) AS paid,
                           sum(greatest(closing, 0)) AS closing_debt, sum(greatest(-closing, 0)) AS closing_advance
                    FROM bal GROUP BY 1, 2, 3),
                written AS (
                    INSERT INTO closed_month_buildings
                    SELECT m, coalesce(t.building_id, k.building_id), coalesce(t.service_id, k.service_id), coalesce(t.supplier_id, k.supplier_id),
                           coalesce(t.accounts, 0), coalesce(t.debtors, 0), coalesce(t.opening_debt, 0), coalesce(t.opening_advance, 0),
                           coalesce(t.charged, 0), coalesce(t.recalculated, 0), coalesce(t.penalties, 0), coalesce(t.paid, 0), coalesce(n.paid_penalties, 0),
                           coalesce(t.closing_debt, 0), coalesce(t.closing_advance, 0), coalesce(k.debt, 0), coalesce(k.current_debt, 0),
                           coalesce(k.overdue_1, 0), coalesce(k.overdue_2, 0), coalesce(k.overdue_3, 0), coalesce(k.overdue_4, 0), coalesce(k.overdue_5, 0),
                           coalesce(k.penalty_debt, 0), coalesce(k.advance, 0)
                    FROM turnover t
                    FULL JOIN book k USING (building_id, service_id, supplier_id)
                    LEFT JOIN pen n ON n.building_id = coalesce(t.building_id, k.building_id) AND n.service_id = coalesce(t.service_id, k.service_id)
                                   AND n.supplier_id = coalesce(t.supplier_id, k.supplier_id)),
                per_account AS (
                    SELECT x.building_id, x.account_id, x.area, sum(b.charged + b.recalculated) AS ch, sum(b.closing) AS closing,
                           (SELECT coalesce(sum(coalesce(d.charged, 0) - coalesce(d.allocated, 0)), 0) FROM debt_books d
                            WHERE d.month = m AND d.account_id = x.account_id AND d.kind = 0 AND d.service_month <= bounds[1]) AS overdue
                    FROM bal b JOIN accts x USING (account_id) GROUP BY 1, 2, 3),
                meters_of AS (
                    SELECT mt.building_id, count(*) AS meters,
                           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM meter_readings r WHERE r.meter_id = mt.id
                               AND r.read_on > (m - interval '1 month' + interval '24 days')::date AND r.read_on <= (m + interval '24 days')::date)) AS meters_read
                    FROM meters mt
                    WHERE mt.kind IN (1, 2) AND mt.installed_on < m AND (mt.removed_on IS NULL OR mt.removed_on > m) AND (mt.failed_on IS NULL OR mt.failed_on > m)
                      AND (mt.next_verification_on IS NULL OR mt.next_verification_on >= m)
                    GROUP BY 1)
                INSERT INTO closed_month_building_accounts
                SELECT m, coalesce(a.building_id, mo.building_id), coalesce(a.accounts, 0), coalesce(a.charged, 0), coalesce(a.debtors, 0), coalesce(a.overdue, 0),
                       coalesce(a.area, 0), coalesce(mo.meters, 0), coalesce(mo.meters_read, 0)
                FROM (SELECT building_id, count(*) AS accounts, count(*) FILTER (WHERE ch <> 0) AS charged, count(*) FILTER (WHERE closing > 0) AS debtors,
                             count(*) FILTER (WHERE overdue > 0) AS overdue, sum(area) FILTER (WHERE ch <> 0) AS area
                      FROM per_account GROUP BY 1) a
                FULL JOIN meters_of mo USING (building_id);
            $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                CREATE TABLE closed_month_buildings (
                    month date NOT NULL,
                    building_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    accounts integer NOT NULL,
                    debtors integer NOT NULL,
                    opening_debt numeric(15,2) NOT NULL,
                    opening_advance numeric(15,2) NOT NULL,
                    charged numeric(15,2) NOT NULL,
                    recalculated numeric(15,2) NOT NULL,
                    penalties numeric(15,2) NOT NULL,
                    paid numeric(15,2) NOT NULL,
                    paid_penalties numeric(15,2) NOT NULL,
                    closing_debt numeric(15,2) NOT NULL,
                    closing_advance numeric(15,2) NOT NULL,
                    debt numeric(15,2) NOT NULL,
                    current_debt numeric(15,2) NOT NULL,
                    overdue_1 numeric(15,2) NOT NULL,
                    overdue_2 numeric(15,2) NOT NULL,
                    overdue_3 numeric(15,2) NOT NULL,
                    overdue_4 numeric(15,2) NOT NULL,
                    overdue_5 numeric(15,2) NOT NULL,
                    penalty_debt numeric(15,2) NOT NULL,
                    advance numeric(15,2) NOT NULL,
                    PRIMARY KEY (month, building_id, service_id, supplier_id));
                CREATE TABLE closed_month_building_accounts (
                    month date NOT NULL,
                    building_id bigint NOT NULL,
                    accounts integer NOT NULL,
                    charged integer NOT NULL,
                    debtors integer NOT NULL,
                    overdue integer NOT NULL,
                    area numeric(18,6) NOT NULL,
                    meters integer NOT NULL,
                    meters_read integer NOT NULL,
                    PRIMARY KEY (month, building_id));

                {{WriteBuildingsHead}}
                {{BookByChunk}}
                {{WriteBuildingsTail}}
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION write_closed_month_buildings(date, date[]);
                DROP TABLE closed_month_building_accounts;
                DROP TABLE closed_month_buildings;
                """);
        }
    }
}
