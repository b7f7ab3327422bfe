using System.CommandLine;
using OpenErc.Core.Common;
using OpenErc.Operations.Demo;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc demo --accounts N --seed S</c>: a deterministic demo region, written with binary COPY.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Начальное значение генератора", DefaultValueFactory = _ => 42 };
        var month = new Option<string?>("--month") { Description = "Текущий месяц ГГГГ-ММ (показания — за шесть месяцев до него); по умолчанию текущий" };
        var cmd = new Command("demo", "Создать демонстрационный регион в пустой базе") { accounts, seed, month };
        cmd.SetAction(async (parse, ct) =>
        {
            var current = CliDatabase.Clock.CurrentMonth;
            if (parse.GetValue(month) is { } text && !CliMonth.TryParse(text, out current)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var options = new DemoOptions(parse.GetValue(accounts), parse.GetValue(seed), current);
            DemoResult result = null!;
            try
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        // Progress<T> without a synchronisation context calls back on pool threads, possibly two at once.
                        var progress = new Progress<DemoProgress>(p =>
                        {
                            lock (tasks)
                            {
                                if (!tasks.TryGetValue(p.Stage, out var t))
                                    tasks[p.Stage] = t = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(p.Total, 1));
                                t.Value = Math.Max(t.Value, p.Done);
                            }
                        });
                        result = await DemoRegion.GenerateAsync(database.ConnectionString, options, progress, ct);
                        foreach (var t in tasks.Values) t.Value = t.MaxValue;
                    });
            }
            catch (NonEmptyDatabaseException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
            AnsiConsole.MarkupLineInterpolated(
                $"Готово: {result.Accounts:N0} лицевых счетов, {result.Buildings:N0} домов, {result.Rows:N0} строк за {result.Elapsed.TotalSeconds:F1} с");
            return 0;
        });
        return cmd;
    }
}
