using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The monthly run over real HTTP: start, follow, refuse a second run, close the month; an account's charges and penalty statement.</summary>
public sealed class BillingApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    [Fact]
    public async Task A_run_is_started_followed_and_its_month_closed_over_http_and_bad_requests_change_nothing()
    {
        // Bad input: no month, an impossible month, two scopes — 400 in Russian, no run started.
        var missing = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/billing/runs", new { }, Ct), HttpStatusCode.BadRequest);
        missing.GetProperty("errors").GetProperty("month")[0].GetString().ShouldBe("Укажите расчётный месяц в виде ГГГГ-ММ");
        var badMonth = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/billing/runs", new { month = "2026-13" }, Ct), HttpStatusCode.BadRequest);
        badMonth.GetProperty("errors").EnumerateObject().ShouldContain(e => e.Value[0].GetString()!.Contains("ГГГГ-ММ"));
        var twoScopes = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/billing/runs", new { month = "2026-11", municipalityId = 1, buildingIds = new[] { 1 } }, Ct),
            HttpStatusCode.BadRequest);
        twoScopes.GetProperty("errors").GetProperty("scope")[0].GetString()!.ShouldContain("не более одного охвата");
        (await Http.GetAsync("/api/v1/billing/runs/current", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM billing_runs")).ShouldBe(0);

        // Start, follow to the end: the report's totals are the ledger's.
        var started = await Http.PostAsJsonAsync("/api/v1/billing/runs", new { month = "2026-11" }, Ct);
        var state = await JsonAsync(started, HttpStatusCode.Accepted);
        started.Headers.Location!.ToString().ShouldBe("/api/v1/billing/runs/current");
        state.GetProperty("month").GetString().ShouldBe("2026-11");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!state.GetProperty("finished").GetBoolean())
        {
            waited.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(2), "the run did not finish in 2 minutes");
            await Task.Delay(200, Ct);
            state = await JsonAsync(await Http.GetAsync("/api/v1/billing/runs/current", Ct), HttpStatusCode.OK);
        }
        state.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        var report = state.GetProperty("report");
        report.GetProperty("lines").GetInt64().ShouldBe(await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM charge_line_details"));
        report.GetProperty("total").GetDecimal().ShouldBe(await Sql.ScalarAsync<decimal>(host.ConnectionString, "SELECT sum(amount) FROM charge_line_details"));

        // An account's charges with their traces, and its penalty statement.
        long account = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT min(account_id) FROM charge_line_details");
        decimal charged = await Sql.ScalarAsync<decimal>(host.ConnectionString, $"SELECT sum(amount) FROM charge_line_details WHERE account_id = {account}");
        var months = await JsonAsync(await Http.GetAsync($"/api/v1/accounts/{account}/charges", Ct), HttpStatusCode.OK);
        var november = months.EnumerateArray().ShouldHaveSingleItem();
        november.GetProperty("month").GetString().ShouldBe("2026-11");
        november.GetProperty("total").GetDecimal().ShouldBe(charged);
        november.GetProperty("lines").EnumerateArray().ShouldAllBe(l => l.GetProperty("trace").GetProperty("legalReference").GetString()!.Length > 0);
        var statement = await JsonAsync(await Http.GetAsync($"/api/v1/accounts/{account}/penalties?on=2027-04-15", Ct), HttpStatusCode.OK);
        statement.GetProperty("principal").GetDecimal().ShouldBe(charged);
        statement.GetProperty("total").GetDecimal().ShouldBeGreaterThan(0m);
        (await JsonAsync(await Http.GetAsync($"/api/v1/accounts/{account}/penalties?on=15.04.2027", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("on")[0].GetString()!.ShouldContain("ГГГГ-ММ-ДД");

        // The month's status, closing, and a run into the closed month refused with the reason.
        var status = await JsonAsync(await Http.GetAsync("/api/v1/billing/periods/2026-11", Ct), HttpStatusCode.OK);
        status.GetProperty("state").GetString().ShouldBe("open");
        (await JsonAsync(await Http.GetAsync("/api/v1/billing/periods/ноябрь", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("month")[0].GetString()!.ShouldContain("ГГГГ-ММ");
        var closing = await JsonAsync(await Http.PostAsync("/api/v1/billing/periods/2026-11/close", null, Ct), HttpStatusCode.OK);
        // The month's reductions (absence, quality) are in the recalculated column of the balances.
        (closing.GetProperty("charged").GetDecimal() + closing.GetProperty("recalculated").GetDecimal()).ShouldBe(report.GetProperty("total").GetDecimal());
        (await JsonAsync(await Http.PostAsync("/api/v1/billing/periods/2026-11/close", null, Ct), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString()!.ShouldContain("закрыт");
        // A run of the closed month is refused before it starts: 409 with the reason, no run recorded.
        long runs = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM billing_runs");
        var refused = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/billing/runs", new { month = "2026-11" }, Ct), HttpStatusCode.Conflict);
        refused.GetProperty("detail").GetString().ShouldBe("Месяц ноябрь 2026 закрыт: начисления проводятся только в открытый месяц — декабрь 2026");
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM billing_runs")).ShouldBe(runs);
    }
}
