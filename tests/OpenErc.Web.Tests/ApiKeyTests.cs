using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OpenErc.Core.Housing;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// Machine clients over real HTTP: a service account's API key in <c>X-Api-Key</c> acts with its roles and access group
/// exactly as a person would, a revoked or unknown key is 401, the key is kept only as its hash, the OpenAPI document
/// declares the header, and the administrator makes and revokes keys on the API and on the screen, journaled.
/// </summary>
public sealed class ApiKeyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A service account made by the administrator over the API: its id and its key (told only in this answer).</summary>
    internal static async Task<(long Id, string Key)> CreateKeyAsync(WebHost host, string name, string role, long? group = null)
    {
        var created = await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/service-accounts",
            new { name, roles = new[] { role }, accessGroupId = group }, Ct), HttpStatusCode.Created);
        return (created.GetProperty("account").GetProperty("id").GetInt64(), created.GetProperty("key").GetString()!);
    }

    /// <summary>A client that signs every request with <paramref name="key"/> and carries no cookie of anyone.</summary>
    internal static HttpClient KeyClient(WebHost host, string key)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        return client;
    }

    /// <summary>A client with the key of a new service account of <paramref name="role"/> (and <paramref name="group"/>).</summary>
    internal static async Task<HttpClient> KeyClientAsync(WebHost host, string name, string role, long? group) =>
        KeyClient(host, (await CreateKeyAsync(host, name, role, group)).Key);

    private Task<(long Id, string Key)> CreateKeyAsync(string name, string role, long? group = null) => CreateKeyAsync(host, name, role, group);

    private HttpClient KeyClient(string key) => KeyClient(host, key);

    private Task<long> AccountOfAsync(long building) => host.ScalarAsync<long>(
        $"SELECT min(a.id) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {building}");

    private static async Task ShouldBeRefusedKeyAsync(HttpResponseMessage response)
    {
        var problem = await WebHost.JsonAsync(response, HttpStatusCode.Unauthorized);
        problem.GetProperty("title").GetString().ShouldBe("Ключ API не принят");
        problem.GetProperty("detail").GetString()!.ShouldContain("не найден или отозван");
    }

    [Fact]
    public async Task A_management_companys_key_reads_its_buildings_accounts_and_is_refused_another_companys()
    {
        var (group, buildingA, buildingB) = await AccessTests.TwoCompaniesAsync(host);
        var (_, key) = await CreateKeyAsync("Система УК А", Roles.ManagementCompany, group);
        using var client = KeyClient(key);
        long accountA = await AccountOfAsync(buildingA), accountB = await AccountOfAsync(buildingB);

        (await client.GetAsync($"/api/v1/accounts/{accountA}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync($"/api/v1/accounts/{accountA}/charges", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await WebHost.JsonAsync(await client.GetAsync($"/api/v1/accounts/{accountB}", Ct), HttpStatusCode.Forbidden);
        refused.GetProperty("detail").GetString()!.ShouldContain("не относится к вашим домам");
        (await client.GetAsync($"/api/v1/buildings/{buildingB}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var list = await WebHost.JsonAsync(await client.GetAsync("/api/v1/accounts?pageSize=200", Ct), HttpStatusCode.OK);
        list.GetProperty("total").GetInt32().ShouldBe(await host.ScalarAsync<int>(
            $"SELECT count(*)::int FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingA}"));

        // It is who it says, with the company's role and group; and, like the company's people, it changes nothing.
        var me = await WebHost.JsonAsync(await client.GetAsync("/api/v1/auth/me", Ct), HttpStatusCode.OK);
        me.GetProperty("login").GetString().ShouldBe("api:Система УК А");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.ManagementCompany]);
        me.GetProperty("accessGroupId").GetInt64().ShouldBe(group);
        var denied = await WebHost.JsonAsync(await client.PostAsJsonAsync($"/api/v1/accounts/{accountA}/resident-count",
            new { count = 3, from = "2026-01-01" }, Ct), HttpStatusCode.Forbidden);
        denied.GetProperty("title").GetString().ShouldBe("Нет доступа");
    }

    [Fact]
    public async Task A_suppliers_key_gets_the_same_supplier_summary_as_the_suppliers_people_and_nothing_of_the_registry()
    {
        long group = await AccessTests.GroupAsync(host, AccessGroupKind.Supplier);
        var (_, key) = await CreateKeyAsync("Биллинг поставщика", Roles.Supplier, group);
        using var client = KeyClient(key);
        using var person = await host.ClientAsync(Roles.Supplier, group);

        var byKey = await WebHost.JsonAsync(await client.GetAsync("/api/v1/supplier/summary?month=2026-11", Ct), HttpStatusCode.OK);
        var byPerson = await WebHost.JsonAsync(await person.GetAsync("/api/v1/supplier/summary?month=2026-11", Ct), HttpStatusCode.OK);
        byKey.GetRawText().ShouldBe(byPerson.GetRawText());
        (await client.GetAsync("/api/v1/supplier/export/charges.csv?month=2026-11", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/v1/accounts?search=1", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_the_making_and_the_revoking_are_journaled()
    {
        var (id, key) = await CreateKeyAsync("Скрипт выгрузки", Roles.Calculator);
        using var client = KeyClient(key);
        (await client.GetAsync("/api/v1/tariffs", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoked = await WebHost.JsonAsync(await host.Client.PostAsync($"/api/v1/service-accounts/{id}/revoke", null, Ct), HttpStatusCode.OK);
        revoked.GetProperty("revokedBy").GetString().ShouldBe(host.AdminLogin);
        revoked.GetProperty("revokedAt").GetDateTimeOffset().ShouldBe(host.Clock.Now);
        await ShouldBeRefusedKeyAsync(await client.GetAsync("/api/v1/tariffs", Ct));
        // Revoking again changes nothing and journals nothing.
        (await host.Client.PostAsync($"/api/v1/service-accounts/{id}/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.Client.PostAsync("/api/v1/service-accounts/999999/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = await host.ScalarAsync<string>(
            "SELECT string_agg(event || '/' || actor || '/' || success, ' ' ORDER BY id) FROM auth_events WHERE login = 'api:Скрипт выгрузки'");
        events.ShouldBe($"{AuthEvent.ServiceAccountCreated}/{host.AdminLogin}/true {AuthEvent.ServiceAccountRevoked}/{host.AdminLogin}/true");
        (await host.ScalarAsync<string>("SELECT details FROM auth_events WHERE login = 'api:Скрипт выгрузки' AND event = 'service-account-created'"))
            .ShouldBe($"роли: Расчётчик; группа: нет; ключ {key[..13]}…");

        // The name is free again: rotating a key is a new account under the same name.
        var (_, second) = await CreateKeyAsync("Скрипт выгрузки", Roles.Calculator);
        second.ShouldNotBe(key);
    }

    [Theory]
    [InlineData("oerc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task An_unknown_or_malformed_key_is_401_in_Russian(string key)
    {
        using var client = KeyClient(key);
        await ShouldBeRefusedKeyAsync(await client.GetAsync("/api/v1/tariffs", Ct));
        await ShouldBeRefusedKeyAsync(await client.PostAsJsonAsync("/api/v1/announcements", new { text = "Отключение воды" }, Ct));
        // What is open to anyone stays open.
        (await client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_key_is_kept_only_as_its_SHA256_with_its_first_characters()
    {
        var (id, key) = await CreateKeyAsync("Проверка хранения", Roles.Dispatcher);
        key.Length.ShouldBe(ServiceAccounts.KeyLength);
        key.ShouldStartWith(ServiceAccounts.KeyStart);
        // No column of the account (nor of the journal) holds the key, in any form that contains it.
        (await host.ScalarAsync<long>($"SELECT count(*) FROM service_accounts s WHERE strpos(s::text, '{key}') > 0")).ShouldBe(0);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events e WHERE strpos(e::text, '{key}') > 0")).ShouldBe(0);
        (await host.ScalarAsync<bool>($"SELECT key_hash = sha256(convert_to('{key}', 'UTF8')) FROM service_accounts WHERE id = {id}")).ShouldBeTrue();
        (await host.ScalarAsync<string>($"SELECT key_prefix FROM service_accounts WHERE id = {id}")).ShouldBe(key[..13]);
        // The list and the account show the prefix, never the key.
        var list = await host.Client.GetStringAsync("/api/v1/service-accounts", Ct);
        list.ShouldContain(key[..13]);
        list.ShouldNotContain(key);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_key_header_and_the_cookie_and_asks_for_them_where_a_sign_in_is_needed()
    {
        var doc = await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        var key = schemes.GetProperty("ApiKey");
        key.GetProperty("type").GetString().ShouldBe("apiKey");
        key.GetProperty("in").GetString().ShouldBe("header");
        key.GetProperty("name").GetString().ShouldBe("X-Api-Key");
        schemes.GetProperty("Cookie").GetProperty("in").GetString().ShouldBe("cookie");

        static string[] Security(JsonElement operation) => operation.TryGetProperty("security", out var s)
            ? s.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray() : [];
        var paths = doc.GetProperty("paths");
        Security(paths.GetProperty("/api/v1/service-accounts").GetProperty("post")).ShouldBe(["ApiKey", "Cookie"]);
        Security(paths.GetProperty("/api/v1/supplier/summary").GetProperty("get")).ShouldBe(["ApiKey", "Cookie"]);
        Security(paths.GetProperty("/health").GetProperty("get")).ShouldBeEmpty();
        Security(paths.GetProperty("/api/v1/auth/login").GetProperty("post")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_key_posts_a_change_of_its_role_without_any_Origin_header_stamped_with_its_name_and_its_last_use_is_kept_by_the_minute()
    {
        var (id, key) = await CreateKeyAsync("Портал УК", Roles.AccountManager);
        (await host.ScalarAsync<bool>($"SELECT last_used_at IS NULL FROM service_accounts WHERE id = {id}")).ShouldBeTrue();
        using var client = KeyClient(key);

        // A script is no browser: no Origin, no Sec-Fetch-Site, no cookie — and the change is made.
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/announcements")
        {
            Content = JsonContent.Create(new { text = "Плановое отключение горячей воды", validFrom = "2026-11-20" }),
        };
        post.Headers.Contains("Origin").ShouldBeFalse();
        var created = await WebHost.JsonAsync(await client.SendAsync(post, Ct), HttpStatusCode.Created);
        (await host.ScalarAsync<string>($"SELECT created_by FROM announcements WHERE id = {created.GetProperty("id").GetInt64()}"))
            .ShouldBe("api:Портал УК");

        // The first use is stamped; within a minute the stamp stays, after it moves.
        Task<DateTime> LastUseAsync() => host.ScalarAsync<DateTime>($"SELECT last_used_at FROM service_accounts WHERE id = {id}");
        var first = host.Clock.Now;
        (await LastUseAsync()).ShouldBe(first.UtcDateTime);
        var time = (FixedClock)host.Clock.Time;
        try
        {
            time.Now = first.AddSeconds(59);
            (await client.GetAsync("/api/v1/announcements", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await LastUseAsync()).ShouldBe(first.UtcDateTime);
            time.Now = first.AddSeconds(61);
            (await client.GetAsync("/api/v1/announcements", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await LastUseAsync()).ShouldBe(first.AddSeconds(61).UtcDateTime);
        }
        finally
        {
            time.Now = first;
        }
    }

    [Fact]
    public async Task Only_the_administrator_makes_keys_and_a_refused_request_makes_none()
    {
        long before = await host.ScalarAsync<long>("SELECT count(*) FROM service_accounts");
        using var calculator = await host.ClientAsync(Roles.Calculator);
        (await calculator.PostAsJsonAsync("/api/v1/service-accounts", new { name = "Чужой", roles = new[] { Roles.Calculator } }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var refused = await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/service-accounts",
            new { name = " ", roles = new[] { Roles.Supplier } }, Ct), HttpStatusCode.BadRequest);
        var errors = refused.GetProperty("errors");
        errors.GetProperty("name")[0].GetString().ShouldBe("Укажите название клиента: чья это система или скрипт");
        errors.GetProperty("accessGroupId")[0].GetString().ShouldBe("Для представителя управляющей организации или поставщика укажите группу доступа");
        (await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/service-accounts",
                new { name = "Гражданин", roles = new[] { Roles.Citizen } }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("roles")[0].GetString().ShouldBe("Граждане регистрируются сами по коду из платёжного документа");
        (await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/service-accounts",
                new { name = "Без группы", roles = new[] { Roles.ManagementCompany }, accessGroupId = 999999 }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("accessGroupId")[0].GetString().ShouldBe("Группа доступа 999999 не найдена");

        await CreateKeyAsync("Дважды", Roles.Cashier);
        (await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/service-accounts",
                new { name = "Дважды", roles = new[] { Roles.Cashier } }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("name")[0].GetString()!.ShouldContain("уже действует");
        (await host.ScalarAsync<long>("SELECT count(*) FROM service_accounts")).ShouldBe(before + 1);
    }

    [Fact]
    public async Task The_administrator_makes_a_key_on_the_screen_sees_it_once_uses_it_and_revokes_it()
    {
        const string name = "Сверка платежей банка";
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/admin/service-accounts");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ключи API" })).ToBeVisibleAsync();

        // Without a role: the Russian message by the roles, and no key.
        await page.GetByTestId("key-new").ClickAsync();
        await OperatorJourneyTests.Input(page, "key-name").FillAsync(name);
        await page.GetByTestId("key-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Укажите хотя бы одну роль")).ToBeVisibleAsync();
        (await host.ScalarAsync<long>($"SELECT count(*) FROM service_accounts WHERE name = '{name}'")).ShouldBe(0);

        // With the financier's role: the key is shown once, and it works.
        await AdminJourneyTests.PickRoleAsync(page, "Финансист", selected: true, prefix: "key");
        await page.GetByTestId("key-save").ClickAsync();
        var field = OperatorJourneyTests.Input(page, "key-value");
        await Assertions.Expect(field).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^oerc_"));
        string key = await field.InputValueAsync();
        using var client = KeyClient(key);
        (await client.GetAsync("/api/v1/payments?pageSize=1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await page.GetByTestId("key-done").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        var row = page.GetByTestId("keys").Locator("tbody tr", new() { HasText = name });
        await Assertions.Expect(row).ToContainTextAsync(key[..13] + "…");
        await Assertions.Expect(row).ToContainTextAsync("Финансист");
        await Assertions.Expect(row.GetByTestId("key-state")).ToHaveTextAsync("Действует");
        (await page.ContentAsync()).ShouldNotContain(key);

        // Revoked after a confirmation: the row says by whom, and the key is refused.
        await row.GetByTestId("key-revoke").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Отозвать", Exact = true }).ClickAsync();
        await Assertions.Expect(row.GetByTestId("key-state")).ToContainTextAsync($"Отозван {OpenErc.Web.Components.Shared.Fmt.Moment(host.Clock.Now)}, {host.AdminLogin}");
        await Assertions.Expect(row.GetByTestId("key-revoke")).ToHaveCountAsync(0);
        await ShouldBeRefusedKeyAsync(await client.GetAsync("/api/v1/payments?pageSize=1", Ct));
    }
}
