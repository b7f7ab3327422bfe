using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Payments;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Payments;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench region --accounts N [--months M] --json FILE</c>: after <c>bench billing</c>'s charge run, every
/// other operation whose cost grows with the region, in the order a centre's month lives them — closing the month, the
/// month dashboard, the supplier's cabinet, the account search, and a payment's debt book — each timed on its own.
/// </summary>
internal static class RegionBench
{
    public static async Task<Dictionary<string, object?>> MeasureAsync(BenchDatabase bench, Dictionary<string, object?> billing, int months,
        CancellationToken ct)
    {
        var cs = bench.ConnectionString;
        var month = BenchCommands.Month;
        var figures = new Dictionary<string, object?> { ["charge_seconds"] = billing["seconds"] };
        foreach (var (key, value) in billing)
            if (key != "seconds") figures[key] = value;

        var watch = Stopwatch.StartNew();
        var closing = await BillingPeriods.CloseAsync(cs, month, CliDatabase.Clock, "bench", ct);
        figures["close_month_seconds"] = Seconds(watch);
        AnsiConsole.MarkupLineInterpolated($"Закрытие {month}: {closing.Accounts:N0} счетов за {figures["close_month_seconds"]} с");

        // The dashboard of the open month, which shows the month just closed beside it.
        watch.Restart();
        await MonthSummary.LoadAsync(cs, month.Next(), ct);
        figures["month_summary_seconds"] = Seconds(watch);

        // The cabinet of the supplier with the most lines: its latest month, that month's totals by service and the first page of its debtors.
        long supplier = await ScalarAsync<long>(cs, ct, $"SELECT supplier_id::bigint FROM charge_lines WHERE booking_month = '{month.FirstDay:yyyy-MM-dd}' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
        watch.Restart();
        var latest = await SupplierReports.LatestMonthAsync(cs, supplier, ct) ?? throw new InvalidOperationException("the supplier has no charges");
        await SupplierReports.SummaryAsync(cs, supplier, latest, ct);
        await SupplierReports.DebtorsAsync(cs, supplier, month, 0.01m, 1, 50, ct);
        figures["supplier_cabinet_seconds"] = Seconds(watch);

        foreach (var (key, value) in await SearchBench.MeasureAsync(cs, 200, ct)) figures[key] = value;

        // A payment's allocation, one by one as the cash desk and the gateway post them, on 200 accounts drawn at random.
        var agent = await PaymentRegistries.FindAgentAsync(cs, DemoRegion.BankLogin, ct) ?? throw new InvalidOperationException("no demo bank");
        var numbers = await ScalarAsync<string[]>(cs, ct, """
            SELECT array_agg(number) FROM (SELECT a.number FROM personal_accounts a
                                           WHERE a.closed_on IS NULL AND EXISTS (SELECT 1 FROM charge_lines c WHERE c.account_id = a.id)
                                           ORDER BY md5(a.number) LIMIT 200) x
            """);
        var options = new PostingOptions("bench", CliDatabase.Clock);
        var latencies = new List<decimal>();
        for (int i = 0; i < numbers.Length; i++)
        {
            watch.Restart();
            var posted = await PaymentPosting.PostAsync(cs, new PaymentIntake(agent, $"bench-book-{i}", PaymentChannel.Sber, numbers[i], 1000m,
                CliDatabase.Clock.Now), options, ct);
            latencies.Add(BenchCommands.Seconds(watch.Elapsed) * 1000);
            if (!posted.Accepted) throw new InvalidOperationException($"payment to {numbers[i]} refused: {posted.Message}");
        }
        latencies.Sort();
        figures["debt_book_ms"] = Math.Round(latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(0.99 * latencies.Count) - 1)], 1);
        figures["debt_book_p50_ms"] = Math.Round(latencies[latencies.Count / 2], 1);
        figures["debt_book_history_months"] = months + 1;
        figures["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        return figures;
    }

    private static decimal Seconds(Stopwatch watch) => Math.Round(BenchCommands.Seconds(watch.Elapsed), 2);

    private static async Task<T> ScalarAsync<T>(string cs, CancellationToken ct, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
