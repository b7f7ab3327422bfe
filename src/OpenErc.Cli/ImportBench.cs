using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench import --accounts N [--months M] [--readings-months R]</c>: moving a region in — the demo region written
/// as OpenErc's CSV form (untimed) and loaded by COPY into an empty database of the same cluster (timed), with the
/// figures of each table. <c>--readings-months</c> adds the readings of that many months before the demo's first (the bulk
/// of a region's history a centre moves) where the demo's own history is shorter; a demo without history gets a closed
/// October with a balance on each service and supplier of each open account.
/// </summary>
internal static class ImportBench
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 100_000 };
        var months = new Option<int>("--months") { Description = "Месяцев истории демо-региона (расчёты, оплаты, закрытие)", DefaultValueFactory = _ => 0 };
        var readings = new Option<int>("--readings-months") { Description = "Месяцев показаний приборов учёта в регионе", DefaultValueFactory = _ => 12 };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var cmd = new Command("import", "Перенос региона: выгрузка демо-региона в CSV OpenErc и загрузка в пустую базу") { accounts, months, readings, json };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), BenchCommands.Month, ct, parse.GetValue(months));
            int history = parse.GetValue(readings);
            await using (var conn = new NpgsqlConnection(bench.ConnectionString))
            {
                await conn.OpenAsync(ct);
                // A reading on the 20th of each earlier month for every zone of every individual meter installed by then.
                await using var cmd = new NpgsqlCommand("""
                    INSERT INTO meter_readings (meter_id, zone, read_on, value, source, entered_by, entered_at)
                    SELECT m.id, z, (@first - make_interval(months => k))::date + 19, 1000 - k * 5 + z, 1, 'bench', @now
                    FROM meters m CROSS JOIN LATERAL generate_series(1, m.zones) z CROSS JOIN generate_series(1, @months) k
                    WHERE m.kind IN (1, 2) AND m.installed_on < (@first - make_interval(months => k))::date
                    ON CONFLICT DO NOTHING
                    """, conn) { CommandTimeout = 0 };
                cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("first", BenchCommands.Month.FirstDay.AddMonths(-parse.GetValue(months))));
                cmd.Parameters.Add(new NpgsqlParameter<int>("months", history));
                cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", CliDatabase.Clock.Now));
                var watch = Stopwatch.StartNew();
                int added = await cmd.ExecuteNonQueryAsync(ct);
                AnsiConsole.MarkupLineInterpolated($"Показания за {history} мес. до истории демо-региона: {added:N0} за {watch.Elapsed.TotalSeconds:F1} с");
            }

            if (parse.GetValue(months) == 0)
            {
                // No closed month in the demo: October closed with a balance on every service and supplier of every open account
                // (what a region moved in brings), November open.
                await using var conn = new NpgsqlConnection(bench.ConnectionString);
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("""
                    INSERT INTO billing_periods (month, state, opened_at, closed_at, closed_by) VALUES (@prev, 'closed', @now, @now, 'bench'), ((@prev + interval '1 month')::date, 'open', @now, NULL, NULL)
                    ON CONFLICT DO NOTHING;
                    SELECT ensure_month_partition('account_balances', @prev);
                    INSERT INTO account_balances (month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing)
                    SELECT @prev, a.id, c.service_id, c.supplier_id, x.v, 0, 0, 0, 0, x.v
                    FROM personal_accounts a JOIN premises p ON p.id = a.premise_id
                    JOIN (SELECT DISTINCT building_id, service_id, supplier_id FROM service_contracts) c ON c.building_id = p.building_id
                    CROSS JOIN LATERAL (SELECT ((a.id * 37 + c.service_id * 11) % 300000 - 50000) * 0.01 AS v) x
                    WHERE a.closed_on IS NULL AND x.v <> 0
                    ON CONFLICT DO NOTHING;
                    """, conn) { CommandTimeout = 0 };
                cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("prev", BenchCommands.Month.FirstDay.AddMonths(-1)));
                cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", CliDatabase.Clock.Now));
                var watch = Stopwatch.StartNew();
                await cmd.ExecuteNonQueryAsync(ct);
                AnsiConsole.MarkupLineInterpolated($"Сальдо закрытого месяца по каждой услуге каждого счёта за {watch.Elapsed.TotalSeconds:F1} с");
            }

            string folder = Path.Combine(bench.Root, "region");
            var export = Stopwatch.StartNew();
            await using (var source = new OpenErcDbContext(OpenErcDatabase.Options(bench.ConnectionString), CliDatabase.Clock))
                await RegistryWorkbook.ExportCsvAsync(source, folder, ct);
            export.Stop();
            long bytes = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            AnsiConsole.MarkupLineInterpolated($"Выгрузка CSV: {bytes / 1048576m:N0} МБ за {export.Elapsed.TotalSeconds:F1} с");

            var builder = new NpgsqlConnectionStringBuilder(bench.ConnectionString) { Database = "postgres" };
            await using (var admin = new NpgsqlConnection(builder.ConnectionString))
            {
                await admin.OpenAsync(ct);
                await using var create = new NpgsqlCommand("CREATE DATABASE moved", admin);
                await create.ExecuteNonQueryAsync(ct);
            }
            builder.Database = "moved";
            await using var target = new OpenErcDbContext(OpenErcDatabase.Options(builder.ConnectionString), CliDatabase.Clock);
            await OpenErcDatabase.MigrateAsync(target, ct);
            var watchImport = Stopwatch.StartNew();
            var report = await RegistryWorkbook.ImportCsvAsync(target, folder, CliDatabase.Clock, ct: ct);
            watchImport.Stop();
            if (report.Errors.Count > 0)
            {
                foreach (var e in report.Errors) AnsiConsole.MarkupLineInterpolated($"[red]{e.Place}: {e.Reason}[/]");
                return 1;
            }
            var figures = new Dictionary<string, object?>
            {
                ["accounts"] = parse.GetValue(accounts), ["history_months"] = parse.GetValue(months), ["readings_months"] = history,
                ["csv_megabytes"] = Math.Round(bytes / 1048576m, 1), ["export_seconds"] = Math.Round((decimal)export.Elapsed.TotalSeconds, 1),
                ["import_seconds"] = Math.Round((decimal)watchImport.Elapsed.TotalSeconds, 1), ["rows"] = report.Created,
            };
            await BenchDatabase.ReportAsync(figures, parse.GetValue(json), ct);
            return 0;
        });
        return cmd;
    }
}
