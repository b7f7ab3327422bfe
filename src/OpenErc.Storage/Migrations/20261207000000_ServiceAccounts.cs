using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Machine clients: service accounts of suppliers', management companies' and banks' systems and of scripts, each with
    /// one API key, roles and an optional access group, as a person has. Only the SHA-256 of the key is kept (with its
    /// first characters to tell keys apart); a revoked account stays for the audit, and a new one with the same name may
    /// be made to rotate a key.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261207000000_ServiceAccounts")]
    public partial class ServiceAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE service_accounts (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
                    roles text[] NOT NULL CHECK (cardinality(roles) > 0),
                    access_group_id bigint REFERENCES access_groups (id),
                    key_prefix text NOT NULL,
                    key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
                    created_at timestamptz NOT NULL,
                    created_by text NOT NULL,
                    revoked_at timestamptz,
                    revoked_by text,
                    last_used_at timestamptz,
                    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
                );
                CREATE UNIQUE INDEX service_accounts_key_hash ON service_accounts (key_hash);
                CREATE UNIQUE INDEX service_accounts_active_name ON service_accounts (lower(btrim(name))) WHERE revoked_at IS NULL;
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE service_accounts;");
    }
}
