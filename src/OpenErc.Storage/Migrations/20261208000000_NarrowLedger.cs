using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// The narrow ledger. A charge line keeps what the ledger's readers add up — ten fixed-width columns, the amount in
    /// kopecks — and everything that explains it (volume, unit, rate, coefficient, day factor, source, the unrounded
    /// amount, the trace) moves to <c>charge_details</c>: one row per building × posting (run) × booking month, its lines
    /// as tab-separated text compressed by the server (lz4), with the posting's reason and author (when is the run's
    /// <c>started_at</c>). The view
    /// <c>charge_line_details</c> reads them back as rows with the old line's columns. A building's regular charge for a
    /// month is unique in <c>charge_details</c> (a partial unique index on a table of one row per building and month)
    /// instead of an eight-column primary key on every line. See the README, «The ledger of charges».
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261208000000_NarrowLedger")]
    public partial class NarrowLedger : Migration
    {
        /// <summary>The partition function of both tables and the view over the details.</summary>
        private const string Definitions = PartitionFunction + ViewByLine;

        private const string PartitionFunction = """
            CREATE OR REPLACE FUNCTION ensure_charge_lines_partition(m date) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                first date := date_trunc('month', m)::date;
                suffix text := to_char(first, 'YYYY_MM');
            BEGIN
                EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF charge_lines FOR VALUES FROM (%L) TO (%L)',
                    'charge_lines_' || suffix, first, (first + interval '1 month')::date);
                EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF charge_details FOR VALUES FROM (%L) TO (%L)',
                    'charge_details_' || suffix, first, (first + interval '1 month')::date);
            END $$;

            """;

        /// <summary>The view over details written by line (<c>CompactLedger</c> writes them by column).</summary>
        internal const string ViewByLine = """
            -- A line of the details: account, service, supplier, zone, kind, service month, volume, unit, rate,
            -- coefficient, day factor, source, unrounded, amount, trace template, trace values (\N for none).
            CREATE VIEW charge_line_details AS
            SELECT d.booking_month, d.building_id, d.run_id, d.regular, d.reason, d.posted_by,
                   f[1]::bigint AS account_id, f[2]::bigint AS service_id, f[3]::bigint AS supplier_id, f[4]::smallint AS zone,
                   f[5]::smallint AS kind, f[6]::date AS service_month, f[7]::numeric AS volume, f[8] AS unit, f[9]::numeric AS rate,
                   f[10]::numeric AS coefficient, f[11]::numeric AS day_factor, f[12]::smallint AS source, f[13]::numeric AS unrounded,
                   f[14]::numeric(15,2) AS amount, nullif(f[15], '\N')::bigint AS trace_template, nullif(f[16], '\N') AS trace_values
            FROM charge_details d
            CROSS JOIN LATERAL string_to_table(d.data, E'\n') AS x(line)
            CROSS JOIN LATERAL string_to_array(x.line, E'\t') AS s(f);
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                -- The wide ledger steps aside, partitions included (their names are the new ledger's).
                DO $$
                DECLARE p record;
                BEGIN
                    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                             WHERE i.inhparent = 'charge_lines'::regclass LOOP
                        EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, replace(p.relname, 'charge_lines_', 'wide_charge_lines_'));
                    END LOOP;
                END $$;
                ALTER TABLE charge_lines RENAME TO wide_charge_lines;
                ALTER INDEX ix_charge_lines_building RENAME TO ix_wide_charge_lines_building;
                ALTER INDEX ix_charge_lines_kind RENAME TO ix_wide_charge_lines_kind;
                DROP FUNCTION ensure_charge_lines_partition(date);

                -- Fixed-width columns only, ordered for alignment: 48 bytes of data, 76 with the tuple header and pointer.
                CREATE TABLE charge_lines (
                    account_id bigint NOT NULL,
                    building_id bigint NOT NULL,
                    kopecks bigint NOT NULL,
                    booking_month date NOT NULL,
                    service_month date NOT NULL,
                    service_id integer NOT NULL,
                    supplier_id integer NOT NULL,
                    run_id integer NOT NULL,
                    zone smallint NOT NULL,
                    kind smallint NOT NULL
                ) PARTITION BY RANGE (booking_month);
                CREATE INDEX ix_charge_lines_account ON charge_lines (account_id);
                -- Lines are written building by building, so a block range index finds a building's lines for next to nothing.
                CREATE INDEX ix_charge_lines_building ON charge_lines USING brin (building_id) WITH (pages_per_range = 16, autosummarize = on);
                CREATE INDEX ix_charge_lines_kind ON charge_lines (kind) WHERE kind <> 0;

                CREATE TABLE charge_details (
                    booking_month date NOT NULL,
                    building_id bigint NOT NULL,
                    run_id integer NOT NULL,
                    regular boolean NOT NULL,
                    lines integer NOT NULL,
                    kopecks bigint NOT NULL,     -- the posting's total: a month's totals without reading its lines
                    reason text,
                    posted_by text,
                    data text COMPRESSION lz4 NOT NULL,
                    PRIMARY KEY (booking_month, building_id, run_id)
                ) PARTITION BY RANGE (booking_month);
                -- The database refuses a second regular charge of a building for a month, whatever the code does.
                CREATE UNIQUE INDEX ux_charge_details_regular ON charge_details (booking_month, building_id) WHERE regular;

                {{Definitions}}

                SELECT ensure_charge_lines_partition(m) FROM (SELECT DISTINCT booking_month AS m FROM wide_charge_lines) x;

                INSERT INTO charge_details (booking_month, building_id, run_id, regular, lines, kopecks, reason, posted_by, data)
                SELECT l.booking_month, l.building_id, l.run_id,
                       EXISTS (SELECT 1 FROM billing_run_buildings rb WHERE rb.run_id = l.run_id AND rb.building_id = l.building_id AND rb.state = 'done'),
                       count(*), sum((l.amount * 100)::bigint), min(l.reason), min(l.posted_by),
                       string_agg(concat_ws(E'\t', l.account_id, l.service_id, l.supplier_id, l.zone, l.kind, to_char(l.service_month, 'YYYY-MM-DD'), trim_scale(l.volume),
                                            l.unit, trim_scale(l.rate), trim_scale(l.coefficient), trim_scale(l.day_factor), l.source, trim_scale(l.unrounded),
                                            l.amount, coalesce(l.trace_template::text, '\N'), coalesce(l.trace_values, '\N')), E'\n'
                                  ORDER BY l.account_id, l.service_id, l.supplier_id, l.zone, l.kind, l.service_month)
                FROM wide_charge_lines l
                GROUP BY l.booking_month, l.building_id, l.run_id;

                INSERT INTO charge_lines (account_id, building_id, kopecks, booking_month, service_month, service_id, supplier_id, run_id, zone, kind)
                SELECT account_id, building_id, (amount * 100)::bigint, booking_month, service_month, service_id, supplier_id, run_id, zone, kind
                FROM wide_charge_lines ORDER BY booking_month, building_id, run_id, account_id;

                DROP TABLE wide_charge_lines;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE wide_charge_lines (
                    booking_month date NOT NULL,
                    service_month date NOT NULL,
                    account_id bigint NOT NULL,
                    building_id bigint NOT NULL,
                    service_id bigint NOT NULL,
                    supplier_id bigint NOT NULL,
                    zone smallint NOT NULL,
                    kind smallint NOT NULL,
                    run_id bigint NOT NULL,
                    volume numeric NOT NULL,
                    unit text NOT NULL,
                    rate numeric NOT NULL,
                    coefficient numeric NOT NULL,
                    day_factor numeric NOT NULL,
                    source smallint NOT NULL,
                    unrounded numeric NOT NULL,
                    amount numeric(15,2) NOT NULL,
                    reason text,
                    posted_by text,
                    posted_at timestamptz DEFAULT now(),
                    trace_template bigint,
                    trace_values text,
                    CONSTRAINT pk_charge_lines PRIMARY KEY (booking_month, account_id, service_id, supplier_id, zone, kind, service_month, run_id)
                ) PARTITION BY RANGE (booking_month);
                DO $$
                DECLARE m date;
                BEGIN
                    FOR m IN SELECT DISTINCT booking_month FROM charge_details LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF wide_charge_lines FOR VALUES FROM (%L) TO (%L)',
                            'wide_charge_lines_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
                    END LOOP;
                END $$;
                INSERT INTO wide_charge_lines (booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id,
                    volume, unit, rate, coefficient, day_factor, source, unrounded, amount, reason, posted_by, posted_at, trace_template, trace_values)
                SELECT booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id,
                       volume, unit, rate, coefficient, day_factor, source, unrounded, amount, reason, posted_by, r.started_at, trace_template, trace_values
                FROM charge_line_details d LEFT JOIN billing_runs r ON r.id = d.run_id;

                DROP VIEW charge_line_details;
                DROP TABLE charge_details;
                DROP TABLE charge_lines;
                DROP FUNCTION ensure_charge_lines_partition(date);

                DO $$
                DECLARE p record;
                BEGIN
                    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                             WHERE i.inhparent = 'wide_charge_lines'::regclass LOOP
                        EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, replace(p.relname, 'wide_charge_lines_', 'charge_lines_'));
                    END LOOP;
                END $$;
                ALTER TABLE wide_charge_lines RENAME TO charge_lines;
                CREATE INDEX IF NOT EXISTS ix_charge_lines_building ON charge_lines (booking_month, building_id);
                CREATE INDEX IF NOT EXISTS ix_charge_lines_kind ON charge_lines (booking_month, kind) WHERE kind <> 0;

                CREATE FUNCTION ensure_charge_lines_partition(m date) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    first date := date_trunc('month', m)::date;
                    name text := 'charge_lines_' || to_char(first, 'YYYY_MM');
                BEGIN
                    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF charge_lines FOR VALUES FROM (%L) TO (%L)',
                        name, first, (first + interval '1 month')::date);
                END $$;
                """);
        }
    }
}
