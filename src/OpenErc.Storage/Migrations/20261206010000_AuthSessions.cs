using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Sign-in sessions kept by the server: the cookie holds only a random key, so signing out (or the administrator
    /// ending a session) kills the cookie at once instead of when its ticket expires.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261206010000_AuthSessions")]
    public partial class AuthSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE auth_sessions (
                    key text PRIMARY KEY,
                    user_id bigint,
                    ticket bytea NOT NULL,
                    expires_at timestamptz,
                    created_at timestamptz NOT NULL);
                CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
                CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE auth_sessions;");
    }
}
