using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The centre has exactly one open billing month (ARCHITECTURE.md §7): a partial unique index admits one
    /// <c>open</c> row. Earlier versions opened a month by charging it, so a database may hold several open months:
    /// the earliest stays open and the later rows go (they are re-opened in turn as the months are closed); a database
    /// whose months are all closed opens the month after the last one.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261206000000_OneOpenMonth")]
    public partial class OneOpenMonth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                DELETE FROM billing_periods p
                WHERE p.state = 'open' AND EXISTS (SELECT 1 FROM billing_periods q WHERE q.state = 'open' AND q.month < p.month);
                INSERT INTO billing_periods (month, state)
                SELECT (max(month) + interval '1 month')::date, 'open' FROM billing_periods
                HAVING count(*) > 0 AND NOT bool_or(state = 'open');
                ALTER TABLE billing_periods ADD COLUMN opened_at timestamptz;
                CREATE UNIQUE INDEX billing_periods_one_open ON billing_periods (state) WHERE state = 'open';
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                DROP INDEX billing_periods_one_open;
                ALTER TABLE billing_periods DROP COLUMN opened_at;
                """);
    }
}
