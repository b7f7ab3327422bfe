using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// A month that is not one of the centre's (2000-01 … 2099-12) or not a month at all is a Russian 400 ProblemDetails on
/// every route — never a 500, never an empty error — and the ends of the range are months like any other. The sweep
/// reads the host's own OpenAPI document, so a new GET route is covered the day it is mapped.
/// </summary>
public sealed class BadMonthTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Range = "Месяц (ГГГГ-ММ) должен быть от 2000-01 до 2099-12";

    /// <summary>
    /// What the sweep puts into each parameter in turn: not months of the centre, malformed, empty — an empty path value is
    /// sent as <c>%20</c>, because an empty segment would route to another endpoint or to nothing — and the range's ends.
    /// </summary>
    private static readonly string[] Values = ["1999-01", "2300-01", "0000-00", "2026-13", "", "2000-01", "2099-12"];

    [Fact]
    public async Task A_month_outside_the_range_is_a_russian_400_problem_and_its_ends_are_months()
    {
        var response = await host.Client.GetAsync("/api/v1/billing/periods/1999-01", Ct);
        var problem = await WebHost.JsonAsync(response, HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("detail").GetString().ShouldBe($"{Range}, а не «1999-01»");
        problem.GetProperty("errors").GetProperty("month")[0].GetString().ShouldBe($"{Range}, а не «1999-01»");

        (await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/billing/periods/2026-13", Ct), HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString().ShouldBe("Месяц указывается в виде ГГГГ-ММ, например 2025-03, а не «2026-13»");
        (await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/billing/periods/%20", Ct), HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString().ShouldBe("Укажите месяц в виде ГГГГ-ММ, например 2025-03");

        foreach (var edge in new[] { "2000-01", "2099-12" })
            (await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/billing/periods/{edge}", Ct), HttpStatusCode.OK))
                .GetProperty("month").GetString().ShouldBe(edge);
        // Closing would open the month after the last one: refused with the reason, not a 500.
        (await WebHost.JsonAsync(await host.Client.PostAsync("/api/v1/billing/periods/2099-12/close", null, Ct), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString()!.ShouldContain("последний");
        (await WebHost.JsonAsync(await host.Client.PostAsync("/api/v1/billing/periods/2300-01/close", null, Ct), HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString().ShouldBe($"{Range}, а не «2300-01»");

        // In a JSON body the field is named and the text is not repeated.
        (await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/billing/runs", new { month = "2300-01" }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("month")[0].GetString().ShouldBe(Range);
        (await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/billing/runs", new { month = 202611 }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("month")[0].GetString()!.ShouldContain("ГГГГ-ММ");

        // A date is a day of one of the months: the penalty statement on a day before 2000 is refused too.
        var account = (await OpenApiSweep.PlausibleAsync(host)).AccountId;
        (await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/accounts/{account}/penalties?on=1999-12-31", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("on")[0].GetString()!.ShouldContain("2000-01");

        // Nobody signed in: asked to sign in, whatever the month.
        using var anonymous = host.AnonymousClient();
        (await anonymous.GetAsync("/api/v1/billing/periods/1999-01", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task No_get_of_the_api_answers_a_bad_month_in_any_parameter_with_a_500_or_an_empty_error()
    {
        using var document = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi/v1.json", Ct));
        var operations = OpenApiSweep.Operations(document.RootElement, "get").ToList();
        operations.Select(o => o.Path).ShouldContain("/api/v1/billing/periods/{month}");
        operations.Select(o => o.Path).ShouldContain("/api/v1/accounts/{id}/receipts/{month}/pdf");
        operations.Select(o => o.Path).ShouldContain("/api/v1/supplier/summary");

        var plausible = await OpenApiSweep.PlausibleAsync(host);
        using var supplier = await OpenApiSweep.SupplierClientAsync(host, "months-supplier");
        var failures = new List<string>();
        int calls = 0;
        foreach (var (_, path, parameters, _) in operations)
        {
            // The supplier cabinet lets in only a supplier's user: anyone else is refused before the month is read.
            var client = path.StartsWith("/api/v1/supplier/", StringComparison.Ordinal) ? supplier : host.Client;
            foreach (var parameter in parameters)
                foreach (var value in Values)
                {
                    var url = OpenApiSweep.Url(path, parameters, parameter, value, plausible);
                    using var response = await client.GetAsync(url, Ct);
                    calls++;
                    if (await OpenApiSweep.FaultAsync($"GET {url}", response) is { } fault) failures.Add(fault);
                }
        }
        failures.ShouldBeEmpty();
        calls.ShouldBeGreaterThan(100);
    }
}
