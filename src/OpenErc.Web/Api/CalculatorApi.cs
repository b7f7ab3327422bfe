using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations;
using OpenErc.Core.Housing;
using OpenErc.Core.Penalties;
using OpenErc.Core.Tariffs;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OpenErc.Web.Api;

/// <summary>The month to charge, a self-contained building snapshot and, optionally, rule settings that differ from the defaults.</summary>
/// <param name="Period">Billing month, <c>YYYY-MM</c>.</param>
/// <param name="Building">Premises, accounts, meters, services, tariffs, norms and incidents of one building.</param>
/// <param name="Settings">Only the settings to change; every missing field keeps its default.</param>
public sealed record ChargeCalculationRequest(BillingPeriod? Period, BuildingSnapshot? Building, ChargeSettings? Settings = null);

/// <summary>The lines exactly as <see cref="ChargeCalculator"/> computes them; <see cref="Total"/> is the sum of the rounded lines.</summary>
public sealed record ChargeCalculationResponse(BillingPeriod Period, Money Total, IReadOnlyList<ChargeLine> Lines);

/// <summary>Debts, payments, the calculation date and, optionally, a key-rate table (default: <see cref="KeyRateHistory.BankOfRussia"/>).</summary>
public sealed record PenaltyCalculationRequest(
    DateOnly? CalculatedOn, IReadOnlyList<PenaltyDebtInput>? Debts, IReadOnlyList<PenaltyPaymentInput>? Payments = null, IReadOnlyList<KeyRatePoint>? KeyRates = null);

/// <summary>A debt: the amount and either its last timely day or the billing month it was charged for (the due date then follows ЖК 155 ч. 1).</summary>
public sealed record PenaltyDebtInput(decimal Amount, DateOnly? DueDate = null, BillingPeriod? Month = null, PenaltySchedule Schedule = PenaltySchedule.Housing, string? Label = null);

/// <summary>A payment; <see cref="DebtIndex"/> (0-based position in <c>debts</c>) designates the debt it pays, otherwise the oldest debt is paid first.</summary>
public sealed record PenaltyPaymentInput(DateOnly Date, decimal Amount, int? DebtIndex = null);

public sealed record PenaltyCalculationResponse(DateOnly CalculatedOn, Money Total, string KeyRateSource, IReadOnlyList<PenaltyDebtResult> Debts);

/// <summary>The penalty of one debt: its portions (each paid part and the part unpaid on the calculation date).</summary>
public sealed record PenaltyDebtResult(
    int Index, string Label, decimal Amount, BillingPeriod? Month, DateOnly DueDate, PenaltySchedule Schedule, string Rule,
    decimal Paid, decimal Unpaid, Money Penalty, IReadOnlyList<PenaltyPortionResult> Portions);

/// <summary>A portion of a debt; <see cref="Penalty"/> is the sum of its rows' exact amounts rounded once.</summary>
public sealed record PenaltyPortionResult(string Title, decimal Debt, DateOnly End, bool Paid, decimal KeyRatePercent, Money Penalty, IReadOnlyList<PenaltyRowResult> Rows);

/// <summary>Consecutive days with the same fraction and rate. <see cref="Amount"/> is rounded for display, <see cref="Exact"/> is what is summed.</summary>
public sealed record PenaltyRowResult(
    DateOnly From, DateOnly To, int Days, int FirstDayOfDelay, int LastDayOfDelay, decimal Debt, decimal RatePercent, string Fraction, string Note,
    decimal Amount, decimal Exact, string Formula);

/// <summary>
/// Public calculators under <c>/api/v1/calculator</c>: the monthly charge of a building from a snapshot in the request and
/// the penalties (пени) on debts. Nothing is read from or written to the database. Bad input is a 400 ProblemDetails with
/// messages in Russian keyed by the JSON path of the field.
/// </summary>
public static class CalculatorApi
{
    private const string ValidationTitle = "Расчёт не выполнен: исправьте ошибки в данных";

