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

    /// <summary>Accounts of the demo region to generate at start; 0 for an empty registry.</summary>
    protected virtual int DemoAccounts => 0;

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await cluster.CreateDatabaseAsync("web");
        _app = await OpenErcWebHost.CreateAsync([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:OpenErc"] = ConnectionString,
            ["OpenErc:DemoAccounts"] = DemoAccounts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Urls"] = "http://127.0.0.1:0",
        }));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public OpenErcDbContext CreateContext() => new(OpenErcDatabase.Options(ConnectionString));

    /// <summary>A Russian-locale page of <paramref name="browser"/> on this host, waiting up to <paramref name="timeoutMs"/> for anything.</summary>
    public async Task<IPage> NewPageAsync(IBrowser browser, float timeoutMs = 30_000)
    {
        var page = await browser.NewPageAsync(new() { BaseURL = BaseAddress.ToString(), Locale = "ru-RU" });
        page.SetDefaultTimeout(timeoutMs);
        return page;
    }

    public async Task<T> PostAsync<T>(string path, object body)
    {
        var response = await Client.PostAsJsonAsync(path, body, Json);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    /// <summary>The response's JSON, after checking its status (the body is in the message when it differs).</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(expected, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Charges the month before this one (a second call posts nothing) and returns the first charged account.</summary>
    public async Task<(long Id, string Number)> ChargedAccountAsync()
    {
        var month = BillingPeriod.Of(DateOnly.FromDateTime(DateTime.Now)).Previous();
        (await BillingRun.RunAsync(ConnectionString, month, BillingScope.All, new BillingRunOptions(), ct: TestContext.Current.CancellationToken)).Failures.ShouldBeEmpty();
        long id = await Sql.ScalarAsync<long>(ConnectionString, "SELECT min(account_id) FROM charge_lines");
        return (id, await Sql.ScalarAsync<string>(ConnectionString, $"SELECT number FROM personal_accounts WHERE id = {id}"));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
