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
            SELECT a.number FROM personal_accounts a WHERE a.closed_on IS NULL AND EXISTS (SELECT 1 FROM charge_line_details c WHERE c.account_id = a.id)
            ORDER BY a.number
            """, conn);
        var numbers = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) numbers.Add(r.GetString(0));
        return [.. numbers];
    }
}

/// <summary>One online protocol as an agent speaks it, with the result codes it expects for each outcome.</summary>
public sealed record GatewayProtocol(string Path, string Action, string Check, string Pay, string Account, string Amount, string PaymentId, string Date,
    string DateFormat, string Code, string OurId, int Repeat, int Conflict, int Temporary, int UnknownAction, int NotFound, int BadAccount, int Closed,
    int BadPaymentId, int BadAmount, int TooSmall, int TooLarge, int BadDate, int Internal)
{
    /// <summary>Sberbank's table (exchange.md §1.1): 8 answers any repeat of a PAY_ID with the original payment.</summary>
    public static readonly GatewayProtocol Sber = new("/gateway/sber", "ACTION", "check", "payment", "ACCOUNT", "AMOUNT", "PAY_ID", "PAY_DATE",
        "dd.MM.yyyy_HH:mm:ss", "CODE", "EXT_ID", Repeat: 8, Conflict: 8, Temporary: 1, UnknownAction: 2, NotFound: 3, BadAccount: 4, Closed: 5,
        BadPaymentId: 6, BadAmount: 9, TooSmall: 10, TooLarge: 11, BadDate: 12, Internal: 300);

    /// <summary>OSMP's (exchange.md §1.2): a repeat is an idempotent 0; no codes for a date or an id, so 300.</summary>
    public static readonly GatewayProtocol Osmp = new("/gateway/osmp", "command", "check", "pay", "account", "sum", "txn_id", "txn_date",
        "yyyyMMddHHmmss", "result", "prv_txn", Repeat: 0, Conflict: 7, Temporary: 1, UnknownAction: 300, NotFound: 5, BadAccount: 4, Closed: 79,
        BadPaymentId: 300, BadAmount: 300, TooSmall: 241, TooLarge: 242, BadDate: 300, Internal: 300);

    public static GatewayProtocol Named(string name) => name == "sber" ? Sber : Osmp;

    /// <summary>The moment <paramref name="clock"/> shows, written as the protocol writes dates (the region's local time).</summary>
    public string Now(RegionClock clock) => Written(clock.LocalNow.DateTime);

    /// <summary>A wall-clock time of the region as the protocol writes it.</summary>
    public string Written(DateTime local) => local.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>A payment id of the protocol (digits) for a test's case: the protocol's own range, so that both protocols' tests never share one.</summary>
    public string Id(int n) => ((this == Sber ? 1_000_000 : 2_000_000) + n).ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The online protocols over real HTTP, each test for both Sberbank's and OSMP's: check, payment with allocation, any
/// repeat of an id (Sberbank's 8 with the original payment, OSMP's idempotent 0), refusals code by code with nothing
/// posted, the dates a payment may bear, a failure inside a request answered in the protocol's code, sign-in (401) and
/// allowed addresses (403), 50 copies of one payment sent at once, and a penalty statement over any stored payment date.
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

    /// <summary>A payment; a null date is sent as the region's clock shows now, an empty one is left out.</summary>
    private Task<XElement> PayAsync(GatewayProtocol p, string id, string account, string amount, string? date = null, bool post = false)
    {
        var parameters = new Dictionary<string, string> { [p.Action] = p.Pay, [p.PaymentId] = id, [p.Account] = account, [p.Amount] = amount };
        if (date is not "") parameters[p.Date] = date ?? p.Now(host.Clock);
        return SendAsync(p, parameters, post);
    }

    private static int Code(GatewayProtocol p, XElement answer) => int.Parse(answer.Element(p.Code)!.Value, CultureInfo.InvariantCulture);

    private static string Message(XElement answer) => (answer.Element("MESSAGE") ?? answer.Element("comment"))!.Value;

    private Task<long> PaymentsAsync() => Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM payments");

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_check_finds_the_account_with_its_masked_payer_and_debt(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[0];
        decimal debt = await Sql.ScalarAsync<decimal>(Cs, $"""
            SELECT sum(c.amount) FROM charge_line_details c JOIN personal_accounts a ON a.id = c.account_id WHERE a.number = '{account}'
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
    public async Task A_check_and_a_payment_by_an_earlier_systems_number_or_the_els_land_on_the_account(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var accounts = await host.ChargedAccountsAsync(Ct);
        string account = accounts[protocol == "sber" ? 11 : 12];
        // The second has the form of the centre's numbers (10 digits, a right check digit) but is no account's.
        string old = protocol == "sber" ? "77-001234" : Core.Accounts.AccountNumber.Create(555_000_001);
        string els = protocol == "sber" ? "75ДА533315" : "75ДА533316";
        long id = await Sql.ScalarAsync<long>(Cs, $"SELECT id FROM personal_accounts WHERE number = '{account}'");
        await using (var db = host.CreateContext())
        {
            db.Actor = "тест";
            db.Reason = "Импорт из прежней системы";
            db.AccountAliases.AddRange(
                new Core.Accounts.AccountAlias { AccountId = id, Kind = Core.Accounts.AliasKind.Legacy, Number = old, Source = "Квадо" },
                new Core.Accounts.AccountAlias { AccountId = id, Kind = Core.Accounts.AliasKind.Unified, Number = els.ToLowerInvariant(), Source = "ГИС ЖКХ" });
            await db.SaveChangesAsync(Ct);
        }

        Code(p, await SendAsync(p, new() { [p.Action] = p.Check, [p.Account] = old })).ShouldBe(0);
        Code(p, await SendAsync(p, new() { [p.Action] = p.Check, [p.Account] = els })).ShouldBe(0);
        foreach (var (n, number) in new[] { (40, old), (41, els) })
        {
            var paid = await PayAsync(p, p.Id(n), number, "100.00");
            Code(p, paid).ShouldBe(0, paid.ToString());
            long payment = long.Parse(paid.Element(p.OurId)!.Value, CultureInfo.InvariantCulture);
            (await Sql.ScalarAsync<string>(Cs, $"SELECT a.number FROM payments x JOIN personal_accounts a ON a.id = x.account_id WHERE x.id = {payment}"))
                .ShouldBe(account);
        }
        // A number nobody has stays refused as before.
        Code(p, await SendAsync(p, new() { [p.Action] = p.Check, [p.Account] = "77-009999" })).ShouldBe(p.BadAccount);
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_payment_is_posted_and_allocated_and_any_repeat_of_its_id_gets_the_original_payment(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var accounts = await host.ChargedAccountsAsync(Ct);
        var (account, other) = (accounts[1], accounts[7]);
        var id = p.Id(1);
        var first = await PayAsync(p, id, account, "1234.56", post: protocol == "sber");
        Code(p, first).ShouldBe(0, first.ToString());
        long paymentId = long.Parse(first.Element(p.OurId)!.Value, CultureInfo.InvariantCulture);
        (await Sql.ScalarAsync<decimal>(Cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {paymentId}")).ShouldBe(1234.56m);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payment_allocations WHERE payment_id = {paymentId} AND service_month IS NOT NULL")).ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<string>(Cs, $"""
            SELECT a.login FROM payment_agent_accesses a JOIN payments p ON a.organisation_id = p.agent_id WHERE p.id = {paymentId} AND p.account_number = '{account}'
            """)).ShouldBe("demo-bank");

        // The repeats come five minutes later: a REG_DATE of now would differ from the original's.
        var time = (FixedClock)host.Clock.Time;
        var registered = time.Now;
        time.Now = registered.AddMinutes(5);
        try
        {
            var again = await PayAsync(p, id, account, "1234.56");
            var otherAmount = await PayAsync(p, id, account, "1234.57");
            var otherAccount = await PayAsync(p, id, other, "1234.56");
            Code(p, again).ShouldBe(p.Repeat, again.ToString());
            Message(again).ShouldBe($"Платёж с номером {id} уже принят");
            Code(p, otherAmount).ShouldBe(p.Conflict, otherAmount.ToString());
            Code(p, otherAccount).ShouldBe(p.Conflict, otherAccount.ToString());
            foreach (var conflict in new[] { otherAmount, otherAccount })
                Message(conflict).ShouldBe($"Платёж с номером {id} уже принят на другой счёт или сумму: ЛС {account}, 1234.56 ₽");
            if (p == GatewayProtocol.Sber)
                // Code 8, whatever the content: the original payment's EXT_ID, AMOUNT and REG_DATE (exchange.md §1.1).
                foreach (var repeat in new[] { again, otherAmount, otherAccount })
                {
                    repeat.Element("EXT_ID")!.Value.ShouldBe(first.Element("EXT_ID")!.Value);
                    repeat.Element("AMOUNT")!.Value.ShouldBe("1234.56");
                    repeat.Element("REG_DATE")!.Value.ShouldBe(first.Element("REG_DATE")!.Value);
                    repeat.Element("REG_DATE")!.Value.ShouldBe(host.Clock.Local(registered).ToString(p.DateFormat, CultureInfo.InvariantCulture));
                }
            else
            {
                // §1.2: an idempotent replay with the first prv_txn; a conflict is a refusal and names no payment of ours.
                again.Element("prv_txn")!.Value.ShouldBe(first.Element("prv_txn")!.Value);
                again.Element("sum")!.Value.ShouldBe("1234.56");
                otherAmount.Element("prv_txn").ShouldBeNull();
            }
        }
        finally
        {
            time.Now = registered;
        }
        (await Sql.ScalarAsync<string>(Cs, $"SELECT string_agg(account_number || ' ' || amount, ',') FROM payments WHERE agent_payment_id = '{id}'"))
            .ShouldBe($"{account} 1234.56");
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task Bad_requests_get_their_codes_code_by_code_in_russian_and_post_nothing(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[2];
        long before = await PaymentsAsync();
        string unknown = Core.Accounts.AccountNumber.Create(999_999_999), badCheckDigit = account[..9] + (char)('0' + (account[9] - '0' + 1) % 10);
        var cases = new (string Id, string Account, string Amount, string? Date, int Code, string Message)[]
        {
            (p.Id(101), unknown, "100.00", null, p.NotFound, $"Лицевой счёт {unknown} не найден"),
            (p.Id(102), "12345", "100.00", null, p.BadAccount, "10 цифр"),
            (p.Id(103), badCheckDigit, "100.00", null, p.BadAccount, "контрольная цифра"),
            ("", account, "100.00", null, p.BadPaymentId, "Не указан номер платежа"),
            ("b1", account, "100.00", null, p.BadPaymentId, "Неверный номер платежа «b1»: нужно от 1 до 20 цифр"),
            ("123456789012345678901", account, "100.00", null, p.BadPaymentId, "нужно от 1 до 20 цифр"),
            (p.Id(104), account, "сто", null, p.BadAmount, "числом"),
            (p.Id(105), account, "10.001", null, p.BadAmount, "копейками"),
            (p.Id(106), account, "", null, p.BadAmount, "Не указана сумма"),
            (p.Id(107), account, "0", null, p.TooSmall, "больше нуля"),
            (p.Id(108), account, "-10.00", null, p.TooSmall, "больше нуля"),
            (p.Id(109), account, "1000000.01", null, p.TooLarge, "больше 1"),
            (p.Id(110), account, "100.00", "2026-11-22 10:00", p.BadDate, "Неверная дата платежа «2026-11-22 10:00»: нужна"),
            (p.Id(111), account, "100.00", "", p.BadDate, "Не указана дата платежа"),
        };
        foreach (var c in cases)
        {
            var answer = await PayAsync(p, c.Id, c.Account, c.Amount, c.Date);
            Code(p, answer).ShouldBe(c.Code, answer.ToString());
            Message(answer).ShouldContain(c.Message, Case.Insensitive);
        }
        var unknownAction = await SendAsync(p, new() { [p.Action] = "refund", [p.Account] = account });
        Code(p, unknownAction).ShouldBe(p.UnknownAction);
        Message(unknownAction).ShouldBe("Неизвестный тип запроса: «refund»");
        (await PaymentsAsync()).ShouldBe(before);
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_payment_dated_ahead_too_far_back_or_before_its_account_was_opened_is_refused_with_the_date_code(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[4];
        long before = await PaymentsAsync();
        var now = host.Clock.LocalNow.DateTime; // 20.11.2026 12:00:00 in Moscow
        var cases = new (DateTime Date, string Message)[]
        {
            (new DateTime(2015, 6, 1, 10, 0, 0), "Дата платежа 01.06.2015 слишком давняя: принимаются платежи не старше 45 дн., с 06.10.2026"),
            (new DateTime(2026, 10, 5, 23, 59, 59), "Дата платежа 05.10.2026 слишком давняя"),
            (DateTime.MinValue, "Дата платежа 01.01.0001 слишком давняя"),
            (now.AddMinutes(11), "Дата платежа 20.11.2026 12:11:00 в будущем: сейчас 20.11.2026 12:00:00, опережение допускается не больше чем на 10 мин"),
            (new DateTime(9999, 12, 31, 23, 59, 59), "Дата платежа 31.12.9999 23:59:59 в будущем"),
        };
        for (int i = 0; i < cases.Length; i++)
        {
            var answer = await PayAsync(p, p.Id(200 + i), account, "100.00", p.Written(cases[i].Date));
            Code(p, answer).ShouldBe(p.BadDate, answer.ToString());
            Message(answer).ShouldStartWith(cases[i].Message);
        }

        // Nobody pays for an account before it is opened: the date or the account is wrong.
        var opened = await Sql.ScalarAsync<string>(Cs, $"SELECT opened_on::text FROM personal_accounts WHERE number = '{account}'");
        try
        {
            await Sql.ExecAsync(Cs, $"UPDATE personal_accounts SET opened_on = '2026-11-01' WHERE number = '{account}'");
            var early = await PayAsync(p, p.Id(210), account, "100.00", p.Written(new DateTime(2026, 10, 31, 23, 0, 0)));
            Code(p, early).ShouldBe(p.BadDate, early.ToString());
            Message(early).ShouldBe($"Дата платежа 31.10.2026 раньше открытия лицевого счёта {account} (01.11.2026)");
            (await PaymentsAsync()).ShouldBe(before);

            // The edges are taken: the opening day, 10 minutes ahead, and (opened earlier) 45 days back.
            Code(p, await PayAsync(p, p.Id(211), account, "10.00", p.Written(new DateTime(2026, 11, 1)))).ShouldBe(0);
            Code(p, await PayAsync(p, p.Id(212), account, "10.00", p.Written(now.AddMinutes(10)))).ShouldBe(0);
            await Sql.ExecAsync(Cs, $"UPDATE personal_accounts SET opened_on = '2026-01-01' WHERE number = '{account}'");
            Code(p, await PayAsync(p, p.Id(213), account, "10.00", p.Written(new DateTime(2026, 10, 6)))).ShouldBe(0);
        }
        finally
        {
            await Sql.ExecAsync(Cs, $"UPDATE personal_accounts SET opened_on = '{opened}' WHERE number = '{account}'");
        }
        (await PaymentsAsync()).ShouldBe(before + 3);
    }

    [Theory, InlineData("sber"), InlineData("osmp")]
    public async Task A_failure_inside_a_request_is_answered_in_the_protocols_own_code_and_a_later_repeat_posts_once(string protocol)
    {
        var p = GatewayProtocol.Named(protocol);
        var account = (await host.ChargedAccountsAsync(Ct))[5];
        string transient = p.Id(301), broken = p.Id(302);
        // The database fails these two payments: one as a serialization failure (it passes), the other as an error of ours.
        await Sql.ExecAsync(Cs, $"""
            CREATE FUNCTION fail_{protocol}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.agent_payment_id = '{transient}' THEN RAISE EXCEPTION 'test: serialization' USING ERRCODE = '40001'; END IF;
                RAISE EXCEPTION 'test: broken';
            END $$;
            CREATE TRIGGER fail_{protocol} BEFORE INSERT ON payments FOR EACH ROW
                WHEN (NEW.agent_payment_id IN ('{transient}', '{broken}')) EXECUTE FUNCTION fail_{protocol}();
            """);
        try
        {
            var temporary = await PayAsync(p, transient, account, "100.00");
            Code(p, temporary).ShouldBe(p.Temporary, temporary.ToString());
            Message(temporary).ShouldBe("Временная ошибка, повторите запрос позже");
            var failed = await PayAsync(p, broken, account, "100.00");
            Code(p, failed).ShouldBe(p.Internal, failed.ToString());
            Message(failed).ShouldBe("Внутренняя ошибка расчётного центра: запрос не выполнен");
        }
        finally
        {
            await Sql.ExecAsync(Cs, $"DROP TRIGGER fail_{protocol} ON payments; DROP FUNCTION fail_{protocol}();");
        }
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE agent_payment_id IN ('{transient}', '{broken}')")).ShouldBe(0);
        Code(p, await PayAsync(p, transient, account, "100.00")).ShouldBe(0);
        Code(p, await PayAsync(p, transient, account, "100.00")).ShouldBe(p.Repeat);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{transient}'")).ShouldBe(1);
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
            var answer = await PayAsync(p, p.Id(400), account, "10.00");
            Code(p, answer).ShouldBe(p.Closed);
            Message(answer).ShouldBe($"Лицевой счёт {account} закрыт: платежи не принимаются");
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
        var id = p.Id(500);
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => PayAsync(p, id, account, "777.77"), Ct)));
        // One posts it (0); the others are repeats: Sberbank's 8, OSMP's 0 — each with the one payment.
        answers.Count(a => Code(p, a) == 0).ShouldBe(p.Repeat == 0 ? 50 : 1);
        answers.Count(a => Code(p, a) == p.Repeat).ShouldBe(p.Repeat == 0 ? 50 : 49);
        answers.Select(a => a.Element(p.OurId)!.Value).Distinct().Count().ShouldBe(1);
        (await Sql.ScalarAsync<long>(Cs, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{id}'")).ShouldBe(1);
        (await Sql.ScalarAsync<decimal>(Cs, $"""
            SELECT sum(l.amount) FROM payment_allocations l JOIN payments p ON p.id = l.payment_id WHERE p.agent_payment_id = '{id}'
            """)).ShouldBe(777.77m);
    }

    [Fact]
    public async Task A_penalty_statement_never_fails_on_a_stored_payment_dated_long_ago()
    {
        // Two payments stored as an older gateway took them — one dated 01.06.2015 (before the key-rate table starts),
        // one 01.01.0001 — then the account's statement: it was a 500 ("no key rate on 01.06.2015").
        var p = GatewayProtocol.Sber;
        var account = (await host.ChargedAccountsAsync(Ct))[6];
        long accountId = await Sql.ScalarAsync<long>(Cs, $"SELECT id FROM personal_accounts WHERE number = '{account}'");
        foreach (var (n, day) in new[] { (600, "2015-06-01"), (601, "0001-01-01") })
        {
            Code(p, await PayAsync(p, p.Id(n), account, "100.00")).ShouldBe(0);
            await Sql.ExecAsync(Cs, $"""
                UPDATE payments SET paid_at = '{day} 10:00:00+03' WHERE agent_payment_id = '{p.Id(n)}';
                UPDATE payment_allocation_sets SET paid_on = '{day}' WHERE payment_id = (SELECT id FROM payments WHERE agent_payment_id = '{p.Id(n)}');
                """);
        }
        foreach (var on in new[] { "", "?on=2026-11-20", "?on=2030-01-01", "?on=2000-01-01", "?on=2099-12-31" })
        {
            using var response = await host.Client.GetAsync($"/api/v1/accounts/{accountId}/penalties{on}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, on + ": " + await response.Content.ReadAsStringAsync(Ct));
        }
        var statement = await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/accounts/{accountId}/penalties?on=2030-01-01", Ct), HttpStatusCode.OK);
        statement.GetProperty("chunks").EnumerateArray().SelectMany(c => c.GetProperty("payments").EnumerateArray())
            .Select(x => x.GetProperty("date").GetString()).ShouldContain("2015-06-01");
        foreach (var on in new[] { "0001-01-01", "9999-12-31" })
        {
            var refused = await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/accounts/{accountId}/penalties?on={on}", Ct), HttpStatusCode.BadRequest);
            refused.GetProperty("errors").GetProperty("on")[0].GetString().ShouldBe($"Дата расчёта должна быть в месяцах 2000-01 — 2099-12: «{on}»");
        }
    }
}
