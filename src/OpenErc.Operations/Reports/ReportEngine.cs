using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;

namespace OpenErc.Operations.Reports;

/// <summary>
/// Forms any report of <see cref="ReportCatalog"/> from its definition: filters (the query's and the user's scope, ANDed),
/// groups, subtotals, totals, paging and the pivot. A report is one SQL query over its source; totals are a second query
/// over the same rows (<c>GROUPING SETS</c>), so a page of a long report still has its groups' subtotals and the grand total.
/// Every summed value of a source is exact (kopecks, counts, volumes rounded to the printed three decimals), so a total
/// equals the sum of its printed rows (reports.md G1); a ratio is computed from the sums (G1 again).
/// </summary>
public static class ReportEngine
{
    /// <summary>How long one report may run before the database stops it.</summary>
    public const int TimeoutSeconds = 600;

    /// <summary>The most columns a pivot spreads across.</summary>
    public const int MaxAcross = 200;

    /// <summary>The month reports show unless asked: the last closed one, or the open month before anything is closed.</summary>
    public static async Task<(BillingPeriod Latest, BillingPeriod? Open)> MonthsAsync(string connectionString, RegionClock clock, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT max(month) FROM billing_periods WHERE state = 'closed'), (SELECT max(month) FROM billing_periods WHERE state = 'open')
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var closed = r.GetMonthOrNull(0);
        var open = r.GetMonthOrNull(1);
        return (closed ?? open ?? clock.CurrentMonth, open);
    }

    /// <summary>The head of <paramref name="report"/> for <paramref name="query"/>: what the title block prints and the columns.</summary>
    public static ReportHead Head(ReportDefinition report, ReportQuery query, ReportScope scope, RegionClock clock, string organisation,
        string selection, IReadOnlyList<string>? across = null)
    {
        var ru = CultureInfo.GetCultureInfo("ru-RU");
        string period = report.Time switch
        {
            ReportTime.Date or ReportTime.MonthEnd => $"по состоянию на {query.Date.ToString("d MMMM yyyy", ru)} г.",
            _ when query.From == query.To => $"за {query.To.FirstDay.ToString("MMMM yyyy", ru)} г.",
            _ => $"за период с {query.From.FirstDay:dd.MM.yyyy} по {query.To.LastDay:dd.MM.yyyy}",
        };
        var options = new List<string> { $"вид — {query.Mode.Title().ToLowerInvariant()}" };
        if (query.Groups.Count > 0) options.Add("группировка — " + string.Join(", затем ", query.Groups.Select(g => ReportDimensions.All[g].Title.ToLowerInvariant())));
        if (query.Across is { } x) options.Add($"столбцы — {ReportDimensions.All[x].Title.ToLowerInvariant()}, показатель — {report.Columns.First(c => c.Key == query.Measure).Title.ToLowerInvariant()}");
        foreach (var p in report.Options)
        {
            var value = query.Parameters[p.Key];
            options.Add($"{p.Title.ToLowerInvariant()} — {(p.Values.Count == 0 ? value : p.Values.First(v => v.Value == value).Title.ToLowerInvariant())}");
        }
        return new ReportHead(report.Code, report.Title, organisation, period, selection, string.Join("; ", options), clock.Now, scope.FormedBy,
            Columns(report, query, scope, across), query.Groups);
    }

    private static List<ReportColumn> Columns(ReportDefinition report, ReportQuery query, ReportScope scope, IReadOnlyList<string>? across)
    {
        var visible = report.Columns.Where(c => !c.Hidden && (scope.PersonalData || !c.Personal)).ToList();
        switch (query.Mode)
        {
            case ReportMode.Expanded:
                return visible;
            case ReportMode.Summary:
                return query.Groups.Select(g => GroupColumn(ReportDimensions.All[g])).Concat(visible.Where(c => c.IsMeasure)).ToList();
            default:
                var measure = report.Columns.First(c => c.Key == query.Measure);
                var columns = new List<ReportColumn> { GroupColumn(ReportDimensions.All[query.Groups[0]]) };
                columns.AddRange((across ?? []).Select((title, i) => new ReportColumn($"x{i}", title, measure.Cell, "", ReportTotal.Sum)));
                columns.Add(new ReportColumn("total", "Итого", measure.Cell, "", ReportTotal.Sum));
                return columns;
        }
    }

    private static ReportColumn GroupColumn(ReportDimension d) =>
        new(d.Key, d.Title, d.Cell is ReportCell.Month or ReportCell.Date or ReportCell.Code ? d.Cell : ReportCell.Text, "");

    /// <summary>One page of the report (every row, with subtotals and the total, for an export: <see cref="OpenAsync"/>).</summary>
    public static async Task<ReportPage> PageAsync(string connectionString, ReportDefinition report, ReportQuery query, ReportScope scope,
        RegionClock clock, int page, int pageSize, CancellationToken ct = default)
    {
        if (page < 1) throw new ReportException("page", "Номер страницы — с 1");
        if (pageSize is < 1 or > 10_000) throw new ReportException("pageSize", "Строк на странице — от 1 до 10 000");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        // A report read once keeps its rows in a temporary table until the page is read (ON COMMIT DROP).
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var (head, pivot, plan, totals) = await PrepareAsync(conn, report, query, scope, clock, ct);
        if (pivot is not null)
        {
            var body = pivot.Where(r => r.Kind != ReportRowKind.Total).ToList();
            return new ReportPage(head, body.Skip((page - 1) * pageSize).Take(pageSize).ToList(), pivot[^1], body.Count, page, pageSize);
        }
        var rows = new List<ReportRow>();
        await foreach (var row in plan!.RowsAsync(conn, totals!, (page - 1) * (long)pageSize, pageSize, ct)) rows.Add(row);
        return new ReportPage(head, rows, plan.TotalRow(totals!), plan.Count(totals!), page, pageSize);
    }

    /// <summary>Every row of the report in order, each group followed by its subtotal, and «Всего» last: what the exports write.</summary>
    public static async Task<(ReportHead Head, IAsyncEnumerable<ReportRow> Rows)> OpenAsync(NpgsqlConnection conn, ReportDefinition report, ReportQuery query,
        ReportScope scope, RegionClock clock, CancellationToken ct = default)
    {
        var (head, pivot, plan, _) = await PrepareAsync(conn, report, query, scope, clock, ct, export: true);
        return (head, pivot?.ToAsyncEnumerable() ?? All(plan!, conn, ct));
    }

    /// <summary>
    /// The head of the report and either the pivot's rows, or the plan of its query with the subtotals and totals — for an
    /// <paramref name="export"/> none: its rows are read once, in order, and the plan sums them as they pass.
    /// </summary>
    private static async Task<(ReportHead Head, List<ReportRow>? Pivot, Plan? Plan, Dictionary<(int, object?, object?), decimal[]>? Totals)> PrepareAsync(
        NpgsqlConnection conn, ReportDefinition report, ReportQuery query, ReportScope scope, RegionClock clock, CancellationToken ct, bool export = false)
    {
        var open = await BillingPeriods.OpenMonthAsync(conn, null, forUpdate: false, ct);
        Check(report, query, open);
        var organisation = await OrganisationAsync(conn, ct);
        var selection = await SelectionAsync(conn, query, open, ct);
        if (query.Mode == ReportMode.Pivot)
        {
            var (acrossTitles, pivot) = await PivotAsync(conn, await FastAsync(conn, report, query, open, ct), query, scope, open, clock, ct);
            return (Head(report, query, scope, clock, organisation, selection, acrossTitles), pivot, null, null);
        }
        var head = Head(report, query, scope, clock, organisation, selection);
        var plan = new Plan(await FastAsync(conn, report, query, open, ct), query, scope, open, clock, head);
        if (export) return (head, null, plan, null);
        // A summary's rows are its groups, few whatever the rows under them cost to add up: read once too.
        if (report.ReadOnce || query.Mode == ReportMode.Summary) await plan.ReadOnceAsync(conn, ct);
        return (head, null, plan, await plan.TotalsAsync(conn, ct));
    }

    /// <summary>The filters as the title block prints them: «Муниципальное образование = Город; Здание = …», values by their names.</summary>
    private static async Task<string> SelectionAsync(NpgsqlConnection conn, ReportQuery query, BillingPeriod? open, CancellationToken ct)
    {
        var parts = new List<string>();
        foreach (var (key, values) in query.Filters)
        {
            var d = ReportDimensions.All[key];
            string text;
            if (d.Values is ReportValue.Id or ReportValue.Small && d.Filter is null)
            {
                var parameters = new List<NpgsqlParameter> { FilterParameter("f_" + key, d, values) };
                var sql = $"SELECT string_agg(coalesce(({string.Format(CultureInfo.InvariantCulture, d.Label, "x.v")})::text, x.v::text), ', ' ORDER BY x.v) FROM unnest(@f_{key}) AS x(v)";
                await using var cmd = Command(conn, sql, query, open, parameters);
                text = await cmd.ExecuteScalarAsync(ct) as string ?? string.Join(", ", values);
            }
            else text = string.Join(", ", values);
            parts.Add($"{d.Title} = {text}");
        }
        return string.Join("; ", parts);
    }

    /// <summary>Whose report it is: the billing centre's name as its organisation card has it.</summary>
    private static async Task<string> OrganisationAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(short_name, name) FROM organisations WHERE kind = {(int)Core.Organisations.OrganisationKind.BillingCentre} ORDER BY id LIMIT 1", conn);
        return await cmd.ExecuteScalarAsync(ct) as string ?? "Единый расчётный центр";
    }

    /// <summary>
    /// The report as its snapshot form (<see cref="ReportFast"/>) when the query stays above the building and every month
    /// of it is closed with its snapshot written; else the report itself.
    /// </summary>
    private static async Task<ReportDefinition> FastAsync(NpgsqlConnection conn, ReportDefinition report, ReportQuery query, BillingPeriod? open, CancellationToken ct)
    {
        if (report.Fast is not { } fast || query.Mode == ReportMode.Expanded || fast.Applies?.Invoke(query) == false || ByMonth(query)
            || open is { } o && query.To >= o
            || query.Groups.Concat(query.Filters.Keys).Append(query.Across ?? "building").Any(d => !ReportFast.Dimensions.Contains(d)))
            return report;
        // Every closed month of the range with its snapshot; months before the first closing hold nothing in either form.
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM billing_periods p WHERE p.state = 'closed' AND p.month >= @from AND p.month <= @to " +
            "AND NOT EXISTS (SELECT 1 FROM closed_month_building_accounts s WHERE s.month = p.month)", conn);
        cmd.Parameters.Add(SqlMonths.MonthParameter("from", query.From));
        cmd.Parameters.Add(SqlMonths.MonthParameter("to", query.To));
        if ((long)(await cmd.ExecuteScalarAsync(ct))! > 0) return report;
        return report with
        {
            Source = fast.Source,
            Columns = report.Columns.Select(c => fast.Columns.TryGetValue(c.Key, out var sql) ? c with { Sql = sql } : c).ToList(),
        };
    }

    /// <summary>A debt report reads the debt book a month's closing writes: the month must be closed.</summary>
    private static void Check(ReportDefinition report, ReportQuery query, BillingPeriod? open)
    {
        if (report.Time == ReportTime.MonthEnd && open is { } o && query.To >= o)
            throw new ReportException("to", $"Задолженность показывается на конец закрытого месяца, а {query.To.Name()} ещё не закрыт");
    }

    private static async IAsyncEnumerable<ReportRow> All(Plan plan, NpgsqlConnection conn, [EnumeratorCancellation] CancellationToken ct)
    {
        var totals = new Dictionary<(int, object?, object?), decimal[]>();
        await foreach (var row in plan.RowsAsync(conn, totals, 0, null, ct, summing: true)) yield return row;
        yield return plan.TotalRow(totals);
    }

    /// <summary>The pivot: one row per value of the group, one column per value of <c>across</c> (at most <see cref="MaxAcross"/>), totals both ways.</summary>
    private static async Task<(List<string> Across, List<ReportRow> Rows)> PivotAsync(NpgsqlConnection conn, ReportDefinition report, ReportQuery query,
        ReportScope scope, BillingPeriod? open, RegionClock clock, CancellationToken ct)
    {
        var row = ReportDimensions.All[query.Groups[0]];
        var across = ReportDimensions.All[query.Across!];
        var measure = report.Columns.First(c => c.Key == query.Measure);
        var sql = new StringBuilder();
        var parameters = new List<NpgsqlParameter>();
        var where = Where(report, query, scope, parameters);
        sql.Append(Prelude(query)).Append($"""
            SELECT k1, {string.Format(CultureInfo.InvariantCulture, row.Label, "k1")} AS l1, kx, {string.Format(CultureInfo.InvariantCulture, across.Label, "kx")} AS lx, v
            FROM (SELECT {row.Id} AS k1, {across.Id} AS kx, sum({measure.Sql}) AS v
                  FROM {Source(report, query, open, clock)} WHERE {where} GROUP BY 1, 2) g
            ORDER BY 2, 1, 4, 3
            """);
        var cells = new List<(object? K1, object? L1, object? Kx, object? Lx, decimal V)>();
        await using (var cmd = Command(conn, sql.ToString(), query, open, parameters))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                cells.Add((Value(r, 0, row.Cell), Value(r, 1, row.Cell), Value(r, 2, across.Cell), Value(r, 3, across.Cell), r.IsDBNull(4) ? 0m : r.GetDecimal(4)));
        var columns = cells.Select(c => (c.Kx, c.Lx)).Distinct().OrderBy(c => c.Lx as IComparable ?? "", Comparer<IComparable>.Default).ToList();
        if (columns.Count > MaxAcross)
            throw new ReportException("across", $"Сводная таблица — не более {MaxAcross} столбцов, а значений «{across.Title}» {columns.Count}: сузьте отбор");
        var index = columns.Select((c, i) => (c.Kx, i)).ToDictionary(c => c.Kx ?? DBNull.Value, c => c.i);
        var rows = new List<ReportRow>();
        var total = new decimal[columns.Count + 1];
        foreach (var group in cells.GroupBy(c => (c.K1, c.L1)))
        {
            var values = new object?[columns.Count + 2];
            values[0] = group.Key.L1;
            decimal sum = 0;
            foreach (var c in group)
            {
                int i = index[c.Kx ?? DBNull.Value];
                values[i + 1] = ((decimal?)values[i + 1] ?? 0m) + c.V;
                total[i] += c.V;
                sum += c.V;
            }
            values[^1] = sum;
            total[^1] += sum;
            rows.Add(new ReportRow(ReportRowKind.Row, 0, values));
        }
        rows.Add(new ReportRow(ReportRowKind.Total, 0, ["Всего", .. total.Select(t => (object?)t)]));
        return (columns.Select(c => Label(c.Lx, across)).ToList(), rows);
    }

    /// <summary>A group's value as its subtotal and the pivot's column headers name it: months ММ.ГГГГ, days ДД.ММ.ГГГГ; «не указано» for none.</summary>
    private static string Label(object? label, ReportDimension d) => label switch
    {
        null => $"«{d.Title.ToLowerInvariant()}» не указано",
        DateOnly m when d.Cell == ReportCell.Month => m.ToString("MM.yyyy", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture),
        _ => Convert.ToString(label, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// What every report's SQL may use: the building's manager and each service's calculation method on <c>@asof</c>, the
    /// last day of the period (reports.md §0.4: time-varying attributes as of the end of the range). Unused, they cost nothing.
    /// A monthly series asked with P6 «каждый месяц» (<see cref="ByMonth"/>) has them on the last day of every month of the
    /// range instead, each row joined with its own month's.
    /// </summary>
    private static string Prelude(ReportQuery query) => !ByMonth(query) ? """
        WITH managers AS (
            SELECT DISTINCT ON (building_id) building_id, organisation_id FROM building_managements
            WHERE valid_from <= @asof AND (valid_to IS NULL OR valid_to >= @asof) ORDER BY building_id, valid_from DESC),
        methods AS (
            SELECT DISTINCT ON (building_id, service_id) building_id, service_id, method FROM building_service_methods
            WHERE valid_from <= @asof AND (valid_to IS NULL OR valid_to > @asof) ORDER BY building_id, service_id, valid_from DESC)

        """ : """
        WITH months AS (
            SELECT m::date AS month, (m + interval '1 month' - interval '1 day')::date AS last_day
            FROM generate_series(@from::timestamp, @to::timestamp, interval '1 month') m),
        managers AS (
            SELECT DISTINCT ON (mo.month, x.building_id) mo.month, x.building_id, x.organisation_id FROM months mo JOIN building_managements x
                ON x.valid_from <= mo.last_day AND (x.valid_to IS NULL OR x.valid_to >= mo.last_day)
            ORDER BY mo.month, x.building_id, x.valid_from DESC),
        methods AS (
            SELECT DISTINCT ON (mo.month, x.building_id, x.service_id) mo.month, x.building_id, x.service_id, x.method FROM months mo JOIN building_service_methods x
                ON x.valid_from <= mo.last_day AND (x.valid_to IS NULL OR x.valid_to > mo.last_day)
            ORDER BY mo.month, x.building_id, x.service_id, x.valid_from DESC)

        """;

    /// <summary>Whether a monthly series asks for its attributes as of each month (P6 «каждый месяц»).</summary>
    private static bool ByMonth(ReportQuery query) => query.Parameters.GetValueOrDefault("attributes") == "month";

    /// <summary>A source whose manager and method joins also match the row's month, when <see cref="ByMonth"/>.</summary>
    private static string Source(ReportDefinition report, ReportQuery query, BillingPeriod? open, RegionClock clock)
    {
        var source = report.Source(Sql(query, open, clock));
        return !ByMonth(query) ? source : source
            .Replace("mg.building_id = b.id", "mg.building_id = b.id AND mg.month = f.month", StringComparison.Ordinal)
            .Replace("mt.building_id = b.id", "mt.building_id = b.id AND mt.month = f.month", StringComparison.Ordinal);
    }

    internal static ReportSql Sql(ReportQuery query, BillingPeriod? open, RegionClock clock) =>
        new(query.From, query.To, open, query.Date, query.Parameters, clock.Zone.Id, clock.Calendar);

    /// <summary>The query's filters and the user's scope as one condition; their values as parameters.</summary>
    private static string Where(ReportDefinition report, ReportQuery query, ReportScope scope, List<NpgsqlParameter> parameters)
    {
        var where = new StringBuilder("true");
        if (report.Where is { } extra) where.Append(" AND ").Append(extra);
        foreach (var (key, values) in query.Filters)
        {
            var d = ReportDimensions.All[key];
            var name = "f_" + key;
            where.Append($" AND {d.Filter ?? d.Id} = ANY(@{name})");
            parameters.Add(FilterParameter(name, d, values));
        }
        if (scope.Buildings is { } buildings)
        {
            // A report that has no buildings (the tariffs) is reference data, open to every staff member.
            if (report.Dimensions.Contains("building"))
            {
                where.Append(" AND b.id = ANY(@scope_buildings)");
                parameters.Add(new NpgsqlParameter<long[]>("scope_buildings", buildings));
            }
            else if (report.SuppliersOnly && scope.Supplier is null) where.Append(" AND false");
        }
        if (scope.Services is { } services && report.Dimensions.Contains("service"))
        {
            where.Append(" AND f.service_id = ANY(@scope_services)");
            parameters.Add(new NpgsqlParameter<long[]>("scope_services", services));
        }
        if (scope.Supplier is { } supplier && report.Dimensions.Contains("supplier"))
        {
            where.Append(" AND f.supplier_id = @scope_supplier");
            parameters.Add(new NpgsqlParameter<long>("scope_supplier", supplier));
        }
        return where.ToString();
    }

    /// <summary>
    /// The command of a report's SQL with the parameters every source may use: <c>@from</c> and <c>@to</c> (the first and
    /// last month), <c>@end</c> (the day after the period), <c>@asof</c> and <c>@d</c> (the report's day), the kinds of
    /// penalty and brought-balance lines, and <c>@m</c>, <c>@prev</c> of <see cref="BillingPeriods.BalancesSql"/> for the open month.
    /// </summary>
    /// <summary>A filter's values (checked by <see cref="ReportRequest"/>) as the typed array parameter its dimension compares with.</summary>
    private static NpgsqlParameter FilterParameter(string name, ReportDimension d, string[] values) => d.Values switch
    {
        ReportValue.Id => new NpgsqlParameter<long[]>(name, values.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()),
        ReportValue.Small => new NpgsqlParameter<int[]>(name, values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()),
        ReportValue.Month => SqlMonths.MonthsParameter(name, values.Select(BillingPeriod.Parse)),
        _ => new NpgsqlParameter<string[]>(name, values),
    };

    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, ReportQuery query, BillingPeriod? open, List<NpgsqlParameter> parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = TimeoutSeconds };
        cmd.Parameters.Add(SqlMonths.MonthParameter("from", query.From));
        cmd.Parameters.Add(SqlMonths.MonthParameter("to", query.To));
        var m = open ?? query.To;
        cmd.Parameters.Add(SqlMonths.MonthParameter("m", m));
        cmd.Parameters.Add(SqlMonths.MonthParameter("prev", m > BillingPeriod.MinValue ? m.Previous() : null));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("end", query.To.End));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("asof", query.Date));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("d", query.Date));
        cmd.Parameters.Add(new NpgsqlParameter<short>("penalty", (short)ChargeLineKind.Penalty));
        cmd.Parameters.Add(new NpgsqlParameter<short>("opening", (short)ChargeLineKind.OpeningBalance));
        foreach (var p in parameters) cmd.Parameters.Add(p.Clone());
        return cmd;
    }

    private static object? Value(NpgsqlDataReader r, int i, ReportCell cell)
    {
        if (r.IsDBNull(i)) return null;
        return cell switch
        {
            ReportCell.Date or ReportCell.Month when r.GetFieldType(i) == typeof(DateTime) => r.GetFieldValue<DateOnly>(i),
            ReportCell.Count => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture),
            ReportCell.Money or ReportCell.Volume or ReportCell.Rate or ReportCell.Percent => r.GetDecimal(i),
            _ => r.GetValue(i) is var v && v is string or DateOnly ? v : Convert.ToString(v, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The SQL of one non-pivot report and how its rows, subtotals and totals are read.</summary>
    private sealed class Plan
    {
        private readonly ReportDefinition report;
        private readonly ReportQuery query;
        private readonly ReportHead head;
        private readonly ReportDimension[] groups;
        private readonly ReportColumn[] sums;
        private readonly List<NpgsqlParameter> parameters = [];
        private string inner;
        private readonly BillingPeriod? open;

        public Plan(ReportDefinition report, ReportQuery query, ReportScope scope, BillingPeriod? open, RegionClock clock, ReportHead head)
        {
            this.open = open;
            this.report = report;
            this.query = query;
            this.head = head;
            groups = query.Groups.Select(g => ReportDimensions.All[g]).ToArray();
            sums = report.Columns.Where(c => c.Total == ReportTotal.Sum).ToArray();
            var where = Where(report, query, scope, parameters);
            var keys = string.Concat(groups.Select((g, i) => $"{g.Id} AS k{i + 1}, "));
            var source = Source(report, query, open, clock);
            inner = query.Mode == ReportMode.Summary
                ? $"SELECT {keys}{string.Join(", ", sums.Select(c => $"sum({c.Sql}) AS \"{c.Key}\""))} FROM {source} WHERE {where}" +
                  (groups.Length > 0 ? $" GROUP BY {string.Join(", ", groups.Select((_, i) => i + 1))}" : "")
                : $"SELECT {keys}{string.Join(", ", report.Columns.Where(c => c.Total != ReportTotal.Ratio).Select(c => $"{c.Sql} AS \"{c.Key}\""))} FROM {source} WHERE {where}";
        }

        /// <summary>
        /// Writes the rows into a temporary table dropped at the end of the caller's transaction; the totals and the rows
        /// are read from it (without statistics: both read it whole, and an ANALYZE cost half as much as the writing).
        /// </summary>
        public async Task ReadOnceAsync(NpgsqlConnection conn, CancellationToken ct)
        {
            await using (var cmd = Command(conn, $"CREATE TEMP TABLE report_rows ON COMMIT DROP AS {Prelude(query)}{inner}", query, open, parameters))
                await cmd.ExecuteNonQueryAsync(ct);
            inner = "TABLE report_rows";
        }

        private string Keys(string prefix = "") => string.Concat(groups.Select((_, i) => $"{prefix}k{i + 1}, "));

        /// <summary>Subtotals of each group and the grand total: one pass over the rows with <c>GROUPING SETS</c>.</summary>
        public async Task<Dictionary<(int, object?, object?), decimal[]>> TotalsAsync(NpgsqlConnection conn, CancellationToken ct)
        {
            var sets = new List<string> { "()" };
            if (groups.Length >= 1) sets.Add("(k1)");
            if (groups.Length == 2) sets.Add("(k1, k2)");
            var grouping = groups.Length switch { 0 => "0", 1 => "GROUPING(k1)", _ => "GROUPING(k1, k2)" };
            var sql = $"""
                {Prelude(query)}SELECT {grouping}, {(groups.Length >= 1 ? "k1" : "NULL")}, {(groups.Length == 2 ? "k2" : "NULL")}, count(*),
                       {string.Join(", ", sums.Select(c => $"sum(\"{c.Key}\")").DefaultIfEmpty("0"))}
                FROM ({inner}) i GROUP BY GROUPING SETS ({string.Join(", ", sets)})
                """;
            var totals = new Dictionary<(int, object?, object?), decimal[]>();
            await using var cmd = Command(conn, sql, query, open, parameters);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                // GROUPING's bits: a set bit is a key summed over, so 0 is the innermost level and all bits the grand total.
                int level = groups.Length - System.Numerics.BitOperations.PopCount((uint)r.GetInt32(0));
                var values = new decimal[sums.Length + 1];
                values[0] = r.GetInt64(3);
                for (int i = 0; i < sums.Length; i++) values[i + 1] = r.IsDBNull(4 + i) ? 0m : Convert.ToDecimal(r.GetValue(4 + i), CultureInfo.InvariantCulture);
                totals[(level, level >= 1 ? Key(r, 1) : null, level >= 2 ? Key(r, 2) : null)] = values;
            }
            return totals;
        }

        private static object? Key(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? DBNull.Value : r.GetValue(i);

        /// <summary>How many rows the report has (not counting subtotals).</summary>
        public long Count(Dictionary<(int, object?, object?), decimal[]> totals) =>
            query.Mode == ReportMode.Summary && groups.Length == 2
                ? totals.Keys.Count(k => k.Item1 == 2)
                : query.Mode == ReportMode.Summary ? totals.Keys.Count(k => k.Item1 == 1)
                : totals.TryGetValue((0, null, null), out var t) ? (long)t[0] : 0;

        public ReportRow TotalRow(Dictionary<(int, object?, object?), decimal[]> totals) =>
            new(ReportRowKind.Total, 0, Measures(totals.GetValueOrDefault((0, null, null)) ?? new decimal[sums.Length + 1], "Всего"));

        /// <summary>A subtotal's or total's values: the label in the first column, the sums and ratios under their columns.</summary>
        private object?[] Measures(decimal[] total, string label)
        {
            var values = new object?[head.Columns.Count];
            values[0] = label;
            for (int i = 0; i < head.Columns.Count; i++)
            {
                var c = head.Columns[i];
                if (c.Total == ReportTotal.Sum && Array.FindIndex(sums, s => s.Key == c.Key) is var k and >= 0)
                    values[i] = c.Cell == ReportCell.Count ? (object)(long)total[k + 1] : total[k + 1];
                else if (c.Total == ReportTotal.Ratio)
                    values[i] = Ratio(total[Array.FindIndex(sums, s => s.Key == c.Numerator) + 1], total[Array.FindIndex(sums, s => s.Key == c.Denominator) + 1]);
            }
            return values;
        }

        private static decimal? Ratio(decimal numerator, decimal denominator) => ReportFormat.Percent(numerator, denominator);

        /// <summary>
        /// The rows from <paramref name="offset"/> in order, each group followed by its subtotal out of <paramref name="totals"/>;
        /// when <paramref name="summing"/>, <paramref name="totals"/> starts empty and is filled here as the rows pass — a
        /// group's subtotal is printed after its last row — so that an export reads its query once (G1 holds by construction:
        /// the totals are the sums of the rows read).
        /// </summary>
        public async IAsyncEnumerable<ReportRow> RowsAsync(NpgsqlConnection conn, Dictionary<(int, object?, object?), decimal[]> totals,
            long offset, int? limit, [EnumeratorCancellation] CancellationToken ct, bool summing = false)
        {
            var labels = string.Concat(groups.Select((g, i) => $"{string.Format(CultureInfo.InvariantCulture, g.Label, $"k{i + 1}")} AS l{i + 1}, "));
            var order = string.Join(", ", groups.Select((_, i) => $"l{i + 1}, k{i + 1}")
                .Concat(query.Mode == ReportMode.Expanded ? report.Order.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(o => $"\"{o}\"") : [])
                .DefaultIfEmpty("1"));
            var sql = $"{Prelude(query)}SELECT {labels}i.* FROM ({inner}) i ORDER BY {order}" +
                      (limit is { } l ? $" LIMIT {l + 1} OFFSET {offset}" : "");
            var shown = head.Columns;
            await using var cmd = Command(conn, sql, query, open, parameters);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var ordinals = shown.Select(c => c.Total == ReportTotal.Ratio ? -1 : Ordinal(r, c)).ToArray();
            var summed = summing ? sums.Select(c => r.GetOrdinal(c.Key)).ToArray() : [];
            var exact = summed.Select(i => r.GetFieldType(i) == typeof(decimal)).ToArray();
            int g = groups.Length;
            (object? K1, object? K2, object? L1, object? L2)? previous = null;
            int produced = 0;
            while (await r.ReadAsync(ct))
            {
                var key = (K1: g >= 1 ? Key(r, g) : null, K2: g == 2 ? Key(r, g + 1) : null,
                    L1: g >= 1 ? Value(r, 0, groups[0].Cell) : null, L2: g == 2 ? Value(r, 1, groups[1].Cell) : null);
                if (previous is { } p)
                    foreach (var subtotal in Subtotals(totals, p, key)) yield return subtotal;
                if (limit is { } max && produced == max) yield break;
                if (summing) Add(totals, r, summed, exact, key.K1, key.K2);
                var values = new object?[shown.Count];
                for (int i = 0; i < shown.Count; i++)
                    values[i] = ordinals[i] >= 0 ? Value(r, ordinals[i], shown[i].Cell) : null;
                for (int i = 0; i < shown.Count; i++)
                    if (shown[i].Total == ReportTotal.Ratio)
                        values[i] = Ratio(Decimal(r, shown[i].Numerator!), Decimal(r, shown[i].Denominator!));
                produced++;
                previous = key;
                yield return new ReportRow(ReportRowKind.Row, 0, values,
                    query.Mode == ReportMode.Summary ? [.. new[] { key.K1, key.K2 }.Take(g).Select(k => k is DBNull ? null : k)] : null);
            }
            if (previous is { } last)
                foreach (var subtotal in Subtotals(totals, last, null)) yield return subtotal;
        }

        /// <summary>Adds the row's count and sums to its groups' totals and to the grand total.</summary>
        private void Add(Dictionary<(int, object?, object?), decimal[]> totals, NpgsqlDataReader r, int[] summed, bool[] exact, object? k1, object? k2)
        {
            var row = new decimal[sums.Length + 1];
            row[0] = 1;
            for (int i = 0; i < summed.Length; i++)
                row[i + 1] = r.IsDBNull(summed[i]) ? 0m : exact[i] ? r.GetDecimal(summed[i]) : Convert.ToDecimal(r.GetValue(summed[i]), CultureInfo.InvariantCulture);
            Accumulate((0, null, null));
            if (groups.Length >= 1) Accumulate((1, k1, null));
            if (groups.Length == 2) Accumulate((2, k1, k2));

            void Accumulate((int, object?, object?) key)
            {
                if (!totals.TryGetValue(key, out var sum)) totals[key] = sum = new decimal[row.Length];
                for (int i = 0; i < row.Length; i++) sum[i] += row[i];
            }
        }

        private int Ordinal(NpgsqlDataReader r, ReportColumn c)
        {
            if (query.Mode == ReportMode.Summary && Array.FindIndex(groups, d => d.Key == c.Key) is var i and >= 0) return i;
            return r.GetOrdinal(c.Key);
        }

        private static decimal Decimal(NpgsqlDataReader r, string key) =>
            r.GetOrdinal(key) is var i && r.IsDBNull(i) ? 0m : Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture);

        /// <summary>The subtotals of the groups that end between <paramref name="previous"/> and <paramref name="next"/> (none: the end).</summary>
        private IEnumerable<ReportRow> Subtotals(Dictionary<(int, object?, object?), decimal[]> totals,
            (object? K1, object? K2, object? L1, object? L2) previous, (object? K1, object? K2, object? L1, object? L2)? next)
        {
            bool summary = query.Mode == ReportMode.Summary;
            bool firstChanges = groups.Length >= 1 && (next is null || !Equals(next.Value.K1, previous.K1));
            bool secondChanges = groups.Length == 2 && (firstChanges || !Equals(next!.Value.K2, previous.K2));
            // A summary row is already its group's total: only the outer level of two gets a subtotal.
            if (secondChanges && !summary && totals.TryGetValue((2, previous.K1, previous.K2), out var second))
                yield return new ReportRow(ReportRowKind.Subtotal, 2, Measures(second, $"Итого по {Label(previous.L2, groups[1])}"));
            if (firstChanges && (!summary || groups.Length == 2) && totals.TryGetValue((1, previous.K1, null), out var first))
                yield return new ReportRow(ReportRowKind.Subtotal, 1, Measures(first, $"Итого по {Label(previous.L1, groups[0])}"));
        }
    }
}
