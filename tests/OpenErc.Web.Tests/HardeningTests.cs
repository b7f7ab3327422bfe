using System.Net;
using System.Net.Http.Json;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>A host with its public address configured, as in production behind a proxy.</summary>
public sealed class PublicWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    public const string Address = "http://erc.example.ru";

    protected override int DemoAccounts => 20;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenErc:PublicUrl", Address)];
}

/// <summary>A host on a configured, empty database as a real centre starts it: no demo asked for, no test acquirer.</summary>
public sealed class ProductionWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    protected override int DemoAccounts => 2000;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenErc:Demo", null), new("OpenErc:Acquiring:Fake", null)];
}

/// <summary>No test doubles in production: a configured database gets no demo region, no demo users, no test acquirer.</summary>
public sealed class ProductionTests(ProductionWebHost host) : IClassFixture<ProductionWebHost>
{
    [Fact]
    public async Task A_configured_database_gets_no_demo_region_no_demo_password_and_no_test_acquirer()
    {
        var ct = TestContext.Current.CancellationToken;
        (await host.ScalarAsync<long>("SELECT count(*) FROM buildings")).ShouldBe(0);
        using var client = host.AnonymousClient();
        foreach (var login in new[] { "admin", "raschet", "cashier" })
            (await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = SecuritySetup.DemoPassword }, ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync($"/fake-acquirer/{Guid.NewGuid()}", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // A forged "paid" callback posts nothing: there is no acquirer to sign one.
        var callback = await host.Client.PostAsync("/api/v1/cabinet/payments/callback",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["orderId"] = Guid.NewGuid().ToString(), ["status"] = "paid" }), ct);
        (await WebHost.JsonAsync(callback, HttpStatusCode.ServiceUnavailable)).GetProperty("detail").GetString()!.ShouldContain("банк-эквайер не подключён");
        var order = await host.Client.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = "1000000001", amount = 100m }, ct);
        (await WebHost.JsonAsync(order, HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString().ShouldBe("Недоступно");
        (await host.ScalarAsync<long>("SELECT count(*) FROM payments")).ShouldBe(0);
    }
}

/// <summary>A host with the production limit of sign-in requests per address.</summary>
public sealed class RateLimitedWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenErc:RateLimits:SignInPerMinute", "20")];
}

