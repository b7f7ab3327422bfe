using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Reports;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench reports --accounts N --months 12 --json FILE</c>: the reports on a demo region with its history (or an
/// existing database, <c>--connection</c>), each timed as a person asks for it — the region's summaries of the last
/// closed month, the analytics, the by-account turnover sheet of the largest management company to XLSX and the region's
/// debtors register.
/// </summary>
internal static class ReportBench
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 20_000 };
        var months = new Option<int>("--months") { Description = "Месяцев истории демо-региона", DefaultValueFactory = _ => 12 };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var database = new Option<string?>("--connection") { Description = "Строка подключения к существующей базе: замерить отчёты на ней" };
        var command = new Command("reports", "Отчёты и аналитика: время каждого на регионе с историей") { accounts, months, json, database };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(database) is { } existing)
            {
                await BenchDatabase.ReportAsync(await MeasureAsync(existing, ct), parse.GetValue(json), ct);
                return 0;
            }
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), new BillingPeriod(2026, 11), ct, parse.GetValue(months));
            await BenchDatabase.ReportAsync(await MeasureAsync(bench.ConnectionString, ct), parse.GetValue(json), ct);
            return 0;
        });
        return command;
    }

    private static async Task<Dictionary<string, object?>> MeasureAsync(string cs, CancellationToken ct)
    {
        var clock = CliDatabase.Clock;
        var (latest, open) = await ReportEngine.MonthsAsync(cs, clock, ct);
        long manager;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("""
                SELECT m.organisation_id FROM building_managements m JOIN premises p ON p.building_id = m.building_id JOIN personal_accounts a ON a.premise_id = p.id
                GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
                """, conn);
            manager = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var figures = new Dictionary<string, object?> { ["month"] = latest.ToString() };
        // The snapshots of months closed before they existed are written once, untimed.
        var watch = Stopwatch.StartNew();
        await ClosedMonthSnapshots.EnsureAsync(cs, ct);
        figures["snapshots_seconds"] = Math.Round(BenchCommands.Seconds(watch.Elapsed), 2);
        var m = latest.ToString();
        var quarter = BillingPeriod.Of(latest.FirstDay.AddMonths(-2)).ToString();

        async Task Page(string name, string code, Dictionary<string, string?> query, ReportScope? scope = null)
        {
            var report = ReportCatalog.Find(code)!;
            var q = ReportRequest.Parse(report, query, latest, open, clock.Today);
            var w = Stopwatch.StartNew();
            var page = await ReportEngine.PageAsync(cs, report, q, scope ?? ReportScope.Everything("bench"), clock, 1, 100, ct);
            figures[name + "_seconds"] = Math.Round(BenchCommands.Seconds(w.Elapsed), 2);
            figures[name + "_rows"] = page.Count;
            AnsiConsole.MarkupLineInterpolated($"  {name}: {Math.Round(BenchCommands.Seconds(w.Elapsed), 2)} с, строк {page.Count:N0}");
        }

        async Task File(string name, string code, Dictionary<string, string?> query, ReportScope scope)
        {
            var report = ReportCatalog.Find(code)!;
            var q = ReportRequest.Parse(report, query, latest, open, clock.Today);
            var path = Path.GetTempFileName();
            try
            {
                var w = Stopwatch.StartNew();
                await using (var conn = new NpgsqlConnection(cs))
                {
                    await conn.OpenAsync(ct);
                    var (head, rows) = await ReportEngine.OpenAsync(conn, report, q, scope, clock, ct);
                    await using var file = System.IO.File.Create(path);
                    await ReportXlsx.WriteAsync(file, head, rows, clock.Zone, ct);
                }
                figures[name + "_seconds"] = Math.Round(BenchCommands.Seconds(w.Elapsed), 2);
                figures[name + "_megabytes"] = Math.Round(new FileInfo(path).Length / 1048576m, 1);
                AnsiConsole.MarkupLineInterpolated($"  {name}: {Math.Round(BenchCommands.Seconds(w.Elapsed), 2)} с, {new FileInfo(path).Length / 1048576m:F1} МБ");
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        await Page("osv_by_municipality", "OSV", new() { ["from"] = m, ["to"] = m, ["group"] = "municipality" });
        await Page("osv_by_manager", "OSV", new() { ["from"] = m, ["to"] = m, ["group"] = "manager" });
        await Page("osv_by_supplier_service", "OSV", new() { ["from"] = m, ["to"] = m, ["group"] = "supplier,service" });
        await Page("osv_quarter_by_municipality", "OSV", new() { ["from"] = quarter, ["to"] = m, ["group"] = "municipality" });
        await Page("debt_by_municipality", "DEBT", new() { ["to"] = m, ["group"] = "municipality" });
        await Page("payments_by_channel", "PAY_CHANNELS", new() { ["from"] = m, ["to"] = m, ["by"] = "booked" });
        await Page("split_by_supplier", "SPLIT", new() { ["from"] = m, ["to"] = m, ["by"] = "booked", ["group"] = "supplier" });
        await Page("recalculations_by_kind", "RECALCULATIONS", new() { ["from"] = m, ["to"] = m });
        await Page("debtors_region", "DEBTORS", new() { ["to"] = m, ["mode"] = "expanded", ["group"] = "" });
        var w = Stopwatch.StartNew();
        await RegionAnalytics.LoadAsync(cs, latest, "municipality", ReportScope.Everything("bench"), ct);
        figures["analytics_seconds"] = Math.Round(BenchCommands.Seconds(w.Elapsed), 2);
        AnsiConsole.MarkupLineInterpolated($"  analytics: {Math.Round(BenchCommands.Seconds(w.Elapsed), 2)} с");
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            var scope = await ReportMailing.ScopeAsync(conn, manager, latest.LastDay, ct);
            await File("osv_by_account_of_largest_manager_xlsx", "OSV", new() { ["from"] = m, ["to"] = m, ["mode"] = "expanded", ["group"] = "" }, scope);
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = ANY(@b)", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("b", scope.Buildings!));
            figures["largest_manager_accounts"] = await cmd.ExecuteScalarAsync(ct);
        }
        return figures;
    }
}
