using OpenErc.Core.Common;
using OpenErc.Exchange.Gis;
using OpenErc.Operations.Gis;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>
/// The packages for ГИС ЖКХ (<see cref="GisPackages"/>, exchange.md §6.5) under <c>/api/v1/gis/packages</c>: the
/// calculator prepares a month's packages; the signing gateway (an API key of the calculator's duty) takes each
/// prepared package's request, says it sent it, and writes back the state system's answer per object.
/// </summary>
public static class GisApi
{
    /// <summary>What to prepare: the kind, the month, and one building or all.</summary>
    public sealed record PrepareRequest(GisPackageKind Kind, BillingPeriod Month, long? BuildingId = null);

    /// <summary>The gateway's acknowledgement of a send: the state system's <c>MessageGUID</c>.</summary>
    public sealed record SentRequest(Guid MessageGuid);

    /// <summary>The state system's answers about a package's objects.</summary>
    public sealed record ResultsRequest(IReadOnlyList<GisObjectResult> Objects);

    public static IServiceCollection AddGis(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(config.GetSection("OpenErc:Gis").Get<GisSettings>() ?? new GisSettings());

    public static void MapGisApi(this IEndpointRouteBuilder app)
    {
        var gis = app.MapGroup("/api/v1/gis/packages").WithTags("ГИС ЖКХ").RequireAuthorization(Duties.Billing);

        gis.MapPost("", async (HttpContext http, OpenErcDatabase database, GisSettings settings, RegionClock clock, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<PrepareRequest>(http, ct);
                if (error is not null) return error;
                if (!Enum.IsDefined(request!.Kind)) return RegistryApi.Invalid(new() { ["kind"] = ["Вид пакета: Accounts, PaymentDocuments, Payments или Readings"] });
                try
                {
                    var made = await GisPackages.PrepareAsync(database.ConnectionString, request.Kind, request.Month, request.BuildingId, settings, clock,
                        SecuritySetup.Actor(http.User), ct);
                    return TypedResults.Ok(made);
                }
                catch (GisException e) { return Refused(e); }
            })
            .WithSummary("Подготовить пакеты для ГИС ЖКХ за месяц: лицевые счета, платёжные документы (закрытого месяца), оплаты кассы центра или " +
                         "показания — по пакету на дом (до 500 объектов); не вошедшее — с причиной")
            .Accepts<PrepareRequest>("application/json").Produces<GisPreparation>().ProducesProblem(409).ProducesValidationProblem();

        gis.MapGet("", async (string? month, GisPackageKind? kind, OpenErcDatabase database, CancellationToken ct) =>
            {
                BillingPeriod? period = null;
                if (month is not null)
                {
                    if (ApiMonth.Read(month, out var m) is { } bad) return bad;
                    period = m;
                }
                return TypedResults.Ok(await GisPackages.ListAsync(database.ConnectionString, period, kind, ct));
            })
            .WithSummary("Пакеты для ГИС ЖКХ (за месяц, одного вида), новые первыми, не более 1000: состояние, объекты размещённые и отклонённые")
            .Produces<IReadOnlyList<GisPackageInfo>>().ProducesValidationProblem();

        gis.MapGet("/{id:long}/payload", async (long id, OpenErcDatabase database, CancellationToken ct) =>
                await GisPackages.PayloadAsync(database.ConnectionString, id, ct) is { } p
                    ? TypedResults.File(p.Payload, "application/xml", $"gis_{p.Kind}_{p.Month}_{id}.xml")
                    : RegistryApi.NotFound("Пакет", id))
            .WithSummary("Запрос пакета (XML без подписи): его подписывает и отправляет шлюз ГИС ЖКХ").Produces(200, contentType: "application/xml").ProducesProblem(404);

        gis.MapPost("/{id:long}/sent", async (long id, HttpContext http, OpenErcDatabase database, RegionClock clock, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<SentRequest>(http, ct);
                if (error is not null) return error;
                try
                {
                    await GisPackages.MarkSentAsync(database.ConnectionString, id, request!.MessageGuid, clock, ct);
                    return TypedResults.NoContent();
                }
                catch (GisException e) { return Refused(e); }
            })
            .WithSummary("Отметить пакет отправленным (MessageGUID квитанции ГИС ЖКХ); повтор с тем же MessageGUID ничего не меняет")
            .Accepts<SentRequest>("application/json").Produces(204).ProducesProblem(404).ProducesProblem(409);

        gis.MapPost("/{id:long}/results", async (long id, HttpContext http, OpenErcDatabase database, RegionClock clock, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<ResultsRequest>(http, ct);
                if (error is not null) return error;
                if (request!.Objects is not { Count: > 0 } objects) return RegistryApi.Invalid(new() { ["objects"] = ["Передайте ответы по объектам пакета"] });
                try
                {
                    await using var db = database.CreateContext();
                    return TypedResults.Ok(await GisPackages.ApplyResultsAsync(db, id, objects, clock, SecuritySetup.Actor(http.User), ct));
                }
                catch (GisException e) { return Refused(e); }
            })
            .WithSummary("Ответ ГИС ЖКХ по объектам пакета (по TransportGUID): идентификатор и номер в ГИС (ЕЛС и ИЖКУ счёта, ИПД документа) или ошибка")
            .Accepts<ResultsRequest>("application/json").Produces<GisPackageInfo>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
    }

    private static IResult Refused(GisException e) => TypedResults.Problem(e.Message, statusCode: e.Status, title: e.Status == 404 ? "Не найдено" : "Не выполнено");
}
