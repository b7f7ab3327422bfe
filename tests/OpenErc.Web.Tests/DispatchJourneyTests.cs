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
/// The dispatcher turns a citizen's complaint from the cabinet into an incident of the building on «Обращения граждан»,
/// answers it; the month's run reduces the charge of an account of that building, and the citizen sees the answer.
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
        var (citizen, _, _) = await host.CitizenAsync(account);
        var created = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/requests",
            new { accountNumber = number, kind = "Complaint", text = "Нет холодной воды с утра 10 ноября" }, ct), HttpStatusCode.Created);
        long request = created.GetProperty("id").GetInt64();

        var login = await host.CreateUserAsync(Roles.Dispatcher);
        var (_, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        // The request → «Зарегистрировать нарушение»: the incident's form for the complainant's building.
        await page.GotoAsync("/requests");
        await page.GetByTestId($"incident-{request}").ClickAsync();
        await Assertions.Expect(page.GetByTestId("registry-title")).ToContainTextAsync("Перерыв или нарушение качества");
        await CorrectionJourneyTests.ChooseAsync(page, "field-ServiceId", "Холодное водоснабжение");
        await RegistryScreensJourneyTests.Fill(page, ("StartedAt", "10.11.2026 08:00"), ("EndedAt", "11.11.2026 20:00"),
            ("Document", $"Обращение №{request}; запись журнала АДС № 45"));
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync($"Жалоба по обращению №{request}");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/incidents$"));
        (await host.ScalarAsync<string>($"SELECT started_at::text || ' ' || ended_at::text || ' ' || coalesce(premise_id::text, 'дом') FROM incidents WHERE building_id = {building}"))
            .ShouldBe("2026-11-10 08:00:00 2026-11-11 20:00:00 дом");

        // The answer, as before.
        await page.GotoAsync("/requests");
        await OperatorJourneyTests.Input(page, $"answer-{request}").FillAsync("Авария устранена 11.11 в 20:00; плата за холодную воду будет снижена");
        await page.GetByTestId($"done-{request}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"done-{request}")).ToHaveCountAsync(0);

        // The month's run: a reduction of cold water for the account, below zero.
        (await BillingRun.RunAsync(host.ConnectionString, new BillingPeriod(2026, 11), BillingScope.All, new BillingRunOptions(host.Clock), ct: ct))
            .Failures.ShouldBeEmpty();
        decimal reduction = await host.ScalarAsync<decimal>($"""
            SELECT coalesce(sum(l.kopecks), 0) * 0.01 FROM charge_lines l JOIN services s ON s.id = l.service_id
            WHERE l.account_id = {account} AND s.code = 'cold_water' AND l.kind = 2 AND l.booking_month = '2026-11-01'
            """);
        reduction.ShouldBeLessThan(0m);

        var mine = await WebHost.JsonAsync(await citizen.GetAsync("/api/v1/me/requests", ct), HttpStatusCode.OK);
        var answered = mine.EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == request);
        (answered.GetProperty("status").GetString(), answered.GetProperty("answer").GetString())
            .ShouldBe(("Done", "Авария устранена 11.11 в 20:00; плата за холодную воду будет снижена"));
    }
}
