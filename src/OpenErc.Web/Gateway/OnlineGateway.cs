using OpenErc.Core.Common;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using OpenErc.Core.Accounts;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Security;
using OpenErc.Storage;

namespace OpenErc.Web.Gateway;

/// <summary>What became of an online request, before a protocol says it in its own codes.</summary>
public enum OnlineStatus
{
    Ok, Temporary, UnknownAction, AccountNotFound, BadAccount, BadAmount, AmountTooSmall, AmountTooLarge, BadDate, BadPaymentId, AccountClosed, Conflict,
}

public enum OnlineAction { Check, Pay, Unknown }

/// <summary>A request of an online protocol in common terms; <see cref="PaidAt"/> is null when the date is missing or does not parse.</summary>
public sealed record OnlineRequest(OnlineAction Action, string? ActionText, string? Account, string? Amount, string? PaymentId, string? DateText, DateTimeOffset? PaidAt)
{
    /// <summary>How a protocol names the parts of a request: the parameters, the two actions, the date format.</summary>
    public sealed record Names(string Action, string Check, string Pay, string Account, string Amount, string PaymentId, string Date, string DateFormat);

    public static OnlineRequest Read(Func<string, string?> parameter, Names names, RegionClock clock)
    {
        var action = parameter(names.Action);
        var date = parameter(names.Date);
        var kind = string.Equals(action, names.Check, StringComparison.OrdinalIgnoreCase) ? OnlineAction.Check
            : string.Equals(action, names.Pay, StringComparison.OrdinalIgnoreCase) ? OnlineAction.Pay
            : OnlineAction.Unknown;
        return new OnlineRequest(kind, action, parameter(names.Account), parameter(names.Amount), parameter(names.PaymentId), date,
            OnlineGateway.ParseMoment(date, names.DateFormat, clock));
    }
}

/// <summary>The answer: for a check the account, for a payment the posting (the original one for a repeat).</summary>
public sealed record OnlineAnswer(OnlineStatus Status, string Message, Payee? Payee = null, PostingResult? Payment = null);

/// <summary>One online protocol: how its requests are read and its answers written.</summary>
public interface IOnlineProtocol
{
    PaymentChannel Channel { get; }
    OnlineRequest Read(Func<string, string?> parameter, RegionClock clock);
    XElement Write(OnlineRequest request, OnlineAnswer answer, RegionClock clock);
}

/// <summary>
/// The online payment protocols of banks and payment agents under <c>/gateway</c>: an agent signs in with HTTP Basic
/// (<see cref="AgentCredentials"/>) from an allowed address, checks an account and sends payments; a payment is answered
/// after its commit (<see cref="GroupCommit"/>), a repeat gets the original answer, and a payment to an unknown or closed
/// account is refused (online, the agent can still tell its customer; nothing goes to suspense).
/// </summary>
public sealed class OnlineGateway(OpenErcDatabase database, GroupCommit commit, RegionClock clock, ILogger<OnlineGateway> log)
{
    public const string PostedBy = "Онлайн-шлюз";

    public static PostingOptions Options(RegionClock clock) => new(PostedBy, Clock: clock, RefuseClosedAccounts: true);

    public RegionClock Clock => clock;

