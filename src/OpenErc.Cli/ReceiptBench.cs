using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Receipts;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench receipts --accounts N --json FILE</c>: a demo region is generated, charged and its month closed
/// (untimed); then the month is printed twice through <see cref="ReceiptPrinting"/>: first from nothing (issuing the
/// documents and rendering them), then again into another folder (the documents exist: rendering only).
/// </summary>
public static class ReceiptBench
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 20_000 };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var parallel = new Option<int>("--parallel") { Description = "Домов одновременно", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("receipts", "Печать ЕПД за месяц демо-региона: документов в секунду и КБ на документ") { accounts, json, parallel };
        command.SetAction(async (parse, ct) =>
        {
            var month = new BillingPeriod(2026, 11);
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), month, ct);
            var cs = bench.ConnectionString;
            var run = await BillingRun.RunAsync(cs, month, BillingScope.All, new BillingRunOptions(CliDatabase.Clock, StartedBy: "bench"), ct: ct);
            await BillingPeriods.CloseAsync(cs, month, CliDatabase.Clock, "bench", ct);
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", conn);
                vacuum.CommandTimeout = 0;
                await vacuum.ExecuteNonQueryAsync(ct);
            }
            AnsiConsole.MarkupLineInterpolated($"Расчёт и закрытие месяца: {run.Accounts:N0} счетов, {run.Lines:N0} строк");

            int cores = parse.GetValue(parallel);
            var today = month.End;
            var first = await ReceiptPrinting.PrintAsync(cs, month, Path.Combine(bench.Root, "print1"), new ReceiptSettings(), "bench", today,
                parallelism: cores, ct: ct);
            var second = await ReceiptPrinting.PrintAsync(cs, month, Path.Combine(bench.Root, "print2"), new ReceiptSettings(), "bench", today,
                parallelism: cores, ct: ct);
            byte[] single;
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var lookup = new NpgsqlCommand("SELECT min(building_id) FROM receipts", conn);
                var building = await lookup.ExecuteScalarAsync(ct);
                single = ReceiptPdf.Render((await ReceiptIssuing.LoadAsync(conn, month, (long)building!, null, ct))[0]);
            }
            decimal Rate(PrintReport r) => Math.Round(r.Receipts / BenchCommands.Seconds(r.Elapsed));
            var figures = new Dictionary<string, object?>
            {
                ["accounts"] = run.Accounts,
                ["receipts"] = first.Receipts,
                ["buildings"] = first.Buildings,
                ["seconds"] = Math.Round(BenchCommands.Seconds(first.Elapsed), 2),
                ["receipts_per_second"] = Rate(first),
                ["receipts_per_second_per_core"] = Math.Round(Rate(first) / cores),
                ["render_only_seconds"] = Math.Round(BenchCommands.Seconds(second.Elapsed), 2),
                ["render_only_receipts_per_second"] = Rate(second),
                ["kb_per_receipt"] = Math.Round(first.Bytes / 1024m / Math.Max(first.Receipts, 1), 2),
                ["kb_single_receipt_pdf"] = Math.Round(single.Length / 1024m, 1),
                ["region_minutes_1_1m"] = Math.Round(1_100_000 / Rate(first) / 60, 1),
                ["cores"] = cores,
                ["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
            };
            await BenchDatabase.ReportAsync(figures, parse.GetValue(json), ct);
            return 0;
        });
        return command;
    }
}
