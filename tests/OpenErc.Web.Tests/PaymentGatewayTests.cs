using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Security;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>A demo region charged for the current month, so that payments have debts to pay.</summary>
public sealed class ChargedWebHost(PostgresCluster cluster) : WebHost(cluster), IAsyncLifetime
{
    protected override int DemoAccounts => 60;

    /// <summary>The month the host opened and charged: the month of <see cref="WebHost.Today"/>.</summary>
    public BillingPeriod Month => Clock.CurrentMonth;

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var report = await BillingRun.RunAsync(ConnectionString, Month, BillingScope.All, new BillingRunOptions(Clock, StartedBy: "тест"));
        report.Failures.ShouldBeEmpty();
    }

    /// <summary>Open accounts with charges this month, in number order.</summary>
    public async Task<string[]> ChargedAccountsAsync(CancellationToken ct)
    {
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT a.number FROM personal_accounts a WHERE a.closed_on IS NULL AND EXISTS (SELECT 1 FROM charge_lines c WHERE c.account_id = a.id)
            ORDER BY a.number
            """, conn);
        var numbers = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) numbers.Add(r.GetString(0));
        return [.. numbers];
    }
}

/// <summary>One online protocol as an agent speaks it, with the result codes it expects.</summary>
public sealed record GatewayProtocol(string Path, string Action, string Check, string Pay, string Account, string Amount, string PaymentId, string Date,
    string DateFormat, string Code, string OurId, int NotFound, int BadAccount, int BadAmount, int TooSmall, int TooLarge, int BadDate, int Closed, int Conflict,
    int UnknownAction)
{
    public static readonly GatewayProtocol Sber = new("/gateway/sber", "ACTION", "check", "payment", "ACCOUNT", "AMOUNT", "PAY_ID", "PAY_DATE",
        "dd.MM.yyyy_HH:mm:ss", "CODE", "EXT_ID", NotFound: 3, BadAccount: 4, BadAmount: 5, TooSmall: 5, TooLarge: 5, BadDate: 6, Closed: 7, Conflict: 8,
        UnknownAction: 2);

    public static readonly GatewayProtocol Osmp = new("/gateway/osmp", "command", "check", "pay", "account", "sum", "txn_id", "txn_date",
        "yyyyMMddHHmmss", "result", "prv_txn", NotFound: 5, BadAccount: 4, BadAmount: 300, TooSmall: 241, TooLarge: 242, BadDate: 300, Closed: 79, Conflict: 7,
        UnknownAction: 300);

    public static GatewayProtocol Named(string name) => name == "sber" ? Sber : Osmp;

    /// <summary>The moment <paramref name="clock"/> shows, written as the protocol writes dates (the region's local time).</summary>
    public string Now(RegionClock clock) => clock.LocalNow.ToString(DateFormat, CultureInfo.InvariantCulture);
}

/// <summary>
/// The online protocols over real HTTP, each test for both Sberbank's and OSMP's: check, payment with allocation, repeat,
/// conflict, refusals by their codes with nothing posted, sign-in (401) and allowed addresses (403), and 50 copies of one
/// payment sent at once.
/// </summary>
public sealed class PaymentGatewayTests(ChargedWebHost host) : IClassFixture<ChargedWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private string Cs => host.ConnectionString;

    private static AuthenticationHeaderValue Basic(string login, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login}:{password}")));

    private async Task<XElement> SendAsync(GatewayProtocol p, Dictionary<string, string> parameters, bool post = false, AuthenticationHeaderValue? auth = null)
    {
        using var request = post
            ? new HttpRequestMessage(HttpMethod.Post, p.Path) { Content = new FormUrlEncodedContent(parameters) }
            : new HttpRequestMessage(HttpMethod.Get, p.Path + "?" + string.Join("&", parameters.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}")));
        request.Headers.Authorization = auth ?? Basic("demo-bank", "demo-bank");
        using var response = await host.Client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        return XDocument.Parse(text).Root!;
    }

    private Task<XElement> PayAsync(GatewayProtocol p, string id, string account, string amount, string? date = null, bool post = false) =>
        SendAsync(p, new() { [p.Action] = p.Pay, [p.PaymentId] = id, [p.Account] = account, [p.Amount] = amount, [p.Date] = date ?? p.Now(host.Clock) }, post);

    private static int Code(GatewayProtocol p, XElement answer) => int.Parse(answer.Element(p.Code)!.Value, CultureInfo.InvariantCulture);

    private Task<long> PaymentsAsync() => Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM payments");

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_check_finds_the_account_with_its_masked_payer_and_debt(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[0];
        decimal debt = await Sql.ScalarAsync<decimal>(Cs, $"""
            SELECT sum(c.amount) FROM charge_lines c JOIN personal_accounts a ON a.id = c.account_id WHERE a.number = '{account}'
            """) - await Sql.ScalarAsync<decimal>(Cs, $"SELECT coalesce(sum(amount), 0) FROM payments WHERE account_number = '{account}'");
        var lastName = await Sql.ScalarAsync<string>(Cs, $"SELECT pp.last_name FROM personal_accounts a JOIN people pp ON pp.id = a.payer_person_id WHERE a.number = '{account}'");

        var answer = await SendAsync(p, new() { [p.Action] = p.Check, [p.Account] = account });
        Code(p, answer).ShouldBe(0);
        var text = answer.ToString();
        text.ShouldContain(lastName[0] + new string('*', lastName.Length - 2) + lastName[^1]);
        text.ShouldNotContain(lastName);
        text.ShouldContain(", кв. ");
        text.ShouldContain(debt.ToString("0.00", CultureInfo.InvariantCulture));
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_payment_is_posted_and_allocated_and_a_repeat_gets_the_original_answer(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[1];
        var id = $"{protocol}-1";
        var first = await PayAsync(p, id, account, "1234.56", post: protocol == "sber");
        Code(p, first).ShouldBe(0, first.ToString());
        long paymentId = long.Parse(first.Element(p.OurId)!.Value, CultureInfo.InvariantCulture);
        (await Sql.ScalarAsync<decimal>(Cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {paymentId}")).ShouldBe(1234.56m);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {paymentId} AND service_month IS NOT NULL")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<string>(Cs, $"""
            SELECT a.login FROM payments p JOIN payment_agent_accesses a ON a.organisation_id = p.agent_id WHERE p.id = {paymentId} AND p.account_number = '{account}'
            """)).ShouldBe("demo-bank");

        var again = await PayAsync(p, id, account, "1234.56");
        Code(p, again).ShouldBe(0);
        again.Element(p.OurId)!.Value.ShouldBe(first.Element(p.OurId)!.Value);
        if (p == GatewayProtocol.Sber) again.Element("REG_DATE")!.Value.ShouldBe(first.Element("REG_DATE")!.Value);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{id}'")).ShouldBe(1);

        var conflict = await PayAsync(p, id, account, "1234.57");
        Code(p, conflict).ShouldBe(p.Conflict);
        (await Sql.ScalarAsync<decimal>(Cs, $"SELECT sum(amount) FROM payments WHERE agent_payment_id = '{id}'")).ShouldBe(1234.56m);
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task Bad_requests_get_their_codes_in_russian_and_post_nothing(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[2];
        long before = await PaymentsAsync();
        var cases = new (string Id, string Account, string Amount, string? Date, int Code, string Message)[]
        {
            ("b1", Core.Accounts.AccountNumber.Create(999_999_999), "100.00", null, p.NotFound, "не найден"),
            ("b2", "12345", "100.00", null, p.BadAccount, "10 цифр"),
            ("b3", account[..9] + (char)('0' + (account[9] - '0' + 1) % 10), "100.00", null, p.BadAccount, "контрольная цифра"),
            ("b4", account, "0", null, p.TooSmall, "больше нуля"),
            ("b5", account, "-10.00", null, p.TooSmall, "больше нуля"),
            ("b6", account, "сто", null, p.BadAmount, "числом"),
            ("b7", account, "10.001", null, p.BadAmount, "копейками"),
            ("b8", account, "1000000.01", null, p.TooLarge, "больше 1"),
            ("b9", account, "100.00", "2026-11-22 10:00", p.BadDate, "дата"),
        };
        foreach (var c in cases)
        {
            var answer = await PayAsync(p, c.Id, c.Account, c.Amount, c.Date ?? p.Now(host.Clock));
            Code(p, answer).ShouldBe(c.Code, answer.ToString());
            answer.ToString().ShouldContain(c.Message, Case.Insensitive);
        }
        var unknown = await SendAsync(p, new() { [p.Action] = "refund", [p.Account] = account });
        Code(p, unknown).ShouldBe(p.UnknownAction);
        (await PaymentsAsync()).ShouldBe(before);
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_closed_account_is_refused_on_check_and_payment(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var accounts = await host.ChargedAccountsAsync(Ct);
        var account = accounts[protocol == "sber" ? ^1 : ^2];
        await Sql.ExecAsync(Cs, $"UPDATE personal_accounts SET closed_on = '{host.Clock.Today:yyyy-MM-dd}' WHERE number = '{account}'");
        try
        {
            Code(p, await SendAsync(p, new() { [p.Action] = p.Check, [p.Account] = account })).ShouldBe(p.Closed);
            var answer = await PayAsync(p, $"{protocol}-closed", account, "10.00");
            Code(p, answer).ShouldBe(p.Closed);
            answer.ToString().ShouldContain("закрыт");
            (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE account_number = '{account}'")).ShouldBe(0);
        }
        finally
        {
            await Sql.ExecAsync(Cs, $"UPDATE personal_accounts SET closed_on = NULL WHERE number = '{account}'");
        }
    }

    [Fact]
    public async Task Wrong_credentials_are_401_and_an_address_not_allowed_is_403()
    {
        var p = GatewayProtocol.Sber;
        var url = $"{p.Path}?ACTION=check&ACCOUNT={(await host.ChargedAccountsAsync(Ct))[0]}";
        foreach (var auth in new AuthenticationHeaderValue?[] { null, Basic("demo-bank", "wrong"), Basic("nobody", "demo-bank"), new("Basic", "!!!not-base64") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = auth;
            using var response = await host.Client.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ShouldContain(h => h.Scheme == "Basic");
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Неверный логин или пароль");
        }

        await using (var db = host.CreateContext())
        {
            db.Actor = "тест";
            long bank = db.Organisations.Where(o => o.Kind == OrganisationKind.Bank).OrderBy(o => o.Id).Select(o => o.Id).First();
            db.PaymentAgentAccesses.Add(new PaymentAgentAccess
            {
                OrganisationId = bank, Login = "far-bank", PasswordHash = PasswordHasher.Hash("far-bank"), AllowedAddresses = "10.0.0.0/8, 2001:db8::/32, 192.168.1.7",
            });
            await db.SaveChangesAsync(Ct);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, url))
        {
            request.Headers.Authorization = Basic("far-bank", "far-bank");
            using var response = await host.Client.SendAsync(request, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("не входит в разрешённые");
        }
    }

    [Fact]
    public void Allowed_addresses_take_single_addresses_and_networks_of_both_families()
    {
        var login = new AgentLogin(1, "x", AgentLogin.ParseNetworks("127.0.0.1, 10.20.0.0/16; ::1 2001:db8::/32, мусор"));
        login.Allows(IPAddress.Parse("127.0.0.1")).ShouldBeTrue();
        login.Allows(IPAddress.Parse("::ffff:127.0.0.1")).ShouldBeTrue();
        login.Allows(IPAddress.Parse("127.0.0.2")).ShouldBeFalse();
        login.Allows(IPAddress.Parse("10.20.255.1")).ShouldBeTrue();
        login.Allows(IPAddress.Parse("10.21.0.1")).ShouldBeFalse();
        login.Allows(IPAddress.Parse("::1")).ShouldBeTrue();
        login.Allows(IPAddress.Parse("2001:db8:1::5")).ShouldBeTrue();
        login.Allows(IPAddress.Parse("2001:db9::5")).ShouldBeFalse();
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task The_same_payment_sent_50_times_at_once_posts_exactly_once(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[3];
        var id = $"{protocol}-same";
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => PayAsync(p, id, account, "777.77"), Ct)));
        answers.ShouldAllBe(a => Code(p, a) == 0);
        answers.Select(a => a.Element(p.OurId)!.Value).Distinct().Count().ShouldBe(1);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{id}'")).ShouldBe(1);
        (await Sql.ScalarAsync<decimal>(Cs, $"""
            SELECT sum(l.amount) FROM payment_allocations l JOIN payments p ON p.id = l.payment_id WHERE p.agent_payment_id = '{id}'
            """)).ShouldBe(777.77m);
    }
}
