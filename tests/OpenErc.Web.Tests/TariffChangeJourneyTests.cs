using Microsoft.Playwright;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The calculator changes a tariff from a day inside the month on «Тарифы»; the old row ends the day before, the new one
/// starts that day, and the month's run charges the days before at the old rate and the days after at the new one.
/// </summary>
public sealed class TariffChangeJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_tariff_changed_from_the_16th_splits_the_months_line_at_that_day()
    {
        var ct = TestContext.Current.CancellationToken;
        // The cold-water tariff in force in November 2026 of the municipality and supplier of an account charged for cold water.
        var pick = await host.ScalarAsync<string>("""
            SELECT t.id || ' ' || a.id || ' ' || t.rate FROM personal_accounts a
            JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            JOIN building_service_methods m ON m.building_id = b.id AND m.valid_to IS NULL
            JOIN services s ON s.id = m.service_id AND s.code = 'cold_water'
            JOIN service_contracts c ON c.building_id = b.id AND c.service_id = s.id AND c.valid_to IS NULL
            JOIN tariffs t ON t.service_id = s.id AND t.supplier_id = c.supplier_id AND t.building_id IS NULL AND t.zone = 0
             AND (t.municipality_id = b.municipality_id OR t.municipality_id IS NULL) AND t.valid_from <= '2026-11-01' AND (t.valid_to IS NULL OR t.valid_to > '2026-11-30')
            WHERE a.closed_on IS NULL AND p.kind = 1 AND a.opened_on < '2026-11-01'
            ORDER BY a.id LIMIT 1
            """);
        var f = pick.Split(' ');
        var (tariff, account, oldRate) = (long.Parse(f[0]), long.Parse(f[1]), decimal.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        decimal newRate = oldRate + 10m;

        var login = await host.CreateUserAsync(Roles.Calculator);
        var (_, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        await page.GotoAsync($"/tariffs/{tariff}/change");
        await Assertions.Expect(page.GetByTestId("tariff-current")).ToContainTextAsync("Холодное водоснабжение");
        // Without a reason nothing is saved.
        await OperatorJourneyTests.Input(page, "tariff-from").FillAsync("16.11.2026");
        await OperatorJourneyTests.Input(page, "tariff-from").PressAsync("Tab");
        await OperatorJourneyTests.Input(page, "tariff-rate").FillAsync(newRate.ToString("0.######", System.Globalization.CultureInfo.GetCultureInfo("ru-RU")));
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tariff-error")).ToContainTextAsync("Укажите основание изменения");
        (await host.ScalarAsync<long>($"SELECT count(*) FROM tariffs WHERE valid_from = '2026-11-16'")).ShouldBe(0);
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync("Постановление РЭК № 45 от 10.11.2026");
        // A day outside the row's period is refused.
        await OperatorJourneyTests.Input(page, "tariff-from").FillAsync("01.01.2020");
        await OperatorJourneyTests.Input(page, "tariff-from").PressAsync("Tab");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tariff-error")).ToContainTextAsync("Дата 01.01.2020 вне срока действия тарифа");
        await OperatorJourneyTests.Input(page, "tariff-from").FillAsync("16.11.2026");
        await OperatorJourneyTests.Input(page, "tariff-from").PressAsync("Tab");
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/tariffs$"));
        (await host.ScalarAsync<string>($"SELECT valid_to::text FROM tariffs WHERE id = {tariff}")).ShouldBe("2026-11-16");
        (await host.ScalarAsync<decimal>($"SELECT rate FROM tariffs WHERE valid_from = '2026-11-16' AND service_id = (SELECT service_id FROM tariffs WHERE id = {tariff})"))
            .ShouldBe(newRate);

        // The run: the account's cold water of November in two segments at the two rates, split on the 16th.
        (await BillingRun.RunAsync(host.ConnectionString, new BillingPeriod(2026, 11), BillingScope.All, new BillingRunOptions(host.Clock), ct: ct))
            .Failures.ShouldBeEmpty();
        await using var conn = new NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync(ct);
        var months = await AccountCharges.LoadAsync(conn, account, ct);
        var line = months.Single(m => m.Month == new BillingPeriod(2026, 11)).Lines
            .First(l => l.Service == "Холодное водоснабжение" && l.Kind == Core.Charges.ChargeLineKind.Charge);
        var segments = line.Trace.ShouldNotBeNull().Segments;
        segments.Select(s => s.From).ShouldContain(new DateOnly(2026, 11, 16));
        segments.Select(s => s.To).ShouldContain(new DateOnly(2026, 11, 16));
        var rates = segments.SelectMany(s => s.Inputs).Where(i => i.Name.StartsWith("Тариф", StringComparison.Ordinal)).Select(i => i.Value).Distinct().ToList();
        rates.ShouldBe([oldRate, newRate], ignoreOrder: true);
    }
}
