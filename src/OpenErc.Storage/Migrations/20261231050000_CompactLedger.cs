using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// A narrower ledger. A charge line's account and building become <c>integer</c>s (40 bytes of data instead of 48, 68
    /// a line with the tuple's header and pointer instead of 76), and a posting's details are written by column instead of
    /// by line (see <c>ChargeDetails</c> in the code): sixteen sections, each one field of every line, lines in order of
    /// service, supplier, zone and kind; an amount that is its unrounded amount rounded is left empty, and a trace value
    /// equal to the line's volume or rate is written <c>v</c> or <c>r</c>. The server's lz4 compresses a column's repeats
    /// as long matches. The view <c>charge_line_details</c> reads both forms' rows the same. See the README, «The ledger
    /// of charges».
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261231050000_CompactLedger")]
    public partial class CompactLedger : Migration
    {
        /// <summary>
        /// The view over details written by column; empty and missing (a one-line posting's empty section) are the same.
        /// An empty unrounded amount is <c>net_decimal</c> of the product of volume, rate, coefficient and day factor (the
        /// .NET decimal nearest to it, as the application's product is), an empty amount the unrounded one rounded.
        /// </summary>
        internal const string ViewByColumn = """
            CREATE FUNCTION net_decimal(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                -- s: 28 decimals, or fewer so that the digits are at most 29; one fewer again when the mantissa passes 2^96.
                SELECT trim_scale(CASE WHEN abs(round(p, s)) * ('1e' || s)::numeric < 79228162514264337593543950336 THEN round(p, s)
                                       ELSE round(p, s - 1) END)
                FROM (SELECT least(28, 29 - length(trunc(abs(p))::text) + (abs(p) < 1)::int) AS s) x
            $$;
            COMMENT ON FUNCTION net_decimal(numeric) IS 'The .NET decimal nearest to an exact number: as many decimals as fit in 96 bits, at most 28, half away from zero.';
            CREATE VIEW charge_line_details AS
            SELECT d.booking_month, d.building_id, d.run_id, d.regular, d.reason, d.posted_by,
                   x.account::bigint AS account_id, x.service::bigint AS service_id, x.supplier::bigint AS supplier_id, x.zone::smallint AS zone,
                   x.kind::smallint AS kind, x.service_month::date AS service_month, x.volume::numeric AS volume, coalesce(x.unit, '') AS unit,
                   x.rate::numeric AS rate, x.coefficient::numeric AS coefficient, x.day_factor::numeric AS day_factor, x.source::smallint AS source,
                   coalesce(nullif(x.unrounded, '')::numeric,
                            net_decimal(x.volume::numeric * x.rate::numeric * x.coefficient::numeric * x.day_factor::numeric)) AS unrounded,
                   coalesce(nullif(x.amount, '')::numeric,
                            round(coalesce(nullif(x.unrounded, '')::numeric,
                                           x.volume::numeric * x.rate::numeric * x.coefficient::numeric * x.day_factor::numeric), 2))::numeric(15,2) AS amount,
                   nullif(x.template, '\N')::bigint AS trace_template,
                   CASE WHEN x.trace IS NULL THEN ''
                        WHEN x.trace = '\N' THEN NULL
                        WHEN x.trace !~ '[vr]' THEN x.trace
                        ELSE regexp_replace(regexp_replace(x.trace, '(^|[;|~])v(?=[;|~]|$)', '\1' || x.volume, 'g'),
                                            '(^|[;|~])r(?=[;|~]|$)', '\1' || x.rate, 'g') END AS trace_values
            FROM charge_details d
            CROSS JOIN LATERAL string_to_array(d.data, E'\n') AS c(s)
            CROSS JOIN LATERAL unnest(
                string_to_array(c.s[1], E'\t'), string_to_array(c.s[2], E'\t'), string_to_array(c.s[3], E'\t'), string_to_array(c.s[4], E'\t'),
                string_to_array(c.s[5], E'\t'), string_to_array(c.s[6], E'\t'), string_to_array(c.s[7], E'\t'), string_to_array(c.s[8], E'\t'),
                string_to_array(c.s[9], E'\t'), string_to_array(c.s[10], E'\t'), string_to_array(c.s[11], E'\t'), string_to_array(c.s[12], E'\t'),
                string_to_array(c.s[13], E'\t'), string_to_array(c.s[14], E'\t'), string_to_array(c.s[15], E'\t'), string_to_array(c.s[16], E'\t'))
                AS x(account, service, supplier, zone, kind, service_month, volume, unit, rate, coefficient, day_factor, source, unrounded,
                     amount, template, trace);
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                ALTER TABLE charge_lines ALTER COLUMN account_id TYPE integer, ALTER COLUMN building_id TYPE integer;
                DROP VIEW charge_line_details;
                {{ViewByColumn}}

                -- By line to by column, as ChargeDetails writes it: the same order of lines, empty amounts and tokens (a whole
                -- value equal to the volume or the rate, found by plain replaces between markers: a pattern made per line
                -- would be compiled per line). The lines are sorted once; the aggregates read them in that order.
                CREATE FUNCTION pg_temp.token(values_ text, value text, token text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                    SELECT CASE WHEN length(value) >= 3 AND strpos(values_, value) > 0
                                THEN translate(replace(E'\x01' || replace(replace(replace(values_, ';', E'\x02;\x01'), '|', E'\x02|\x01'), '~', E'\x02~\x01')
                                                       || E'\x02', E'\x01' || value || E'\x02', E'\x01' || token || E'\x02'), E'\x01\x02', '')
                                ELSE values_ END
                $$;
                UPDATE charge_details d SET data = (
                    SELECT concat_ws(E'\n', string_agg(f[1], E'\t'), string_agg(f[2], E'\t'), string_agg(f[3], E'\t'), string_agg(f[4], E'\t'),
                                     string_agg(f[5], E'\t'), string_agg(f[6], E'\t'), string_agg(f[7], E'\t'), string_agg(f[8], E'\t'),
                                     string_agg(f[9], E'\t'), string_agg(f[10], E'\t'), string_agg(f[11], E'\t'), string_agg(f[12], E'\t'),
                                     string_agg(CASE WHEN implied THEN '' ELSE f[13] END, E'\t'),
                                     string_agg(CASE WHEN round(CASE WHEN implied THEN product ELSE f[13]::numeric END, 2) = f[14]::numeric THEN '' ELSE f[14] END, E'\t'),
                                     string_agg(f[15], E'\t'),
                                     string_agg(CASE WHEN f[16] = '\N' THEN f[16] ELSE pg_temp.token(pg_temp.token(f[16], f[7], 'v'), f[9], 'r') END, E'\t'))
                    FROM (SELECT f, product, f[13]::numeric = net_decimal(product) AS implied
                          FROM (SELECT o, f, f[7]::numeric * f[9]::numeric * f[10]::numeric * f[11]::numeric AS product
                                FROM string_to_table(d.data, E'\n') WITH ORDINALITY AS x(line, o)
                                CROSS JOIN LATERAL string_to_array(x.line, E'\t') AS a(f)) s
                          ORDER BY f[2]::bigint, f[3]::bigint, f[4]::smallint, f[5]::smallint, o) s);

                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                UPDATE charge_details d SET data = (
                    SELECT string_agg(concat_ws(E'\t', v.account_id, v.service_id, v.supplier_id, v.zone, v.kind, to_char(v.service_month, 'YYYY-MM-DD'),
                                                v.volume, v.unit, v.rate, v.coefficient, v.day_factor, v.source, v.unrounded, trim_scale(v.amount),
                                                coalesce(v.trace_template::text, '\N'), coalesce(v.trace_values, '\N')), E'\n')
                    FROM charge_line_details v
                    WHERE v.booking_month = d.booking_month AND v.building_id = d.building_id AND v.run_id = d.run_id);

                DROP VIEW charge_line_details;
                DROP FUNCTION net_decimal(numeric);
                {{NarrowLedger.ViewByLine}}

                ALTER TABLE charge_lines ALTER COLUMN account_id TYPE bigint, ALTER COLUMN building_id TYPE bigint;
                """);
        }
    }
}
