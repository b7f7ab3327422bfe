using System.Collections;
using System.Collections.Concurrent;
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
using OpenErc.Core.Payments;
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

/// <summary>
/// Debts, payments, the calculation date and, optionally, a key-rate table (default: <see cref="KeyRateHistory.BankOfRussia"/>)
/// and the conventions where methods differ (<see cref="PenaltyOptions"/>).
/// </summary>
public sealed record PenaltyCalculationRequest(
    DateOnly? CalculatedOn, IReadOnlyList<PenaltyDebtInput>? Debts, IReadOnlyList<PenaltyPaymentInput>? Payments = null, IReadOnlyList<KeyRatePoint>? KeyRates = null,
    PenaltyOptions? Options = null);

/// <summary>A debt: the amount and either its last timely day or the billing month it was charged for (the due date then follows ЖК 155 ч. 1).</summary>
public sealed record PenaltyDebtInput(decimal Amount, DateOnly? DueDate = null, BillingPeriod? Month = null, PenaltySchedule Schedule = PenaltySchedule.Housing, string? Label = null);

/// <summary>A payment; <see cref="DebtIndex"/> (0-based position in <c>debts</c>) designates the debt it pays, otherwise the oldest debt is paid first.</summary>
public sealed record PenaltyPaymentInput(DateOnly Date, decimal Amount, int? DebtIndex = null);

/// <summary>
/// The two points on which courts and published calculators differ; a missing field keeps the default of
/// <see cref="PenaltyRules"/>, so a request without options is computed as before.
/// </summary>
/// <param name="IncludeCalculationDay">Whether the calculation date itself accrues on the part unpaid on it (<see cref="PenaltyRules.IncludeCalculationDay"/>, default true).</param>
/// <param name="Moratoria">The windows without penalties, replacing the built-in ones (<see cref="PenaltyRules.DefaultMoratoria"/>); an empty list means none.</param>
public sealed record PenaltyOptions(bool? IncludeCalculationDay = null, IReadOnlyList<PenaltyMoratoriumInput>? Moratoria = null);

/// <summary>A window without penalties from <see cref="From"/> to <see cref="To"/>, both days inclusive; <see cref="OnlyDebtsDueBefore"/> limits it to debts due before that date.</summary>
public sealed record PenaltyMoratoriumInput(DateOnly From, DateOnly To, string? Name = null, DateOnly? OnlyDebtsDueBefore = null);

/// <summary>
/// The total and each debt's table; <see cref="Advance"/> is what the payments brought beyond what they could pay (more
/// than all debts, or undesignated money that does not pay debts past the limitation period); <see cref="Options"/> are the
/// conventions the calculation used, defaults filled in.
/// </summary>
public sealed record PenaltyCalculationResponse(
    DateOnly CalculatedOn, Money Total, string KeyRateSource, IReadOnlyList<PenaltyDebtResult> Debts, decimal Advance, PenaltyOptions Options);

/// <summary>The penalty of one debt: its portions (each paid part and the part unpaid on the calculation date).</summary>
public sealed record PenaltyDebtResult(
    int Index, string Label, decimal Amount, BillingPeriod? Month, DateOnly DueDate, PenaltySchedule Schedule, string Rule,
    decimal Paid, decimal Unpaid, Money Penalty, IReadOnlyList<PenaltyPortionResult> Portions);

/// <summary>A portion of a debt; <see cref="Penalty"/> is the sum of its rows' exact amounts rounded once.</summary>
public sealed record PenaltyPortionResult(string Title, decimal Debt, DateOnly End, bool Paid, decimal KeyRatePercent, Money Penalty, IReadOnlyList<PenaltyRowResult> Rows);

/// <summary>Consecutive days with the same fraction and rate. <see cref="Amount"/> is rounded for display, <see cref="Exact"/> is what is summed.</summary>
public sealed record PenaltyRowResult(
    DateOnly From, DateOnly To, int Days, int FirstDayOfDelay, int LastDayOfDelay, decimal Debt, decimal RatePercent, string Fraction, string Note,
    decimal Amount, decimal Exact, string Formula, PenaltyRowNote NoteCode);

