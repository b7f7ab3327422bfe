using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>The ids of an earlier system's objects and the registry objects they became: the key of a repeated or later import.</summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261218000000_LegacyKeys")]
    public partial class LegacyKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE legacy_keys (
                    source text NOT NULL,
                    kind text NOT NULL,
                    legacy_id text NOT NULL,
                    object_id bigint NOT NULL,
                    PRIMARY KEY (source, kind, legacy_id));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE legacy_keys;");
    }
}
