using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Payments;
using OpenErc.Storage;

namespace OpenErc.Web.Api;

/// <param name="AccountNumber">The 10-digit account number.</param>
/// <param name="Amount">Roubles with kopecks.</param>
/// <param name="Period">The month the citizen pays for, <c>YYYY-MM</c>; without it the oldest debts are paid first.</param>
public sealed record CabinetPaymentRequest(string? AccountNumber, decimal? Amount, BillingPeriod? Period = null);

/// <summary>A card payment of the cabinet: where to pay it (<see cref="PayUrl"/>, when just created) and how it stands.</summary>
public sealed record CabinetPaymentState(Guid OrderId, string AccountNumber, decimal Amount, BillingPeriod? Period, CabinetOrderState State, long? PaymentId,
    string? PayUrl = null)
{
    public static CabinetPaymentState Of(CabinetOrder o, string? payUrl = null) => new(o.Id, o.AccountNumber, o.Amount, o.Period, o.State, o.PaymentId, payUrl);
}

/// <summary>
/// Card payments of the citizen cabinet under <c>/api/v1/cabinet/payments</c>: create an order and get the acquirer's
/// page to pay it, follow the order, and the acquirer's callback that posts the payment once.
/// </summary>
public static class CabinetApi
{
    public static void MapCabinetApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/v1/cabinet/payments").WithTags("Личный кабинет: оплата картой");

        payments.MapPost("", async (HttpContext http, [FromServices] IAcquirer? acquirer, OpenErcDatabase db, IConfiguration config, RegionClock clock,
                CancellationToken ct) =>
            {
                if (acquirer is null) return NoAcquirer();
                var (request, error) = await CalculatorApi.ReadAsync<CabinetPaymentRequest>(http, ct);
                if (error is not null) return error;
                if (await AcquiringBankAsync(db, config, ct) is not { } bank)
                    return TypedResults.Problem("Оплата картой не настроена: не указан банк-эквайер", statusCode: 503, title: "Недоступно");
                var (order, errors) = await CabinetPayments.CreateAsync(db.ConnectionString, acquirer, bank, request!.AccountNumber, request.Amount, request.Period,
                    Options(clock), ct);
                if (order is null) return TypedResults.ValidationProblem(errors, title: "Платёж не создан: исправьте ошибки");
                var state = CabinetPaymentState.Of(order, await acquirer.RegisterAsync(order, ct));
                return TypedResults.Created($"/api/v1/cabinet/payments/{order.Id}", state);
            })
            .WithSummary("Начать оплату картой: заказ на сумму по лицевому счёту и адрес страницы оплаты банка-эквайера (payUrl)")
            .Accepts<CabinetPaymentRequest>("application/json").Produces<CabinetPaymentState>(201).ProducesValidationProblem().ProducesProblem(503);

        payments.MapGet("/{orderId:guid}", async (Guid orderId, OpenErcDatabase db, CancellationToken ct) =>
                await CabinetPayments.FindAsync(db.ConnectionString, orderId, ct) is { } order
                    ? Results.Ok(CabinetPaymentState.Of(order))
                    : NotFound(orderId))
            .WithSummary("Состояние оплаты картой: создан, оплачен (с номером платежа) или отменён").Produces<CabinetPaymentState>().ProducesProblem(404);

        payments.MapPost("/callback", async (HttpContext http, [FromServices] IAcquirer? acquirer, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                if (acquirer is null) return NoAcquirer();
                var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
                var fields = form?.ToDictionary(f => f.Key, f => f.Value.ToString()) ?? [];
                if (acquirer.ReadNotice(fields) is not { } notice)
                    return TypedResults.Problem("Уведомление банка-эквайера не прошло проверку подписи", statusCode: 400, title: "Отказано");
                return await CabinetPayments.ConfirmAsync(db.ConnectionString, notice, Options(clock), ct) is { } order
                    ? Results.Ok(CabinetPaymentState.Of(order))
                    : NotFound(notice.OrderId);
            })
            .WithSummary("Уведомление банка-эквайера об оплате или отмене (форма с подписью банка); платёж проводится один раз, сколько бы уведомлений ни пришло")
            .DisableAntiforgery().Produces<CabinetPaymentState>().ProducesProblem(400).ProducesProblem(404);
    }

    public const string PostedBy = "Личный кабинет";

    private static IResult NoAcquirer() =>
        TypedResults.Problem("Оплата картой недоступна: банк-эквайер не подключён", statusCode: 503, title: "Недоступно");

    private static PostingOptions Options(RegionClock clock) => new(PostedBy, Clock: clock);

    private static IResult NotFound(Guid orderId) => TypedResults.Problem($"Оплата {orderId} не найдена", statusCode: 404, title: "Не найдено");

    /// <summary>The acquiring bank: <c>OpenErc:Acquiring:AgentId</c>, else the first bank of the registry.</summary>
    internal static async Task<long?> AcquiringBankAsync(OpenErcDatabase db, IConfiguration config, CancellationToken ct)
    {
        if (config.GetValue<long?>("OpenErc:Acquiring:AgentId") is { } configured) return configured;
        await using var context = db.CreateContext();
        return await context.Organisations.Where(o => o.Kind == OrganisationKind.Bank).OrderBy(o => o.Id).Select(o => (long?)o.Id).FirstOrDefaultAsync(ct);
    }
}
