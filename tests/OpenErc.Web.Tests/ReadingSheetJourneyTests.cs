using System.Globalization;
using Microsoft.Playwright;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// An account manager takes a building's readings for the month from its reading sheet by keyboard alone: type, Enter,
/// the next meter; a jump asks for confirmation (Enter again); the readings are in the database with the channel and
/// the operator, and on the account card.
/// </summary>
public sealed class ReadingSheetJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    [Fact]
    public async Task An_account_manager_enters_a_buildings_reading_sheet_by_keyboard_and_confirms_a_jump()
    {
        // The building with the most one-register meters of flats that have a history.
        long building = await host.ScalarAsync<long>("""
            SELECT m.building_id FROM meters m
            WHERE m.kind = 1 AND m.zones = 1 AND m.removed_on IS NULL AND m.failed_on IS NULL
              AND (SELECT count(*) FROM meter_readings r WHERE r.meter_id = m.id) >= 2
            GROUP BY m.building_id ORDER BY count(*) DESC, m.building_id LIMIT 1
            """);
        var login = await host.CreateUserAsync(Roles.AccountManager);
        var (_, cookies) = await host.SignedInAsync(login);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        await page.GotoAsync($"/buildings/{building}");
        await page.GetByTestId("building-readings").ClickAsync();
        await Assertions.Expect(page.GetByTestId("readings-title")).ToContainTextAsync("Ведомость показаний");
        // Keys typed into the prerendered sheet would be lost: wait for it to be interactive.
        await Assertions.Expect(page.GetByTestId("readings-title")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("input.erc-reading-input").First.ClickAsync();

        var taken = new List<(string Serial, decimal Value)>();
        bool jumped = false;
        for (int step = 0; step < 60 && !jumped; step++)
        {
            string focused = await page.EvaluateAsync<string>("document.activeElement?.dataset?.testid ?? ''");
            focused.ShouldStartWith("reading-input-");
            string serial = focused["reading-input-".Length..focused.LastIndexOf('-')];
            var meter = await host.ScalarAsync<string>($"""
                SELECT m.kind || ';' || m.zones || ';' || m.digits || ';' || coalesce((SELECT r.value FROM meter_readings r WHERE r.meter_id = m.id
                       ORDER BY r.read_on DESC LIMIT 1)::text, '') || ';' || (SELECT count(*) FROM meter_readings r WHERE r.meter_id = m.id)
                FROM meters m WHERE m.building_id = {building} AND m.serial_number = '{serial}'
                """);
            var f = meter.Split(';');
            decimal step1 = taken.Count == 0 ? 2m : 900m;
            if (f[0] != "1" || f[1] != "1" || f[3].Length == 0 || int.Parse(f[4], CultureInfo.InvariantCulture) < 2
                || decimal.Parse(f[3], CultureInfo.InvariantCulture) + step1 >= (decimal)Math.Pow(10, int.Parse(f[2], CultureInfo.InvariantCulture)))
            {
                await page.Keyboard.PressAsync("Enter"); // not this one: Enter on an empty register goes on to the next
                await Assertions.Expect(page.Locator(":focus")).Not.ToHaveAttributeAsync("data-testid", focused);
                continue;
            }
            decimal value = decimal.Parse(f[3], CultureInfo.InvariantCulture) + step1;
            var status = page.GetByTestId($"reading-status-{serial}-1");
            await page.Keyboard.TypeAsync(value.ToString("0.####", Ru));
            await page.Keyboard.PressAsync("Enter");
            if (taken.Count > 0)
            {
                // A jump: nothing saved until Enter again on the same value.
                await Assertions.Expect(status).ToContainTextAsync("больше обычного");
                (await host.ScalarAsync<long>($"SELECT count(*) FROM meter_readings r JOIN meters m ON m.id = r.meter_id WHERE m.serial_number = '{serial}' AND r.read_on = '2026-11-20'")).ShouldBe(0);
                await Assertions.Expect(page.GetByTestId(focused)).ToBeFocusedAsync();
                await page.Keyboard.PressAsync("Enter");
                jumped = true;
            }
            await Assertions.Expect(status).ToContainTextAsync($"Сохранено, расход {step1}");
            await Assertions.Expect(page.GetByTestId($"reading-current-{serial}-1")).ToContainTextAsync($"{value.ToString("#,0.######", Ru)} на 20.11.2026");
            await Assertions.Expect(page.Locator(":focus")).Not.ToHaveAttributeAsync("data-testid", focused);
            taken.Add((serial, value));
        }
        jumped.ShouldBeTrue();

        // In the database: dated today, taken by the operator, entered by the account manager.
        foreach (var (serial, value) in taken)
            (await host.ScalarAsync<string>($"""
                SELECT r.value || ' ' || r.source || ' ' || r.entered_by FROM meter_readings r JOIN meters m ON m.id = r.meter_id
                WHERE m.building_id = {building} AND m.serial_number = '{serial}' AND r.read_on = '2026-11-20'
                """)).ShouldBe($"{value.ToString("0.0000", CultureInfo.InvariantCulture)} 1 {login}");

        // On the account card of the first flat: the reading taken in this month.
        var (first, firstValue) = taken[0];
        long account = await host.ScalarAsync<long>($"""
            SELECT a.id FROM meters m JOIN personal_accounts a ON a.premise_id = m.premise_id AND a.closed_on IS NULL
            WHERE m.building_id = {building} AND m.serial_number = '{first}' ORDER BY a.id LIMIT 1
            """);
        await page.GotoAsync($"/accounts/{account}");
        await WebHost.OpenTabAsync(page, "Приборы учёта");
        await Assertions.Expect(page.GetByTestId($"reading-current-{first}-1")).ToContainTextAsync($"{firstValue.ToString("#,0.######", Ru)} на 20.11.2026");
    }
}
