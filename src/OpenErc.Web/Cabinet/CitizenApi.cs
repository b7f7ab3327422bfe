using OpenErc.Core.Common;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Quality;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Cabinet;
using OpenErc.Operations.Receipts;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Api;
using OpenErc.Web.Security;
using static OpenErc.Web.Components.Shared.Fmt;
using static OpenErc.Web.Api.ReceiptApi;

namespace OpenErc.Web.Cabinet;

/// <param name="MeterId">The meter (from <c>GET …/meters</c>).</param>
/// <param name="Zone">Tariff zone 1..3 (1 for a one-zone meter).</param>
/// <param name="Confirm">Save a reading the rules warned about as an implausible jump.</param>
public sealed record ReadingRequest(long? MeterId, decimal? Value, int Zone = 1, bool Confirm = false);

public sealed record CitizenRequestInput(string? AccountNumber, RequestKind? Kind, string? Text);

/// <summary>A request's move (passport-and-dispatch.md §8): the new state, the answer or note, the agreed check time, the incident to link.</summary>
public sealed record RequestMoveInput(RequestStatus? Status, string? Text, DateTimeOffset? CheckDueAt, long? IncidentId);

/// <summary>The citizen's reply to an answer: agree (the request is closed) or dispute it with the reason (it is reopened).</summary>
public sealed record RequestReplyInput(bool Agree, string? Text);

/// <summary>An incident opened from a request: the service, the kind, the start (by default the request's registration), a premise, the deviation.</summary>
public sealed record RequestIncidentInput(long? ServiceId, OpenErc.Core.Charges.IncidentKind? Kind, DateTime? StartedAt, long? PremiseId, decimal? DeviationDegrees,
    decimal? DeviationPercent, decimal? Temperature, string? Document);

/// <summary>The restoration of an incident (local time) or the reason of its cancellation.</summary>
public sealed record IncidentStepInput(DateTime? EndedAt, string? Reason);

/// <summary>
/// The citizen cabinet's API under <c>/api/v1/me</c>: only the accounts linked to the signed-in citizen, each by its
/// number; another number is 403. And the dispatcher's side of citizens' requests under <c>/api/v1/requests</c>.
/// </summary>
public static class CitizenApi
{
    public static IServiceCollection AddCitizenCabinet(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection("OpenErc:Cabinet:Readings");
        var defaults = new ReadingRules(RolloverMaxShare: new ChargeSettings().RolloverMaxShare);
        services.AddSingleton(defaults with
        {
            WindowFromDay = section.GetValue("WindowFromDay", defaults.WindowFromDay),
            WindowToDay = section.GetValue("WindowToDay", defaults.WindowToDay),
            JumpFactor = section.GetValue("JumpFactor", defaults.JumpFactor),
            JumpMinimum = section.GetValue("JumpMinimum", defaults.JumpMinimum),
        });
        return services;
    }

    public static void MapCitizenApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/me").WithTags("Личный кабинет гражданина").RequireAuthorization(Duties.Cabinet);

        me.MapGet("/accounts", async (ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                await using var context = db.CreateContext();
                return Results.Ok(await CitizenCabinet.AccountsAsync(context, await OwnAsync(user, scopes, ct), clock.Today, ct));
            })
            .WithSummary("Мои лицевые счета: адрес, плательщик, задолженность, аванс, к оплате").Produces<List<CabinetAccount>>();

