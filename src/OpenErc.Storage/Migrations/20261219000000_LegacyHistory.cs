using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// An earlier system's past charges and payments, kept read-only beside the ledger: the account card shows them, and
    /// nothing adds them to balances (the opening balance the import brings is the source's own figure). Keyed by the
    /// source's ids, so the same file again adds nothing and a later one corrects a row.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261219000000_LegacyHistory")]
    public partial class LegacyHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE legacy_charges (
                    source text NOT NULL,
                    legacy_id text NOT NULL,
                    account_id bigint NOT NULL REFERENCES personal_accounts (id),
                    month date NOT NULL,
                    service text NOT NULL,
                    method text,
                    zone text,
                    rate numeric,
                    volume numeric,
                    amount numeric(14, 2) NOT NULL,
                    recalculation numeric(14, 2) NOT NULL,
                    benefit numeric(14, 2) NOT NULL,
                    PRIMARY KEY (source, legacy_id));
                CREATE INDEX ix_legacy_charges_account ON legacy_charges (account_id, month);
                CREATE TABLE legacy_payments (
                    source text NOT NULL,
                    legacy_id text NOT NULL,
                    account_id bigint NOT NULL REFERENCES personal_accounts (id),
                    paid_on date NOT NULL,
                    amount numeric(14, 2) NOT NULL,
                    month date,
                    number text,
                    agent text,
                    comment text,
                    PRIMARY KEY (source, legacy_id));
                CREATE INDEX ix_legacy_payments_account ON legacy_payments (account_id, paid_on);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE legacy_payments; DROP TABLE legacy_charges;");
    }
}
