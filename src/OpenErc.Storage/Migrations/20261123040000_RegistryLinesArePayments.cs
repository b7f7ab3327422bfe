using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Two changes that let a region's registry of a million lines post within a minute.
    /// <para>
    /// A registry line that posted a payment is that payment: its row carries the registry and the line number, and the
    /// line is no longer written a second time into <c>payment_registry_lines</c>, which now keeps only the lines that
    /// posted nothing new — repeats of payments posted before under the same operation id (an online payment the
    /// registry confirms, the same file imported again). A registry's lines are both, by line number; an index on the
    /// payments' (registry, line) serves the registry's page. Existing lines that are their own payments are removed.
    /// </para>
    /// <para>
    /// Reconciliation finds the payments of a day by a BRIN index on the moment of payment instead of a b-tree on agent
    /// and moment. Payments are written roughly in the order they are made (online as they come, a registry the day after
    /// its payments), so a block range holds payments of a few days and the index stays a few pages long; the b-tree put
    /// every payment of a registry — written in account order — at a random place of one agent's key range, which cost
    /// more than inserting the row itself.
    /// </para>
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123040000_RegistryLinesArePayments")]
    public partial class RegistryLinesArePayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX ix_payments_registry_line ON payments (registry_id, line_no) WHERE registry_id IS NOT NULL;
                DELETE FROM payment_registry_lines l USING payments p
                WHERE p.id = l.payment_id AND p.registry_id = l.registry_id AND p.line_no = l.line_no;
                ALTER TABLE payment_registry_lines DROP CONSTRAINT payment_registry_lines_outcome_check,
                    ADD CONSTRAINT payment_registry_lines_outcome_check CHECK (outcome = 'repeated');

                DROP INDEX ix_payments_agent_paid;
                CREATE INDEX ix_payments_paid_brin ON payments USING brin (paid_at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_payments_paid_brin;
                CREATE INDEX ix_payments_agent_paid ON payments (agent_id, paid_at) WHERE correction IS NULL;

                ALTER TABLE payment_registry_lines DROP CONSTRAINT payment_registry_lines_outcome_check,
                    ADD CONSTRAINT payment_registry_lines_outcome_check CHECK (outcome IN ('posted', 'suspense', 'repeated'));
                -- The registry's day of a payment is taken in Moscow time, the default region's.
                INSERT INTO payment_registry_lines (registry_id, line_no, agent_id, paid_on, amount, payment_id, outcome)
                SELECT registry_id, line_no, agent_id, (paid_at AT TIME ZONE 'Europe/Moscow')::date, amount, id,
                       CASE WHEN account_id IS NULL THEN 'suspense' ELSE 'posted' END
                FROM payments WHERE registry_id IS NOT NULL AND correction IS NULL;
                DROP INDEX ix_payments_registry_line;
                """);
        }
    }
}
