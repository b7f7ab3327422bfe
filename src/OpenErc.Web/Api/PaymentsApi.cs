using OpenErc.Core.Common;
using System.Security.Claims;
using System.Globalization;
using OpenErc.Core.Accounts;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

using OpenErc.Web.Security;
using OpenErc.Exchange.Registries;

namespace OpenErc.Web.Api;

/// <param name="Reason">Why the payment is corrected: kept with the correction.</param>
public sealed record ReverseRequest(string? Reason);

/// <param name="AccountNumber">The 10-digit account the payment belongs to.</param>
public sealed record MoveRequest(string? AccountNumber, string? Reason);

/// <param name="Day">The day of receipt, <c>YYYY-MM-DD</c>, before today.</param>
/// <param name="SupplierId">Only this supplier's transfer; all suppliers of the day when absent.</param>
public sealed record PrepareTransfersRequest(DateOnly? Day, long? SupplierId = null);

/// <param name="ValidFrom">The first day the terms apply, <c>YYYY-MM-DD</c>.</param>
/// <param name="CommissionPercent">Percent of each payment, e.g. 1.2.</param>
/// <param name="PaidBy">Payer (on top of the payment) or Recipient (out of it).</param>
/// <param name="RegistryProfile">The format of the agent's registry files, e.g. sber.</param>
public sealed record AgentTermsRequest(DateOnly? ValidFrom, decimal? CommissionPercent, CommissionPayer? PaidBy, string? RegistryProfile = "sber");

/// <summary>
/// Payments under <c>/api/v1/payments</c>: search and detail, corrections (reversal, move to another account), transfers to
/// suppliers (list, prepare, send, confirm, registry files, the centre's balance) and agents' commission terms.
/// Bad input is 400 with messages by field; a refused operation is 409 with the reason in Russian; nothing changes.
/// </summary>
public static class PaymentsApi
{

    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/v1/payments").WithTags("Платежи").RequireAuthorization(Duties.ReadAll).RequireForChanges(Duties.Finance);

