using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The housing registry built from the workstation's screens alone: a building, its premises, an account, a meter, the
/// building's service and its supplier — each through its form with a reason — and the next run charges the account.
/// </summary>
public sealed class RegistryScreensJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private const string Reason = "Ввод дома в эксплуатацию, разрешение № 17";

    [Fact]
    public async Task A_building_with_three_premises_an_account_and_a_meter_is_made_on_the_screens_and_charged_by_the_next_run()
    {
        var ct = TestContext.Current.CancellationToken;
        // A service charged by area whose tariff is the municipality's (not one building's), with its supplier there.
        var pick = await host.ScalarAsync<string>("""
            SELECT b.municipality_id || ' ' || m.service_id || ' ' || c.supplier_id || ' ' || s.name FROM building_service_methods m
            JOIN buildings b ON b.id = m.building_id JOIN services s ON s.id = m.service_id
            JOIN service_contracts c ON c.building_id = m.building_id AND c.service_id = m.service_id AND c.valid_to IS NULL
            WHERE m.method = 3 AND m.valid_to IS NULL
              AND EXISTS (SELECT 1 FROM tariffs t WHERE t.service_id = m.service_id AND t.supplier_id = c.supplier_id AND t.building_id IS NULL
                          AND (t.municipality_id = b.municipality_id OR t.municipality_id IS NULL) AND t.valid_to IS NULL)
            ORDER BY m.id LIMIT 1
            """);
        var f = pick.Split(' ', 4);
        var (municipality, service, supplier, serviceName) = (long.Parse(f[0]), long.Parse(f[1]), long.Parse(f[2]), f[3]);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);

        // The building: from «Новый дом» on the housing stock's list (the municipality chosen in the address).
        await page.GotoAsync("/buildings");
        await Assertions.Expect(page.GetByTestId("new-building")).ToBeVisibleAsync();
        await page.GotoAsync($"/registry/buildings/new?municipalityId={municipality}");
        await Fill(page, ("Region", "Новоградская область"), ("Settlement", "г. Новоград"), ("Street", "ул. Новостроек"), ("House", "101"),
            ("Floors", "5"), ("Entrances", "1"), ("TotalArea", "1200"), ("ResidentialArea", "1000"), ("NonResidentialArea", "0"), ("CommonPropertyArea", "200"));
        await SaveAsync(page, new Regex(@"/buildings/\d+$"));
        long building = long.Parse(Regex.Match(page.Url, @"/buildings/(\d+)$").Groups[1].Value);
        await Assertions.Expect(page.GetByTestId("building-address")).ToContainTextAsync("ул. Новостроек, д. 101");

        // Three flats, each from the building card's «Помещение».
        foreach (var (number, area) in new[] { ("1", "54,3"), ("2", "41"), ("3", "72,5") })
        {
            await page.GetByTestId("new-premise").ClickAsync();
            await Assertions.Expect(page.GetByTestId("registry-title")).ToContainTextAsync("Новый объект: Помещение");
            await Fill(page, ("Number", number), ("TotalArea", area), ("Rooms", "2"));
            await SaveAsync(page, new Regex($@"/buildings/{building}$"));
        }
        await Assertions.Expect(page.GetByTestId("premises").Locator("tbody tr")).ToHaveCountAsync(3);

        // Six more from «Квартиры списком»: flats 4–9, one entrance, three floors, two flats a landing; a clash refused.
        await page.GetByTestId("new-premise-series").ClickAsync();
        foreach (var (id, value) in new[] { ("series-from", "3"), ("series-to", "9"), ("series-floors", "3"), ("series-areas", "40; 50,5"), ("series-rooms", "1; 2") })
            await OperatorJourneyTests.Input(page, id).FillAsync(value);
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync("Технический паспорт БТИ");
        await page.GetByTestId("series-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("series-error")).ToContainTextAsync("В доме уже есть помещения с номерами 3");
        await OperatorJourneyTests.Input(page, "series-from").FillAsync("4");
        await page.GetByTestId("series-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("series-plan").Locator("tbody tr")).ToHaveCountAsync(6);
        await page.GetByTestId("series-create").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"/buildings/{building}$"));
        await Assertions.Expect(page.GetByTestId("premises").Locator("tbody tr")).ToHaveCountAsync(9);
        (await host.ScalarAsync<string>($"SELECT string_agg(number || ':' || floor || ':' || total_area, ' ' ORDER BY number::int) FROM premises WHERE building_id = {building} AND number::int >= 4"))
            .ShouldBe("4:1:40.000000 5:1:50.500000 6:2:40.000000 7:2:50.500000 8:3:40.000000 9:3:50.500000");

        // An account in flat 1, from its row's «Открыть ЛС».
        string number1 = AccountNumber.Create(700_901);
        await page.GetByTestId("new-account-1").ClickAsync();
        await Fill(page, ("Number", number1), ("OpenedOn", "01.01.2026"));
        await SaveAsync(page, new Regex(@"/accounts/\d+$"));
        await Assertions.Expect(page.GetByTestId("account-number")).ToContainTextAsync(number1);
        long premise = await host.ScalarAsync<long>($"SELECT id FROM premises WHERE building_id = {building} AND number = '1'");

        // A cold-water meter in flat 1; the building's service by area and its supplier.
        await page.GotoAsync($"/registry/meters/new?buildingId={building}&premiseId={premise}");
        await CorrectionJourneyTests.ChooseAsync(page, "field-Resource", "Холодная вода");
        await Fill(page, ("SerialNumber", "ХВ-НОВ-1"), ("InstalledOn", "01.10.2026"));
        await SaveAsync(page, new Regex($@"/buildings/{building}$"));
        await page.GotoAsync($"/registry/building-service-methods/new?buildingId={building}&serviceId={service}");
        await CorrectionJourneyTests.ChooseAsync(page, "field-Method", "По площади");
        await Fill(page, ("ValidFrom", "01.01.2026"));
        await SaveAsync(page, new Regex($@"/buildings/{building}$"));
        await page.GotoAsync($"/registry/service-contracts/new?buildingId={building}&serviceId={service}&supplierId={supplier}");
        await Fill(page, ("ValidFrom", "01.01.2026"));
        await SaveAsync(page, new Regex($@"/buildings/{building}$"));

        // A form refuses what the registry refuses, in Russian, and saves nothing.
        await page.GotoAsync($"/registry/premises/new?buildingId={building}");
        await Fill(page, ("Number", "1"), ("TotalArea", "-5"));
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-errors")).ToBeVisibleAsync();
        (await host.ScalarAsync<long>($"SELECT count(*) FROM premises WHERE building_id = {building}")).ShouldBe(9);

        // In the database, each with the reason in its history.
        long account = await host.ScalarAsync<long>($"SELECT id FROM personal_accounts WHERE number = '{number1}'");
        (await host.ScalarAsync<long>($"SELECT count(*) FROM meters WHERE premise_id = {premise} AND serial_number = 'ХВ-НОВ-1' AND resource = 1")).ShouldBe(1);
        (await host.ScalarAsync<long>($"""
            SELECT count(*) FROM audit_entries WHERE reason = '{Reason}' AND action = 1
            """)).ShouldBe(1 + 3 + 1 + 1 + 1 + 1);

        // The next run charges the new account for the service, by its flat's area.
        await BillingRun.RunAsync(host.ConnectionString, new BillingPeriod(2026, 11), BillingScope.All, new BillingRunOptions(host.Clock), ct: ct);
        decimal charged = await host.ScalarAsync<decimal>(
            $"SELECT coalesce(sum(kopecks), 0) * 0.01 FROM charge_lines WHERE account_id = {account} AND service_id = {service} AND booking_month = '2026-11-01'");
        charged.ShouldBeGreaterThan(0m, serviceName);
    }

    /// <summary>A list of the workstation goes to Excel whole: every row the filters and search leave, under the columns' titles.</summary>
    [Fact]
    public async Task The_housing_stock_list_is_exported_to_xlsx_whole()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/buildings");
        await Assertions.Expect(page.Locator("tbody tr").First).ToBeVisibleAsync();
        // A click on the prerendered page before the circuit starts is lost.
        await Assertions.Expect(page.GetByTestId("list-export")).ToHaveAttributeAsync("data-interactive", "true");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("list-export").ClickAsync());
        download.SuggestedFilename.ShouldBe("Жилищный фонд 20.11.2026.xlsx");
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(path);
        try
        {
            var rows = MiniExcelLibs.MiniExcel.Query(path, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            var addresses = await host.ScalarAsync<string[]>("SELECT array_agg(address ORDER BY address) FROM buildings");
            rows.Select(r => (string)r["Адрес"]).Order(StringComparer.Ordinal).ShouldBe(addresses.Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Types into a registry form's fields (<c>field-…</c>), each left with Tab as a person does.</summary>
    internal static async Task Fill(IPage page, params (string Field, string Value)[] fields)
    {
        // Typed into a registry form before its circuit starts, the values are lost.
        await Assertions.Expect(OperatorJourneyTests.Input(page, "field-" + fields[0].Field)).ToBeVisibleAsync();
        var save = page.GetByTestId("save");
        if (await save.CountAsync() > 0) await Assertions.Expect(save).ToHaveAttributeAsync("data-interactive", "true");
        foreach (var (field, value) in fields)
        {
            var input = OperatorJourneyTests.Input(page, "field-" + field);
            await input.FillAsync(value);
            await input.PressAsync("Tab");
        }
    }

    [Fact]
    public async Task An_account_manager_records_a_temporary_absence_and_an_announcement_on_the_screens()
    {
        long account = await host.ScalarAsync<long>("""
            SELECT r.account_id FROM registrations r JOIN personal_accounts a ON a.id = r.account_id
            WHERE r.valid_to IS NULL AND a.closed_on IS NULL ORDER BY r.account_id LIMIT 1
            """);
        string person = await host.ScalarAsync<string>($"SELECT p.full_name FROM registrations r JOIN people p ON p.id = r.person_id WHERE r.account_id = {account} AND r.valid_to IS NULL ORDER BY r.id LIMIT 1");
        var login = await host.CreateUserAsync(OpenErc.Web.Security.Roles.AccountManager);
        var (_, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        await page.GotoAsync($"/accounts/{account}");
        await WebHost.OpenTabAsync(page, "Проживающие");
        await page.GetByTestId("new-absence").ClickAsync();
        // The person is searched as typed (the registry's people are many): the whole name, in one input — a keystroke at
        // a time raced the searches of the shorter texts on a loaded machine, and a surname alone may have more namesakes
        // than the list shows. A search whose answer the box missed on a loaded machine is asked again.
        var who = OperatorJourneyTests.Input(page, "field-PersonId");
        await who.ClickAsync();
        var option = page.GetByRole(AriaRole.Option, new() { Name = person }).First;
        for (int attempt = 1; ; attempt++)
        {
            await who.FillAsync(person);
            try
            {
                await option.WaitForAsync(new() { Timeout = 15_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                await who.FillAsync("");
            }
        }
        await option.ClickAsync();
        await Assertions.Expect(who).ToHaveValueAsync(person);
        await Fill(page, ("ValidFrom", "01.10.2026"), ("ValidTo", "21.10.2026"), ("Document", "Справка о командировке № 12"));
        // A reason of its own: the other journey of this host counts the history entries of its reason.
        await SaveAsync(page, new Regex($@"/accounts/{account}$"), "Заявление о временном отсутствии");
        await WebHost.OpenTabAsync(page, "Проживающие");
        await Assertions.Expect(page.GetByTestId("absences")).ToContainTextAsync("Справка о командировке № 12");
        (await host.ScalarAsync<string>($"SELECT valid_from || ' ' || valid_to FROM temporary_absences WHERE account_id = {account} AND document = 'Справка о командировке № 12'"))
            .ShouldBe("2026-10-01 2026-10-21");

        await page.GotoAsync("/announcements");
        await OperatorJourneyTests.Input(page, "announcement-text").FillAsync("Собрание собственников 1 декабря в 19:00");
        await page.GetByTestId("announcement-add").ClickAsync();
        await Assertions.Expect(page.GetByTestId("announcements")).ToContainTextAsync("Собрание собственников 1 декабря в 19:00");
        (await host.ScalarAsync<string>("SELECT coalesce(building_id::text, 'все') || ' ' || valid_from FROM announcements WHERE text = 'Собрание собственников 1 декабря в 19:00'"))
            .ShouldBe("все 2026-11-20");
    }

    private static async Task SaveAsync(IPage page, Regex then, string reason = Reason)
    {
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync(reason);
        await page.GetByTestId("save").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(then);
    }
}
