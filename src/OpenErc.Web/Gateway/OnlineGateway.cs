using OpenErc.Core.Common;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using OpenErc.Core.Accounts;
using OpenErc.Exchange.Online;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Registry;
using OpenErc.Operations.Security;
using OpenErc.Storage;
using Npgsql;
using OpenErc.Core.Payments;

namespace OpenErc.Web.Gateway;

/// <summary>The answer: for a check the account, for a payment the posting (the original one for a repeat or a conflict).</summary>
public sealed record OnlineAnswer(OnlineStatus Status, string Message, Payee? Payee = null, PostingResult? Payment = null)
{
    /// <summary>The answer in the protocols' terms.</summary>
    public OnlineReply Reply(RegionClock clock) => new(Status, Message,
        Payee is { } p ? new OnlinePayee(p.MaskedPayer, p.Address, p.Balance.Debt - p.Balance.Advance, p.Balance.ToPay) : null,
        Payment is { PaymentId: { } id } payment ? new OnlinePayment(id, payment.PostedAt is { } at ? clock.Local(at).DateTime : null, payment.Amount) : null);
}

/// <summary>
/// The online payment protocols of banks and payment agents under <c>/gateway</c>: an agent signs in with HTTP Basic
/// (<see cref="AgentCredentials"/>) from an allowed address, checks an account and sends payments; a payment is answered
/// after its commit (<see cref="GroupCommit"/>), a repeat gets the original payment, and a payment to an unknown or
/// closed account, or dated outside <see cref="PaymentDates"/>, is refused (online, the agent can still tell its
/// customer; nothing goes to suspense). Every request is answered in the protocol's XML, failures too.
/// </summary>
public sealed class OnlineGateway(OpenErcDatabase database, GroupCommit commit, RegionClock clock, PaymentDates dates, ILogger<OnlineGateway> log)
{
    public const string PostedBy = "Онлайн-шлюз";

    /// <summary>exchange.md §1.1 and §1.2: <c>PAY_ID</c> and <c>txn_id</c> are digits, at most 20 of them.</summary>
    public const int MaxPaymentIdLength = 20;

    public static PostingOptions Options(RegionClock clock, PaymentDates dates) =>
        new(PostedBy, Clock: clock, RefuseClosedAccounts: true, RefuseBeforeOpening: true, Dates: dates);

    /// <summary>
    /// Reads the request, answers it and writes the answer in the protocol's XML. Whatever fails on the way is answered
    /// in the protocol's own codes too, never by a bare HTTP 500: a failure that passes as "temporary, repeat later"
    /// (safe: a repeat never posts twice), any other as the centre's internal error.
    /// </summary>
    public async Task<XElement> HandleAsync(IOnlineProtocol protocol, PaymentChannel channel, AgentLogin agent, HttpRequest http, CancellationToken ct)
    {
        var request = OnlineRequest.None;
        try
        {
            var form = http.HasFormContentType ? await http.ReadFormAsync(ct) : null;
            request = OnlineRequest.Read(name => form?[name].FirstOrDefault() ?? http.Query[name].FirstOrDefault(), protocol.Names);
            return protocol.Write(request, (await AnswerAsync(agent, protocol, channel, request, ct)).Reply(clock));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            bool temporary = IsTemporary(e);
            log.LogError(e, "Online request {Action} {PaymentId} of agent {Agent} failed ({Kind})", request.Action, request.PaymentId, agent.Login,
                temporary ? "temporary" : "internal");
            return protocol.Write(request, temporary
                ? new(OnlineStatus.Temporary, "Временная ошибка, повторите запрос позже")
                : new(OnlineStatus.Internal, "Внутренняя ошибка расчётного центра: запрос не выполнен"));
        }
    }