        payments.MapGet("/", async (string? accountNumber, long? agentId, string? channel, string? from, string? to, string? amount, long? id,
                int? page, int? pageSize, OpenErcDatabase db, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                PaymentChannel? channelValue = null;
                if (channel is not null)
                {
                    if (Enum.TryParse<PaymentChannel>(channel, ignoreCase: true, out var parsed) && !char.IsAsciiDigit(channel[0])) channelValue = parsed;
                    else errors["channel"] = [$"Неизвестный канал «{channel}»: {string.Join(", ", Enum.GetNames<PaymentChannel>())}"];
                }
                decimal? amountValue = null;
                if (amount is not null)
                {
                    if (decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var sum)) amountValue = sum;
                    else errors["amount"] = [$"Сумма должна быть числом с точкой, например 1250.50: «{amount}»"];
                }
                var fromDay = Day(from, "from", errors);
                var toDay = Day(to, "to", errors);
                if (page < 1) errors["page"] = ["Номер страницы начинается с 1"];
                if (pageSize is < 1 or > 500) errors["pageSize"] = ["Размер страницы — от 1 до 500"];
                if (errors.Count > 0) return Invalid(errors);
                var filter = new PaymentFilter(accountNumber, agentId, channelValue, fromDay, toDay, amountValue, id);
                return TypedResults.Ok(await PaymentSearch.FindAsync(db.ConnectionString, filter, page ?? 1, pageSize ?? 50, ct));
            })
            .WithSummary("Поиск платежей: по лицевому счёту, агенту, каналу, датам поступления (from, to — включительно, ГГГГ-ММ-ДД), сумме, номеру")
            .Produces<Page<PaymentRow>>().ProducesValidationProblem();

        payments.MapGet("/{id:long}", async Task<IResult> (long id, OpenErcDatabase db, CancellationToken ct) =>
                await PaymentSearch.DetailAsync(db.ConnectionString, id, ct) is { } detail
                    ? TypedResults.Ok(detail)
                    : TypedResults.Problem($"Платёж №{id} не найден", statusCode: 404, title: "Не найдено"))
            .WithSummary("Платёж: строки разнесения по услугам и поставщикам, исправления").Produces<PaymentDetail>().ProducesProblem(404);

        payments.MapPost("/{id:long}/reverse", async (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<ReverseRequest>(http, ct);
                if (error is not null) return error;
                if (string.IsNullOrWhiteSpace(request!.Reason)) return Invalid(new() { ["reason"] = ["Укажите причину сторно"] });
                return await RefusingAsync(() => PaymentCorrections.ReverseAsync(db.ConnectionString, id, request.Reason.Trim(), Options(clock, user), ct: ct));
            })
            .WithSummary("Сторно платежа с указанием причины (один раз)").Accepts<ReverseRequest>("application/json")
            .Produces<CorrectionResult>().ProducesValidationProblem().ProducesProblem(409);

        payments.MapPost("/{id:long}/move", async (long id, HttpContext http, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<MoveRequest>(http, ct);
                if (error is not null) return error;
                var errors = new Dictionary<string, string[]>();
                if (AccountNumber.Check(request!.AccountNumber?.Trim()) is { } bad) errors["accountNumber"] = [bad];
                if (string.IsNullOrWhiteSpace(request.Reason)) errors["reason"] = ["Укажите причину переноса"];
                if (errors.Count > 0) return Invalid(errors);
                return await RefusingAsync(() => PaymentCorrections.MoveAsync(db.ConnectionString, id, request.AccountNumber!.Trim(), request.Reason!.Trim(), Options(clock, user), ct));
            })
            .WithSummary("Перенос платежа на другой лицевой счёт: сторно и проведение на верном счёте").Accepts<MoveRequest>("application/json")
            .Produces<CorrectionResult>().ProducesValidationProblem().ProducesProblem(409);

        var transfers = payments.MapGroup("/transfers").WithTags("Перечисления поставщикам");

        transfers.MapGet("/", async (string? from, string? to, long? supplierId, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var today = Options(clock, user).Today;
                var fromDay = Day(from, "from", errors) ?? today.AddDays(-30);
                var toDay = Day(to, "to", errors) ?? today;
                if (errors.Count > 0) return Invalid(errors);
                return TypedResults.Ok(await SupplierTransfers.ListAsync(db.ConnectionString, fromDay, toDay, supplierId, ct));
            })
            .WithSummary("Поступления и перечисления по дням и поставщикам (from, to — включительно; по умолчанию последние 30 дней)")
            .Produces<IReadOnlyList<SupplierTransfer>>().ProducesValidationProblem();

        transfers.MapPost("/prepare", async (HttpContext http, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<PrepareTransfersRequest>(http, ct);
                if (error is not null) return error;
                if (request!.Day is not { } day) return Invalid(new() { ["day"] = ["Укажите день поступления в виде ГГГГ-ММ-ДД"] });
                return await RefusingAsync(() => SupplierTransfers.PrepareAsync(db.ConnectionString, day, Options(clock, user), request.SupplierId, ct));
            })
            .WithSummary("Подготовить перечисления за прошедший день поступления").Accepts<PrepareTransfersRequest>("application/json")
            .Produces<IReadOnlyList<SupplierTransfer>>().ProducesValidationProblem().ProducesProblem(409);

        transfers.MapPost("/{id:long}/send", (long id, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
                RefusingAsync(() => SupplierTransfers.SendAsync(db.ConnectionString, id, Options(clock, user), ct)))
            .WithSummary("Отметить перечисление отправленным в банк").Produces<SupplierTransfer>().ProducesProblem(409);

        transfers.MapPost("/{id:long}/confirm", (long id, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
                RefusingAsync(() => SupplierTransfers.ConfirmAsync(db.ConnectionString, id, Options(clock, user), ct)))
            .WithSummary("Отметить перечисление подтверждённым банком").Produces<SupplierTransfer>().ProducesProblem(409);

        transfers.MapPost("/payment-orders", async (HttpContext http, OpenErcDatabase db, ReceiptSettings settings, RegionClock clock, ClaimsPrincipal user,
                CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<PrepareTransfersRequest>(http, ct);
                if (error is not null) return error;
                if (request!.Day is not { } day) return Invalid(new() { ["day"] = ["Укажите день поступления в виде ГГГГ-ММ-ДД"] });
                try
                {
                    await using var conn = new Npgsql.NpgsqlConnection(db.ConnectionString);
                    await conn.OpenAsync(ct);
                    var centre = (await ReceiptIssuing.ContextAsync(conn, settings, SecuritySetup.Actor(user), clock.Today, ct)).Payee;
                    var (name, content, _) = await SupplierTransfers.PaymentOrdersAsync(db.ConnectionString, day, centre, Options(clock, user), ct);
                    return TypedResults.File(content, "text/plain; charset=windows-1251", name);
                }
                catch (Exception e) when (e is PaymentException or ReceiptException)
                {
                    return TypedResults.Problem(e.Message, statusCode: 409, title: "Отказано");
                }
            })
            .WithSummary("Платёжные поручения за день поступления (файл обмена 1С с банком, Windows-1251): подготовленные перечисления отмечаются отправленными")
            .Accepts<PrepareTransfersRequest>("application/json").Produces(200, contentType: "text/plain").ProducesValidationProblem().ProducesProblem(409);

        transfers.MapGet("/registry", async (long? supplierId, string? day, string? format, OpenErcDatabase db, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (supplierId is null) errors["supplierId"] = ["Укажите поставщика"];
                var date = Day(day, "day", errors);
                if (date is null && !errors.ContainsKey("day")) errors["day"] = ["Укажите день поступления в виде ГГГГ-ММ-ДД"];
                if (format is not (null or "csv" or "xlsx")) errors["format"] = ["Формат файла — csv или xlsx"];
                if (errors.Count > 0) return Invalid(errors);
                if (await SupplierTransfers.RegistryAsync(db.ConnectionString, supplierId!.Value, date!.Value, ct) is not { } registry)
                    return TypedResults.Problem($"Организация №{supplierId} не найдена", statusCode: 404, title: "Не найдено");
                return format == "xlsx"
                    ? TypedResults.File(TransferRegistryFile.Xlsx(registry), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", TransferRegistryFile.FileName(registry, "xlsx"))
                    : TypedResults.File(TransferRegistryFile.Csv(registry), "text/csv; charset=utf-8", TransferRegistryFile.FileName(registry, "csv"));
            })
            .WithSummary("Реестр к перечислению поставщику за день поступления: CSV (UTF-8, «;») или XLSX").ProducesValidationProblem().ProducesProblem(404);

        transfers.MapGet("/balance", async (OpenErcDatabase db, CancellationToken ct) => TypedResults.Ok(await SupplierTransfers.BalanceAsync(db.ConnectionString, ct)))
            .WithSummary("Расчёты центра с поставщиками: поступило, комиссия, перечислено, осталось перечислить").Produces<CentreBalance>();

        var terms = payments.MapGroup("/agents").WithTags("Условия платёжных агентов");

        terms.MapGet("/terms", async (long? agentId, OpenErcDatabase db, CancellationToken ct) =>
                TypedResults.Ok(await AgentTermsBook.ListAsync(db.ConnectionString, agentId, ct)))
            .WithSummary("Условия агентов: комиссия, кто её платит, профиль реестра — с даты").Produces<IReadOnlyList<AgentTerms>>();

        terms.MapPost("/{agentId:long}/terms", async (long agentId, HttpContext http, OpenErcDatabase db, RegionClock clock, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<AgentTermsRequest>(http, ct);
                if (error is not null) return error;
                var errors = new Dictionary<string, string[]>();
                if (request!.ValidFrom is null) errors["validFrom"] = ["Укажите дату начала действия условий в виде ГГГГ-ММ-ДД"];
                if (request.CommissionPercent is null) errors["commissionPercent"] = ["Укажите комиссию в процентах"];
                if (request.PaidBy is null) errors["paidBy"] = ["Укажите, кто платит комиссию: Payer или Recipient"];
                if (errors.Count > 0) return Invalid(errors);
                var added = new AgentTerms(agentId, request.ValidFrom!.Value, request.CommissionPercent!.Value, request.PaidBy!.Value, request.RegistryProfile ?? "");
                if (AgentTermsBook.Check(added) is { Count: > 0 } bad) return Invalid(bad.ToDictionary(e => e.Key, e => new[] { e.Value }));
                return await RefusingAsync(async () =>
                {
                    await AgentTermsBook.AddAsync(db.ConnectionString, added, SecuritySetup.Actor(user), clock.Now, ct);
                    return (await AgentTermsBook.ListAsync(db.ConnectionString, agentId, ct)).First(t => t.ValidFrom == added.ValidFrom);
                });
            })
            .WithSummary("Добавить условия агента с даты (прежние условия не меняются)").Accepts<AgentTermsRequest>("application/json")
            .Produces<AgentTerms>().ProducesValidationProblem().ProducesProblem(409);
    }

    private static PostingOptions Options(RegionClock clock, ClaimsPrincipal user) => new(SecuritySetup.Actor(user), Clock: clock);

    private static async Task<IResult> RefusingAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return TypedResults.Ok(await operation());
        }
        catch (PaymentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 409, title: "Отказано");
        }
    }

    private static DateOnly? Day(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors[field] = [$"Дата должна иметь вид ГГГГ-ММ-ДД: «{text}»"];
        return null;
    }

    private static IResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Запрос не выполнен: исправьте ошибки");
}
