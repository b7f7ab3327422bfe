using Microsoft.Playwright;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>«Загрузка данных» in the browser: the administrator tries an earlier system's export dry, then loads it; the registry holds it.</summary>
public sealed class ImportJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task The_administrator_loads_a_kvado_export_dry_then_for_real()
    {
        string municipality = await host.ScalarAsync<string>("SELECT name FROM municipalities ORDER BY id LIMIT 1");
        long buildings = await host.ScalarAsync<long>("SELECT count(*) FROM buildings");
        var (_, cookies) = await host.SignedInAsync(await host.CreateUserAsync(Roles.Administrator));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);
        await page.GotoAsync("/imports");
        // The choices first: the select answering proves the page interactive before the files are given to it.
        await CorrectionJourneyTests.ChooseAsync(page, "kvado-municipality", municipality);
        await OperatorJourneyTests.Input(page, "kvado-region").FillAsync("Новоградская область");
        await OperatorJourneyTests.Input(page, "kvado-region").PressAsync("Tab");
        await page.Locator("input[type=file]").First.SetInputFilesAsync(KvadoSample.Files()
            .Select(f => new FilePayload { Name = f.Name, MimeType = "application/json", Buffer = f.Content }).ToArray());
        await Assertions.Expect(page.GetByTestId("kvado-files")).ToHaveTextAsync("houses.json, meters.json, charges.json, payments.json");

        // Dry: the counts, nothing stored.
        await page.GetByTestId("kvado-upload").ClickAsync();
        await Assertions.Expect(page.GetByTestId("kvado-report")).ToContainTextAsync("Пробный прогон: ничего не сохранено");
        await Assertions.Expect(page.GetByTestId("kvado-report")).ToContainTextAsync("Лицевые счета");
        (await host.ScalarAsync<long>("SELECT count(*) FROM buildings")).ShouldBe(buildings);

        // For real.
        await page.GetByTestId("kvado-dry").ClickAsync();
        await page.GetByTestId("kvado-upload").ClickAsync();
        await Assertions.Expect(page.GetByTestId("kvado-report")).ToContainTextAsync("Загружено");
        (await host.ScalarAsync<long>("SELECT count(*) FROM buildings")).ShouldBe(buildings + 2);
        (await host.ScalarAsync<long>("SELECT count(*) FROM account_aliases WHERE number = '75ДА533315'")).ShouldBe(1);

        // The earlier system's charges and payments on the account card, as history.
        long orlovs = await host.ScalarAsync<long>("SELECT account_id FROM account_aliases WHERE number = '0500123'");
        await page.GotoAsync($"/accounts/{orlovs}");
        await WebHost.OpenTabAsync(page, "Прежняя система");
        await Assertions.Expect(page.GetByTestId("legacy-charges")).ToContainTextAsync("Холодное водоснабжение");
        await Assertions.Expect(page.GetByTestId("legacy-payments")).ToContainTextAsync("ПАО Сбербанк, реестр № 57");
    }
}
