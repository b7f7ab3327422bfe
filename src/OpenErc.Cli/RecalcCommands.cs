using System.CommandLine;
using System.Globalization;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc billing recalc | correct | penalties | recalcs</c>: recalculation of past months after a retroactive
/// registry change, an operator's correction, penalties to a date, and the registry of all of them.
/// </summary>
public static class RecalcCommands
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public static void AddTo(Command billing)
    {
        billing.Subcommands.Add(Recalc());
        billing.Subcommands.Add(Correct());
        billing.Subcommands.Add(Penalties());
        billing.Subcommands.Add(List());
    }

    private const string OpenMonth = "Открытый расчётный месяц ГГГГ-ММ, в котором проводятся строки";

    private static Command Recalc()
    {
        var month = CliMonth.Option(OpenMonth);
        var buildings = new Option<long[]>("--building") { Description = "Только этот дом (можно несколько раз); без него — все дома", AllowMultipleArgumentsPerToken = false };
        var reason = new Option<string>("--reason") { Description = "Причина перерасчёта (попадает в каждую строку); обязательна без --queue" };
        var since = new Option<string?>("--changed-since")
        {
            Description = "Только дома, данные которых изменены в реестре с этого момента (ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTчч:мм, UTC)",
        };
        var horizon = new Option<int>("--horizon") { Description = "На сколько месяцев назад (ГК РФ ст. 196: 36)", DefaultValueFactory = _ => 36 };
        var queue = new Option<bool>("--queue")
        {
            Description = "Только дома из очереди изменений задним числом (причина — из очереди); то же делает billing run перед расчётом",
        };
        var cmd = new Command("recalc",
            "Перерасчёт прошлых месяцев по текущим данным реестра (после изменения задним числом): разница проводится в открытом месяце")
            { month, buildings, since, reason, horizon, queue };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            if (parse.GetValue(queue))
            {
                await using var db = await CliDatabase.OpenAsync(parse, ct);
                await db.MigrateAsync(ct);
                try
                {
                    var q = await Recalculations.ProcessQueueAsync(db.ConnectionString, period, Environment.UserName, CliDatabase.Clock,
                        new RecalculationOptions(parse.GetValue(horizon)), ct);
                    PrintQueue(q);
                    return q.Recalculation?.Failures.Count > 0 ? 3 : 0;
                }
                catch (BillingException e)
                {
                    AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                    return 1;
                }
            }
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
            {
                AnsiConsole.MarkupLine("[red]Укажите причину перерасчёта: --reason \"…\" (или --queue)[/]");
                return 2;
            }
            var ids = parse.GetValue(buildings) ?? [];
            DateTimeOffset? changedSince = null;
            if (parse.GetValue(since) is { } text)
            {
                if (!DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm"], CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                {
                    AnsiConsole.MarkupLine("[red]--changed-since должен иметь вид ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTчч:мм[/]");
                    return 2;
                }
                changedSince = new DateTimeOffset(at, TimeSpan.Zero);
            }
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            if (changedSince is { } from)
            {
                var changed = await Recalculations.ChangedBuildingsAsync(database.ConnectionString, from, ct);
                if (changed.Count == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"С {from:dd.MM.yyyy HH:mm} данные домов в реестре не менялись: пересчитывать нечего");
                    return 0;
                }
                ids = [.. ids, .. changed];
            }
            var scope = ids.Length > 0 ? BillingScope.Buildings(ids) : BillingScope.All;
            try
            {
                var r = await Recalculations.RecalculateAsync(database.ConnectionString, period, scope, parse.GetValue(reason) ?? "", Environment.UserName, CliDatabase.Clock,
                    new RecalculationOptions(parse.GetValue(horizon)), ct);
                Print(r);
                return r.Failures.Count > 0 ? 3 : 0;
            }
            catch (BillingException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
        });
        return cmd;
    }

    private static void Print(RecalculationReport r)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]Перерасчёт №{r.RunId}[/] в {r.Month} ({r.Scope}): строк {r.Lines.ToString("N0", Ru)}, сумма {r.Total.ToString("N2", Ru)} ₽");
        if (r.Months.Count > 0)
        {
            var table = new Table().AddColumns("Месяц", "Домов", "Было, ₽", "Стало, ₽", "Разница, ₽", "Строк");
            foreach (var m in r.Months)
                table.AddRow(m.ServiceMonth.ToString(), m.Buildings.ToString("N0", Ru), m.Posted.ToString("N2", Ru), m.Fresh.ToString("N2", Ru),
                    m.Difference.ToString("N2", Ru), m.Lines.ToString("N0", Ru));
            AnsiConsole.Write(table);
        }
        foreach (var f in r.Failures)
            AnsiConsole.MarkupLineInterpolated($"[red]Дом {f.BuildingId} ({f.Address}) не пересчитан: {f.Error}[/]");
    }

    /// <summary>What the processing of the queue of retroactive changes did (also printed by <c>billing run</c>).</summary>
    internal static void PrintQueue(RecalculationQueueReport q)
    {
        if (q.Recalculation is null)
        {
            AnsiConsole.MarkupLine("Очередь перерасчётов по изменениям задним числом пуста");
            return;
        }
        AnsiConsole.MarkupLineInterpolated($"Перерасчёт по изменениям задним числом: домов {q.Buildings.ToString("N0", Ru)}, оставлено в очереди {q.Kept.ToString("N0", Ru)}");
        Print(q.Recalculation);
    }

    private static Command Correct()
    {
        var month = CliMonth.Option(OpenMonth);
        var account = new Option<long>("--account") { Description = "Лицевой счёт (id)", Required = true };
        var service = new Option<string>("--service") { Description = "Код услуги, например cold_water", Required = true };
        var supplier = new Option<long>("--supplier") { Description = "Поставщик (id организации)", Required = true };
        var serviceMonth = new Option<string>("--for") { Description = "За какой месяц ГГГГ-ММ", Required = true };
        var amount = new Option<decimal>("--amount") { Description = "Сумма, ₽ (со знаком: минус — уменьшение)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Причина корректировки", Required = true };
        var cmd = new Command("correct", "Ручная корректировка начисления с указанием причины") { month, account, service, supplier, serviceMonth, amount, reason };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period) || !CliMonth.TryParse(parse.GetValue(serviceMonth), out var corrected, "--for")) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            try
            {
                long run = await Recalculations.PostCorrectionAsync(database.ConnectionString, period, parse.GetValue(account), parse.GetValue(service) ?? "",
                    parse.GetValue(supplier), corrected, parse.GetValue(amount), parse.GetValue(reason) ?? "", Environment.UserName, CliDatabase.Clock, ct);
                AnsiConsole.MarkupLineInterpolated($"Корректировка проведена (№{run}) в {period} за {corrected}: {parse.GetValue(amount).ToString("N2", Ru)} ₽");
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

    private static Command Penalties()
    {
        var month = CliMonth.Option(OpenMonth);
        var on = new Option<string>("--on") { Description = "Дата расчёта пени ГГГГ-ММ-ДД (дата расчёта ЕПД)", Required = true };
        var cmd = new Command("penalties", "Пени на дату: начисленное к дате минус ранее начисленное проводится в открытом месяце") { month, on };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            if (!DateOnly.TryParseExact(parse.GetValue(on), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                AnsiConsole.MarkupLine("[red]Дата должна иметь вид ГГГГ-ММ-ДД[/]");
                return 2;
            }
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            try
            {
                var r = await PenaltyPosting.PostAsync(database.ConnectionString, period, date, CliDatabase.Clock, Environment.UserName, ct: ct);
                AnsiConsole.MarkupLineInterpolated(
                    $"Пени на {date:dd.MM.yyyy} (№{r.RunId}): долгов {r.Chunks.ToString("N0", Ru)}; начислено всего {r.Accrued.ToString("N2", Ru)} ₽, ранее {r.AlreadyPosted.ToString("N2", Ru)} ₽, проведено сейчас {r.Posted.ToString("N2", Ru)} ₽ ({r.Lines.ToString("N0", Ru)} строк)");
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

    private static Command List()
    {
        var month = CliMonth.Option("Месяц проведения ГГГГ-ММ");
        var account = new Option<long?>("--account") { Description = "Только этот лицевой счёт (id)" };
        var building = new Option<long?>("--building") { Description = "Только этот дом" };
        var kind = new Option<ChargeLineKind?>("--kind") { Description = "Recalculation, ManualCorrection, Penalty, TemporaryAbsence, QualityReduction, HeatingAnnualCorrection" };
        var page = new Option<int>("--page") { Description = "Страница", DefaultValueFactory = _ => 1 };
        var cmd = new Command("recalcs", "Реестр перерасчётов, корректировок и пени") { month, account, building, kind, page };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var p = await Recalculations.ListAsync(database.ConnectionString,
                new RecalculationFilter(period, parse.GetValue(account), parse.GetValue(building), parse.GetValue(kind)), parse.GetValue(page), 50, ct);
            var table = new Table().AddColumns("Лицевой счёт", "Адрес", "Услуга", "Поставщик", "За месяц", "Вид", "Сумма, ₽", "Причина", "Кто, когда");
            foreach (var e in p.Items)
                table.AddRow(Markup.Escape(e.AccountNumber), Markup.Escape(e.Address), Markup.Escape(e.Service), Markup.Escape(e.Supplier), e.ServiceMonth.ToString(),
                    Markup.Escape(Kind(e.Kind)), e.Amount.ToString("N2", Ru), Markup.Escape(e.Reason ?? ""),
                    Markup.Escape($"{e.PostedBy}, {CliDatabase.Clock.Local(e.PostedAt).ToString("dd.MM.yyyy HH:mm", Ru)}"));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Строк: {p.Total.ToString("N0", Ru)}; страница {p.PageNumber} из {Math.Max(1, (p.Total + p.PageSize - 1) / p.PageSize)}");
            return 0;
        });
        return cmd;
    }

    private static string Kind(ChargeLineKind kind) => kind switch
    {
        ChargeLineKind.Charge => "Начисление",
        ChargeLineKind.TemporaryAbsence => "Временное отсутствие",
        ChargeLineKind.QualityReduction => "Снижение за качество",
        ChargeLineKind.HeatingAnnualCorrection => "Корректировка отопления",
        ChargeLineKind.Recalculation => "Перерасчёт",
        ChargeLineKind.ManualCorrection => "Ручная корректировка",
        _ => kind.Title(),
    };
}
