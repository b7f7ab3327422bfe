using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc db start | migrate | status</c>.</summary>
public static class DbCommands
{
    public static Command Create()
    {
        var db = new Command("db", "База данных: запуск встроенного кластера, миграции, состояние");

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
            await ctx.Database.MigrateAsync(ct);
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
        return db;
    }
}
