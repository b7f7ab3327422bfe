using Microsoft.Playwright;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The account manager enters a right to a benefit from УСЗН's decision on the account card's «Льготы и субсидии» tab (a
/// reason is required) and closes it on its last day; the database holds the exclusive end, the card the last day.
/// </summary>
public sealed class BenefitsJourneyTests(WebHost host) : IClassFixture<WebHost>
{
    [Fact]
    public async Task A_right_is_added_and_closed_on_the_account_card_and_uszn_files_are_loaded()
    {
        var (number, id, _, resident) = await BenefitsApiTests.AccountAsync(host);
        var (_, cookies) = await host.SignedInAsync(await host.CreateUserAsync(Roles.AccountManager));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        await page.GotoAsync($"/accounts/{id}");
        await Assertions.Expect(page.GetByTestId("account-number")).ToContainTextAsync(number);
        await WebHost.OpenTabAsync(page, "Льготы и субсидии");
        await Assertions.Expect(page.GetByTestId("benefit-rights")).ToContainTextAsync("Прав на льготы нет");

        await page.GetByTestId("add-benefit-right").ClickAsync();
        await CorrectionJourneyTests.ChooseAsync(page, "benefit-person", "Соседов Пётр Ильич");
        await CorrectionJourneyTests.ChooseAsync(page, "benefit-category", "Инвалиды (INV)");
        await OperatorJourneyTests.Input(page, "benefit-from").FillAsync("01.11.2026");
        await OperatorJourneyTests.Input(page, "benefit-from").PressAsync("Tab");
        await OperatorJourneyTests.Input(page, "benefit-decision").FillAsync("77/2026");
        // Without a reason nothing is saved.
        await page.GetByTestId("save-benefit-right").ClickAsync();
        await Assertions.Expect(page.GetByText("Укажите причину изменения")).ToBeVisibleAsync();
        (await host.ScalarAsync<long>($"SELECT count(*) FROM benefit_rights WHERE person_id = {resident}")).ShouldBe(0);
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync("Решение УСЗН № 77/2026");
        await page.GetByTestId("save-benefit-right").ClickAsync();
        var rights = page.GetByTestId("benefit-rights");
        await Assertions.Expect(rights).ToContainTextAsync("Соседов Пётр Ильич");
        await Assertions.Expect(rights).ToContainTextAsync("Инвалиды");
        await Assertions.Expect(rights).ToContainTextAsync("вручную");
        long right = await host.ScalarAsync<long>($"SELECT id FROM benefit_rights WHERE person_id = {resident}");

        await page.GetByTestId($"close-benefit-right-{right}").ClickAsync();
        await OperatorJourneyTests.Input(page, "benefit-last-day").FillAsync("30.11.2026");
        await OperatorJourneyTests.Input(page, "benefit-last-day").PressAsync("Tab");
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync("Решение УСЗН о прекращении");
        await page.GetByTestId("save-benefit-right").ClickAsync();
        await Assertions.Expect(rights).ToContainTextAsync("с 01.11.2026 по 30.11.2026");
        (await host.ScalarAsync<string>($"SELECT valid_to::text FROM benefit_rights WHERE id = {right}")).ShouldBe("2026-12-01");

        // A housing subsidy from УСЗН's decision, by hand: a half-year, shown with its last day.
        await page.GetByTestId("add-subsidy").ClickAsync();
        await OperatorJourneyTests.Input(page, "subsidy-amount").FillAsync("1 880,00");
        foreach (var (field, day) in new[] { ("subsidy-from", "01.06.2026"), ("subsidy-last-day", "30.11.2026"), ("subsidy-decision-date", "20.05.2026") })
        {
            await OperatorJourneyTests.Input(page, field).FillAsync(day);
            await OperatorJourneyTests.Input(page, field).PressAsync("Tab");
        }
        await OperatorJourneyTests.Input(page, "subsidy-decision").FillAsync("С-15/2026");
        await OperatorJourneyTests.Input(page, "change-reason").FillAsync("Решение УСЗН № С-15/2026");
        await page.GetByTestId("save-subsidy").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subsidies")).ToContainTextAsync("с 01.06.2026 по 30.11.2026");
        await Assertions.Expect(page.GetByTestId("subsidies")).ToContainTextAsync("1 880,00");
        (await host.ScalarAsync<decimal>($"SELECT amount FROM subsidy_decisions WHERE account_id = {id} AND decision_number = 'С-15/2026'")).ShouldBe(1880.00m);

        // «Обмен с УСЗН»: a registry naming an unknown account is refused with its reason and the error file to send back.
        await page.GotoAsync("/uszn");
        var file = Testing.BenregSample.File(Testing.BenregSample.Row("J-1", "000000000", "Соседов", "Пётр", "Ильич", "05.05.1948"));
        for (int attempt = 1; ; attempt++)
        {
            await page.Locator("input[type=file]").First.SetInputFilesAsync(new FilePayload
                { Name = "OPENERC_BENREG_ERC_USZN_202611_001.csv", MimeType = "text/csv", Buffer = file });
            try
            {
                // The page may still be prerendered: a file chosen before its circuit connects is lost.
                await Assertions.Expect(page.GetByTestId("benreg-file")).ToHaveTextAsync("OPENERC_BENREG_ERC_USZN_202611_001.csv", new() { Timeout = 2_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 15)
            {
            }
        }
        await page.GetByTestId("benreg-upload").ClickAsync();
        await Assertions.Expect(page.GetByTestId("benreg-problems")).ToContainTextAsync("Лицевой счёт 000000000 не найден");
        await Assertions.Expect(page.GetByTestId("benerr-download")).ToContainTextAsync("OPENERC_BENERR_ERC_USZN_202611_001.csv");

        // Subsidy decisions SUBDEC on the same page: a valid file is recorded on the account.
        await page.GetByTestId("subdec-section").Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "OPENERC_SUBDEC_ERC_USZN_202611_001.csv", MimeType = "text/csv",
            Buffer = Testing.SubdecSample.File(Testing.SubdecSample.Row("J-S-" + number, number, ("ValidFrom", "01.12.2026"), ("ValidTo", "31.05.2027"))),
        });
        await Assertions.Expect(page.GetByTestId("subdec-file")).ToHaveTextAsync("OPENERC_SUBDEC_ERC_USZN_202611_001.csv");
        await page.GetByTestId("subdec-upload").ClickAsync();
        await Assertions.Expect(page.GetByTestId("subdec-report")).ToContainTextAsync("Загружено: строк 1; добавлено 1");
        (await host.ScalarAsync<string>($"SELECT valid_to::text FROM subsidy_decisions WHERE uszn_decision_id = 'J-S-{number}'")).ShouldBe("2027-06-01");
    }
}
