using System.CommandLine;
using System.Globalization;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc billing run | close | status</c>: the monthly charge run and month closing.</summary>
public static class BillingCommands
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public static Command Create()
    {
        var billing = new Command("billing", "Начисления: расчёт месяца, закрытие месяца, состояние");
        billing.Subcommands.Add(Run());
        billing.Subcommands.Add(Close());
        billing.Subcommands.Add(Status());
        return billing;
    }

    private static Command Run()
    {
        var month = CliMonth.Option();
        var buildings = new Option<long[]>("--building") { Description = "Только этот дом (можно несколько раз)", AllowMultipleArgumentsPerToken = false };
        var municipality = new Option<long?>("--municipality") { Description = "Только дома муниципального образования" };
        var manager = new Option<long?>("--manager") { Description = "Только дома управляющей организации" };
        var dry = new Option<bool>("--dry-run") { Description = "Пробный расчёт: сравнить с начисленным, ничего не записывать" };
        var batch = new Option<int>("--batch") { Description = "Домов в пакете (одна транзакция)", DefaultValueFactory = _ => 50 };
        var parallel = new Option<int>("--parallel") { Description = "Пакетов одновременно", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cmd = new Command("run", "Рассчитать начисления за месяц (прерванный расчёт продолжается)") { month, buildings, municipality, manager, dry, batch, parallel };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            var ids = parse.GetValue(buildings) ?? [];
            var scope = ids.Length > 0 ? BillingScope.Buildings(ids)
                : parse.GetValue(municipality) is { } m ? BillingScope.Municipality(m)
                : parse.GetValue(manager) is { } o ? BillingScope.ManagementCompany(o)
                : BillingScope.All;
            var options = new BillingRunOptions(CliDatabase.Clock, parse.GetValue(batch), parse.GetValue(parallel), parse.GetValue(dry), Environment.UserName);
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var started = System.Diagnostics.Stopwatch.StartNew();
            BillingRunReport report = null!;
            try
            {
                // Past months known to be wrong are recalculated before the month is charged (a dry run changes nothing).
                if (!options.DryRun)
                    RecalcCommands.PrintQueue(await Recalculations.ProcessQueueAsync(database.ConnectionString, period, Environment.UserName, CliDatabase.Clock, ct: ct));
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"Расчёт {period} ({Markup.Escape(scope.Description)})", maxValue: 1);
                        var progress = new SyncProgress<BillingProgress>(p =>
                        {
                            lock (task)
                            {
                                task.MaxValue = Math.Max(p.TotalBuildings, 1);
                                task.Value = Math.Max(task.Value, p.Buildings);
                            }
                        });
                        report = await BillingRun.RunAsync(database.ConnectionString, period, scope, options, progress, ct);
                        task.Value = task.MaxValue;
                    });
            }
            catch (BillingException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
            Print(report, started.Elapsed);
            return report.BuildingsFailed > 0 ? 3 : 0;
        });
        return cmd;
    }

    private static void Print(BillingRunReport r, TimeSpan elapsed)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]{(r.DryRun ? "Пробный расчёт" : "Расчёт")} №{r.RunId} за {r.Month}[/]{(r.Resumed ? " (продолжен после прерывания)" : "")}: {r.Scope}");
        AnsiConsole.MarkupLineInterpolated(
            $"Домов в охвате: {r.BuildingsInScope.ToString("N0", Ru)}; рассчитано: {r.BuildingsDone.ToString("N0", Ru)}; с ошибкой: {r.BuildingsFailed.ToString("N0", Ru)}; уже начислено ранее: {r.BuildingsAlreadyPosted.ToString("N0", Ru)}");
        AnsiConsole.MarkupLineInterpolated(
            $"Лицевых счетов: {r.Accounts.ToString("N0", Ru)}; строк: {r.Lines.ToString("N0", Ru)}; сумма: {r.Total.ToString("N2", Ru)} ₽; время: {elapsed.TotalSeconds.ToString("F1", Ru)} с");
        if (r.ByServiceAndSupplier.Count > 0)
        {
            var table = new Table().AddColumns("Услуга", "Поставщик", "Строк", "Сумма, ₽");
            foreach (var s in r.ByServiceAndSupplier)
                table.AddRow(Markup.Escape(s.Service), Markup.Escape(s.Supplier), s.Lines.ToString("N0", Ru), s.Amount.ToString("N2", Ru));
            table.AddRow("[bold]Итого[/]", "", r.Lines.ToString("N0", Ru), $"[bold]{r.Total.ToString("N2", Ru)}[/]");
            AnsiConsole.Write(table);
        }
        if (r.Difference is { } d)
            AnsiConsole.MarkupLineInterpolated(
                $"Сравнение с начисленным: новых строк {d.New.ToString("N0", Ru)}, изменённых {d.Changed.ToString("N0", Ru)}, без изменений {d.Unchanged.ToString("N0", Ru)}, отсутствующих {d.Missing.ToString("N0", Ru)}; начислено {d.Posted.ToString("N2", Ru)} ₽, разница {d.Difference.ToString("N2", Ru)} ₽");
        if (r.Failures.Count > 0)
        {
            var table = new Table().AddColumns("Дом", "Адрес", "Причина");
            foreach (var f in r.Failures) table.AddRow(f.BuildingId.ToString(CultureInfo.InvariantCulture), Markup.Escape(f.Address), Markup.Escape(f.Error));
            AnsiConsole.MarkupLine("[red]Дома с ошибкой (повторите: billing run --month … --building ID):[/]");
            AnsiConsole.Write(table);
        }
    }

    private static Command Close()
    {
        var month = CliMonth.Option();
        var cmd = new Command("close", "Закрыть месяц: записать сальдо по лицевым счетам") { month };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            try
            {
                var r = await BillingPeriods.CloseAsync(database.ConnectionString, period, CliDatabase.Clock, Environment.UserName, ct);
                AnsiConsole.MarkupLineInterpolated($"Месяц {period} закрыт: сальдо {r.Balances.ToString("N0", Ru)} строк по {r.Accounts.ToString("N0", Ru)} лицевым счетам");
                AnsiConsole.MarkupLineInterpolated(
                    $"Входящее {r.Opening.ToString("N2", Ru)} + начислено {r.Charged.ToString("N2", Ru)} + перерасчёт {r.Recalculated.ToString("N2", Ru)} + пени {r.Penalties.ToString("N2", Ru)} − оплачено {r.Paid.ToString("N2", Ru)} = исходящее {r.Closing.ToString("N2", Ru)} ₽");
                return 0;
            }
            catch (BillingException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
        });
        return cmd;
    }

    private static Command Status()
    {
        var month = CliMonth.Option();
        var cmd = new Command("status", "Состояние месяца: расчёты, начисления, дома с ошибкой") { month };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var s = await BillingPeriods.StatusAsync(database.ConnectionString, period, ct);
            AnsiConsole.MarkupLineInterpolated($"Месяц {period}: {(s.State == "closed" ? $"закрыт {s.ClosedAt:dd.MM.yyyy HH:mm} ({s.ClosedBy})" : "открыт")}");
            AnsiConsole.MarkupLineInterpolated($"Начислено: {s.PostedLines.ToString("N0", Ru)} строк на {s.PostedTotal.ToString("N2", Ru)} ₽");
            if (s.Runs.Count > 0)
            {
                var table = new Table().AddColumns("№", "Охват", "Вид", "Состояние", "Начат", "Домов", "Готово", "Ошибок", "Строк", "Сумма, ₽");
                foreach (var r in s.Runs)
                    table.AddRow(r.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Scope), r.DryRun ? "пробный" : "рабочий",
                        State(r.State), CliDatabase.Clock.Local(r.StartedAt).ToString("dd.MM HH:mm", Ru),
                        r.Buildings.ToString("N0", Ru), r.Done.ToString("N0", Ru), r.Failed.ToString("N0", Ru), r.Lines.ToString("N0", Ru), r.Total.ToString("N2", Ru));
                AnsiConsole.Write(table);
                foreach (var r in s.Runs.Where(r => r.Note is not null))
                    AnsiConsole.MarkupLineInterpolated($"[grey]№{r.Id}: {r.Note}[/]");
            }
            if (s.OpenFailures.Count > 0)
            {
                var table = new Table().AddColumns("Дом", "Адрес", "Причина");
                foreach (var f in s.OpenFailures) table.AddRow(f.BuildingId.ToString(CultureInfo.InvariantCulture), Markup.Escape(f.Address), Markup.Escape(f.Error));
                AnsiConsole.MarkupLine("[red]Не рассчитаны из-за ошибок:[/]");
                AnsiConsole.Write(table);
            }
            return 0;
        });
        return cmd;
    }

    private static string State(string state) => state switch
    {
        "running" => "[yellow]не завершён[/]",
        "completed" => "[green]завершён[/]",
        "failed" => "[red]прерван[/]",
        _ => Markup.Escape(state),
    };
}

/// <summary>Reports on the caller's thread (the run reports from its workers; Progress&lt;T&gt; would post to the pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
