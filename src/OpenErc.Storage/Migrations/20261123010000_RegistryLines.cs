using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The lines of accepted payment registries, each pointing at the payment it is: the one posted by the registry,
    /// or the one posted before under the same (agent, operation id) — an online payment the registry confirms, or the
    /// same file imported again. Reconciliation compares what an agent's registries listed for a day with what was
    /// posted from that agent for that day, so it reads both sides by (agent, day). Plain SQL like
    /// <see cref="Payments"/>: written by COPY in the import's transaction only.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123010000_RegistryLines")]
    public partial class RegistryLines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                -- outcome: what the line did when imported: posted onto an account, posted to suspense, or a repeat.
                -- No foreign key to payments: the import writes the ids the posting returned in the same transaction,
                -- and a million lookups would make a region's registry take twice as long.
                CREATE TABLE payment_registry_lines (
                    registry_id bigint NOT NULL REFERENCES payment_registries (id),
                    line_no integer NOT NULL,
                    agent_id bigint NOT NULL,
                    paid_on date NOT NULL,
                    amount numeric(15,2) NOT NULL CHECK (amount > 0),
                    payment_id bigint NOT NULL,
                    outcome text NOT NULL CHECK (outcome IN ('posted', 'suspense', 'repeated')),
                    PRIMARY KEY (registry_id, line_no));
                CREATE INDEX ix_payment_registry_lines_day ON payment_registry_lines (agent_id, paid_on);
                CREATE INDEX ix_payment_registry_lines_payment ON payment_registry_lines (payment_id);

                -- The other side of reconciliation: an agent's intake payments by the moment the payer paid.
                CREATE INDEX ix_payments_agent_paid ON payments (agent_id, paid_at) WHERE correction IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_payments_agent_paid;
                DROP TABLE payment_registry_lines;
                """);
        }
    }
}
