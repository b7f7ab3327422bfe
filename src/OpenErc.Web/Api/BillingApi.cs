using System.Security.Claims;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Storage;

using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>What to charge: the month and, optionally, one scope (a municipality, a management company or buildings).</summary>
/// <param name="Month">Billing month, <c>YYYY-MM</c>.</param>
/// <param name="MunicipalityId">Only the buildings of this municipality.</param>
/// <param name="ManagementCompanyId">Only the buildings this organisation manages on any day of the month.</param>
/// <param name="BuildingIds">Only these buildings.</param>
/// <param name="DryRun">Compute and compare with what is posted; write nothing.</param>
public sealed record BillingRunRequest(BillingPeriod? Month, long? MunicipalityId = null, long? ManagementCompanyId = null,
    IReadOnlyList<long>? BuildingIds = null, bool DryRun = false);

/// <summary>The run of the host (the same one the workstation's «Расчёт месяца» shows): progress while it runs, then its report or error.</summary>
public sealed record BillingRunState(BillingPeriod Month, string Scope, bool DryRun, string StartedBy, DateTimeOffset StartedAt, bool Finished,
    BillingProgress? Progress, RecalculationQueueReport? Queue, BillingRunReport? Report, string? Error)
{
    public static BillingRunState Of(BillingJob job) =>
        new(job.Month, job.Scope, job.DryRun, job.StartedBy, job.StartedAt, job.Finished, job.Progress, job.Queue, job.Report, job.Error);
}

/// <summary>
/// The monthly run over HTTP under <c>/api/v1/billing</c> (start it, follow it, see and close a month) and an account's
/// charges and penalty statement under <c>/api/v1/accounts/{id}</c>. Refusals (a run already going on, a closed month)
/// are 409 ProblemDetails in Russian; bad input is 400.
/// </summary>
public static class BillingApi
{
    public static void MapBillingApi(this IEndpointRouteBuilder app)
    {
        var billing = app.MapGroup("/api/v1/billing").WithTags("Расчёт начислений").RequireAuthorization(Duties.ReadAll).RequireForChanges(Duties.Billing);

        billing.MapPost("/runs", async (HttpContext http, BillingJobs jobs, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<BillingRunRequest>(http, ct);
                if (error is not null) return error;
                var errors = new Dictionary<string, string[]>();
                if (request!.Month is null) errors["month"] = ["Укажите расчётный месяц в виде ГГГГ-ММ"];
                if (new object?[] { request.MunicipalityId, request.ManagementCompanyId, request.BuildingIds }.Count(x => x is not null) > 1)
                    errors["scope"] = ["Укажите не более одного охвата: муниципальное образование, управляющую организацию или дома"];
                if (request.BuildingIds is { Count: 0 }) errors["buildingIds"] = ["Список домов пуст"];
                if (errors.Count > 0) return Invalid(errors);
                var scope = request.MunicipalityId is { } m ? BillingScope.Municipality(m)
                    : request.ManagementCompanyId is { } o ? BillingScope.ManagementCompany(o)
                    : request.BuildingIds is { } ids ? BillingScope.Buildings(ids)
                    : BillingScope.All;
                try
                {
                    var job = await jobs.StartAsync(request.Month!.Value, scope, request.DryRun, SecuritySetup.Actor(http.User));
                    return TypedResults.Accepted("/api/v1/billing/runs/current", BillingRunState.Of(job));
                }
                catch (BillingException e)
                {
                    return Refused(e);
                }
            })
            .WithSummary("Запустить расчёт месяца (в фоне); ответ 202 со ссылкой на ход расчёта")
            .Accepts<BillingRunRequest>("application/json").Produces<BillingRunState>(202).ProducesValidationProblem().ProducesProblem(409);

        billing.MapGet("/runs/current", IResult (BillingJobs jobs) =>
                jobs.Current is { } job ? TypedResults.Ok(BillingRunState.Of(job)) : TypedResults.Problem("Расчёт в этом сеансе сервера не запускался", statusCode: 404, title: "Не найдено"))
            .WithSummary("Ход и итог последнего запущенного расчёта").Produces<BillingRunState>().ProducesProblem(404);

        billing.MapGet("/periods/{month}", async (string month, OpenErcDatabase db, CancellationToken ct) =>
                ApiMonth.Read(month, out var period) ?? TypedResults.Ok(await BillingPeriods.StatusAsync(db.ConnectionString, period, ct)))
            .WithSummary("Состояние месяца: открыт или закрыт, расчёты, начислено, дома с ошибками").Produces<PeriodStatus>().ProducesValidationProblem();

        billing.MapPost("/periods/{month}/close", async (string month, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                if (ApiMonth.Read(month, out var period) is { } bad) return bad;
                try
                {
                    return TypedResults.Ok(await BillingPeriods.CloseAsync(db.ConnectionString, period, clock, SecuritySetup.Actor(user), ct));
                }
                catch (BillingException e)
                {
                    return Refused(e);
                }
            })
            .WithSummary("Закрыть месяц: сальдо по счетам, услугам и поставщикам; после закрытия начисления в месяц не принимаются")
            .Produces<ClosingReport>().ProducesValidationProblem().ProducesProblem(409);

        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Лицевые счета").RequireAuthorization(Duties.Read).AddEndpointFilter(Scopes.AccountFilter);

        accounts.MapGet("/{id:long}/charges", async (long id, OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = new NpgsqlConnection(db.ConnectionString);
                await conn.OpenAsync(ct);
                return TypedResults.Ok(await AccountCharges.LoadAsync(conn, id, ct));
            })
            .WithSummary("Начисления лицевого счёта по месяцам проведения: строки с расчётом («почему такая сумма»), перерасчёты и пени")
            .Produces<IReadOnlyList<AccountChargeMonth>>();

        accounts.MapGet("/{id:long}/penalties", async (long id, string? on, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                if (ApiMonth.ReadDay(on, clock.Today, out var day, what: "Дата расчёта") is { } badDay) return badDay;
                return TypedResults.Ok(await PenaltyPosting.StatementAsync(db.ConnectionString, id, day, ct: ct));
            })
            .WithSummary("Расчёт пени по лицевому счёту на дату (по умолчанию — сегодня): долги по месяцам и таблица по дням для суда")
            .Produces<PenaltyStatement>().ProducesValidationProblem();
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Запрос не выполнен: исправьте ошибки");

    private static IResult Refused(BillingException e) => TypedResults.Problem(e.Message, statusCode: 409, title: "Отказано");
}
