using OpenErc.Core.Common;
using System.Security.Claims;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

using OpenErc.Web.Security;
using OpenErc.Exchange.Registries;
using OpenErc.Core.Payments;

namespace OpenErc.Web.Api;

/// <summary>The resolution of a payment waiting in suspense: the account it belongs to and why.</summary>
public sealed record ResolveRequest(string? AccountNumber, string? Reason);

/// <summary>
/// Payment registries, reconciliation with agents and the suspense queue under <c>/api/v1/payments</c>. A registry
/// is uploaded as multipart form data (<c>file</c>, <c>agentId</c>); a rejected one is 400 with every bad line in
/// Russian and posts nothing. Operations the state of a payment forbids are 409.
/// </summary>
public static class PaymentRegistryApi
{

    /// <summary>A region's registry of a million lines is about 100 MB.</summary>
    private const long MaxRegistryBytes = 512L * 1024 * 1024;

    /// <summary>The registry profiles of the configuration section <c>OpenErc:Payments:RegistryProfiles</c> with the built-in <c>sber</c>.</summary>
    public static IServiceCollection AddPaymentRegistries(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(new RegistryProfiles(
            config.GetSection("OpenErc:Payments:RegistryProfiles").Get<Dictionary<string, RegistryProfile>>() ?? new Dictionary<string, RegistryProfile>()));

    public static void MapPaymentRegistryApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/v1/payments").WithTags("Реестры платежей, сверка, невыясненные").RequireAuthorization(Duties.ReadAll).RequireForChanges(Duties.Finance);

        payments.MapPost("/registries", async (HttpContext http, OpenErcDatabase db, RegistryProfiles profiles, PaymentDates dates, RegionClock clock, ClaimsPrincipal user,
                CancellationToken ct) =>
            {
                var (form, refusal) = await RegistryApi.UploadAsync(http, "Передайте реестр как multipart/form-data: поле file — файл, поле agentId — банк или агент", ct);
                if (form is null) return refusal!;
                var (file, agentId) = (form.Files.GetFile("file"), form["agentId"].FirstOrDefault());
                var errors = new Dictionary<string, string[]>();
                if (file is null) errors["file"] = ["Приложите файл реестра (поле file)"];
                else if (file.Length == 0) errors["file"] = ["Файл реестра пуст"];
                long? agent = null;
                if (string.IsNullOrWhiteSpace(agentId)) errors["agentId"] = ["Укажите банк или платёжного агента (поле agentId)"];
                else if ((agent = await PaymentRegistries.FindAgentAsync(db.ConnectionString, agentId, ct)) is null)
                    errors["agentId"] = [$"Банк или платёжный агент «{agentId.Trim()}» не найден"];
                if (errors.Count > 0) return Invalid(errors);

                using var content = new MemoryStream(checked((int)file!.Length));
                await file.CopyToAsync(content, ct);
                try
                {
                    var report = await PaymentRegistries.ImportAsync(db.ConnectionString, agent!.Value, Path.GetFileName(file.FileName), content.ToArray(),
                        new PostingOptions(SecuritySetup.Actor(user), Clock: clock, Dates: dates), ct, profiles);
                    if (report.Accepted) return TypedResults.Created($"/api/v1/payments/registries/{report.Registry.Id}", report);
                    return TypedResults.Problem(
                        $"Ошибок: {report.Errors.Count}. Исправьте файл и загрузите его снова.", statusCode: 400, title: "Реестр отклонён: ничего не проведено",
                        extensions: new Dictionary<string, object?> { ["code"] = "registry_rejected", ["registry"] = report.Registry, ["errors"] = report.Errors });
                }
                catch (PaymentException e)
                {
                    return Refused(e);
                }
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxRegistryBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxRegistryBytes })
            .WithSummary("Загрузить реестр платежей банка или агента: принимается целиком или отклоняется целиком со всеми ошибками")
            .WithDescription(
                "multipart/form-data: file — файл реестра (Windows-1251 или UTF-8), agentId — номер организации банка или агента (или его логин). " +
                "Формат — профиль агента из его условий (по умолчанию sber: дата;время;отделение;кассир;номер операции;ЛС;ФИО;адрес;период ММГГГГ;сумма;комиссия, " +
                "итоговая строка =число;сумма;комиссия). Платежи на неизвестные ЛС попадают в невыясненные; повторная загрузка ничего не проводит дважды. " +
                "Отклонённый реестр — 400 со списком ошибок по строкам (errors: line, reason); он записан в список реестров как отклонённый.")
            .Accepts<IFormFile>("multipart/form-data").Produces<RegistryImportReport>(201).ProducesProblem(400).ProducesProblem(409);

        payments.MapPost("/bank-statements", async (HttpContext http, OpenErcDatabase db, ReceiptSettings settings, RegionClock clock, ClaimsPrincipal user,
                CancellationToken ct) =>
            {
                var (form, refusal) = await RegistryApi.UploadAsync(http, "Передайте выписку как multipart/form-data: поле file — файл выгрузки 1С «1CClientBankExchange»", ct);
                if (form is null) return refusal!;
                var file = form.Files.GetFile("file");
                if (file is null || file.Length == 0) return Invalid(new() { ["file"] = ["Приложите файл выписки (поле file)"] });
                using var content = new MemoryStream(checked((int)file.Length));
                await file.CopyToAsync(content, ct);
                await using var conn = new Npgsql.NpgsqlConnection(db.ConnectionString);
                await conn.OpenAsync(ct);
                string? account;
                try
                {
                    account = (await ReceiptIssuing.ContextAsync(conn, settings, SecuritySetup.Actor(user), clock.Today, ct)).Payee.SettlementAccount;
                }
                catch (ReceiptException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: 409, title: "Не найден счёт приёма платежей");
                }
                var report = await BankStatements.ImportAsync(db.ConnectionString, Path.GetFileName(file.FileName), content.ToArray(), account!,
                    SecuritySetup.Actor(user), clock, ct);
                return report.Id is { } id
                    ? TypedResults.Created($"/api/v1/payments/bank-statements/{id}", report)
                    : TypedResults.Problem($"Ошибок: {report.Errors.Count}. Выписка не загружена.", statusCode: 400, title: "Выписка отклонена",
                        extensions: new Dictionary<string, object?> { ["errors"] = report.Errors });
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxRegistryBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxRegistryBytes })
            .WithSummary("Загрузить выписку по счёту приёма платежей (1CClientBankExchange): поступления сопоставляются с реестрами агентов")
            .Accepts<IFormFile>("multipart/form-data").Produces<BankStatementReport>(201).ProducesProblem(400).ProducesProblem(409);