    /// <summary>
    /// A failure that passes: the database unreachable or its connection lost, a timeout, a deadlock or serialization
    /// failure (Npgsql's <see cref="NpgsqlException.IsTransient"/>), the host stopping.
    /// </summary>
    public static bool IsTemporary(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } or TimeoutException or ObjectDisposedException { ObjectName: nameof(GroupCommit) } => true,
        AggregateException all => all.InnerExceptions.Any(IsTemporary),
        _ => e.InnerException is { } inner && IsTemporary(inner),
    };

    public async Task<OnlineAnswer> AnswerAsync(AgentLogin agent, IOnlineProtocol protocol, PaymentChannel channel, OnlineRequest request, CancellationToken ct) => request.Action switch
    {
        OnlineAction.Check => await CheckAsync(request, ct),
        OnlineAction.Pay => await PayAsync(agent, protocol, channel, request),
        _ => new(OnlineStatus.UnknownAction, $"Неизвестный тип запроса: «{request.ActionText}»"),
    };

    private async Task<OnlineAnswer> CheckAsync(OnlineRequest request, CancellationToken ct)
    {
        // The account's own number, or the account whose other number (an earlier system's, the ЕЛС) the payer gave.
        string? number = await OwnNumberAsync(request.Account, ct);
        if (number is null && AccountNumber.Check(request.Account) is { } bad) return new(OnlineStatus.BadAccount, bad);
        if (request.Amount is not null && Amount(request) is { } badAmount) return badAmount;
        var payee = number is null ? null : await Payees.FindAsync(database.ConnectionString, number, clock.Today, ct);
        if (payee is null) return new(OnlineStatus.AccountNotFound, $"Лицевой счёт {request.Account} не найден");
        if (payee.Closed) return new(OnlineStatus.AccountClosed, $"Лицевой счёт {request.Account} закрыт: платежи не принимаются");
        return new(OnlineStatus.Ok, "Лицевой счёт найден", payee);
    }

    /// <summary>
    /// The checks in the order of exchange.md §1.1 — the account's format, the payment id, the amount, the date — then the
    /// posting, which answers a used id before it looks at the account (found, open, opened by the payment's day).
    /// </summary>
    private async Task<OnlineAnswer> PayAsync(AgentLogin agent, IOnlineProtocol protocol, PaymentChannel channel, OnlineRequest request)
    {
        // A number not in the centre's form may be another number of an account; a well-formed one is looked up only when no
        // account has it (below), so that the common payment costs no extra query.
        string? account = request.Account;
        bool resolved = false;
        if (AccountNumber.Check(account) is { } bad)
        {
            (account, resolved) = (await OwnNumberAsync(account, default), true);
            if (account is null) return new(OnlineStatus.BadAccount, bad);
        }
        if (PaymentIdProblem(request.PaymentId) is { } badId) return new(OnlineStatus.BadPaymentId, badId);
        if (Amount(request) is { } badAmount) return badAmount;
        if (DateProblem(request, protocol.Names) is { } badDate) return new(OnlineStatus.BadDate, badDate);

        var amount = PaymentAmount.Parse(request.Amount).Amount;
        var paidAt = clock.FromLocal(request.PaidLocal!.Value);
        // Not the request's cancellation: once queued the payment is posted, and a client that gave up gets it on its repeat.
        var result = await commit.PostAsync(new PaymentIntake(agent.AgentId, request.PaymentId!, channel, account!, amount, paidAt));
        if (result.Outcome == PostingOutcome.UnknownAccount && !resolved && await OwnNumberAsync(account, default) is { } own && own != account)
            result = await commit.PostAsync(new PaymentIntake(agent.AgentId, request.PaymentId!, channel, own, amount, paidAt));
        return result.Outcome switch
        {
            PostingOutcome.Posted => new(OnlineStatus.Ok, "Платёж принят", Payment: result),
            PostingOutcome.Repeated => new(OnlineStatus.Repeated, $"Платёж с номером {request.PaymentId} уже принят", Payment: result),
            PostingOutcome.Conflict => new(OnlineStatus.Conflict, result.Message!, Payment: result),
            PostingOutcome.ClosedAccount => new(OnlineStatus.AccountClosed, result.Message!),
            PostingOutcome.UnknownAccount => new(OnlineStatus.AccountNotFound, result.Message!),
            PostingOutcome.PaidBeforeOpening => new(OnlineStatus.BadDate, result.Message!),
            _ => throw new InvalidOperationException($"Unexpected outcome {result.Outcome} of an online payment"),
        };
    }

    private async Task<string?> OwnNumberAsync(string? number, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync(ct);
        return await AccountAliases.MainNumberAsync(conn, number, ct);
    }

    private static string? PaymentIdProblem(string? id) =>
        string.IsNullOrEmpty(id) ? "Не указан номер платежа"
        : id.Length > MaxPaymentIdLength || !id.All(char.IsAsciiDigit) ? $"Неверный номер платежа «{id}»: нужно от 1 до {MaxPaymentIdLength} цифр"
        : null;

    private string? DateProblem(OnlineRequest request, OnlineRequest.Names names) => request switch
    {
        { DateText: null or "" } => "Не указана дата платежа",
        { PaidLocal: null } => $"Неверная дата платежа «{request.DateText}»: нужна {names.DateFormatShown}",
        { PaidLocal: { } local } => dates.RefuseOnline(local, clock),
    };

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
}

/// <summary>Wiring of the gateway into the host.</summary>
public static class OnlineGatewayEndpoints
{
    private const string AgentKey = "openerc.agent";

