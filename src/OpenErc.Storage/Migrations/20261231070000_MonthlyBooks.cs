using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The balances and the debt books are partitioned by month, one partition a month as the ledger's lines are: a
    /// closing reads the month before from its own partition instead of filtering every month kept (at 100 k accounts
    /// after five months the debt book's read of the month before scanned 22 M rows for 4.5 M; a region's year would scan
    /// some 150 M of each table at every closing), and vacuums and analyzes the month it wrote instead of the whole history.
    /// The closing creates its month's partitions (<c>ensure_month_partition</c>); the rows already kept move into theirs.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231070000_MonthlyBooks")]
    public partial class MonthlyBooks : Migration
    {
        private const string BalancesIndexes = """
            ALTER TABLE account_balances ADD PRIMARY KEY (month, account_id, service_id, supplier_id);
            CREATE INDEX ix_account_balances_benefits ON account_balances (month) WHERE benefits <> 0;
            """;

        // debt_books has no primary key (a chunk is unique by month, account, service, supplier, service month and kind,
        // some of them NULL): its index is the one on month and account.
        private const string DebtBooksIndexes = "CREATE INDEX ix_debt_books ON debt_books (month, account_id);";

        /// <summary>The table moved into a partitioned one of the same name and columns, its indexes made after the rows are in.</summary>
        private static string Partition(string table, string dropIndexes, string indexes) => $"""
            ALTER TABLE {table} RENAME TO {table}_unpartitioned;
            {dropIndexes}
            CREATE TABLE {table} (LIKE {table}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (month);
            SELECT ensure_month_partition('{table}', month) FROM (SELECT DISTINCT month FROM {table}_unpartitioned) m;
            INSERT INTO {table} SELECT * FROM {table}_unpartitioned ORDER BY month, account_id;
            DROP TABLE {table}_unpartitioned;
            {indexes}
            """;

        /// <summary>The partitioned table back into one table.</summary>
        private static string Unpartition(string table, string indexes) => $"""
            CREATE TABLE {table}_unpartitioned (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            INSERT INTO {table}_unpartitioned SELECT * FROM {table} ORDER BY month, account_id;
            DROP TABLE {table};
            ALTER TABLE {table}_unpartitioned RENAME TO {table};
            {indexes}
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE FUNCTION ensure_month_partition(parent text, m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    first date := date_trunc('month', m)::date;
                BEGIN
                    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                        parent || '_' || to_char(first, 'YYYY_MM'), parent, first, (first + interval '1 month')::date);
                END $$;
                {Partition("account_balances", "ALTER TABLE account_balances_unpartitioned DROP CONSTRAINT account_balances_pkey; DROP INDEX ix_account_balances_benefits;", BalancesIndexes)}
                {Partition("debt_books", "DROP INDEX ix_debt_books;", DebtBooksIndexes)}
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                {Unpartition("account_balances", BalancesIndexes)}
                {Unpartition("debt_books", DebtBooksIndexes)}
                DROP FUNCTION ensure_month_partition(text, date);
                """);
        }
    }
}
