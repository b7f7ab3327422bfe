using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A closed month's totals, written once by its closing from its balances: by supplier × service (the supplier's
    /// cabinet) and by account (the month dashboard's debtors and advances). At a million accounts a month's balances are
    /// 13 M rows, which a page should not add up each time it is opened. <c>write_closed_month_totals(m)</c> is called by
    /// the closing in its transaction; months closed before are written here.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261208020000_ClosedMonthTotals")]
    public partial class ClosedMonthTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE closed_month_totals (
                    month date NOT NULL,
                    supplier_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    accounts integer NOT NULL,
                    opening numeric(15,2) NOT NULL,
                    charged numeric(15,2) NOT NULL,
                    recalculated numeric(15,2) NOT NULL,
                    penalties numeric(15,2) NOT NULL,
                    paid numeric(15,2) NOT NULL,
                    closing numeric(15,2) NOT NULL,
                    PRIMARY KEY (month, supplier_id, service_id));
                CREATE TABLE closed_month_accounts (
                    month date PRIMARY KEY,
                    accounts integer NOT NULL,
                    debt numeric(15,2) NOT NULL,
                    debtors integer NOT NULL,
                    advance numeric(15,2) NOT NULL,
                    advance_accounts integer NOT NULL);

                -- One pass over the month's balances: grouped by supplier × service and by account at once.
                CREATE FUNCTION write_closed_month_totals(m date) RETURNS void LANGUAGE sql AS $$
                    WITH g AS MATERIALIZED (
                        SELECT grouping(account_id) = 1 AS by_service, account_id, supplier_id, service_id, count(*) AS accounts,
                               sum(opening) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated, sum(penalties) AS penalties,
                               sum(paid) AS paid, sum(closing) AS closing
                        FROM account_balances WHERE month = m
                        GROUP BY GROUPING SETS ((supplier_id, service_id), (account_id))),
                    totals AS (
                        INSERT INTO closed_month_totals (month, supplier_id, service_id, accounts, opening, charged, recalculated, penalties, paid, closing)
                        SELECT m, supplier_id, service_id, accounts, opening, charged, recalculated, penalties, paid, closing FROM g WHERE by_service)
                    INSERT INTO closed_month_accounts (month, accounts, debt, debtors, advance, advance_accounts)
                    SELECT m, count(*), coalesce(sum(closing) FILTER (WHERE closing > 0), 0), count(*) FILTER (WHERE closing > 0),
                           coalesce(-sum(closing) FILTER (WHERE closing < 0), 0), count(*) FILTER (WHERE closing < 0)
                    FROM g WHERE NOT by_service;
                $$;

                SELECT write_closed_month_totals(month) FROM billing_periods WHERE state = 'closed' ORDER BY month;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION write_closed_month_totals(date);
                DROP TABLE closed_month_accounts;
                DROP TABLE closed_month_totals;
                """);
        }
    }
}
