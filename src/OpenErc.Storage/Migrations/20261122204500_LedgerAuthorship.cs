using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Who posted a charge line and when (ARCHITECTURE.md §5): recalculations, manual corrections and penalties are
    /// listed in the registry of recalculations with their author. Plain SQL like <see cref="Billing"/>: the EF model
    /// does not map <c>charge_lines</c>. Lines posted before this migration keep NULL (their run row says who and when).
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261122204500_LedgerAuthorship")]
    public partial class LedgerAuthorship : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE charge_lines ADD COLUMN IF NOT EXISTS posted_by text;
                ALTER TABLE charge_lines ADD COLUMN IF NOT EXISTS posted_at timestamptz DEFAULT now();
                -- The registry of recalculations reads the lines that are not regular charges by service month.
                CREATE INDEX IF NOT EXISTS ix_charge_lines_kind ON charge_lines (booking_month, kind) WHERE kind <> 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_charge_lines_kind;
                ALTER TABLE charge_lines DROP COLUMN IF EXISTS posted_at;
                ALTER TABLE charge_lines DROP COLUMN IF EXISTS posted_by;
                """);
        }
    }
}