    public async Task<OnlineAnswer> AnswerAsync(AgentLogin agent, PaymentChannel channel, OnlineRequest request, CancellationToken ct)
    {
        try
        {
            return request.Action switch
            {
                OnlineAction.Check => await CheckAsync(request, ct),
                OnlineAction.Pay => await PayAsync(agent, channel, request),
                _ => new(OnlineStatus.UnknownAction, $"Неизвестный тип запроса: «{request.ActionText}»"),
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever failed, the payment is not acknowledged: the agent repeats it later, and a repeat never posts twice.
            log.LogError(e, "Online request {Action} {PaymentId} of agent {Agent} failed", request.Action, request.PaymentId, agent.Login);
            return new(OnlineStatus.Temporary, "Временная ошибка, повторите запрос позже");
        }
    }

    private async Task<OnlineAnswer> CheckAsync(OnlineRequest request, CancellationToken ct)
    {
        if (AccountNumber.Check(request.Account) is { } bad) return new(OnlineStatus.BadAccount, bad);
        if (request.Amount is not null && Amount(request) is { } badAmount) return badAmount;
        var payee = await Payees.FindAsync(database.ConnectionString, request.Account!, Options(clock).Today, ct);
        if (payee is null) return new(OnlineStatus.AccountNotFound, $"Лицевой счёт {request.Account} не найден");
        if (payee.Closed) return new(OnlineStatus.AccountClosed, $"Лицевой счёт {request.Account} закрыт: платежи не принимаются");
        return new(OnlineStatus.Ok, "Лицевой счёт найден", payee);
    }

    private async Task<OnlineAnswer> PayAsync(AgentLogin agent, PaymentChannel channel, OnlineRequest request)
    {
        if (AccountNumber.Check(request.Account) is { } bad) return new(OnlineStatus.BadAccount, bad);
        if (Amount(request) is { } badAmount) return badAmount;
        if (request.PaidAt is not { } paidAt) return new(OnlineStatus.BadDate, $"Неверная дата платежа: «{request.DateText}»");
        if (paidAt > clock.Now.AddDays(1)) return new(OnlineStatus.BadDate, $"Дата платежа в будущем: «{request.DateText}»");
        if (string.IsNullOrEmpty(request.PaymentId) || request.PaymentId.Length > 64 || !request.PaymentId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return new(OnlineStatus.BadPaymentId, $"Неверный номер платежа: «{request.PaymentId}» (до 64 латинских букв и цифр)");

        var amount = PaymentAmount.Parse(request.Amount).Amount;
        // Not the request's cancellation: once queued the payment is posted, and a client that gave up gets it on its repeat.
        var result = await commit.PostAsync(new PaymentIntake(agent.AgentId, request.PaymentId, channel, request.Account!, amount, paidAt));
        return result.Outcome switch
        {
            PostingOutcome.Posted => new(OnlineStatus.Ok, "Платёж принят", Payment: result),
            PostingOutcome.Repeated => new(OnlineStatus.Ok, "Платёж уже принят", Payment: result),
            PostingOutcome.Conflict => new(OnlineStatus.Conflict, result.Message!, Payment: result),
            PostingOutcome.ClosedAccount => new(OnlineStatus.AccountClosed, result.Message!),
            PostingOutcome.UnknownAccount => new(OnlineStatus.AccountNotFound, result.Message!),
            _ => throw new InvalidOperationException($"Unexpected outcome {result.Outcome} of an online payment"),
        };
    }

    private static OnlineAnswer? Amount(OnlineRequest request)
    {
        var (_, problem, message) = PaymentAmount.Parse(request.Amount);
        return problem switch
        {
            AmountProblem.None => null,
            AmountProblem.TooSmall => new(OnlineStatus.AmountTooSmall, message!),
            AmountProblem.TooLarge => new(OnlineStatus.AmountTooLarge, message!),
            _ => new(OnlineStatus.BadAmount, message!),
        };
    }

    /// <summary>A moment written in the agent's local time (the region's), or null when it does not match <paramref name="format"/>.</summary>
    public static DateTimeOffset? ParseMoment(string? text, string format, RegionClock clock) =>
        DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? clock.FromLocal(local) : null;

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>Wiring of the gateway into the host.</summary>
public static class OnlineGatewayEndpoints
{
    private const string AgentKey = "openerc.agent";

    public static IServiceCollection AddOnlineGateway(this IServiceCollection services)
    {
        services.AddSingleton(sp => new AgentCredentials(sp.GetRequiredService<OpenErcDatabase>().ConnectionString, sp.GetRequiredService<RegionClock>()));
        // The posting's few statements run thousands of times a second: prepared once per connection, they are not planned each time.
        services.AddSingleton(sp => new GroupCommit(
            new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<OpenErcDatabase>().ConnectionString) { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 }.ConnectionString,
            OnlineGateway.Options(sp.GetRequiredService<RegionClock>()), log: sp.GetRequiredService<ILogger<GroupCommit>>()));
        services.AddSingleton<OnlineGateway>();
        return services;
    }

    public static void MapOnlineGateway(this IEndpointRouteBuilder app)
    {
        var gateway = app.MapGroup("/gateway").WithTags("Онлайн-платежи банков и агентов").AddEndpointFilter(SignInAsync).DisableAntiforgery();
        Map(gateway, "/sber", new SberProtocol(), "Протокол Сбербанка: ACTION=check|payment, ответ XML с CODE и MESSAGE");
        Map(gateway, "/osmp", new OsmpProtocol(), "Протокол ОСМП (QIWI): command=check|pay, ответ XML с result и comment");
    }

    private static void Map(RouteGroupBuilder gateway, string path, IOnlineProtocol protocol, string summary) =>
        gateway.MapMethods(path, ["GET", "POST"], async (HttpContext http, OnlineGateway online, CancellationToken ct) =>
            {
                var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
                var request = protocol.Read(name => form?[name].FirstOrDefault() ?? http.Request.Query[name].FirstOrDefault(), online.Clock);
                var answer = await online.AnswerAsync((AgentLogin)http.Items[AgentKey]!, protocol.Channel, request, ct);
                var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), protocol.Write(request, answer, online.Clock));
                return Results.Text(xml.Declaration + "\n" + xml.Root, "application/xml; charset=utf-8", Encoding.UTF8);
            })
            .WithSummary(summary).Produces<string>(200, "application/xml").ProducesProblem(401).ProducesProblem(403);

    /// <summary>HTTP Basic against the agents' credentials (401), then the caller's address against the agent's list (403).</summary>
    private static async ValueTask<object?> SignInAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var credentials = http.RequestServices.GetRequiredService<AgentCredentials>();
        AgentLogin? agent = null;
        if (AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Basic(header.Parameter) is var (login, password))
            agent = await credentials.VerifyAsync(login, password, http.RequestAborted);
        if (agent is null)
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenErc\", charset=\"UTF-8\"";
            return TypedResults.Problem("Неверный логин или пароль платёжного агента", statusCode: 401, title: "Нужен вход");
        }
        if (http.Connection.RemoteIpAddress is not { } address || !agent.Allows(address))
            return TypedResults.Problem($"Адрес {http.Connection.RemoteIpAddress} не входит в разрешённые для агента {agent.Login}", statusCode: 403, title: "Доступ запрещён");
        http.Items[AgentKey] = agent;
        return await next(context);
    }

    private static (string Login, string Password)? Basic(string? parameter)
    {
        if (parameter is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 ? null : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null; // not Base64: no credentials at all, answered 401 like a wrong password
        }
    }
}