/// <summary>Sign-in, registration and password reset are limited per client address.</summary>
public sealed class RateLimitTests(RateLimitedWebHost host) : IClassFixture<RateLimitedWebHost>
{
    [Fact]
    public async Task Sign_in_requests_beyond_the_limit_get_a_russian_429_with_retry_after()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = host.AnonymousClient();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 40 && limited is null; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = $"nobody{i}" }, ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        limited.ShouldNotBeNull("20 a minute are allowed, the rest refused");
        limited.Headers.RetryAfter.ShouldNotBeNull();
        (await WebHost.JsonAsync(limited, HttpStatusCode.TooManyRequests)).GetProperty("detail").GetString()!.ShouldStartWith("Слишком много запросов");
        // The limit is per endpoint group and address: the rest of the host answers.
        (await client.GetAsync("/health", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>The host tried as an attacker would: forged hosts, other sites' forms, dead sessions, parallel guessing, errors.</summary>
public sealed class HardeningTests(PublicWebHost host) : IClassFixture<PublicWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An unknown address: a Russian page for a browser, a Russian ProblemDetails for the API and for other clients.</summary>
    [Fact]
    public async Task An_unknown_address_is_answered_in_russian()
    {
        using var client = host.AnonymousClient();
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/nowhere/at-all");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var page = await client.SendAsync(browser, Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await page.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("<h1>Страница не найдена</h1>");
        html.ShouldContain("По адресу /nowhere/at-all ничего нет");

        var api = await WebHost.JsonAsync(await client.GetAsync("/api/v1/nowhere", Ct), HttpStatusCode.NotFound);
        (api.GetProperty("title").GetString(), api.GetProperty("detail").GetString())
            .ShouldBe(("Адрес не найден", "По адресу /api/v1/nowhere ничего нет. Проверьте адрес или начните с главной страницы."));
    }

    [Fact]
    public async Task A_reset_link_is_built_on_the_public_address_and_a_forged_host_is_refused()
    {
        var login = await host.CreateUserAsync(Roles.Financier);
        await Sql.ExecAsync(host.ConnectionString, $"UPDATE users SET email = '{login}@example.ru' WHERE user_name = '{login}'");
        using var client = host.AnonymousClient();

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/password-reset") { Content = JsonContent.Create(new { login }) };
        forged.Headers.Host = "evil.example";
        int letters = Directory.Exists(host.MailDirectory) ? Directory.GetFiles(host.MailDirectory).Length : 0;
        (await client.SendAsync(forged, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (Directory.Exists(host.MailDirectory) ? Directory.GetFiles(host.MailDirectory).Length : 0).ShouldBe(letters, "nothing is sent for a forged host");

        (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var letter = Directory.GetFiles(host.MailDirectory, "*.eml").Select(File.ReadAllText).Single(t => t.Contains($"{login}@example.ru"));
        SignInTests.Body(letter).ShouldContain($"{PublicWebHost.Address}/reset-password?login=");
    }

    [Theory]
    [InlineData("http://evil.example", "cross-site")]
    [InlineData("http://shop.example.ru", "same-site")]
    [InlineData("http://evil.example", null)]
    public async Task A_change_posted_by_another_site_with_the_session_cookie_changes_nothing(string origin, string? site)
    {
        var victim = await host.CreateUserAsync(Roles.Cashier);
        await Sql.ExecAsync(host.ConnectionString, $"UPDATE users SET lockout_end = '9999-12-31' WHERE user_name = '{victim}'");
        long id = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{victim}'");
        string before = await StateAsync();

        async Task RefusedAsync(HttpRequestMessage request)
        {
            request.Headers.Add("Origin", origin);
            if (site is not null) request.Headers.Add("Sec-Fetch-Site", site);
            var response = await host.Client.SendAsync(request, Ct);
            var problem = await WebHost.JsonAsync(response, HttpStatusCode.Forbidden);
            problem.GetProperty("title").GetString().ShouldBe("Запрос с другого сайта");
        }
        await RefusedAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/billing/periods/2026-11/close"));
        await RefusedAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/users/{id}/unlock"));
        var form = new MultipartFormDataContent { { new ByteArrayContent(";;;"u8.ToArray()), "file", "r.txt" }, { new StringContent("1"), "agentId" } };
        await RefusedAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/registries") { Content = form });

        (await StateAsync()).ShouldBe(before);
        (await host.ScalarAsync<bool>($"SELECT lockout_end IS NOT NULL FROM users WHERE id = {id}")).ShouldBeTrue();
    }

    [Fact]
    public async Task The_centres_own_pages_and_scripts_still_change_things()
    {
        // The same request from the centre's origin, and from a script that is no browser (no Origin, no Sec-Fetch-Site), runs.
        var login = await host.CreateUserAsync(Roles.Cashier);
        long id = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{login}'");
        using var own = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/users/{id}/unlock");
        own.Headers.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        (await host.Client.SendAsync(own, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.Client.PostAsync($"/api/v1/users/{id}/unlock", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task After_logout_the_old_cookie_is_dead()
    {
        var login = await host.CreateUserAsync(Roles.Financier);
        var (client, cookies) = await host.SignedInAsync(login);
        (await client.GetAsync("/api/v1/auth/me", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.user_name = '{login}'")).ShouldBe(1);
        var stolen = cookies.GetCookieHeader(host.BaseAddress);

        (await client.PostAsync("/api/v1/auth/logout", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.user_name = '{login}'")).ShouldBe(0);

        using var replay = host.AnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Add("Cookie", stolen);
        (await replay.SendAsync(request, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_parallel_burst_of_wrong_passwords_locks_after_five()
    {
        var login = await host.CreateUserAsync(Roles.Financier);
        using var client = host.AnonymousClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = $"wrong-{i}" }, Ct)));
        var codes = answers.Select(a => a.StatusCode).ToList();
        codes.Count(c => c == HttpStatusCode.Unauthorized).ShouldBe(4, string.Join(",", codes));
        codes.Count(c => c == (HttpStatusCode)423).ShouldBe(26);
        // Locked: even the right password is refused now.
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = WebHost.Password }, Ct)).StatusCode.ShouldBe((HttpStatusCode)423);
    }

    [Fact]
    public async Task Pages_and_the_api_carry_the_security_headers()
    {
        foreach (var path in new[] { "/login", "/api/v1/auth/me", "/health" })
        {
            var response = await host.AnonymousClient().GetAsync(path, Ct);
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
            response.Headers.GetValues("Content-Security-Policy").ShouldAllBe(v => v.Contains("frame-ancestors 'none'"));
        }
    }

    private Task<string> StateAsync() => host.ScalarAsync<string>("""
        SELECT (SELECT string_agg(to_char(month, 'YYYY-MM') || state, ',') FROM billing_periods) || '|' || (SELECT count(*) FROM payment_registries)
        """);
}

/// <summary>A host with a small limit of the banks' failed sign-ins per address.</summary>
public sealed class GatewayLimitedWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenErc:RateLimits:GatewayFailuresPerMinute", "3")];
}

/// <summary>Failed sign-ins to the payment protocols are limited per client address.</summary>
public sealed class GatewayRateLimitTests(GatewayLimitedWebHost host) : IClassFixture<GatewayLimitedWebHost>
{
    [Theory]
    [InlineData("/gateway/sber", "CODE")]
    [InlineData("/gateway/osmp", "result")]
    public async Task After_the_failed_sign_ins_of_a_minute_an_address_gets_the_protocols_temporary_error_unchecked(string path, string codeElement)
    {
        var ct = TestContext.Current.CancellationToken;
        // The window is per address, so both protocols share it: whichever runs second is refused at once.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 5 && limited is null; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path + "?ACTION=check&command=check");
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"demo-bank:wrong{i}")));
            var response = await host.AnonymousClient().SendAsync(request, ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
        }
        limited.ShouldNotBeNull(string.Join(",", statuses));
        statuses.Take(statuses.Count - 1).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        var xml = System.Xml.Linq.XDocument.Parse(await limited.Content.ReadAsStringAsync(ct)).Root!;
        xml.Descendants(codeElement).Single().Value.ShouldBe("1");

        // The right password is not checked either until the minute runs out.
        using var right = new HttpRequestMessage(HttpMethod.Get, path + "?ACTION=check&command=check");
        right.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("demo-bank:demo-bank")));
        (await host.AnonymousClient().SendAsync(right, ct)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }
}