    /// <summary>
    /// The gateway and the dates agents' payments may bear (<see cref="PaymentDates"/>, section <c>OpenErc:Payments</c>:
    /// <c>FutureToleranceMinutes</c>, <c>OnlineMaxAgeDays</c>, <c>RegistryMaxAgeDays</c>; registries use them too). A
    /// setting out of its range stops the host at start with the reason.
    /// </summary>
    public static IServiceCollection AddOnlineGateway(this IServiceCollection services, IConfiguration config)
    {
        var dates = config.GetSection("OpenErc:Payments").Get<PaymentDates>() ?? PaymentDates.Default;
        if (dates.Problems().ToList() is { Count: > 0 } problems)
            throw new InvalidOperationException("Неверные настройки приёма платежей: " + string.Join("; ", problems));
        services.AddSingleton(dates);
        services.AddSingleton(sp => new AgentCredentials(sp.GetRequiredService<OpenErcDatabase>().ConnectionString, sp.GetRequiredService<RegionClock>()));
        // The posting's few statements run thousands of times a second: prepared once per connection, they are not planned each time.
        services.AddSingleton(sp => new GroupCommit(
            new Npgsql.NpgsqlConnectionStringBuilder(sp.GetRequiredService<OpenErcDatabase>().ConnectionString) { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 }.ConnectionString,
            OnlineGateway.Options(sp.GetRequiredService<RegionClock>(), dates), log: sp.GetRequiredService<ILogger<GroupCommit>>()));
        services.AddSingleton<OnlineGateway>();
        services.AddSingleton(sp => new GatewayFailures(config.GetValue("OpenErc:RateLimits:GatewayFailuresPerMinute", 10), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    public static void MapOnlineGateway(this IEndpointRouteBuilder app)
    {
        var gateway = app.MapGroup("/gateway").WithTags("Онлайн-платежи банков и агентов").DisableAntiforgery();
        Map(gateway, "/sber", new SberProtocol(), PaymentChannel.Sber, "Протокол Сбербанка: ACTION=check|payment, ответ XML с CODE и MESSAGE");
        Map(gateway, "/osmp", new OsmpProtocol(), PaymentChannel.Osmp, "Протокол ОСМП (QIWI): command=check|pay, ответ XML с result и comment");
    }

    private static void Map(RouteGroupBuilder gateway, string path, IOnlineProtocol protocol, PaymentChannel channel, string summary) =>
        gateway.MapMethods(path, ["GET", "POST"], async (HttpContext http, OnlineGateway online, CancellationToken ct) =>
            {
                return Xml(await online.HandleAsync(protocol, channel, (AgentLogin)http.Items[AgentKey]!, http.Request, ct));
            })
            .AddEndpointFilter((context, next) => SignInAsync(context, next, protocol))
            .WithSummary(summary).Produces<string>(200, "application/xml").Produces<string>(429, "application/xml").ProducesProblem(401).ProducesProblem(403);

    /// <summary>A protocol's answer as its XML document with the declaration.</summary>
    private static IResult Xml(XElement answer, int statusCode = 200)
    {
        var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), answer);
        return Results.Text(xml.Declaration + "\n" + xml.Root, "application/xml; charset=utf-8", Encoding.UTF8, statusCode);
    }

    /// <summary>
    /// HTTP Basic against the agents' credentials (401), then the caller's address against the agent's list (403). An
    /// address with too many failed sign-ins in the minute (<see cref="GatewayFailures"/>) is answered the protocol's
    /// temporary error with 429 and <c>Retry-After</c>, its password unchecked.
    /// </summary>
    private static async ValueTask<object?> SignInAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, IOnlineProtocol protocol)
    {
        var http = context.HttpContext;
        var credentials = http.RequestServices.GetRequiredService<AgentCredentials>();
        var failures = http.RequestServices.GetRequiredService<GatewayFailures>();
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (failures.Blocked(client) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var answer = protocol.Write(OnlineRequest.None, new(OnlineStatus.Temporary,
                $"Слишком много неудачных попыток входа с адреса {client}: повторите через {seconds} с"));
            return Xml(answer, 429);
        }
        AgentLogin? agent = null;
        if (AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Basic(header.Parameter) is var (login, password))
            agent = await credentials.VerifyAsync(login, password, http.RequestAborted);
        if (agent is null)
        {
            failures.Fail(client);
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

/// <summary>
/// Failed sign-ins to the payment protocols per client address in a fixed window of a minute: once an address has
/// <c>OpenErc:RateLimits:GatewayFailuresPerMinute</c> failures (default 10) its requests are refused unchecked until the
/// window ends. In memory: a restart forgets, which only gives a guesser another minute's tries.
/// </summary>
public sealed class GatewayFailures(int perMinute, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _counts = [];
    private readonly Lock _lock = new();

    public int PerMinute { get; } = Math.Max(1, perMinute);

    /// <summary>How long <paramref name="client"/> is still refused; null when it may try.</summary>
    public TimeSpan? Blocked(string client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
            return _counts.TryGetValue(client, out var c) && now - c.Start < Window && c.Count >= PerMinute ? c.Start + Window - now : null;
    }

    public void Fail(string client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_counts.Count > 10_000)
                foreach (var stale in _counts.Where(e => now - e.Value.Start >= Window).Select(e => e.Key).ToList())
                    _counts.Remove(stale);
            _counts[client] = _counts.TryGetValue(client, out var c) && now - c.Start < Window ? (c.Start, c.Count + 1) : (now, 1);
        }
    }
}