        me.MapPost("/accounts", async (HttpContext http, AuthService auth, Scopes scopes, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<LinkAccountRequest>(http, ct);
                if (error is not null) return error;
                if (await auth.LinkAccountAsync(http.User, request!.AccountNumber, request.Code, request.Surname, AuthApi.Address(http)) is { } refused)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [refused] }, title: "Лицевой счёт не добавлен");
                scopes.Forget(http.User);
                return Results.NoContent();
            })
            .WithSummary("Добавить лицевой счёт в кабинет по номеру, коду регистрации из платёжного документа и фамилии плательщика").Accepts<LinkAccountRequest>("application/json");

        var account = me.MapGroup("/accounts/{number}");
        account.MapGet("/balance", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await CitizenCabinet.BySupplierAsync(conn, id, clock.Today, ct))))
            .WithSummary("Задолженность и аванс по поставщикам на сегодня").Produces<List<SupplierDebt>>();
        account.MapGet("/charges", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await AccountCharges.LoadAsync(conn, id, ct))))
            .WithSummary("Начисления по месяцам: каждая строка с расчётом («почему такая сумма»)").Produces<IReadOnlyList<AccountChargeMonth>>();
        account.MapGet("/consumption", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await CitizenCabinet.ConsumptionAsync(conn, id, ct: ct))))
            .WithSummary("Потребление по месяцам и объём по нормативу на проживающих").Produces<List<ConsumptionPoint>>();
        account.MapGet("/payments", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await CitizenCabinet.PaymentsAsync(db.ConnectionString, id, ct))))
            .WithSummary("Архив платежей: каждый платёж с каналом, датой и тем, как он распределён по услугам и поставщикам (последние 100)")
            .Produces<List<CabinetPayment>>();
        account.MapGet("/statement", (string number, string? from, string? to, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock,
                CancellationToken ct) =>
            StatementPeriod(from, to, clock) is not ({ } first, { } last) ? Task.FromResult(BadPeriod())
            : WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await AccountStatement.LoadAsync(conn, id, first, last, ct))))
            .WithSummary("Выписка из финансового лицевого счёта за закрытые месяцы from–to (ГГГГ-ММ; по умолчанию последние 12): по месяцам и услугам " +
                         "сальдо на начало, начислено, перерасчёты, пени, оплачено, сальдо на конец").Produces<List<StatementMonth>>().ProducesValidationProblem();
        account.MapGet("/statement/pdf", (string number, string? from, string? to, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock,
                CancellationToken ct) =>
            StatementPeriod(from, to, clock) is not ({ } first, { } last) ? Task.FromResult(BadPeriod())
            : WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) =>
                Results.File(await AccountStatement.PdfAsync(conn, id, first, last, clock.Today, ct), "application/pdf", $"Выписка {number} {first}—{last}.pdf")))
            .WithSummary("Выписка из финансового лицевого счёта в PDF").Produces(200, contentType: "application/pdf").ProducesValidationProblem();
        account.MapGet("/meters", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await CitizenCabinet.MetersAsync(context, id, clock.Today, ct: ct))))
            .WithSummary("Приборы учёта с историей показаний").Produces<List<CabinetMeter>>();
        account.MapPost("/readings", async (string number, HttpContext http, Scopes scopes, OpenErcDatabase db, RegionClock clock, ReadingRules rules,
                CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<ReadingRequest>(http, ct);
                if (error is not null) return error;
                return await WithAccountAsync(number, http.User, scopes, db, ct, async (id, context, conn) =>
                {
                    var outcome = await ReadingSubmission.SubmitAsync(context, id, request!.MeterId ?? 0, request.Zone, request.Value, request.Confirm, clock.Today,
                        clock.Now, rules, SecuritySetup.Actor(http.User), ct);
                    return outcome switch
                    {
                        { Saved: true } => Results.Created($"/api/v1/me/accounts/{number}/meters", new { readingId = outcome.ReadingId, volume = outcome.Volume }),
                        { Warning: { } warning } => TypedResults.Problem(warning, statusCode: 409, title: "Проверьте показание",
                            extensions: new Dictionary<string, object?> { ["volume"] = outcome.Volume, ["confirm"] = true }),
                        _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["value"] = [.. outcome.Errors] }, title: "Показание не принято"),
                    };
                });
            })
            .WithSummary("Передать показание: не меньше предыдущего (кроме перехода через ноль), в дни приёма показаний; резкий рост расхода — 409 с " +
                         "предупреждением, повтор с confirm=true сохраняет").Accepts<ReadingRequest>("application/json").ProducesValidationProblem().ProducesProblem(409);
        account.MapGet("/support", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await CitizenSupport.LoadAsync(conn, id, clock.Today, ct))))
            .WithSummary("Льготы и субсидии по лицевому счёту (по данным УСЗН): категория, льготник, срок, форма предоставления, решение; " +
                         "субсидии — ежемесячная сумма, срок и решение").Produces<CabinetSupport>();
        account.MapGet("/receipts", (string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct) =>
                WithAccountAsync(number, user, scopes, db, ct, async (id, context, conn) => Results.Ok(await ReceiptIssuing.ListAsync(conn, id, ct))))
            .WithSummary("Закрытые месяцы и платёжные документы (PDF — /api/v1/cabinet/accounts/{number}/receipts/{month}/pdf)")
            .Produces<IReadOnlyList<ReceiptIssuing.MonthDocument>>();

        me.MapGet("/requests", async (ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = await OpenAsync(db, ct);
                return Results.Ok(await CitizenRequests.ListAsync(conn, await OwnAsync(user, scopes, ct), ct: ct));
            })
            .WithSummary("Мои обращения с ответами и состоянием").Produces<List<CitizenRequest>>();
        me.MapPost("/requests", async (HttpContext http, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<CitizenRequestInput>(http, ct);
                if (error is not null) return error;
                return await WithAccountAsync(request!.AccountNumber ?? "", http.User, scopes, db, ct, async (id, context, conn) =>
                {
                    var (created, refused) = await CitizenRequests.AddAsync(conn, id, AccessScope.UserId(http.User), request.Kind, request.Text,
                        SecuritySetup.Actor(http.User), clock.Now, ct);
                    return created is { } requestId
                        ? Results.Created($"/api/v1/me/requests/{requestId}", new { id = requestId })
                        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [refused!] }, title: "Обращение не отправлено");
                });
            })
            .WithSummary("Отправить жалобу, заявку, вопрос или заявление на перерасчёт").Accepts<CitizenRequestInput>("application/json").ProducesValidationProblem();
        me.MapGet("/notifications", async (ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                await using var context = db.CreateContext();
                var accounts = await CitizenCabinet.AccountsAsync(context, await OwnAsync(user, scopes, ct), clock.Today, ct);
                return Results.Ok(await CabinetNotices.ForAsync(context, accounts, clock, ct, AccessScope.UserId(user)));
            })
            .WithSummary("Уведомления: объявления, выставленные документы, ответы на обращения, сроки поверки").Produces<List<CabinetNotice>>();

        me.MapPost("/requests/{id:long}/reply", async (long id, HttpContext http, Scopes scopes, OpenErcDatabase db, RegionClock clock,
                RequestDeadlines deadlines, CancellationToken ct) =>
            {
                var (reply, error) = await CalculatorApi.ReadAsync<RequestReplyInput>(http, ct);
                if (error is not null) return error;
                await using var conn = await OpenAsync(db, ct);
                var mine = (await CitizenRequests.ListAsync(conn, await OwnAsync(http.User, scopes, ct), ct: ct)).SingleOrDefault(r => r.Id == id);
                if (mine is null) return TypedResults.Problem($"Обращение №{id} не найдено среди ваших", statusCode: 404, title: "Нет такого обращения");
                return await CitizenRequests.ReplyAsync(conn, mine, reply!.Agree, reply.Text, SecuritySetup.Actor(http.User), deadlines, clock.Now, ct) is { } refused
                    ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [refused] }, title: "Ответ не принят")
                    : Results.NoContent();
            })
            .WithSummary("Согласиться с ответом (обращение закрывается) или оспорить его с причиной (обращение открывается вновь)")
            .Accepts<RequestReplyInput>("application/json").ProducesValidationProblem().ProducesProblem(404);

        var requests = app.MapGroup("/api/v1/requests").WithTags("Обращения граждан").RequireAuthorization(Duties.Dispatch);
        requests.MapGet("", async (RequestStatus? status, OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = await OpenAsync(db, ct);
                return Results.Ok(await CitizenRequests.ListAsync(conn, null, status is { } s ? [s] : null, ct: ct));
            })
            .WithSummary("Обращения граждан (отбор по состоянию: Registered, CheckScheduled, LinkedToIncident, InWork, Answered, Rejected, Closed)")
            .Produces<List<CitizenRequest>>();
        requests.MapGet("/{id:long}/history", async (long id, OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = await OpenAsync(db, ct);
                return Results.Ok((await CitizenRequests.HistoryAsync(conn, [id], ct))[id]);
            })
            .WithSummary("История обращения: состояния, кто и когда, ответы").Produces<List<CitizenRequestEvent>>();
        requests.MapPost("/{id:long}/status", async (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var (move, error) = await CalculatorApi.ReadAsync<RequestMoveInput>(http, ct);
                if (error is not null) return error;
                string actor = SecuritySetup.Actor(http.User);
                if (move!.Status == RequestStatus.LinkedToIncident)
                {
                    await using var context = db.CreateContext();
                    try
                    {
                        await DispatchIncidents.LinkAsync(context, id, move.IncidentId ?? 0, actor, clock.Now, ct);
                        return Results.NoContent();
                    }
                    catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
                }
                await using var conn = await OpenAsync(db, ct);
                return await CitizenRequests.MoveAsync(conn, id, move.Status, move.Text, actor, clock.Now, move.CheckDueAt, ct: ct) is { } refused
                    ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [refused] }, title: "Состояние не изменено")
                    : Results.NoContent();
            })
            .WithSummary("Перевести обращение в другое состояние: назначить проверку (checkDueAt), связать с нарушением (incidentId), в работу, " +
                         "ответить или отклонить (text — ответ гражданину)")
            .Accepts<RequestMoveInput>("application/json").ProducesValidationProblem();
        requests.MapPost("/{id:long}/incident", async (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var (input, error) = await CalculatorApi.ReadAsync<RequestIncidentInput>(http, ct);
                if (error is not null) return error;
                await using var context = db.CreateContext();
                try
                {
                    var incident = await DispatchIncidents.DraftForRequestAsync(context, id, clock, ct);
                    incident.ServiceId = input!.ServiceId ?? 0;
                    incident.Kind = input.Kind ?? incident.Kind;
                    incident.StartedAt = input.StartedAt ?? incident.StartedAt;
                    incident.PremiseId = input.PremiseId;
                    (incident.DeviationDegrees, incident.DeviationPercent, incident.Temperature) = (input.DeviationDegrees, input.DeviationPercent, input.Temperature);
                    if (!string.IsNullOrWhiteSpace(input.Document)) incident.Document = input.Document.Trim();
                    long created = await DispatchIncidents.OpenForRequestAsync(context, id, incident, SecuritySetup.Actor(http.User), clock.Now, ct);
                    return Results.Created($"/api/v1/incidents/{created}", incident);
                }
                catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
            })
            .WithSummary("Открыть нарушение по обращению (начало — по умолчанию время регистрации обращения, ПП 354 п. 111 «б») и связать с ним обращение")
            .Accepts<RequestIncidentInput>("application/json").Produces<Incident>(201).ProducesValidationProblem();

        var incidents = app.MapGroup("/api/v1/incidents/{id:long}").WithTags("Обращения граждан").RequireAuthorization(Duties.Dispatch);
        incidents.MapPost("/restore", (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                IncidentStepAsync(http, db, ct, (context, step) => DispatchIncidents.RestoreAsync(context, id, step.EndedAt, SecuritySetup.Actor(http.User), clock, ct)))
            .WithSummary("Нарушение устранено: время восстановления (местное); связанным обращениям отправляется ответ")
            .Accepts<IncidentStepInput>("application/json").ProducesValidationProblem();
        incidents.MapPost("/verify", (long id, HttpContext http, OpenErcDatabase db, CancellationToken ct) =>
                IncidentStepAsync(http, db, ct, (context, _) => DispatchIncidents.VerifyAsync(context, id, SecuritySetup.Actor(http.User), ct)))
            .WithSummary("Нарушение проверено ответственным лицом исполнителя").ProducesValidationProblem();
        incidents.MapPost("/cancel", (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
                IncidentStepAsync(http, db, ct, (context, step) => DispatchIncidents.CancelAsync(context, id, step.Reason, SecuritySetup.Actor(http.User), clock.Now, ct)))
            .WithSummary("Отменить нарушение (не подтверждено, повтор) с причиной; связанным обращениям отправляется ответ")
            .Accepts<IncidentStepInput>("application/json").ProducesValidationProblem();
    }

    private static async Task<IResult> IncidentStepAsync(HttpContext http, OpenErcDatabase db, CancellationToken ct, Func<OpenErcDbContext, IncidentStepInput, Task> step)
    {
        var input = new IncidentStepInput(null, null);
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (read, error) = await CalculatorApi.ReadAsync<IncidentStepInput>(http, ct);
            if (error is not null) return error;
            input = read!;
        }
        await using var context = db.CreateContext();
        try
        {
            await step(context, input);
            return Results.NoContent();
        }
        catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
    }

    /// <summary>The id of account <paramref name="number"/> when it is in the citizen's cabinet.</summary>
    internal static async Task<long?> OwnAccountAsync(string number, ClaimsPrincipal user, Scopes scopes, OpenErcDbContext context, CancellationToken ct)
    {
        var own = await OwnAsync(user, scopes, ct);
        return await context.Accounts.Where(a => a.Number == number.Trim() && own.Contains(a.Id)).Select(a => (long?)a.Id).SingleOrDefaultAsync(ct);
    }

    internal static IResult NotOwn(string number) =>
        TypedResults.Problem($"Лицевой счёт {number} не добавлен в ваш личный кабинет", statusCode: 403, title: "Нет доступа");

    private static async Task<long[]> OwnAsync(ClaimsPrincipal user, Scopes scopes, CancellationToken ct) =>
        (await scopes.ForAsync(user, ct)).CitizenAccounts ?? [];

    /// <summary>Runs <paramref name="action"/> for the citizen's own account <paramref name="number"/>; 403 for any other number.</summary>
    private static async Task<IResult> WithAccountAsync(string number, ClaimsPrincipal user, Scopes scopes, OpenErcDatabase db, CancellationToken ct,
        Func<long, OpenErcDbContext, NpgsqlConnection, Task<IResult>> action)
    {
        await using var context = db.CreateContext();
        if (await OwnAccountAsync(number, user, scopes, context, ct) is not { } account) return NotOwn(number);
        await context.Database.OpenConnectionAsync(ct);
        return await action(account, context, (NpgsqlConnection)context.Database.GetDbConnection());
    }

    /// <summary>The statement's months: as asked (ГГГГ-ММ), by default the twelve before the current one; null when one cannot be read.</summary>
    private static (BillingPeriod?, BillingPeriod?) StatementPeriod(string? from, string? to, RegionClock clock)
    {
        var (first, last) = AccountStatement.DefaultPeriod(clock.CurrentMonth);
        BillingPeriod? end = string.IsNullOrWhiteSpace(to) ? last : BillingPeriod.TryParse(to.Trim(), out var t) ? t : null;
        BillingPeriod? start = string.IsNullOrWhiteSpace(from) ? first : BillingPeriod.TryParse(from.Trim(), out var f) ? f : null;
        return (start, end);
    }

    private static IResult BadPeriod() => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["from"] = ["Укажите месяцы в виде ГГГГ-ММ, например 2026-01"] }, title: "Выписка не сформирована");

}
