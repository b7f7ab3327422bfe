using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A document is stored whole (10–20 KB of JSON), a region issues a million a month and every print reads them back.
    /// Nothing queries inside a document, so it is kept as <c>json</c> — the text as written, checked but not parsed
    /// into jsonb and printed back out on every read — and compressed with lz4, several times faster than PostgreSQL's
    /// default pglz at about the same size.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261123060000_ReceiptDocumentText")]
    public partial class ReceiptDocumentText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("ALTER TABLE receipts ALTER COLUMN document TYPE json USING document::json, ALTER COLUMN document SET COMPRESSION lz4;");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("ALTER TABLE receipts ALTER COLUMN document TYPE jsonb USING document::jsonb, ALTER COLUMN document SET COMPRESSION pglz;");
    }
}
