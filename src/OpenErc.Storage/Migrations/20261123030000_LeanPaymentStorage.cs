using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Payments at the rate of a region's registries (a million lines a day from one bank) without changing what
    /// anything reads.
    /// <para>
    /// The payment ledger's foreign keys (to the account, the agent, the registry, the cashier's shift and the corrected
    /// payment) are dropped: each was a trigger run for every row — the registry's and the agent's for a million rows
    /// of one registry and one agent, the shift's and the corrected payment's on rows that have none — and together
    /// they cost more than inserting the row. What they point at is found or written by the posting itself (the
    /// account by its number, in the same transaction), and none of it is ever deleted: accounts are closed, not
    /// removed. The payments' index on their registry and the registry lines' index on their payment are dropped too:
    /// nothing looks either up — a registry's lines lead to its payments, and a payment's registry is on its row.
    /// </para>
    /// <para>
    /// Allocation lines are stored as one row per posting of a payment (<c>payment_allocation_sets</c>: the payment's
    /// lines as parallel arrays) and read as lines through the view <c>payment_allocations</c>, whose columns are those
    /// of the former table. A payment spread over a month's bill has a line per service × supplier — about fourteen —
    /// and a row each made a registry of a million payments write fourteen million rows and their index entries, which
    /// alone took longer than the whole import may. As one row per payment the same lines are a million rows; readers
    /// that filter by account, booking month or day of receipt reach the rows through the set's own columns and indexes.
    /// A set's lines are numbered from <c>first_line</c> on; the set table, like the former one, is insert-only and
    /// partitioned by booking month. Existing lines are carried over, grouped by payment, booking month and days.
    /// </para>
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123030000_LeanPaymentStorage")]
    public partial class LeanPaymentStorage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE payments DROP CONSTRAINT payments_account_id_fkey, DROP CONSTRAINT payments_agent_id_fkey,
                    DROP CONSTRAINT payments_registry_id_fkey, DROP CONSTRAINT payments_shift_id_fkey, DROP CONSTRAINT payments_corrects_fkey;
                DROP INDEX ix_payments_registry;
                DROP INDEX ix_payment_registry_lines_payment;

                CREATE TABLE payment_allocation_sets (
                    booking_month date NOT NULL,
                    payment_id bigint NOT NULL,
                    first_line smallint NOT NULL,
                    account_id bigint NOT NULL,
                    paid_on date NOT NULL,
                    received_on date NOT NULL,
                    service_ids bigint[] NOT NULL,
                    supplier_ids bigint[] NOT NULL,
                    service_months date[] NOT NULL,
                    kinds smallint[] NOT NULL,
                    amounts numeric(15,2)[] NOT NULL,
                    commissions numeric(15,2)[] NOT NULL,
                    CONSTRAINT pk_payment_allocation_sets PRIMARY KEY (payment_id, first_line, booking_month),
                    CONSTRAINT ck_payment_allocation_sets_shape CHECK (
                        cardinality(service_ids) > 0 AND cardinality(supplier_ids) = cardinality(service_ids)
                        AND cardinality(service_months) = cardinality(service_ids) AND cardinality(kinds) = cardinality(service_ids)
                        AND cardinality(amounts) = cardinality(service_ids) AND cardinality(commissions) = cardinality(service_ids))
                ) PARTITION BY RANGE (booking_month);
                CREATE INDEX ix_payment_allocation_sets_account ON payment_allocation_sets (account_id);
                CREATE INDEX ix_payment_allocation_sets_received ON payment_allocation_sets (received_on);
                -- Advances paid before the account had charges (no service): what a month's closing splits.
                CREATE INDEX ix_payment_allocation_sets_unsplit ON payment_allocation_sets (payment_id) WHERE array_position(service_ids, NULL) IS NOT NULL;

                DO $$
                DECLARE m date;
                BEGIN
                    FOR m IN SELECT DISTINCT booking_month FROM payment_allocations LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF payment_allocation_sets FOR VALUES FROM (%L) TO (%L)',
                            'payment_allocation_sets_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
                    END LOOP;
                END $$;
                INSERT INTO payment_allocation_sets (booking_month, payment_id, first_line, account_id, paid_on, received_on,
                                                     service_ids, supplier_ids, service_months, kinds, amounts, commissions)
                SELECT booking_month, payment_id, min(line), account_id, paid_on, received_on,
                       array_agg(service_id ORDER BY line), array_agg(supplier_id ORDER BY line), array_agg(service_month ORDER BY line),
                       array_agg(kind ORDER BY line), array_agg(amount ORDER BY line), array_agg(commission ORDER BY line)
                FROM payment_allocations
                GROUP BY booking_month, payment_id, account_id, paid_on, received_on;
                DROP TABLE payment_allocations;

                -- The lines as they always read: one row per line, numbered within the payment.
                CREATE VIEW payment_allocations AS
                SELECT s.booking_month, s.payment_id, (s.first_line + l.n - 1)::smallint AS line, s.account_id, l.service_id, l.supplier_id,
                       l.service_month, l.kind, l.amount, l.commission, s.paid_on, s.received_on
                FROM payment_allocation_sets s
                CROSS JOIN LATERAL unnest(s.service_ids, s.supplier_ids, s.service_months, s.kinds, s.amounts, s.commissions)
                    WITH ORDINALITY AS l(service_id, supplier_id, service_month, kind, amount, commission, n);

                CREATE OR REPLACE FUNCTION ensure_payment_allocations_partition(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    first date := date_trunc('month', m)::date;
                    name text := 'payment_allocation_sets_' || to_char(first, 'YYYY_MM');
                BEGIN
                    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF payment_allocation_sets FOR VALUES FROM (%L) TO (%L)',
                        name, first, (first + interval '1 month')::date);
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP VIEW payment_allocations;
                CREATE TABLE payment_allocations (
                    booking_month date NOT NULL,
                    payment_id bigint NOT NULL,
                    line smallint NOT NULL,
                    account_id bigint NOT NULL,
                    service_id bigint,
                    supplier_id bigint,
                    service_month date,
                    kind smallint NOT NULL,
                    amount numeric(15,2) NOT NULL,
                    commission numeric(15,2) NOT NULL DEFAULT 0,
                    paid_on date NOT NULL,
                    received_on date NOT NULL,
                    CONSTRAINT pk_payment_allocations PRIMARY KEY (booking_month, payment_id, line)
                ) PARTITION BY RANGE (booking_month);
                CREATE INDEX ix_payment_allocations_account ON payment_allocations (account_id);
                CREATE INDEX ix_payment_allocations_received ON payment_allocations (received_on, supplier_id);
                CREATE INDEX ix_payment_allocations_unsplit ON payment_allocations (payment_id) WHERE service_id IS NULL;
                CREATE OR REPLACE FUNCTION ensure_payment_allocations_partition(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    first date := date_trunc('month', m)::date;
                    name text := 'payment_allocations_' || to_char(first, 'YYYY_MM');
                BEGIN
                    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF payment_allocations FOR VALUES FROM (%L) TO (%L)',
                        name, first, (first + interval '1 month')::date);
                END $$;
                DO $$
                DECLARE m date;
                BEGIN
                    FOR m IN SELECT DISTINCT booking_month FROM payment_allocation_sets LOOP
                        PERFORM ensure_payment_allocations_partition(m);
                    END LOOP;
                END $$;
                INSERT INTO payment_allocations
                SELECT s.booking_month, s.payment_id, (s.first_line + l.n - 1)::smallint, s.account_id, l.service_id, l.supplier_id, l.service_month, l.kind,
                       l.amount, l.commission, s.paid_on, s.received_on
                FROM payment_allocation_sets s
                CROSS JOIN LATERAL unnest(s.service_ids, s.supplier_ids, s.service_months, s.kinds, s.amounts, s.commissions)
                    WITH ORDINALITY AS l(service_id, supplier_id, service_month, kind, amount, commission, n);
                DROP TABLE payment_allocation_sets;

                CREATE INDEX ix_payments_registry ON payments (registry_id) WHERE registry_id IS NOT NULL;
                CREATE INDEX ix_payment_registry_lines_payment ON payment_registry_lines (payment_id);
                ALTER TABLE payments ADD CONSTRAINT payments_account_id_fkey FOREIGN KEY (account_id) REFERENCES personal_accounts (id),
                    ADD CONSTRAINT payments_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES organisations (id),
                    ADD CONSTRAINT payments_registry_id_fkey FOREIGN KEY (registry_id) REFERENCES payment_registries (id),
                    ADD CONSTRAINT payments_shift_id_fkey FOREIGN KEY (shift_id) REFERENCES cash_shifts (id),
                    ADD CONSTRAINT payments_corrects_fkey FOREIGN KEY (corrects) REFERENCES payments (id);
                """);
        }
    }
}
