using System.CommandLine;
using OpenErc.Core.Common;
using OpenErc.Operations.Demo;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc demo --accounts N --seed S --months M</c>: a deterministic demo region, written with binary COPY, and M months of its life.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Начальное значение генератора", DefaultValueFactory = _ => 42 };
        var month = new Option<string?>("--month") { Description = "Текущий месяц ГГГГ-ММ (история — за месяцы до него); по умолчанию текущий" };
        var months = new Option<int>("--months")
        {
            Description = $"Месяцев истории до текущего (0–{DemoOptions.MaxMonths}): платежи, начисления, закрытие, квитанции; 0 — только картотека",
            DefaultValueFactory = _ => 12,
        };
        var cmd = new Command("demo", "Создать демонстрационный регион в пустой базе") { accounts, seed, month, months };
        cmd.SetAction(async (parse, ct) =>
        {
            var current = CliDatabase.Clock.CurrentMonth;
            if (parse.GetValue(month) is { } text && !CliMonth.TryParse(text, out current)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var options = new DemoOptions(parse.GetValue(accounts), parse.GetValue(seed), current, parse.GetValue(months)) { Zone = CliDatabase.Clock.Zone };
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
                $"Картотека: {result.Accounts:N0} лицевых счетов, {result.Buildings:N0} домов, {result.Rows:N0} строк за {result.RegistryElapsed.TotalSeconds:F1} с");
            if (result.History is { } h)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"История с {h.FirstMonth} ({h.Months} мес.): {h.ChargeLines:N0} строк начислений на {h.Charged:N2} ₽, {h.Payments:N0} платежей на {h.Paid:N2} ₽, {h.Receipts:N0} платёжных документов, {h.Transfers:N0} перечислений за {h.Elapsed.TotalSeconds:F1} с");
                foreach (var (stage, time) in h.Stages.OrderByDescending(s => s.Value))
                    AnsiConsole.MarkupLineInterpolated($"[grey]  {stage}: {time.TotalSeconds:F1} с[/]");
            }
            AnsiConsole.MarkupLineInterpolated($"Готово за {result.Elapsed.TotalSeconds:F1} с");
            return 0;
        });
        return cmd;
    }
}