/// <summary>
/// What one anonymous calculator request may ask of the host (README «Calculators for anyone», the OpenAPI descriptions):
/// the body is read up to <see cref="BodyBytes"/> and no further, lists and texts are counted before anything walks them,
/// and a penalty calculation stops as soon as its table outgrows <see cref="Portions"/> or <see cref="Rows"/>.
/// </summary>
public static class CalculatorLimits
{
    /// <summary>256 KB of JSON: a building of several hundred flats, or every bound below at once.</summary>
    public const int BodyBytes = 256 * 1024;

    public const int Debts = 600;
    public const int Payments = 2000;
    public const int KeyRates = 500;
    public const int Moratoria = 10;

    /// <summary>Lines of a charge calculation: the building's accounts times its services, counted before calculating.</summary>
    public const int ChargeLines = 20000;

    /// <summary>Characters of any text field (a label, a name, a code).</summary>
    public const int TextLength = 200;

    /// <summary>Parts of debts (each payment's part of a debt, each unpaid rest): payments split over many debts of one due date multiply them.</summary>
    public const int Portions = 5000;

    /// <summary>Rows of the day-by-day tables of all debts together.</summary>
    public const int Rows = 20000;
}

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
                var (request, error) = await ReadAsync<ChargeCalculationRequest>(http, ct, CalculatorLimits.BodyBytes);
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
                "(null — бессрочно). Перечисления передаются названиями (ColdWater, Residential, …). Базу данных калькулятор не использует. " +
                LimitsText + $" Лицевых счетов × услуг — не больше {CalculatorLimits.ChargeLines}.")
            .Accepts<ChargeCalculationRequest>("application/json")
            .Produces<ChargeCalculationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
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
                var (request, error) = await ReadAsync<PenaltyCalculationRequest>(http, ct, CalculatorLimits.BodyBytes);
                if (error is not null) return error;
                var errors = Validate(request!);
                if (errors.Count > 0) return Invalid(errors);
                try
                {
                    return TypedResults.Ok(CalculatePenalties(request!, ct));
                }
                catch (InvalidOperationException e)
                {
                    // PenaltyRules: no key rate on a date (the table does not reach back far enough).
                    return Invalid(new() { ["keyRates"] = [request!.KeyRates is null ? $"{e.Message}: встроенная таблица начинается с 01.01.2016, передайте свою таблицу в keyRates" : e.Message] });
                }
                catch (TooDetailedException e)
                {
                    return Invalid(new() { [e.Field] = [e.Message] });
                }
            })
            .WithSummary("Калькулятор пеней за просрочку оплаты ЖКУ и взносов на капремонт")
            .WithDescription(
                "Пени по ЖК РФ ст. 155 ч. 14 (ЖКУ: первые 30 дней просрочки без пеней, с 31-го по 90-й день — 1/300 ставки, " +
                "с 91-го дня — 1/130) и ч. 14.1 (капитальный ремонт: 1/300 ставки с первого дня просрочки). Ставка — ключевая " +
                "ставка Банка России на день оплаты (для неоплаченной части — на дату расчёта); с 28.02.2022 по 31.12.2026 " +
                "применяется не выше 9,5 % (ПП № 474, ПП № 329). В периоды моратория (по умолчанию 06.04–31.12.2020, ПП № 424, и " +
                "01.04–01.10.2022 для долгов со сроком оплаты до 01.04.2022, ПП № 497) пени не начисляются. Срок оплаты долга за " +
                "месяц — 10-е число следующего месяца, за начисления с марта 2026 года — 15-е " +
                "(срок, выпавший на субботу или воскресенье, переносится на понедельник; праздничные дни калькулятор не учитывает — " +
                "в таком случае укажите срок явно в dueDate). День оплаты входит в период просрочки. " +
                "Платежи распределяются так же, как при проведении платежа по лицевому счёту (одно правило ЕРЦ): платёж с debtIndex " +
                "сначала гасит указанный долг, остальное и платежи без него — долги с самым ранним сроком оплаты; долги с одним " +
                "сроком — пропорционально остаткам, копейки округления — наибольшим остаткам (при равенстве — большему долгу, затем " +
                "раньше указанному); платёж без debtIndex не гасит долги со сроком оплаты больше трёх лет назад (ГК РФ ст. 196). " +
                "Не зачтённое в долги показано в advance. " +
                "Поле options — соглашения, в которых расходятся суды и калькуляторы: includeCalculationDay (false — дата расчёта " +
                "не входит в период просрочки неоплаченной части; по умолчанию true) и moratoria — свои периоды моратория вместо " +
                "встроенных (from и to — первый и последний день включительно, name, onlyDebtsDueBefore; пустой список — без " +
                "моратория). Применённые соглашения возвращаются в options ответа. " +
                "Ответ: итог, а по каждому долгу и каждой его части — таблица по дням: период, число дней, дни просрочки, сумма " +
                "долга, ставка, доля (0, 1/300 или 1/130) с пояснением (note) и его кодом (noteCode: Grace, Moratorium, " +
                "OneThreeHundredth, OneHundredThirtieth, CapitalRepair) и сумма. Сумма части долга округляется до копеек один раз, " +
                "поэтому сумма округлённых строк может отличаться от неё на копейку. Таблица ключевой ставки необязательна " +
                "(по умолчанию — встроенная история с 2016 года). " + LimitsText +
                $" В одном расчёте — не больше {CalculatorLimits.Debts} долгов, {CalculatorLimits.Payments} платежей, " +
                $"{CalculatorLimits.KeyRates} ключевых ставок, {CalculatorLimits.Moratoria} периодов моратория, " +
                $"{CalculatorLimits.Portions} частей долгов и {CalculatorLimits.Rows} строк таблиц.")
            .Accepts<PenaltyCalculationRequest>("application/json")
            .Produces<PenaltyCalculationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                var json = JsonOptions(context.ApplicationServices);
                SetExamples(operation,
                    [("full", "Долг 5 000 ₽ за март 2025, оплачен 15.08.2025: пени 230,19 ₽", JsonSerializer.SerializeToNode(Examples.PenaltyFullPayment, json)),
                     ("partial", "Тот же долг, оплачен частями 20.06 и 15.08.2025: пени 164,09 ₽", JsonSerializer.SerializeToNode(Examples.PenaltyPartialPayments, json)),
                     ("options", "Долг 1 000 ₽ за февраль 2020, оплачен 20.01.2021, мораторий по 01.01.2021 включительно: пени 6,21 ₽ вместо 6,54 ₽",
                         JsonSerializer.SerializeToNode(Examples.PenaltyMoratoriumThroughNewYear, json))],
                    JsonSerializer.SerializeToNode(CalculatePenalties(Examples.PenaltyFullPayment), json));
                return Task.CompletedTask;
            });
    }

    /// <summary>The bounds every calculator request shares, for the OpenAPI descriptions.</summary>
    private static readonly string LimitsText =
        $"Ограничения запроса: тело — не больше {CalculatorLimits.BodyBytes / 1024} КБ (больше — ответ 413), текстовые поля — не длиннее " +
        $"{CalculatorLimits.TextLength} символов.";

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

        long accounts = b.Premises.Sum(p => (long)p.Accounts.Count), lines = accounts * b.Services.Count;
        if (lines > CalculatorLimits.ChargeLines)
        {
            Add("building", $"В одном расчёте не больше {CalculatorLimits.ChargeLines} строк начислений, а здесь лицевых счетов × услуг = " +
                $"{accounts} × {b.Services.Count} = {lines}: разделите дом на несколько расчётов");
            return errors;
        }

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

    /// <param name="ct">The request's abort: the allocation and the tables stop when the client is gone.</param>
    /// <exception cref="TooDetailedException">The tables would outgrow <see cref="CalculatorLimits.Portions"/> or <see cref="CalculatorLimits.Rows"/>.</exception>
    internal static PenaltyCalculationResponse CalculatePenalties(PenaltyCalculationRequest request, CancellationToken ct = default)
    {
        var rules = Rules(request);
        var on = request.CalculatedOn!.Value;
        var debts = request.Debts!;
        var chunks = debts.Select(d => new DebtChunk(d.Amount, d.DueDate ?? rules.DueDate(d.Month!.Value), d.Schedule, d.Label)).ToList();
        var (allocated, advance) = Allocate(chunks, request.Payments ?? [], ct);

        var results = new List<PenaltyDebtResult>();
        int rows = 0;
        for (int i = 0; i < chunks.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = chunks[i];
            var result = PenaltyCalculator.Calculate(chunk, allocated[i], on, rules);
            foreach (var p in result.Portions) rows += p.Rows.Count;
            if (rows > CalculatorLimits.Rows)
                throw new TooDetailedException("debts", $"Таблица расчёта длиннее {CalculatorLimits.Rows} строк: разбейте долги на несколько расчётов");
            decimal paid = result.Portions.Where(p => p.Paid).Sum(p => p.Debt);
            var portions = result.Portions.Select(p => Portion(p, on, rules)).ToList();
            results.Add(new PenaltyDebtResult(i, chunk.Label ?? DebtLabel(debts[i].Month, chunk.DueDate), chunk.Amount, debts[i].Month, chunk.DueDate,
                chunk.Schedule, RuleText(chunk.Schedule), paid, chunk.Amount - paid, result.Total, portions));
        }
        return new PenaltyCalculationResponse(on, results.Aggregate(Money.Zero, (sum, d) => sum + d.Penalty),
            request.KeyRates is null ? "Ключевая ставка Банка России (встроенная таблица с 01.01.2016)" : "Таблица ключевой ставки из запроса", results,
            advance, Options(rules));
    }

    /// <summary>The rules of the request: <see cref="PenaltyRules"/>' defaults but what the request's options change.</summary>
    private static PenaltyRules Rules(PenaltyCalculationRequest request)
    {
        var defaults = new PenaltyRules { KeyRates = request.KeyRates ?? KeyRateHistory.BankOfRussia };
        var options = request.Options;
        return defaults with
        {
            IncludeCalculationDay = options?.IncludeCalculationDay ?? defaults.IncludeCalculationDay,
            Moratoria = options?.Moratoria?.Select(m => Moratorium.Inclusive(m.From, m.To, m.Name ?? "Мораторий", m.OnlyDebtsDueBefore)).ToList() ?? defaults.Moratoria,
        };
    }

    /// <summary>The conventions a calculation used, as the request writes them (last days inclusive).</summary>
    private static PenaltyOptions Options(PenaltyRules rules) => new(rules.IncludeCalculationDay,
        rules.Moratoria.Select(m => new PenaltyMoratoriumInput(m.Days.From, m.Days.To?.AddDays(-1) ?? DateOnly.MaxValue, m.Name, m.OnlyDebtsDueBefore)).ToList());

    private static PenaltyPortionResult Portion(PenaltyPortion p, DateOnly on, PenaltyRules rules)
    {
        var title = p.Paid
            ? $"Часть долга {Rub(p.Debt)} ₽, оплаченная {p.End:dd.MM.yyyy}; ключевая ставка на день оплаты — {Num(p.RatePercent)} %"
            : $"Неоплаченный на {on:dd.MM.yyyy} остаток {Rub(p.Debt)} ₽; ключевая ставка на дату расчёта — {Num(p.RatePercent)} %";
        var rows = p.Rows.Select(r =>
        {
            var amount = Money.RoundToKopecks(r.Amount).Amount;
            return new PenaltyRowResult(r.From, r.To, r.Days, r.FirstDayOfDelay, r.FirstDayOfDelay + r.Days - 1, r.Debt, r.RatePercent,
                r.Divisor == 0 ? "0" : $"1/{r.Divisor}", RowNote(r, p.RatePercent, rules), amount, r.Amount,
                r.Divisor == 0 ? $"{r.Days} дн. без начисления = 0,00 ₽"
                    : $"{Rub(r.Debt)} ₽ × {Num(r.RatePercent)} % × 1/{r.Divisor} × {r.Days} дн. = {Rub(amount)} ₽",
                r.Code);
        }).ToList();
        return new PenaltyPortionResult(title, p.Debt, p.End, p.Paid, p.RatePercent, p.Penalty, rows);
    }

    private static string RowNote(PenaltyRow r, decimal keyRate, PenaltyRules rules)
    {
        var note = r.Code switch
        {
            PenaltyRowNote.Grace => "Первые 30 дней просрочки: пени не начисляются (ЖК РФ ст. 155 ч. 14)",
            PenaltyRowNote.Moratorium => $"{r.Note}: пени не начисляются",
            PenaltyRowNote.CapitalRepair => "1/300 ставки с первого дня просрочки: взносы на капитальный ремонт (ЖК РФ ст. 155 ч. 14.1)",
            PenaltyRowNote.OneThreeHundredth => "1/300 ставки с 31-го по 90-й день просрочки (ЖК РФ ст. 155 ч. 14)",
            PenaltyRowNote.OneHundredThirtieth => "1/130 ставки с 91-го дня просрочки (ЖК РФ ст. 155 ч. 14)",
            _ => throw new ArgumentOutOfRangeException(nameof(r), r.Code, "Unknown penalty row note"),
        };
        if (r.Divisor != 0 && r.RatePercent < keyRate && rules.Caps.FirstOrDefault(c => c.Days.Contains(r.From)) is { } cap)
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
    /// Payments to debts by <see cref="PaymentAllocator"/>, the rule posting uses (payments.md §3), one payment after another
    /// in date order. Each debt is an allocator line of its own: its service code is its index zero-padded and all share one
    /// month, so debts of one due date stand in list order and a kopeck tie goes to the larger debt, then the earlier one; a
    /// payment's <c>debtIndex</c> is a designation of that line's service. What a payment brings beyond what it pays is an
    /// advance and accrues nothing.
    /// </summary>
    /// <exception cref="TooDetailedException">The payments split into more than <see cref="CalculatorLimits.Portions"/> parts of debts.</exception>
    private static (List<ChunkPayment>[] Paid, decimal Advance) Allocate(IReadOnlyList<DebtChunk> debts, IReadOnlyList<PenaltyPaymentInput> payments, CancellationToken ct)
    {
        var owed = debts.Select(d => d.Amount).ToArray();
        var paid = debts.Select(_ => new List<ChunkPayment>()).ToArray();
        var open = new List<DebtPosition>(debts.Count);
        decimal advance = 0;
        int portions = debts.Count;
        foreach (var payment in payments.OrderBy(p => p.Date))
        {
            ct.ThrowIfCancellationRequested();
            open.Clear();
            for (int i = 0; i < debts.Count; i++)
                if (owed[i] > 0) open.Add(new DebtPosition(Line(i), i, BillingPeriod.MinValue, debts[i].DueDate, owed[i]));
            var designation = payment.DebtIndex is { } k ? new PaymentDesignation(ByService: new Dictionary<string, decimal> { [Line(k)] = payment.Amount }) : null;
            foreach (var a in PaymentAllocator.Allocate(payment.Amount, payment.Date, open, designation))
            {
                if (a.Kind != AllocationKind.Debt)
                {
                    advance += a.Amount;
                    continue;
                }
                int debt = (int)a.SupplierId!.Value;
                paid[debt].Add(new ChunkPayment(payment.Date, a.Amount));
                owed[debt] -= a.Amount;
                if (++portions > CalculatorLimits.Portions)
                    throw new TooDetailedException("payments",
                        $"Платежи делятся больше чем на {CalculatorLimits.Portions} частей долгов: разбейте расчёт на несколько или укажите debtIndex");
            }
        }
        return (paid, advance);
    }

    /// <summary>A debt's allocator line: "0007" for debts[7] (ordinal order is list order up to 10 000 debts).</summary>
    private static string Line(int debt) => debt.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>A request within the counted bounds whose tables would still outgrow <see cref="CalculatorLimits"/>: a 400 on <see cref="Field"/>.</summary>
    private sealed class TooDetailedException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }

    private static readonly DateOnly Earliest = new(2000, 1, 1), Latest = new(2100, 12, 31);

    private static Dictionary<string, List<string>> Validate(PenaltyCalculationRequest r)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string key, string message) => (errors.TryGetValue(key, out var list) ? list : errors[key] = []).Add(message);

        // Counts first: nothing below walks a list longer than its bound.
        CheckCount(r.Debts, "debts", CalculatorLimits.Debts, "долгов", Add);
        CheckCount(r.Payments, "payments", CalculatorLimits.Payments, "платежей", Add);
        CheckCount(r.KeyRates, "keyRates", CalculatorLimits.KeyRates, "ключевых ставок", Add);
        CheckCount(r.Options?.Moratoria, "options.moratoria", CalculatorLimits.Moratoria, "периодов моратория", Add);
        if (errors.Count > 0) return errors;

        CheckGraph(r, "", Add);
        if (r.CalculatedOn is not { } on) Add("calculatedOn", "Укажите дату расчёта");
        else CheckDate(on, "calculatedOn", "Дата расчёта должна", Add);
        if (r.Debts is null or { Count: 0 }) Add("debts", "Укажите хотя бы один долг");
        if (r.KeyRates is { Count: 0 }) Add("keyRates", "Таблица ключевой ставки пуста: укажите ставки или не передавайте поле");
        if (errors.Count > 0) return errors;

        for (int i = 0; i < r.Debts!.Count; i++)
        {
            var d = r.Debts[i];
            var at = $"debts[{i}]";
            CheckAmount(d.Amount, $"{at}.amount", "Сумма долга", Add);
            if (d.DueDate is null && d.Month is null) Add($"{at}.dueDate", "Укажите срок оплаты (dueDate) или месяц, за который начислен долг (month)");
            if (d.DueDate is not null && d.Month is not null) Add($"{at}.dueDate", "Укажите что-то одно: срок оплаты (dueDate) или месяц начисления (month)");
            if (d.DueDate is { } due) CheckDate(due, $"{at}.dueDate", "Срок оплаты должен", Add);
        }
        var payments = r.Payments ?? [];
        for (int i = 0; i < payments.Count; i++)
        {
            var p = payments[i];
            var at = $"payments[{i}]";
            CheckAmount(p.Amount, $"{at}.amount", "Сумма платежа", Add);
            CheckDate(p.Date, $"{at}.date", "Дата платежа должна", Add);
            if (p.Date > r.CalculatedOn) Add($"{at}.date", "Платёж позже даты расчёта: проверьте дату платежа или дату расчёта");
            if (p.DebtIndex is { } k && (k < 0 || k >= r.Debts.Count)) Add($"{at}.debtIndex", $"Нет долга с номером {k}: номера долгов — от 0 до {r.Debts.Count - 1}");
        }
        CheckKeyRates(r.KeyRates ?? [], Add);
        CheckMoratoria(r.Options?.Moratoria ?? [], Add);
        return errors;
    }

    private static void CheckCount<T>(IReadOnlyList<T>? list, string key, int max, string what, Action<string, string> add)
    {
        if (list is { } l && l.Count > max) add(key, $"В одном расчёте не больше {max} {what}");
    }

    /// <param name="subject">The start of the message with its verb: «Срок оплаты должен».</param>
    private static void CheckDate(DateOnly day, string key, string subject, Action<string, string> add)
    {
        // A missing date (default) is already named by CheckGraph.
        if (day != default && (day < Earliest || day > Latest)) add(key, $"{subject} быть в пределах 2000–2100 годов");
    }

    /// <summary>Rates within 0–100 %, one per date: duplicates found by sorting (n·log n), the later-listed one named.</summary>
    private static void CheckKeyRates(IReadOnlyList<KeyRatePoint> rates, Action<string, string> add)
    {
        for (int i = 0; i < rates.Count; i++)
            if (rates[i].Percent is < 0 or > 100) add($"keyRates[{i}].percent", "Ставка должна быть от 0 до 100 %");
        var byDate = Enumerable.Range(0, rates.Count).OrderBy(i => rates[i].From).ToList(); // stable: equal dates keep list order
        for (int j = 1; j < byDate.Count; j++)
            if (rates[byDate[j]].From == rates[byDate[j - 1]].From) add($"keyRates[{byDate[j]}].from", "На эту дату ставка уже указана");
    }

    private static void CheckMoratoria(IReadOnlyList<PenaltyMoratoriumInput> moratoria, Action<string, string> add)
    {
        for (int i = 0; i < moratoria.Count; i++)
        {
            var m = moratoria[i];
            var at = $"options.moratoria[{i}]";
            CheckDate(m.From, $"{at}.from", "Первый день моратория должен", add);
            CheckDate(m.To, $"{at}.to", "Последний день моратория должен", add);
            if (m.To < m.From) add($"{at}.to", "Последний день моратория не может быть раньше первого");
            if (m.OnlyDebtsDueBefore is { } before) CheckDate(before, $"{at}.onlyDebtsDueBefore", "Дата должна", add);
            if (m.Name is not null && string.IsNullOrWhiteSpace(m.Name)) add($"{at}.name", "Название моратория не может быть пустым");
        }
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

    /// <summary>The bound of a JSON body read by <see cref="ReadAsync{T}"/> unless the caller gives another: 1 MB.</summary>
    internal const long DefaultBodyLimit = 1024 * 1024;

    /// <summary>
    /// The JSON body, or a 400 in Russian naming the field that could not be read (shared by the APIs that read bodies).
    /// Parsing stops at <paramref name="limit"/> bytes, whatever the body claims to be: a longer one is a 413 in Russian
    /// (a declared length over the limit is refused before reading anything).
    /// </summary>
    /// <remarks>
    /// The server's own bound (Kestrel's 30 MB) is left as it is: after the answer Kestrel discards the rest of a refused
    /// body without parsing it, so that a client still sending it reads the 413 rather than a broken connection.
    /// </remarks>
    internal static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext http, CancellationToken ct, long limit = DefaultBodyLimit) where T : class
    {
        if (http.Request.ContentLength > limit) return (null, TooLarge(limit));
        try
        {
            await using var body = new BoundedStream(http.Request.Body, limit);
            var value = await JsonSerializer.DeserializeAsync<T>(body, ReadOptions(http.RequestServices), ct);
            return value is null ? (null, Invalid(new() { [""] = ["Пустой запрос: передайте данные для расчёта в формате JSON"] })) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Invalid(new() { [FieldOf(e)] = [MessageOf(e)] }));
        }
        catch (Exception e) when (e is BodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return (null, TooLarge(limit));
        }
    }

    private static IResult TooLarge(long limit) => TypedResults.Problem(
        $"Тело запроса больше {(limit % (1024 * 1024) == 0 ? $"{limit / (1024 * 1024)} МБ" : $"{limit / 1024} КБ")}: сократите данные или разбейте их на несколько запросов",
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Слишком большой запрос", type: "https://openerc.ru/problems/too-large");

    private sealed class BodyTooLargeException() : IOException("The request body is over its limit");

    /// <summary>A request body read no further than one byte past <c>limit</c>: that byte proves it too long.</summary>
    private sealed class BoundedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, Allowed(count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Counted(await inner.ReadAsync(buffer[..Allowed(buffer.Length)], ct));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        private int Allowed(int wanted) => (int)Math.Min(wanted, limit - _read + 1);

        private int Counted(int read)
        {
            _read += read;
            return _read > limit ? throw new BodyTooLargeException() : read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
        foreach (var (property, name, required) in Shapes.GetOrAdd(value.GetType(), ShapeOf))
        {
            var at = Join(path, name);
            var item = property.GetValue(value);
            if (item is null)
            {
                if (required) add(at, "Не заполнено обязательное поле");
                continue;
            }
            CheckValue(item, at, add);
        }
    }

    /// <summary>A type's settable properties with their JSON names and whether null is refused: reflected once per type, not per object.</summary>
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Name, bool Required)[]> Shapes = new();

    private static (PropertyInfo, string, bool)[] ShapeOf(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => (p, JsonNamingPolicy.CamelCase.ConvertName(p.Name), nullability.Create(p).ReadState == NullabilityState.NotNull))
            .ToArray();
    }

    private static void CheckValue(object item, string at, Action<string, string> add)
    {
        switch (item)
        {
            case string text:
                CheckText(text, at, add);
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
                    var name = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
                    if (name.Length > CalculatorLimits.TextLength) name = name[..CalculatorLimits.TextLength] + "…";
                    var key = Join(at, name);
                    if (entry.Key is string text) CheckText(text, key, add);
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

    private static void CheckText(string text, string at, Action<string, string> add)
    {
        if (text.Length > CalculatorLimits.TextLength) add(at, $"Не длиннее {CalculatorLimits.TextLength} символов");
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

    /// <summary>The worked examples of charges.md §2–3 and penalties.md §6.1, 6.2 and 6.4, used as the OpenAPI examples.</summary>
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

        /// <summary>
        /// penalties.md §6.4 with the 2020 moratorium through 01.01.2021 inclusive, as some calculators count it: 19 days at
        /// 1/130 instead of 20, 1000 × 4.25 % × 19 / (100 × 130) = 6.2115 → 6.21 ₽ (6.54 ₽ with the built-in window).
        /// </summary>
        public static PenaltyCalculationRequest PenaltyMoratoriumThroughNewYear => new(D(2021, 2, 1),
            [new PenaltyDebtInput(1000m, Month: new BillingPeriod(2020, 2))], [new PenaltyPaymentInput(D(2021, 1, 20), 1000m)],
            Options: new PenaltyOptions(Moratoria:
            [
                new PenaltyMoratoriumInput(D(2020, 4, 6), D(2021, 1, 1), "Мораторий ПП № 424"),
                new PenaltyMoratoriumInput(D(2022, 4, 1), D(2022, 10, 1), "Мораторий на банкротство ПП № 497", D(2022, 4, 1)),
            ]));
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
