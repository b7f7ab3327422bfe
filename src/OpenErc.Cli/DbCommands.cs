using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc db start | stop | migrate | status | backup | restore</c>.</summary>
public static class DbCommands
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public static Command Create()
    {
        var db = new Command("db", "База данных: запуск встроенного кластера, миграции, состояние, резервные копии");

        var start = new Command("start", "Запустить встроенный PostgreSQL и держать его до Ctrl+C");
        start.SetAction(async (parse, ct) =>
        {
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"Строка подключения: [bold]{database.ConnectionString}[/]");
            if (database.Local is null or { Owned: false }) return 0;
            AnsiConsole.MarkupLine("Кластер работает. Ctrl+C — остановить.");
            try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
            return 0;
        });

        var migrate = new Command("migrate", "Применить миграции схемы");
        migrate.SetAction(async (parse, ct) =>
        {
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await using var ctx = database.CreateContext();
            var pending = (await ctx.Database.GetPendingMigrationsAsync(ct)).ToList();
            await OpenErcDatabase.MigrateAsync(ctx, ct);
            AnsiConsole.MarkupLineInterpolated($"Применено миграций: {pending.Count}");
            return 0;
        });

        var status = new Command("status", "Показать состояние базы данных");
        status.SetAction(async (parse, ct) =>
        {
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await using var ctx = database.CreateContext();
            var applied = (await ctx.Database.GetAppliedMigrationsAsync(ct)).ToList();
            var pending = (await ctx.Database.GetPendingMigrationsAsync(ct)).ToList();
            var table = new Table().AddColumns("Показатель", "Значение");
            table.AddRow("Сервер", Markup.Escape(database.Local is { } l ? $"встроенный, {l.DataDirectory}, порт {l.Port}" : "внешний"));
            table.AddRow("Миграции применены", applied.Count.ToString());
            table.AddRow("Миграции ожидают", pending.Count.ToString());
            if (pending.Count == 0)
            {
                table.AddRow("Дома", (await ctx.Buildings.CountAsync(ct)).ToString("N0"));
                table.AddRow("Помещения", (await ctx.Premises.CountAsync(ct)).ToString("N0"));
                table.AddRow("Лицевые счета", (await ctx.Accounts.CountAsync(ct)).ToString("N0"));
                table.AddRow("Приборы учёта", (await ctx.Meters.CountAsync(ct)).ToString("N0"));
            }
            AnsiConsole.Write(table);
            return 0;
        });

        var stop = new Command("stop", "Остановить встроенный PostgreSQL, работающий в папке данных (например, оставленный убитым процессом)");
        stop.SetAction(async (parse, ct) =>
        {
            var folder = OpenErc.Storage.OpenErcDatabase.ResolveDataDirectory(parse.GetValue(CliDatabase.DataOption));
            bool stopped = await OpenErc.Storage.LocalPostgres.StopRunningAsync(folder, ct);
            AnsiConsole.MarkupLineInterpolated($"{(stopped ? "Остановлен" : "Не запущен")}: {folder}");
            return 0;
        });

        db.Subcommands.Add(start);
        db.Subcommands.Add(stop);
        db.Subcommands.Add(migrate);
        db.Subcommands.Add(status);
        db.Subcommands.Add(Backup());
        db.Subcommands.Add(Restore());
        return db;
    }

    private static Command Backup()
    {
        var file = new Argument<string>("FILE") { Description = "Файл резервной копии (формат pg_dump -Fc)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Заменить существующий файл" };
        var cmd = new Command("backup", "Резервная копия базы данных (pg_dump -Fc); согласованная, пока система работает") { file, overwrite };
        cmd.SetAction((parse, ct) => ReportAsync(parse, "Резервная копия не сделана", async connectionString =>
        {
            var report = await DatabaseBackup.BackupAsync(connectionString, parse.GetValue(file)!, parse.GetValue(overwrite), ct);
            return $"Резервная копия записана: {report.File} — {(report.Bytes / 1048576.0).ToString("N1", Ru)} МБ за {Seconds(report.Elapsed)} с";
        }, ct));
        return cmd;
    }

    private static Command Restore()
    {
        var file = new Argument<string>("FILE") { Description = "Файл резервной копии, сделанной командой db backup" };
        var cmd = new Command("restore", "Восстановить базу данных из резервной копии (pg_restore) в пустую базу или новый встроенный кластер") { file };
        cmd.SetAction((parse, ct) => ReportAsync(parse, "Восстановление не выполнено", async connectionString =>
        {
            var report = await DatabaseBackup.RestoreAsync(connectionString, parse.GetValue(file)!, ct);
            return $"Восстановлено из {report.File} в базу «{report.Database}»: таблиц {report.Tables} за {Seconds(report.Elapsed)} с. Миграции схемы пришли с копией.";
        }, ct));
        return cmd;
    }

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N1", Ru);

    /// <summary>Runs a backup or a restore on the command's database: its report and exit code 0, or the refusal in red and 1.</summary>
    private static async Task<int> ReportAsync(ParseResult parse, string failed, Func<string, Task<string>> work, CancellationToken ct)
    {
        await using var database = await CliDatabase.OpenAsync(parse, ct);
        try
        {
            AnsiConsole.MarkupLine(Markup.Escape(await work(database.ConnectionString)));
            return 0;
        }
        catch (DatabaseBackupException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failed}: {e.Message}[/]");
            return 1;
        }
    }
}
