using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The queue of automatic recalculations: a building whose charge inputs changed retroactively (dated in a month
    /// that is already charged) waits here, from the earliest month the change touches, until the recalculation posts
    /// the difference. Written by <see cref="OpenErcDbContext"/> in the transaction of the registry change, read and
    /// emptied by <c>Recalculations.ProcessQueueAsync</c> in the transaction of the posting. Plain SQL like
    /// <see cref="Billing"/>: the EF model does not map it.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261122230000_RecalculationQueue")]
    public partial class RecalculationQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                -- version changes on every merge of a new change into a pending row, so that the processing deletes
                -- only the row it has seen: a change queued while it computes stays for the next processing.
                CREATE SEQUENCE recalculation_queue_version;
                CREATE TABLE recalculation_queue (
                    building_id bigint PRIMARY KEY REFERENCES buildings (id),
                    from_month date NOT NULL CHECK (extract(day FROM from_month) = 1),
                    reason text NOT NULL,
                    queued_at timestamptz NOT NULL DEFAULT now(),
                    queued_by text NOT NULL,
                    version bigint NOT NULL DEFAULT nextval('recalculation_queue_version'));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE recalculation_queue;
                DROP SEQUENCE recalculation_queue_version;
                """);
        }
    }
}
