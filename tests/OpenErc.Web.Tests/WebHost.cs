using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Storage;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The real web host (Kestrel on a free loopback port) over a fresh database of the test run's cluster.
/// Tests talk to it over HTTP, exactly as a client or a browser does.
/// </summary>
public class WebHost(PostgresCluster cluster) : IAsyncLifetime
{
    private WebApplication _app = null!;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    /// <summary>Where the host's letters go (a pickup folder of .eml files).</summary>
    public string MailDirectory { get; } = Path.Combine(Path.GetTempPath(), "openerc-mail-" + Guid.NewGuid().ToString("N"));

    /// <summary>Where the host's bulk prints of ЕПД go.</summary>
    public string PrintDirectory { get; } = Path.Combine(Path.GetTempPath(), "openerc-prints-" + Guid.NewGuid().ToString("N"));

    /// <summary>Accounts of the demo region to generate at start; 0 for an empty registry.</summary>
    protected virtual int DemoAccounts => 0;

    /// <summary>
    /// The host's day: its region clock stands at noon of it, so the host opens this month as the centre's billing
    /// month; a test that needs a later day moves <see cref="Clock"/> (<see cref="TestClock.MoveTo"/>).
    /// </summary>
    public virtual DateOnly Today => new(2026, 11, 20);

    /// <summary>Settings of this host over the test defaults.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    /// <summary>The host's region clock, the only business time the host reads.</summary>
    public RegionClock Clock => _clock ??= TestClock.On(Today);
    private RegionClock? _clock;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await cluster.CreateDatabaseAsync("web");
        _app = await OpenErcWebHost.CreateAsync([], b =>
        {
            b.Services.AddSingleton(Clock);
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:OpenErc"] = ConnectionString,
                ["OpenErc:DemoAccounts"] = DemoAccounts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // The registry alone, the host's month open and not charged; the demo's year of life has tests of its own.
                ["OpenErc:DemoMonths"] = "0",
                // A test's database is a configured one: the demo region and the test acquirer are asked for by name.
                ["OpenErc:Demo"] = "true",
                ["OpenErc:Acquiring:Fake"] = "true",
                ["Urls"] = "http://127.0.0.1:0",
                ["OpenErc:Mail:PickupDirectory"] = MailDirectory,
                ["OpenErc:Receipts:PrintDirectory"] = PrintDirectory,
                // Readings are accepted on any day of a test run; the window itself is tested with its own settings.
                ["OpenErc:Cabinet:Readings:WindowFromDay"] = "1",
                ["OpenErc:Cabinet:Readings:WindowToDay"] = "31",
                // A test run signs in hundreds of times from one address; the limits themselves are tested with their own settings.
                ["OpenErc:RateLimits:SignInPerMinute"] = "100000",
                ["OpenErc:RateLimits:CalculatorsPerMinute"] = "100000",
                ["OpenErc:RateLimits:GatewayFailuresPerMinute"] = "100000",
            });
            b.Configuration.AddInMemoryCollection(Settings);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        AdminLogin = await CreateUserAsync(Roles.Administrator);
        (Client, _adminCookies) = await SignedInAsync(AdminLogin);
    }

    private CookieContainer _adminCookies = null!;

    /// <summary>The administrator <see cref="Client"/> and the browser pages are signed in as.</summary>
    public string AdminLogin { get; private set; } = "";
    private int _users;

    public const string Password = "test-password";

    /// <summary>A new user with <paramref name="role"/> (of <paramref name="group"/> when given); its login is returned.</summary>
    public async Task<string> CreateUserAsync(string role, long? group = null)
    {
        var login = $"{role}-{Interlocked.Increment(ref _users)}";
        await using var scope = _app.Services.CreateAsyncScope();
        var (user, result) = await scope.ServiceProvider.GetRequiredService<UserAdmin>()
            .CreateAsync(new StaffUserRequest(login, "Тестовый пользователь " + login, Password, [role], group), "тест");
        user.ShouldNotBeNull(string.Join("; ", result.Errors.Select(e => e.Description)));
        return login;
    }

    /// <summary>A client signed in as a new user with <paramref name="role"/>, over the real sign-in endpoint.</summary>
    public async Task<HttpClient> ClientAsync(string role, long? group = null) => (await SignedInAsync(await CreateUserAsync(role, group))).Client;

    /// <summary>A client signed in as <paramref name="login"/>, with its cookies.</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies)> SignedInAsync(string login, string password = Password)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = BaseAddress };
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password }, Json);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (client, cookies);
    }

    /// <summary>A citizen whose cabinet holds <paramref name="accounts"/> (linked directly, as a registration by code would), signed in.</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies, string Login)> CitizenAsync(params long[] accounts)
    {
        var login = $"citizen{Interlocked.Increment(ref _users)}@example.ru";
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<User>>();
        var user = new User { UserName = login, Email = login, FullName = "Гражданин", CreatedAt = Clock.Now };
        (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        (await users.AddToRoleAsync(user, Roles.Citizen)).Succeeded.ShouldBeTrue();
        foreach (var account in accounts)
            await Sql.ExecAsync(ConnectionString, $"INSERT INTO cabinet_accounts (user_id, account_id) VALUES ({user.Id}, {account})");
        var (client, cookies) = await SignedInAsync(login);
        return (client, cookies, login);
    }

    /// <summary>
    /// The account with a payer at <paramref name="offset"/> (by id), its cabinet registration code (made as issuing a
    /// receipt makes it) and the payer's surname: registration and adding an account ask for all three.
    /// </summary>
    public async Task<(long Id, string Number, string Code, string Surname)> AccountWithCodeAsync(int offset)
    {
        long id = await ScalarAsync<long>($"SELECT id FROM personal_accounts WHERE payer_person_id IS NOT NULL ORDER BY id OFFSET {offset} LIMIT 1");
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        var code = (await OpenErc.Operations.Security.CabinetCodes.EnsureAsync(conn, [id]))[id];
        return (id, await ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {id}"), code,
            await ScalarAsync<string>($"SELECT p.last_name FROM personal_accounts a JOIN people p ON p.id = a.payer_person_id WHERE a.id = {id}"));
    }

    /// <summary>An anonymous client.</summary>
    public HttpClient AnonymousClient() => new() { BaseAddress = BaseAddress };

    public Task<T> ScalarAsync<T>(string sql) => Sql.ScalarAsync<T>(ConnectionString, sql);

    public OpenErcDbContext CreateContext() => new(OpenErcDatabase.Options(ConnectionString), Clock);

    /// <summary>
    /// A Russian-locale page of <paramref name="browser"/> on this host, waiting up to <paramref name="timeoutMs"/> for anything,
    /// signed in as the administrator unless <paramref name="cookies"/> say otherwise (an empty container: nobody); a phone's
    /// screen when <paramref name="phone"/> (<paramref name="phoneWidth"/> CSS pixels wide).
    /// </summary>
    public async Task<IPage> NewPageAsync(IBrowser browser, float timeoutMs = 30_000, CookieContainer? cookies = null, bool phone = false, int phoneWidth = 390)
    {
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = BaseAddress.ToString(), Locale = "ru-RU",
            ViewportSize = phone ? new ViewportSize { Width = phoneWidth, Height = phoneWidth == 390 ? 844 : 800 } : null, IsMobile = phone, HasTouch = phone,
        });
        var signedIn = (cookies ?? _adminCookies).GetAllCookies()
            .Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Url = BaseAddress.ToString() }).ToList();
        if (signedIn.Count > 0) await context.AddCookiesAsync(signedIn);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(timeoutMs);
        return page;
    }

    /// <summary>
    /// Clicks a dialog's save button and waits for the dialog to close; when it stays open, the failure says what the dialog
    /// shows (a field's error, a message) instead of only that a later assertion timed out.
    /// </summary>
    public static async Task SaveDialogAsync(IPage page, string saveTestId)
    {
        var save = page.GetByTestId(saveTestId);
        await save.ClickAsync();
        try
        {
            await Assertions.Expect(save).ToHaveCountAsync(0);
        }
        catch (PlaywrightException e)
        {
            var dialog = page.Locator(".mud-dialog");
            string text = await dialog.CountAsync() > 0 ? await dialog.First.InnerTextAsync() : "(no dialog)";
            throw new InvalidOperationException($"The dialog stayed open after «{saveTestId}»; it shows: {text}", e);
        }
    }

    /// <summary>
    /// Opens a tab of a page that may still be prerendered: a click before the page's Blazor circuit is connected is
    /// lost, so the tab is clicked again until it is selected.
    /// </summary>
    public static async Task OpenTabAsync(IPage page, string name)
    {
        var tab = page.GetByRole(AriaRole.Tab, new() { Name = name });
        for (int attempt = 1; ; attempt++)
        {
            await tab.ClickAsync();
            try
            {
                await Assertions.Expect(tab).ToHaveAttributeAsync("aria-selected", "true", new() { Timeout = 2_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 15)
            {
            }
        }
    }

    public async Task<T> PostAsync<T>(string path, object body)
    {
        var response = await Client.PostAsJsonAsync(path, body, Json);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    /// <summary>The response's JSON (none of an empty body), after checking its status (the body is in the message when it differs).</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(expected, text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Charges the open month (a second call posts nothing) and returns the first charged account.</summary>
    public async Task<(long Id, string Number)> ChargedAccountAsync()
    {
        var month = (await BillingPeriods.OpenMonthAsync(ConnectionString, TestContext.Current.CancellationToken))!.Value;
        (await BillingRun.RunAsync(ConnectionString, month, BillingScope.All, new BillingRunOptions(Clock), ct: TestContext.Current.CancellationToken)).Failures.ShouldBeEmpty();
        long id = await Sql.ScalarAsync<long>(ConnectionString, "SELECT min(account_id) FROM charge_line_details");
        return (id, await Sql.ScalarAsync<string>(ConnectionString, $"SELECT number FROM personal_accounts WHERE id = {id}"));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var folder in new[] { MailDirectory, PrintDirectory })
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
