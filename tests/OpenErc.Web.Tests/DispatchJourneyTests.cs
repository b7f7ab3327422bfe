using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The dispatcher turns a citizen's complaint from the cabinet into an incident of the building on «Обращения граждан»
/// and fixes its restoration, which answers the complaint; the month's run reduces the charge of an account of that
/// building, and the citizen reads the answer in the cabinet and closes it.
/// </summary>
public sealed class DispatchJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_cabinet_complaint_becomes_an_incident_the_run_reduces_the_charge_and_the_citizen_sees_the_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        // An open account of a building whose cold water is charged (the month is not charged yet).
        long account = await host.ScalarAsync<long>("""
            SELECT a.id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id
            JOIN building_service_methods m ON m.building_id = p.building_id AND m.valid_to IS NULL
            JOIN services s ON s.id = m.service_id AND s.code = 'cold_water'
            WHERE a.closed_on IS NULL AND p.kind = 1 ORDER BY a.id LIMIT 1
            """);
        long building = await host.ScalarAsync<long>($"SELECT p.building_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = {account}");
        string number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var (citizen, citizenCookies, _) = await host.CitizenAsync(account);
        var created = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/requests",
            new { accountNumber = number, kind = "Complaint", text = "Нет холодной воды с утра 10 ноября" }, ct), HttpStatusCode.Created);
        long request = created.GetProperty("id").GetInt64();

        var login = await host.CreateUserAsync(Roles.Dispatcher);
        var (_, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        // The request → «Нарушение»: an incident of the complainant's building, opened from the report and linked to it.
        await page.GotoAsync("/requests");
        await page.GetByTestId($"incident-{request}").ClickAsync();
        await CorrectionJourneyTests.ChooseAsync(page, "incident-service", "Холодное водоснабжение");
        await OperatorJourneyTests.Input(page, "incident-start").FillAsync("10.11.2026 08:00");
        await page.GetByTestId("incident-open").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"request-status-{request}")).ToHaveTextAsync("Связано с нарушением");
        long incident = await host.ScalarAsync<long>($"SELECT incident_id FROM citizen_requests WHERE id = {request}");
        (await host.ScalarAsync<string>($"SELECT started_at::text || ' ' || coalesce(ended_at::text, 'не устранено') || ' ' || coalesce(premise_id::text, 'дом') FROM incidents WHERE id = {incident}"))
            .ShouldBe("2026-11-10 08:00:00 не устранено дом");
        (await host.ScalarAsync<long>($"SELECT building_id FROM incidents WHERE id = {incident}")).ShouldBe(building);

        // «Перерывы и нарушения качества»: the restoration is fixed, which answers the request.
        await page.GotoAsync("/incidents");
        await OperatorJourneyTests.Input(page, $"restore-at-{incident}").FillAsync("11.11.2026 20:00");
        await page.GetByTestId($"restore-{incident}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"verify-{incident}")).ToBeVisibleAsync();
        (await host.ScalarAsync<string>($"SELECT ended_at::text FROM incidents WHERE id = {incident}")).ShouldBe("2026-11-11 20:00:00");
        await page.GetByTestId($"verify-{incident}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"verify-{incident}")).ToHaveCountAsync(0);
        (await host.ScalarAsync<bool>($"SELECT verified FROM incidents WHERE id = {incident}")).ShouldBeTrue();

        // The month's run: a reduction of cold water for the account, below zero.
        (await BillingRun.RunAsync(host.ConnectionString, new BillingPeriod(2026, 11), BillingScope.All, new BillingRunOptions(host.Clock), ct: ct))
            .Failures.ShouldBeEmpty();
        decimal reduction = await host.ScalarAsync<decimal>($"""
            SELECT coalesce(sum(l.kopecks), 0) * 0.01 FROM charge_lines l JOIN services s ON s.id = l.service_id
            WHERE l.account_id = {account} AND s.code = 'cold_water' AND l.kind = 2 AND l.booking_month = '2026-11-01'
            """);
        reduction.ShouldBeLessThan(0m);

        const string answer = "Нарушение (холодное водоснабжение, с 10.11.2026 08:00) устранено 11.11.2026 20:00. "
                              + "Плата за время нарушения снижается по приложению 1 к ПП 354 (в расчёте месяца или перерасчётом).";
        var mine = await WebHost.JsonAsync(await citizen.GetAsync("/api/v1/me/requests", ct), HttpStatusCode.OK);
        var answered = mine.EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == request);
        (answered.GetProperty("status").GetString(), answered.GetProperty("answer").GetString()).ShouldBe(("Answered", answer));

        // The citizen reads the answer in the cabinet and closes it.
        var cabinet = await host.NewPageAsync(browser, 60_000, citizenCookies);
        await cabinet.GotoAsync("/cabinet");
        await cabinet.GetByRole(AriaRole.Tab, new() { Name = "Обращения" }).ClickAsync();
        await Assertions.Expect(cabinet.GetByTestId("request").Filter(new() { HasText = "Нет холодной воды" })).ToContainTextAsync(answer);
        await cabinet.GetByTestId($"request-agree-{request}").ClickAsync();
        await Assertions.Expect(cabinet.GetByTestId($"request-agree-{request}")).ToHaveCountAsync(0);
        (await host.ScalarAsync<short>($"SELECT status FROM citizen_requests WHERE id = {request}")).ShouldBe((short)7);
    }
}
