using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench billing --accounts N --json FILE</c>: the region-scale benchmark of the charge run, against the
/// physical limit of the same rows loaded by a raw binary COPY; <c>openerc bench payments</c>: <see cref="PaymentBench"/>;
/// <c>openerc bench search</c>: <see cref="SearchBench"/>.
/// </summary>
public static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Замеры производительности на свежей встроенной базе");
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 100_000 };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var batch = new Option<int>("--batch") { Description = "Домов в пакете", DefaultValueFactory = _ => 50 };
        var parallel = new Option<int>("--parallel") { Description = "Пакетов одновременно", DefaultValueFactory = _ => Environment.ProcessorCount };
        var billing = new Command("billing", "Расчёт месяца демо-региона и сравнение с чистым COPY тех же строк") { accounts, json, batch, parallel };
        billing.SetAction(async (parse, ct) =>
        {
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), Month, ct);
            var result = await MeasureBillingAsync(bench, parse.GetValue(batch), parse.GetValue(parallel), ct);
            await BenchDatabase.ReportAsync(result, parse.GetValue(json), ct);
            return 0;
        });
        var months = new Option<int>("--months") { Description = "Месяцев истории демо-региона до расчётного", DefaultValueFactory = _ => 0 };
        var region = new Command("region", "Все операции регионального масштаба: расчёт, закрытие, поиск, сводка, кабинет поставщика, книга долга")
            { accounts, json, batch, parallel, months };
        region.SetAction(async (parse, ct) =>
        {
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), Month, ct, parse.GetValue(months));
            var result = await RegionBench.MeasureAsync(bench, await MeasureBillingAsync(bench, parse.GetValue(batch), parse.GetValue(parallel), ct),
                parse.GetValue(months), ct);
            await BenchDatabase.ReportAsync(result, parse.GetValue(json), ct);
            return 0;
        });
        bench.Subcommands.Add(billing);
        bench.Subcommands.Add(region);
        bench.Subcommands.Add(PaymentBench.Create());
        bench.Subcommands.Add(ReceiptBench.Create());
        bench.Subcommands.Add(SearchBench.Create());
        bench.Subcommands.Add(ImportBench.Create());
        bench.Subcommands.Add(ReportBench.Create());
        return bench;
    }

    /// <summary>The month every benchmark charges.</summary>
    internal static readonly BillingPeriod Month = new(2026, 11);

    /// <summary>
    /// Charges <see cref="Month"/> of the bench's region, then loads the same rows (lines and details) by a raw binary
    /// COPY into tables of the same shape; returns the figures of <c>bench billing</c>.
    /// </summary>
    internal static async Task<Dictionary<string, object?>> MeasureBillingAsync(BenchDatabase bench, int batch, int parallel, CancellationToken ct)
    {
        var (root, cs) = (bench.Root, bench.ConnectionString);

        var watch = Stopwatch.StartNew();
        var report = await BillingRun.RunAsync(cs, Month, BillingScope.All,
            new BillingRunOptions(CliDatabase.Clock, batch, parallel, StartedBy: "bench"), ct: ct);
        var runSeconds = Seconds(watch.Elapsed);
        AnsiConsole.MarkupLineInterpolated($"Расчёт: {report.Lines:N0} строк, {report.Accounts:N0} счетов, ошибок {report.BuildingsFailed} за {runSeconds:F1} с");

        // The same rows (the lines and their postings' details), exported to files first (untimed), then timed through
        // raw binary COPYs into tables of the same shape, indexes and compression included.
        var tables = new[] { ("charge_lines_2026_11", "bench_lines"), ("charge_details_2026_11", "bench_details") };
        long lineBytes, lineTableBytes;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            foreach (var (source, copy) in tables)
            {
                await using (var cmd = new NpgsqlCommand($"CREATE TABLE {copy} (LIKE {source} INCLUDING ALL)", conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using var output = File.Create(Path.Combine(root, copy + ".bin"));
                await using var export = await conn.BeginRawBinaryCopyAsync($"COPY {source} TO STDOUT (FORMAT BINARY)", ct);
                await export.CopyToAsync(output, ct);
            }
            await using (var cmd = new NpgsqlCommand("""
                SELECT (pg_total_relation_size('charge_lines_2026_11') + pg_total_relation_size('charge_details_2026_11')) / greatest(count(*), 1),
                       pg_total_relation_size('charge_lines_2026_11') / greatest(count(*), 1)
                FROM charge_lines_2026_11
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                (lineBytes, lineTableBytes) = (r.GetInt64(0), r.GetInt64(1));
            }
        }
        watch.Restart();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            foreach (var (_, copy) in tables)
            {
                await using var input = File.OpenRead(Path.Combine(root, copy + ".bin"));
                await using var import = await conn.BeginRawBinaryCopyAsync($"COPY {copy} FROM STDIN (FORMAT BINARY)", ct);
                await input.CopyToAsync(import, ct);
            }
        }
        var copySeconds = Seconds(watch.Elapsed);
        var (calculatorUs, encoderUs, calculatorAccounts) = await MeasureCalculatorAsync(cs, ct);

        var result = new Dictionary<string, object?>
        {
            ["accounts"] = report.Accounts,
            ["buildings"] = report.BuildingsDone,
            ["failed_buildings"] = report.BuildingsFailed,
            ["lines"] = report.Lines,
            ["seconds"] = Math.Round(runSeconds, 2),
            ["accounts_per_second"] = Math.Round(report.Accounts / runSeconds),
            ["lines_per_second"] = Math.Round(report.Lines / runSeconds),
            ["copy_seconds"] = Math.Round(copySeconds, 2),
            ["copy_lines_per_second"] = Math.Round(report.Lines / copySeconds),
            ["ratio"] = Math.Round(copySeconds / runSeconds, 2),
            ["calculate_us_per_account"] = Math.Round(Seconds(report.Timings.Calculate) * 1_000_000 / Math.Max(report.Accounts, 1), 1),
            ["calculator_cpu_us_per_account"] = calculatorUs,
            ["encoder_cpu_us_per_account"] = encoderUs,
            ["calculator_sample_accounts"] = calculatorAccounts,
            ["bytes_per_line"] = lineBytes,
            ["line_table_bytes_per_line"] = lineTableBytes,
            ["worker_load_seconds"] = Math.Round(Seconds(report.Timings.Load), 2),
            ["worker_calculate_seconds"] = Math.Round(Seconds(report.Timings.Calculate), 2),
            ["worker_write_seconds"] = Math.Round(Seconds(report.Timings.Write), 2),
            ["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
            ["parallel"] = parallel,
            ["batch"] = batch,
        };
        return result;
    }

    /// <summary>Buildings the calculator alone is timed on: evenly spread over the region (about 90 thousand accounts).</summary>
    private const int CalculatorSample = 1_000;

    /// <summary>
    /// The calculator alone, as the run's workers cannot show it (their time in the calculator is wall time, shared with
    /// the other worker's writing and the database server on the same cores): a sample of the region's buildings loaded
    /// untimed, then charged on one thread with nothing else running — the process's CPU time per account, garbage
    /// collection included, after a warm-up pass; and the same for the encoder of those lines.
    /// </summary>
    private static async Task<(decimal CalculateUs, decimal EncodeUs, int Accounts)> MeasureCalculatorAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        var reference = await BillingReference.LoadAsync(conn, Month, ct);
        var ids = new List<long>();
        await using (var cmd = new NpgsqlCommand("SELECT id FROM buildings ORDER BY id", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        int step = Math.Max(1, ids.Count / CalculatorSample);
        var sample = ids.Where((_, i) => i % step == 0).Take(CalculatorSample).ToList();
        var loaded = new List<BuildingSnapshot>();
        foreach (var chunk in sample.Chunk(50))
            loaded.AddRange((await SnapshotLoader.LoadAsync(conn, reference, chunk, Month, ct)).Select(b => b.Snapshot).OfType<BuildingSnapshot>());
        int accounts = loaded.Sum(b => b.Premises.Sum(p => p.Accounts.Count));
        var settings = new ChargeSettings();
        foreach (var b in loaded) ChargeCalculator.Calculate(b, Month, settings);
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var (cpu, paused, allocated) = (process.TotalProcessorTime, GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        long lines = 0;
        foreach (var b in loaded) lines += ChargeCalculator.Calculate(b, Month, settings).Count;
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        var (gc, bytes) = (GC.GetTotalPauseDuration() - paused, GC.GetTotalAllocatedBytes() - allocated);
        AnsiConsole.MarkupLineInterpolated(
            $"Калькулятор: {accounts:N0} счетов, {lines:N0} строк, {Seconds(used):F2} с процессора, из них сборка мусора {Seconds(gc):F2} с, выделено {bytes / 1_000_000:N0} МБ");

        // The encoder (traces to templates and values, the details text) as the run's writers do it: the same pass with
        // each building's lines encoded, less the calculator's.
        var codes = new Dictionary<string, long>(StringComparer.Ordinal);
        var encoding = process.TotalProcessorTime;
        foreach (var b in loaded)
            ChargeLedger.Encode([.. ChargeCalculator.Calculate(b, Month, settings).Select(l =>
                new PostedLine(b.BuildingId, codes.TryGetValue(l.ServiceCode, out var id) ? id : codes[l.ServiceCode] = codes.Count + 1, Month, 1, l))]);
        process.Refresh();
        var encoded = process.TotalProcessorTime - encoding - used;
        AnsiConsole.MarkupLineInterpolated($"Запись строк в вид для базы (шаблоны трасс, текст подробностей): {Seconds(encoded):F2} с процессора");
        return (Math.Round(Seconds(used) * 1_000_000 / Math.Max(accounts, 1), 1), Math.Round(Seconds(encoded) * 1_000_000 / Math.Max(accounts, 1), 1), accounts);
    }

    internal static decimal Seconds(TimeSpan elapsed) => elapsed.Ticks / (decimal)TimeSpan.TicksPerSecond;
}