    /// <summary>JSON forms of the Core value types (month as <c>YYYY-MM</c>, money as a number) and their OpenAPI schemas.</summary>
    public static IServiceCollection AddCalculatorApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new BillingPeriodJsonConverter());
            o.SerializerOptions.Converters.Add(new MoneyJsonConverter());
            o.SerializerOptions.Converters.Add(new ReadOnlySetJsonConverter());
        });
        services.Configure<OpenApiOptions>("v1", o => o.AddSchemaTransformer(async (schema, context, ct) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlySet<>))
            {
                schema.Type = JsonSchemaType.Array;
                schema.UniqueItems = true;
                schema.Items = await context.GetOrCreateSchemaAsync(type.GetGenericArguments()[0], null, ct);
            }
            else if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
            {
                // Positional records list every constructor parameter as required; a nullable one may be left out.
                foreach (var (name, property) in properties)
                    if (property.Type is { } t && t.HasFlag(JsonSchemaType.Null)) required.Remove(name);
            }
            if (type == typeof(BillingPeriod) || type == typeof(BillingPeriod?))
            {
                schema.Type = type == typeof(BillingPeriod) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
                schema.Pattern = "^20[0-9]{2}-(0[1-9]|1[0-2])$";
                schema.Description ??= "Расчётный месяц в виде ГГГГ-ММ, от 2000-01 до 2099-12";
                schema.Properties = null;
            }
            else if (type == typeof(Money))
            {
                schema.Type = JsonSchemaType.Number;
                schema.Description ??= "Сумма в рублях с копейками";
                schema.Properties = null;
            }
        }));
        return services;
    }

    public static void MapCalculatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/calculator").WithTags("Калькуляторы");

        api.MapPost("/charges", async (HttpContext http, ILoggerFactory logs, CancellationToken ct) =>
            {
                var (request, error) = await ReadAsync<ChargeCalculationRequest>(http, ct);
                if (error is not null) return error;
                var errors = Validate(request!);
                if (errors.Count > 0) return Invalid(errors);
                try
                {
                    return TypedResults.Ok(CalculateCharges(request!));
                }
                catch (ChargeDataException e)
                {
                    return Invalid(new() { ["building"] = [e.Message] });
                }
                catch (Exception e) when (e is OverflowException or ArgumentException)
                {
                    logs.CreateLogger(typeof(CalculatorApi)).LogWarning(e, "Charge calculator refused the input");
                    return Invalid(new() { ["building"] = ["Расчёт по этим данным невозможен: проверьте даты и величины (слишком большие значения или даты вне допустимого диапазона)"] });
                }
            })
            .WithSummary("Калькулятор начислений: расчёт дома за месяц по данным запроса")
            .WithDescription(
                "Принимает полный снимок дома за месяц — помещения, лицевые счета (проживающие, собственники, временное отсутствие), " +
                "приборы учёта с показаниями, услуги со способами расчёта, поставщиками, тарифами и нормативами, аварии и нарушения " +
                "качества — и возвращает строки начислений так, как их считает расчётное ядро ЕРЦ, с расшифровкой: формула, " +
                "основание (пункт ПП № 354 и приложения 2), исходные величины и части месяца. Сумма строки округляется до копеек " +
                "один раз. Поле settings необязательно: в нём указываются только те правила, которые отличаются от умолчаний " +
                "(повышающие коэффициенты, ограничение КР на СОИ по нормативу и т. п.). Даты — ГГГГ-ММ-ДД, месяц — ГГГГ-ММ; " +
                "периоды действия полуоткрытые: validFrom — первый день, validTo — первый день, когда запись уже не действует " +
                "(null — бессрочно). Перечисления передаются названиями (ColdWater, Residential, …). Базу данных калькулятор не использует.")
            .Accepts<ChargeCalculationRequest>("application/json")
            .Produces<ChargeCalculationResponse>()
            .ProducesValidationProblem()
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                var json = JsonOptions(context.ApplicationServices);
                SetExamples(operation,
                    [("norm", "ХВС по нормативу: 3 проживающих × 4,745 м³ × 52,37 ₽ = 745,49 ₽ (акт о невозможности установки счётчика — без повышающего коэффициента)", JsonSerializer.SerializeToNode(Examples.ChargesByNorm, json)),
                     ("meter", "ХВС по счётчику: 7,752 м³ × 52,37 ₽ = 405,97 ₽", JsonSerializer.SerializeToNode(Examples.ChargesByMeter, json))],
                    JsonSerializer.SerializeToNode(CalculateCharges(Examples.ChargesByNorm), json));
                return Task.CompletedTask;
            });

        api.MapPost("/penalties", async (HttpContext http, CancellationToken ct) =>
            {
                var (request, error) = await ReadAsync<PenaltyCalculationRequest>(http, ct);
                if (error is not null) return error;
                var errors = Validate(request!);
                if (errors.Count > 0) return Invalid(errors);
                try
                {
                    return TypedResults.Ok(CalculatePenalties(request!));
                }
                catch (InvalidOperationException e)
                {
                    // PenaltyRules: no key rate on a date (the table does not reach back far enough).
                    return Invalid(new() { ["keyRates"] = [request!.KeyRates is null ? $"{e.Message}: встроенная таблица начинается с 01.01.2016, передайте свою таблицу в keyRates" : e.Message] });
                }
            })
            .WithSummary("Калькулятор пеней за просрочку оплаты ЖКУ и взносов на капремонт")
            .WithDescription(
                "Пени по ЖК РФ ст. 155 ч. 14 (ЖКУ: первые 30 дней просрочки без пеней, с 31-го по 90-й день — 1/300 ставки, " +
                "с 91-го дня — 1/130) и ч. 14.1 (капитальный ремонт: 1/300 ставки с первого дня просрочки). Ставка — ключевая " +
                "ставка Банка России на день оплаты (для неоплаченной части — на дату расчёта); с 28.02.2022 по 31.12.2026 " +
                "применяется не выше 9,5 % (ПП № 474, ПП № 329). В периоды моратория (06.04–31.12.2020, ПП № 424) пени не " +
                "начисляются. Срок оплаты долга за месяц — 10-е число следующего месяца, за начисления с марта 2026 года — 15-е " +
                "(срок, выпавший на субботу или воскресенье, переносится на понедельник; праздничные дни калькулятор не учитывает — " +
                "в таком случае укажите срок явно в dueDate). День оплаты входит в период просрочки. Платёж с debtIndex гасит " +
                "указанный долг, без него — сначала самый ранний по сроку оплаты (при одинаковом сроке — пропорционально). " +
                "Ответ: итог, а по каждому долгу и каждой его части — таблица по дням: период, число дней, дни просрочки, сумма " +
                "долга, ставка, доля (0, 1/300 или 1/130) с пояснением и сумма. Сумма части долга округляется до копеек один раз, " +
                "поэтому сумма округлённых строк может отличаться от неё на копейку. Таблица ключевой ставки необязательна " +
                "(по умолчанию — встроенная история с 2016 года).")
            .Accepts<PenaltyCalculationRequest>("application/json")
            .Produces<PenaltyCalculationResponse>()
            .ProducesValidationProblem()
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                var json = JsonOptions(context.ApplicationServices);
                SetExamples(operation,
                    [("full", "Долг 5 000 ₽ за март 2025, оплачен 15.08.2025: пени 230,19 ₽", JsonSerializer.SerializeToNode(Examples.PenaltyFullPayment, json)),
                     ("partial", "Тот же долг, оплачен частями 20.06 и 15.08.2025: пени 164,09 ₽", JsonSerializer.SerializeToNode(Examples.PenaltyPartialPayments, json))],
                    JsonSerializer.SerializeToNode(CalculatePenalties(Examples.PenaltyFullPayment), json));
                return Task.CompletedTask;
            });
    }

    // ---------------------------------------------------------------- charges

    private static ChargeCalculationResponse CalculateCharges(ChargeCalculationRequest request)
    {
        var lines = ChargeCalculator.Calculate(request.Building!, request.Period!.Value, request.Settings ?? new ChargeSettings());
        return new ChargeCalculationResponse(request.Period.Value, lines.Aggregate(Money.Zero, (sum, l) => sum + l.Amount), lines);
    }

    private static Dictionary<string, List<string>> Validate(ChargeCalculationRequest r)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string key, string message) => (errors.TryGetValue(key, out var list) ? list : errors[key] = []).Add(message);

        if (r.Period is null) Add("period", "Укажите расчётный месяц в виде ГГГГ-ММ");
        if (r.Building is not { } b)
        {
            Add("building", "Укажите данные дома");
            return errors;
        }
        CheckGraph(b, "building", Add);
        if (r.Settings is { } settings) CheckGraph(settings, "settings", Add);
        if (errors.Count > 0) return errors; // the checks below rely on filled lists

        if (b.TotalPremisesArea < 0) Add("building.totalPremisesArea", "Площадь не может быть отрицательной");
        else if (b.TotalPremisesArea == 0 && b.Premises.Count > 0) Add("building.totalPremisesArea", "Укажите общую площадь помещений дома (S_об), она должна быть больше нуля");
        foreach (var (resource, area) in b.CommonPropertyArea)
            if (area < 0) Add($"building.commonPropertyArea.{resource}", "Площадь не может быть отрицательной");

        var accountIds = new HashSet<long>();
        for (int i = 0; i < b.Premises.Count; i++)
        {
            var p = b.Premises[i];
            var at = $"building.premises[{i}]";
            if (p.TotalArea < 0) Add($"{at}.totalArea", "Площадь помещения не может быть отрицательной");
            if (p.Rooms < 0) Add($"{at}.rooms", "Число комнат не может быть отрицательным");
            for (int j = 0; j < p.Accounts.Count; j++)
            {
                var a = p.Accounts[j];
                var ac = $"{at}.accounts[{j}]";
                if (!accountIds.Add(a.AccountId)) Add($"{ac}.accountId", $"Лицевой счёт с кодом {a.AccountId} указан дважды");
                if (a.Share is <= 0 or > 1) Add($"{ac}.share", "Доля должна быть больше 0 и не больше 1");
                if (a.ClosedOn <= a.OpenedOn) Add($"{ac}.closedOn", "Дата закрытия должна быть позже даты открытия");
                for (int k = 0; k < a.Residents.Count; k++)
                    if (a.Residents[k].Value < 0) Add($"{ac}.residents[{k}].value", "Число проживающих не может быть отрицательным");
                for (int k = 0; k < a.Owners.Count; k++)
                    if (a.Owners[k].Value < 0) Add($"{ac}.owners[{k}].value", "Число собственников не может быть отрицательным");
                for (int k = 0; k < a.Absences.Count; k++)
                {
                    if (a.Absences[k].Returned <= a.Absences[k].Departed) Add($"{ac}.absences[{k}].returned", "Дата возвращения должна быть позже даты отъезда");
                    if (a.Absences[k].Persons < 1) Add($"{ac}.absences[{k}].persons", "Число отсутствовавших должно быть не меньше 1");
                }
            }
            CheckMeters(p.Meters, $"{at}.meters", Add);
        }
        CheckMeters(b.CommonHouseMeters, "building.commonHouseMeters", Add);
        for (int i = 0; i < b.Services.Count; i++)
        {
            var s = b.Services[i];
            var at = $"building.services[{i}]";
            if (string.IsNullOrWhiteSpace(s.Code)) Add($"{at}.code", "Укажите код услуги");
            for (int k = 0; k < s.Tariffs.Count; k++)
                if (s.Tariffs[k].Rate < 0) Add($"{at}.tariffs[{k}].rate", "Тариф не может быть отрицательным");
            for (int k = 0; k < s.Norms.Count; k++)
                if (s.Norms[k].Value < 0) Add($"{at}.norms[{k}].value", "Норматив не может быть отрицательным");
        }
        for (int i = 0; i < b.Incidents.Count; i++)
            if (b.Incidents[i].End <= b.Incidents[i].Start) Add($"building.incidents[{i}].end", "Окончание должно быть позже начала");
        return errors;
    }

    private static void CheckMeters(IReadOnlyList<MeterSnapshot> meters, string at, Action<string, string> add)
    {
        for (int i = 0; i < meters.Count; i++)
        {
            var m = meters[i];
            var mt = $"{at}[{i}]";
            if (m.Zones is < 1 or > 3) add($"{mt}.zones", "Число тарифных зон должно быть от 1 до 3");
            if (m.Digits is < 0 or > 12) add($"{mt}.digits", "Разрядность счётного механизма должна быть от 0 до 12");
            if (m.RemovedOn <= m.InstalledOn) add($"{mt}.removedOn", "Дата снятия должна быть позже даты установки");
            for (int k = 0; k < m.Readings.Count; k++)
            {
                var reading = m.Readings[k];
                if (reading.Zone < 1 || reading.Zone > m.Zones) add($"{mt}.readings[{k}].zone", "Номер зоны показания должен быть от 1 до числа зон прибора");
                if (reading.Value < 0) add($"{mt}.readings[{k}].value", "Показание не может быть отрицательным");
            }
        }
    }

    // ---------------------------------------------------------------- penalties

    internal static PenaltyCalculationResponse CalculatePenalties(PenaltyCalculationRequest request)
    {
        var rules = new PenaltyRules { KeyRates = request.KeyRates ?? KeyRateHistory.BankOfRussia };
        var on = request.CalculatedOn!.Value;
        var debts = request.Debts!;
        var chunks = debts.Select(d => new DebtChunk(d.Amount, d.DueDate ?? rules.DueDate(d.Month!.Value), d.Schedule, d.Label)).ToList();
        var allocated = Allocate(chunks, request.Payments ?? []);

        var results = new List<PenaltyDebtResult>();
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var result = PenaltyCalculator.Calculate(chunk, allocated[i], on, rules);
            decimal paid = result.Portions.Where(p => p.Paid).Sum(p => p.Debt);
            var portions = result.Portions.Select(p => Portion(chunk, p, on, rules)).ToList();
            results.Add(new PenaltyDebtResult(i, chunk.Label ?? DebtLabel(debts[i].Month, chunk.DueDate), chunk.Amount, debts[i].Month, chunk.DueDate,
                chunk.Schedule, RuleText(chunk.Schedule), paid, chunk.Amount - paid, result.Total, portions));
        }
        return new PenaltyCalculationResponse(on, results.Aggregate(Money.Zero, (sum, d) => sum + d.Penalty),
            request.KeyRates is null ? "Ключевая ставка Банка России (встроенная таблица с 01.01.2016)" : "Таблица ключевой ставки из запроса", results);
    }

    private static PenaltyPortionResult Portion(DebtChunk chunk, PenaltyPortion p, DateOnly on, PenaltyRules rules)
    {
        var title = p.Paid
            ? $"Часть долга {Rub(p.Debt)} ₽, оплаченная {p.End:dd.MM.yyyy}; ключевая ставка на день оплаты — {Num(p.RatePercent)} %"
            : $"Неоплаченный на {on:dd.MM.yyyy} остаток {Rub(p.Debt)} ₽; ключевая ставка на дату расчёта — {Num(p.RatePercent)} %";
        var rows = p.Rows.Select(r =>
        {
            var amount = Money.RoundToKopecks(r.Amount).Amount;
            return new PenaltyRowResult(r.From, r.To, r.Days, r.FirstDayOfDelay, r.FirstDayOfDelay + r.Days - 1, r.Debt, r.RatePercent,
                r.Divisor == 0 ? "0" : $"1/{r.Divisor}", RowNote(chunk, r, p.RatePercent, rules), amount, r.Amount,
                r.Divisor == 0 ? $"{r.Days} дн. без начисления = 0,00 ₽"
                    : $"{Rub(r.Debt)} ₽ × {Num(r.RatePercent)} % × 1/{r.Divisor} × {r.Days} дн. = {Rub(amount)} ₽");
        }).ToList();
        return new PenaltyPortionResult(title, p.Debt, p.End, p.Paid, p.RatePercent, p.Penalty, rows);
    }

    private static string RowNote(DebtChunk chunk, PenaltyRow r, decimal keyRate, PenaltyRules rules)
    {
        if (r.Divisor == 0)
            return r.Note == "Льготный период (30 дней)"
                ? "Первые 30 дней просрочки: пени не начисляются (ЖК РФ ст. 155 ч. 14)"
                : $"{r.Note ?? "Мораторий"}: пени не начисляются";
        var note = chunk.Schedule == PenaltySchedule.CapitalRepair
            ? "1/300 ставки с первого дня просрочки: взносы на капитальный ремонт (ЖК РФ ст. 155 ч. 14.1)"
            : r.Divisor == 300
                ? "1/300 ставки с 31-го по 90-й день просрочки (ЖК РФ ст. 155 ч. 14)"
                : "1/130 ставки с 91-го дня просрочки (ЖК РФ ст. 155 ч. 14)";
        if (r.RatePercent < keyRate && rules.Caps.FirstOrDefault(c => c.Days.Contains(r.From)) is { } cap)
            note += $"; ставка {Num(r.RatePercent)} % вместо ключевой {Num(keyRate)} % ({LowerFirst(cap.Name)})";
        return note;
    }

    private static string RuleText(PenaltySchedule schedule) => schedule == PenaltySchedule.CapitalRepair
        ? "Взносы на капитальный ремонт (ЖК РФ ст. 155 ч. 14.1): 1/300 ставки за каждый день просрочки, начиная со следующего дня после срока оплаты"
        : "Жилищно-коммунальные услуги (ЖК РФ ст. 155 ч. 14): первые 30 дней просрочки — без пеней, с 31-го по 90-й день — 1/300 ставки, с 91-го дня — 1/130 ставки";

    private static string DebtLabel(BillingPeriod? month, DateOnly due) => month is { } m
        ? $"Долг за {m.Name()} г. (срок оплаты — {due:dd.MM.yyyy})"
        : $"Долг со сроком оплаты {due:dd.MM.yyyy}";

    /// <summary>
    /// Payments to debts (payments.md §3): a designated payment pays its debt first; the rest, and undesignated payments, pay
    /// the debts with the earliest due date first, debts with the same due date proportionally to what is owed (largest
    /// remainder in kopecks, ties to the earlier debt). What exceeds all debts is an advance and accrues nothing.
    /// </summary>
    private static List<ChunkPayment>[] Allocate(IReadOnlyList<DebtChunk> debts, IReadOnlyList<PenaltyPaymentInput> payments)
    {
        var owed = debts.Select(d => d.Amount).ToArray();
        var result = debts.Select(_ => new List<ChunkPayment>()).ToArray();
        foreach (var payment in payments.OrderBy(p => p.Date))
        {
            decimal left = payment.Amount;
            void Pay(int debt, decimal amount)
            {
                if (amount <= 0) return;
                result[debt].Add(new ChunkPayment(payment.Date, amount));
                owed[debt] -= amount;
                left -= amount;
            }
            if (payment.DebtIndex is { } designated) Pay(designated, Math.Min(left, owed[designated]));
            foreach (var group in Enumerable.Range(0, debts.Count).Where(i => owed[i] > 0).GroupBy(i => debts[i].DueDate).OrderBy(g => g.Key))
            {
                if (left <= 0) break;
                var members = group.ToList();
                decimal due = members.Sum(i => owed[i]);
                if (left >= due)
                {
                    foreach (var i in members) Pay(i, owed[i]);
                    continue;
                }
                long kopecks = decimal.ToInt64(left * 100m);
                var shares = members.Select(i => (Debt: i, Exact: kopecks * owed[i] / due)).Select(s => (s.Debt, Whole: decimal.Floor(s.Exact), Fraction: s.Exact - decimal.Floor(s.Exact))).ToList();
                long spare = kopecks - decimal.ToInt64(shares.Sum(s => s.Whole));
                var extra = shares.OrderByDescending(s => s.Fraction).ThenBy(s => s.Debt).Take((int)spare).Select(s => s.Debt).ToHashSet();
                foreach (var s in shares) Pay(s.Debt, (s.Whole + (extra.Contains(s.Debt) ? 1 : 0)) / 100m);
            }
        }
        return result;
    }

    private static Dictionary<string, List<string>> Validate(PenaltyCalculationRequest r)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string key, string message) => (errors.TryGetValue(key, out var list) ? list : errors[key] = []).Add(message);
        var earliest = new DateOnly(2000, 1, 1);
        var latest = new DateOnly(2100, 12, 31);

        CheckGraph(r, "", Add);
        if (r.CalculatedOn is not { } on) Add("calculatedOn", "Укажите дату расчёта");
        else if (on < earliest || on > latest) Add("calculatedOn", "Дата расчёта должна быть в пределах 2000–2100 годов");
        if (r.Debts is null or { Count: 0 }) Add("debts", "Укажите хотя бы один долг");
        if (r.Debts is { Count: > 600 }) Add("debts", "В одном расчёте не больше 600 долгов");
        if (r.Payments is { Count: > 2000 }) Add("payments", "В одном расчёте не больше 2000 платежей");
        if (r.KeyRates is { Count: 0 }) Add("keyRates", "Таблица ключевой ставки пуста: укажите ставки или не передавайте поле");
        if (errors.Count > 0) return errors;

        for (int i = 0; i < r.Debts!.Count; i++)
        {
            var d = r.Debts[i];
            var at = $"debts[{i}]";
            CheckAmount(d.Amount, $"{at}.amount", "Сумма долга", Add);
            if (d.DueDate is null && d.Month is null) Add($"{at}.dueDate", "Укажите срок оплаты (dueDate) или месяц, за который начислен долг (month)");
            if (d.DueDate is not null && d.Month is not null) Add($"{at}.dueDate", "Укажите что-то одно: срок оплаты (dueDate) или месяц начисления (month)");
            if (d.DueDate is { } due && (due < earliest || due > latest)) Add($"{at}.dueDate", "Срок оплаты должен быть в пределах 2000–2100 годов");
        }
        var payments = r.Payments ?? [];
        for (int i = 0; i < payments.Count; i++)
        {
            var p = payments[i];
            var at = $"payments[{i}]";
            CheckAmount(p.Amount, $"{at}.amount", "Сумма платежа", Add);
            if (p.Date > r.CalculatedOn) Add($"{at}.date", "Платёж позже даты расчёта: проверьте дату платежа или дату расчёта");
            if (p.DebtIndex is { } k && (k < 0 || k >= r.Debts.Count)) Add($"{at}.debtIndex", $"Нет долга с номером {k}: номера долгов — от 0 до {r.Debts.Count - 1}");
        }
        var rates = r.KeyRates ?? [];
        for (int i = 0; i < rates.Count; i++)
        {
            if (rates[i].Percent is < 0 or > 100) Add($"keyRates[{i}].percent", "Ставка должна быть от 0 до 100 %");
            if (rates.Take(i).Any(x => x.From == rates[i].From)) Add($"keyRates[{i}].from", "На эту дату ставка уже указана");
        }
        return errors;
    }

    private static void CheckAmount(decimal amount, string key, string what, Action<string, string> add)
    {
        if (amount <= 0) add(key, $"{what} должна быть больше нуля");
        else if (amount > 1_000_000_000m) add(key, $"{what} не может превышать 1 000 000 000 ₽");
        else if (decimal.Round(amount, 2) != amount) add(key, $"{what} указывается в рублях с точностью до копейки");
    }

    // ---------------------------------------------------------------- input: JSON and the object graph

    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> StrictOptions = new();

    private static JsonSerializerOptions JsonOptions(IServiceProvider services) =>
        services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;

    /// <summary>The host's JSON options, but unknown fields and enum numbers are errors: a typo must not silently change the result.</summary>
    private static JsonSerializerOptions ReadOptions(IServiceProvider services) =>
        StrictOptions.GetValue(JsonOptions(services), host =>
        {
            var strict = new JsonSerializerOptions(host) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
            for (int i = 0; i < strict.Converters.Count; i++)
                if (strict.Converters[i] is JsonStringEnumConverter) strict.Converters[i] = new JsonStringEnumConverter(allowIntegerValues: false);
            return strict;
        });

    /// <summary>The JSON body, or a 400 in Russian naming the field that could not be read (shared by the APIs that read bodies).</summary>
    internal static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext http, CancellationToken ct) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, ReadOptions(http.RequestServices), ct);
            return value is null ? (null, Invalid(new() { [""] = ["Пустой запрос: передайте данные для расчёта в формате JSON"] })) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Invalid(new() { [FieldOf(e)] = [MessageOf(e)] }));
        }
    }

    private static string FieldOf(JsonException e) => e.Path is { } path ? path.TrimStart('$').TrimStart('.') : "";

    private static string MessageOf(JsonException e)
    {
        var message = e.Message;
        if (e is RussianJsonException) return message;
        if (Regex.Match(message, "property '([^']+)' could not be mapped") is { Success: true } unknown)
            return $"Неизвестное поле «{unknown.Groups[1].Value}»";
        return message.Contains("could not be converted", StringComparison.Ordinal)
            ? "Неверный формат значения"
            : "Неверный формат JSON";
    }

    private static IResult Invalid(Dictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: ValidationTitle, type: "https://openerc.ru/problems/validation");

    /// <summary>
    /// Walks the request objects for what JSON cannot refuse by itself: a missing or null required field (a list, a record),
    /// a null list element, a missing date, an enum value outside its names, an empty date range.
    /// </summary>
    private static void CheckGraph(object value, string path, Action<string, string> add)
    {
        if (value is IEffectiveDated dated && dated.ValidTo <= dated.ValidFrom) add(Join(path, "validTo"), "Дата окончания должна быть позже даты начала");
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length > 0) continue;
            var at = Join(path, JsonNamingPolicy.CamelCase.ConvertName(property.Name));
            var item = property.GetValue(value);
            if (item is null)
            {
                if (new NullabilityInfoContext().Create(property).ReadState == NullabilityState.NotNull) add(at, "Не заполнено обязательное поле");
                continue;
            }
            CheckValue(item, at, add);
        }
    }

    private static void CheckValue(object item, string at, Action<string, string> add)
    {
        switch (item)
        {
            case string:
                return;
            case DateOnly day:
                if (day == default) add(at, "Укажите дату");
                return;
            case Enum e:
                if (!Enum.IsDefined(e.GetType(), e)) add(at, "Неизвестное значение");
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Join(at, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    if (entry.Key is Enum k && !Enum.IsDefined(k.GetType(), k)) add(key, "Неизвестное значение");
                    if (entry.Value is null) add(key, "Пустое значение");
                    else CheckValue(entry.Value, key, add);
                }
                return;
            case IEnumerable list:
                int i = 0;
                foreach (var element in list)
                {
                    if (element is null) add($"{at}[{i}]", "Пустой элемент списка");
                    else CheckValue(element, $"{at}[{i}]", add);
                    i++;
                }
                return;
        }
        if (item.GetType().Namespace?.StartsWith("OpenErc", StringComparison.Ordinal) == true && !item.GetType().IsValueType) CheckGraph(item, at, add);
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    // ---------------------------------------------------------------- Russian number formatting and OpenAPI examples

    private static readonly NumberFormatInfo Russian = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "\u00A0", NumberGroupSizes = [3] };

    private static string Rub(decimal amount) => amount.ToString("#,0.00", Russian);

    private static string Num(decimal value) => value.ToString("#,0.####", Russian);

    private static string LowerFirst(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];

    private static void SetExamples(OpenApiOperation operation, IEnumerable<(string Name, string Summary, JsonNode? Value)> requests, JsonNode? response)
    {
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
        {
            body.Examples = new Dictionary<string, IOpenApiExample>();
            foreach (var (name, summary, value) in requests)
                body.Examples[name] = new OpenApiExample { Summary = summary, Value = value };
        }
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var media) == true)
            media.Example = response;
    }

    /// <summary>The worked examples of charges.md §2–3 and penalties.md §6.1–6.2, used as the OpenAPI examples.</summary>
    internal static class Examples
    {
        private static DateOnly D(int y, int m, int d) => new(y, m, d);

        private static readonly DateOnly Since = D(2020, 1, 1);

        private static ChargeCalculationRequest ColdWater(PremiseSnapshot flat) => new(new BillingPeriod(2025, 3), new BuildingSnapshot(
            BuildingId: 1, Kind: BuildingKind.ApartmentBuilding, HeatingPaymentMethod: HeatingPaymentMethod.DuringHeatingSeason,
            TotalPremisesArea: 6150m, CommonPropertyArea: new Dictionary<Resource, decimal> { [Resource.ColdWater] = 820m },
            Premises: [flat],
            Services:
            [
                new ServiceSnapshot("cold_water", ServiceKind.Communal, Resource.ColdWater, "м³",
                    [new Dated<CalculationMethod>(Since, null, CalculationMethod.IndividualMeter)], [new Dated<long>(Since, null, 7)],
                    [new TariffSnapshot(7, TariffZone.Single, D(2024, 7, 1), null, 52.37m)], [new NormSnapshot("mkd_bath", Since, null, 4.745m)]),
            ],
            CommonHouseMeters: [], Incidents: []));

        private static AccountSnapshot Account => new(1, 1m, Since, null, [new Dated<int>(Since, null, 3)], [new Dated<int>(Since, null, 1)], []);

        /// <summary>charges.md §3: 3 residents × 4.745 m³ × 52.37 ₽ = 745.49 ₽ (an act of technical impossibility of a meter: no coefficient).</summary>
        public static ChargeCalculationRequest ChargesByNorm => ColdWater(
            new PremiseSnapshot(1, "17", PremiseKind.Residential, 54.3m, 2, new HashSet<Resource> { Resource.ColdWater }, [Account], []));

        /// <summary>charges.md §2: readings 123.456 → 131.208 m³, 7.752 × 52.37 = 405.97 ₽.</summary>
        public static ChargeCalculationRequest ChargesByMeter => ColdWater(
            new PremiseSnapshot(1, "17", PremiseKind.Residential, 54.3m, 2, new HashSet<Resource>(), [Account],
                [new MeterSnapshot(1, Core.Meters.MeterKind.Individual, Resource.ColdWater, 1, 5, Since, null, D(2028, 1, 1),
                    [new ReadingSnapshot(1, D(2025, 2, 25), 123.456m), new ReadingSnapshot(1, D(2025, 3, 25), 131.208m)])]));

        /// <summary>penalties.md §6.1: 5 000 ₽ for March 2025, due 10.04.2025, paid 15.08.2025 → 230.19 ₽.</summary>
        public static PenaltyCalculationRequest PenaltyFullPayment => new(D(2025, 9, 1),
            [new PenaltyDebtInput(5000m, Month: new BillingPeriod(2025, 3))], [new PenaltyPaymentInput(D(2025, 8, 15), 5000m)]);

        /// <summary>penalties.md §6.2: the same debt paid 2 000 ₽ on 20.06.2025 and 3 000 ₽ on 15.08.2025 → 164.09 ₽.</summary>
        public static PenaltyCalculationRequest PenaltyPartialPayments => new(D(2025, 9, 1),
            [new PenaltyDebtInput(5000m, Month: new BillingPeriod(2025, 3))], [new PenaltyPaymentInput(D(2025, 6, 20), 2000m), new PenaltyPaymentInput(D(2025, 8, 15), 3000m)]);
    }
}

/// <summary><see cref="Money"/> as a JSON number of roubles with at most two fraction digits.</summary>
public sealed class MoneyJsonConverter : JsonConverter<Money>
{
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var amount) && decimal.Round(amount, 2) == amount) return Money.Exact(amount);
        throw new RussianJsonException("Сумма указывается числом в рублях с точностью до копейки");
    }

    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Amount);
}


/// <summary>Read-only sets of the Core snapshots (<c>IReadOnlySet&lt;T&gt;</c>) as JSON arrays; System.Text.Json cannot create them itself.</summary>
public sealed class ReadOnlySetJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlySet<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class Converter<T> : JsonConverter<IReadOnlySet<T>>
    {
        public override IReadOnlySet<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            List<T>? items;
            try
            {
                items = JsonSerializer.Deserialize<List<T>>(ref reader, options);
            }
            catch (JsonException)
            {
                // The nested call's path starts at this list; a fresh exception gets the full path of the list.
                throw new RussianJsonException("Неверный формат значения в списке");
            }
            return items is null ? throw new RussianJsonException("Ожидается список значений") : new HashSet<T>(items);
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlySet<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToList(), options);
    }
}
