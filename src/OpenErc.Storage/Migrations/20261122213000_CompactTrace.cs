using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A charge line's trace split into its words, stored once per formula in <c>charge_trace_templates</c>, and its
    /// values, stored per line in <c>trace_values</c> (see <c>ChargeTraces</c> in OpenErc.Operations). The
    /// self-describing jsonb trace was three quarters of a line's bytes. Traces already posted are converted here;
    /// their templates keep the words literally (no placeholders) and get negative ids, which never meet the
    /// positive hash ids of new templates.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261122213000_CompactTrace")]
    public partial class CompactTrace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE charge_trace_templates (
                    id bigint PRIMARY KEY,
                    formula text NOT NULL,
                    legal text NOT NULL,
                    note text,                  -- numbers in names and notes are placeholders {} filled from the line's values
                    inputs jsonb NOT NULL,      -- [[name, unit], …] of the line's inputs
                    segments jsonb NOT NULL);   -- [[[name, unit], …], …] of each segment's own inputs

                ALTER TABLE charge_lines ADD COLUMN trace_template bigint, ADD COLUMN trace_values text;

                CREATE FUNCTION pg_temp.trace_names(inputs jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
                    SELECT coalesce(jsonb_agg(jsonb_build_array(e->0, e->2) ORDER BY n), '[]')
                    FROM jsonb_array_elements(coalesce(inputs, '[]')) WITH ORDINALITY AS x(e, n) $$;
                CREATE FUNCTION pg_temp.trace_numbers(inputs jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                    SELECT coalesce(string_agg(e->>1, ';' ORDER BY n), '')
                    FROM jsonb_array_elements(coalesce(inputs, '[]')) WITH ORDINALITY AS x(e, n) $$;

                CREATE TEMP TABLE trace_conversion ON COMMIT DROP AS
                SELECT DISTINCT trace->>'f' AS formula, trace->>'l' AS legal, trace->>'n' AS note, pg_temp.trace_names(trace->'i') AS inputs,
                       (SELECT coalesce(jsonb_agg(pg_temp.trace_names(s->5) ORDER BY n), '[]')
                        FROM jsonb_array_elements(coalesce(trace->'s', '[]')) WITH ORDINALITY AS x(s, n)) AS segments
                FROM charge_lines WHERE trace IS NOT NULL;
                ALTER TABLE trace_conversion ADD COLUMN id bigint;
                UPDATE trace_conversion c SET id = -n.rn
                FROM (SELECT formula, legal, note, inputs, segments,
                             row_number() OVER (ORDER BY formula, legal, note, inputs::text, segments::text) AS rn
                      FROM trace_conversion) n
                WHERE (c.formula, c.legal, c.inputs, c.segments) = (n.formula, n.legal, n.inputs, n.segments) AND c.note IS NOT DISTINCT FROM n.note;
                INSERT INTO charge_trace_templates (id, formula, legal, note, inputs, segments)
                SELECT id, formula, legal, note, inputs, segments FROM trace_conversion;

                UPDATE charge_lines l SET
                    trace_template = c.id,
                    trace_values = pg_temp.trace_numbers(l.trace->'i')
                        || coalesce((SELECT string_agg('|' || concat_ws(';', s->>0, s->>1, s->>2, s->>3, s->>4)
                                                || CASE WHEN jsonb_array_length(s->5) > 0 THEN ';' || pg_temp.trace_numbers(s->5) ELSE '' END, '' ORDER BY n)
                                     FROM jsonb_array_elements(l.trace->'s') WITH ORDINALITY AS x(s, n)), '')
                FROM trace_conversion c
                WHERE l.trace IS NOT NULL AND c.formula = l.trace->>'f' AND c.legal = l.trace->>'l' AND c.note IS NOT DISTINCT FROM l.trace->>'n'
                  AND c.inputs = pg_temp.trace_names(l.trace->'i')
                  AND c.segments = (SELECT coalesce(jsonb_agg(pg_temp.trace_names(s->5) ORDER BY n), '[]')
                                    FROM jsonb_array_elements(coalesce(l.trace->'s', '[]')) WITH ORDINALITY AS x(s, n));

                ALTER TABLE charge_lines DROP COLUMN trace;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE charge_lines ADD COLUMN trace jsonb;
                ALTER TABLE charge_lines DROP COLUMN trace_values, DROP COLUMN trace_template;
                DROP TABLE charge_trace_templates;
                """);
        }
    }
}