        payments.MapGet("/registries/funds", async (string? from, string? to, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var (fromDay, toDay) = (Day(from, "from", errors), Day(to, "to", errors));
                if (errors.Count > 0) return Invalid(errors);
                await using var conn = new Npgsql.NpgsqlConnection(db.ConnectionString);
                await conn.OpenAsync(ct);
                return TypedResults.Ok(await BankStatements.FundsAsync(conn, null, fromDay, toDay, clock.Calendar, ct));
            })
            .WithSummary("Сверка реестров с выписками: каждый принятый реестр агента — деньги поступили (поручение банка) или нет (просрочено через 3 рабочих дня)")
            .Produces<IReadOnlyList<RegistryFunds>>().ProducesValidationProblem();

        payments.MapGet("/registries", async (long? agentId, string? from, string? to, RegistryState? state, int? page, int? pageSize, OpenErcDatabase db,
                CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var (fromDay, toDay) = (Day(from, "from", errors), Day(to, "to", errors));
                if (errors.Count > 0) return Invalid(errors);
                return TypedResults.Ok(await PaymentRegistries.ListAsync(db.ConnectionString, new RegistryFilter(agentId, fromDay, toDay, state), page ?? 1,
                    pageSize ?? 50, ct));
            })
            .WithSummary("Реестры платежей, последние загруженные первыми: по агенту, дате реестра [from, to) и состоянию")
            .Produces<Page<RegistrySummary>>().ProducesValidationProblem();

