using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Complaints, requests and questions citizens send from the cabinet, with the dispatcher's answer and status.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123140000_CitizenRequests")]
    public partial class CitizenRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("""
                CREATE TABLE citizen_requests (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    account_id bigint NOT NULL REFERENCES personal_accounts (id),
                    user_id bigint REFERENCES users (id),
                    kind smallint NOT NULL,
                    text text NOT NULL,
                    status smallint NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    created_by text NOT NULL,
                    answer text,
                    answered_at timestamptz,
                    answered_by text
                );
                CREATE INDEX ix_citizen_requests_account_id ON citizen_requests (account_id, id);
                CREATE INDEX ix_citizen_requests_status ON citizen_requests (status, id);
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE citizen_requests;");
    }
}
