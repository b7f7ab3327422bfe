using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A closed month's debtors by supplier, written by its closing beside its totals: an account that owes a supplier at
    /// the end of the month (all its services of that supplier together), with the debt. The supplier's cabinet lists
    /// them largest first from the index; at a million accounts adding them up from the month's 13 M balances took 7.7 s.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261209000000_ClosedMonthDebtors")]
    public partial class ClosedMonthDebtors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE closed_month_debtors (
                    month date NOT NULL,
                    supplier_id bigint NOT NULL,
                    account_id bigint NOT NULL,
                    debt numeric(15,2) NOT NULL CHECK (debt > 0));
                CREATE INDEX ix_closed_month_debtors ON closed_month_debtors (month, supplier_id, debt DESC);

                {Function(withDebtors: true)}

                SELECT write_closed_month_debtors(month) FROM billing_periods WHERE state = 'closed' ORDER BY month;
                DROP FUNCTION write_closed_month_debtors(date);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                {Function(withDebtors: false)}
                DROP TABLE closed_month_debtors;
                """);
        }

        private const string Debtors = """
            INSERT INTO closed_month_debtors (month, supplier_id, account_id, debt)
            SELECT m, supplier_id, account_id, closing FROM g WHERE by_account_supplier AND closing > 0
            """;

        /// <summary>
        /// <c>write_closed_month_totals(m)</c>: one pass over the month's balances, grouped by supplier × service, by account
        /// and (with the debtors) by supplier × account. With the debtors, also a function that writes them alone, for the
        /// months closed before.
        /// </summary>
        private static string Function(bool withDebtors) => $"""
            CREATE OR REPLACE FUNCTION write_closed_month_totals(m date) RETURNS void LANGUAGE sql AS $$
                WITH g AS MATERIALIZED (
                    SELECT grouping(account_id) = 1 AS by_service, grouping(service_id) = 1 AND grouping(supplier_id) = 0 AS by_account_supplier,
                           account_id, supplier_id, service_id, count(*) AS accounts,
                           sum(opening) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated, sum(penalties) AS penalties,
                           sum(paid) AS paid, sum(closing) AS closing
                    FROM account_balances WHERE month = m
                    GROUP BY GROUPING SETS ((supplier_id, service_id), (account_id){(withDebtors ? ", (supplier_id, account_id)" : "")})),
                {(withDebtors ? $"debtors AS ({Debtors})," : "")}
                totals AS (
                    INSERT INTO closed_month_totals (month, supplier_id, service_id, accounts, opening, charged, recalculated, penalties, paid, closing)
                    SELECT m, supplier_id, service_id, accounts, opening, charged, recalculated, penalties, paid, closing FROM g WHERE by_service)
                INSERT INTO closed_month_accounts (month, accounts, debt, debtors, advance, advance_accounts)
                SELECT m, count(*), coalesce(sum(closing) FILTER (WHERE closing > 0), 0), count(*) FILTER (WHERE closing > 0),
                       coalesce(-sum(closing) FILTER (WHERE closing < 0), 0), count(*) FILTER (WHERE closing < 0)
                FROM g WHERE NOT by_service AND NOT by_account_supplier;
            $$;
            {(withDebtors ? $"""
                CREATE FUNCTION write_closed_month_debtors(m date) RETURNS void LANGUAGE sql AS $$
                    WITH g AS (
                        SELECT true AS by_account_supplier, supplier_id, account_id, sum(closing) AS closing
                        FROM account_balances WHERE month = m GROUP BY supplier_id, account_id)
                    {Debtors};
                $$;
                """ : "")}
            """;
    }
}