        payments.MapGet("/registries/{id:long}", async (long id, int? page, int? pageSize, OpenErcDatabase db, CancellationToken ct) =>
                await PaymentRegistries.GetAsync(db.ConnectionString, id, page ?? 1, pageSize ?? PaymentRegistries.LinesPageSize, ct) is { } detail
                    ? Results.Ok(detail)
                    : Results.Problem($"Реестр №{id} не найден", statusCode: 404, title: "Не найдено"))
            .WithSummary("Реестр: итоги, ошибки отклонённого и строки принятого (страницами) с платежами, которыми они стали")
            .Produces<RegistryDetail>().ProducesProblem(404);

        payments.MapGet("/reconciliation", async (string? from, string? to, long? agent, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var (fromDay, toDay) = (Day(from, "from", errors, required: true), Day(to, "to", errors, required: true));
                if (fromDay is { } f && toDay is { } t)
                {
                    if (f >= t) errors["to"] = ["Конец периода (to, не включая) должен быть позже начала (from)"];
                    else if (t.DayNumber - f.DayNumber > 366) errors["to"] = ["Сверка — не больше чем за 366 дней"];
                }
                if (errors.Count > 0) return Invalid(errors);
                return TypedResults.Ok(await PaymentReconciliation.DaysAsync(db.ConnectionString, fromDay!.Value, toDay!.Value, clock, agent, ct));
            })
            .WithSummary("Сверка с банками и агентами по дням [from, to): перечислено в реестрах и принято от агента, число расхождений")
            .Produces<IReadOnlyList<ReconciliationDay>>().ProducesValidationProblem();

        payments.MapGet("/reconciliation/{agent:long}/{day}", async (long agent, string day, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var date = Day(day, "day", errors, required: true);
                if (errors.Count > 0) return Invalid(errors);
                return TypedResults.Ok(await PaymentReconciliation.DifferencesAsync(db.ConnectionString, agent, date!.Value, clock, ct));
            })
            .WithSummary("Расхождения агента за день: платежи, принятые, но не перечисленные в реестрах за этот день, и наоборот")
            .Produces<IReadOnlyList<ReconciliationDifference>>().ProducesValidationProblem();

        payments.MapGet("/suspense", async (string? search, int? page, int? pageSize, OpenErcDatabase db, CancellationToken ct) =>
                TypedResults.Ok(await SuspenseQueue.ListAsync(db.ConnectionString, search, page ?? 1, pageSize ?? 50, ct)))
            .WithSummary("Невыясненные платежи (ЛС не найден, не разнесены), старые первыми; поиск по номеру ЛС, плательщику, адресу")
            .Produces<Page<SuspensePayment>>();

        payments.MapPost("/{id:long}/resolve", async (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<ResolveRequest>(http, ct);
                if (error is not null) return error;
                var errors = new Dictionary<string, string[]>();
                if (Core.Accounts.AccountNumber.Check(request!.AccountNumber?.Trim()) is { } bad) errors["accountNumber"] = [bad];
                if (string.IsNullOrWhiteSpace(request.Reason)) errors["reason"] = ["Укажите причину разнесения"];
                if (errors.Count > 0) return Invalid(errors);
                try
                {
                    return TypedResults.Ok(await PaymentCorrections.ResolveAsync(db.ConnectionString, id, request.AccountNumber!.Trim(), request.Reason!.Trim(),
                        new PostingOptions(SecuritySetup.Actor(user), Clock: clock), ct));
                }
                catch (PaymentException e)
                {
                    return Refused(e);
                }
            })
            .WithSummary("Разнести невыясненный платёж на лицевой счёт (с причиной): платёж проводится на счёт, исходный остаётся в истории")
            .Accepts<ResolveRequest>("application/json").Produces<CorrectionResult>().ProducesValidationProblem().ProducesProblem(409);
    }

    /// <summary>A date of the query, <c>YYYY-MM-DD</c>; a malformed or (when required) missing one goes to <paramref name="errors"/>.</summary>
    private static DateOnly? Day(string? text, string field, Dictionary<string, string[]> errors, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) errors[field] = [$"Укажите дату {field} в виде ГГГГ-ММ-ДД"];
            return null;
        }
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors[field] = [$"Дата должна иметь вид ГГГГ-ММ-ДД: «{text}»"];
        return null;
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Запрос не выполнен: исправьте ошибки");

    private static IResult Refused(PaymentException e) => TypedResults.Problem(e.Message, statusCode: 409, title: "Отказано");
}
