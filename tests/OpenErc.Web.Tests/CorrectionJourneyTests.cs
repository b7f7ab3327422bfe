using System.Globalization;
using Microsoft.Playwright;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using OpenErc.Web.Components.Shared;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The расчётчик posts a manual correction from the workstation and sees it in the registry and on the account card.</summary>
public sealed class CorrectionJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_correction_posted_from_the_workstation_is_in_the_registry_and_on_the_account_card_and_bad_input_posts_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        // The host opened November; it is charged and, on 3 December, closed: the correction is booked in the open
        // December for November.
        var charged = (await BillingPeriods.OpenMonthAsync(host.ConnectionString, ct)).ShouldNotBeNull();
        (await BillingRun.RunAsync(host.ConnectionString, charged, BillingScope.All, new BillingRunOptions(host.Clock), ct: ct)).Failures.ShouldBeEmpty();
        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        await BillingPeriods.CloseAsync(host.ConnectionString, charged, host.Clock, "тест", ct);
        var open = charged.Next();
        long accountId = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT min(account_id) FROM charge_line_details");
        var account = (await CorrectionTargets.FindAsync(host.ConnectionString, accountId.ToString(CultureInfo.InvariantCulture), ct)).ShouldNotBeNull();
        var service = account.Services[0];
        async Task<long> CorrectionsAsync() => await Sql.ScalarAsync<long>(host.ConnectionString,
            $"SELECT count(*) FROM charge_line_details WHERE kind = {(short)ChargeLineKind.ManualCorrection}");
        const string reason = "Жалоба № 41: начислено за непроживающего";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);

        await page.GotoAsync("/recalculations");
        await page.GetByTestId("open-correction").ClickAsync();
        await OperatorJourneyTests.Input(page, "correction-account").FillAsync(account.Number);
        await OperatorJourneyTests.Input(page, "correction-account").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("correction-address")).ToContainTextAsync(account.Address);
        await ChooseAsync(page, "correction-service", service.Title);
        await OperatorJourneyTests.Input(page, "correction-amount").FillAsync("-150,25");
        await OperatorJourneyTests.Input(page, "correction-reason").FillAsync(reason);
        await page.GetByTestId("correction-post").ClickAsync();

        var registry = page.GetByTestId("recalculations");
        await Assertions.Expect(registry).ToContainTextAsync(reason);
        await Assertions.Expect(registry).ToContainTextAsync("-150,25");
        await Assertions.Expect(registry).ToContainTextAsync("Ручная корректировка");
        (await CorrectionsAsync()).ShouldBe(1);
        var posted = (await Recalculations.ListAsync(host.ConnectionString, new RecalculationFilter(Kind: ChargeLineKind.ManualCorrection), ct: ct)).Items.ShouldHaveSingleItem();
        (posted.AccountId, posted.ServiceCode, posted.SupplierId, posted.BookingMonth, posted.ServiceMonth, posted.Amount, posted.Reason, posted.PostedBy)
            .ShouldBe((accountId, service.ServiceCode, service.SupplierId, open, charged, -150.25m, reason, host.AdminLogin));

        // On the account card, in «Начисления», with the month it corrects; then bad input from the card posts nothing.
        await page.GotoAsync($"/accounts/{accountId}");
        await WebHost.OpenTabAsync(page, "Начисления");
        var charges = page.GetByTestId("charges");
        await Assertions.Expect(charges).ToContainTextAsync("Ручная корректировка");
        await Assertions.Expect(charges).ToContainTextAsync("-150,25");

        await page.GetByTestId("account-correction").ClickAsync();
        await Assertions.Expect(page.GetByTestId("correction-address")).ToContainTextAsync(account.Address);
        await OperatorJourneyTests.Input(page, "correction-amount").FillAsync("сто рублей");
        await page.GetByTestId("correction-post").ClickAsync();
        await Assertions.Expect(page.GetByText("Введите сумму в рублях, например -150,25")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Укажите причину корректировки")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Выберите услугу и исполнителя")).ToBeVisibleAsync();

        // Well-formed but refused by the ledger: a month after the open one.
        await ChooseAsync(page, "correction-service", service.Title);
        await OperatorJourneyTests.Input(page, "correction-amount").FillAsync("10");
        var serviceMonth = OperatorJourneyTests.Input(page, "correction-for");
        await serviceMonth.FillAsync(Fmt.Month(open.Next()));
        await serviceMonth.PressAsync("Tab");
        await OperatorJourneyTests.Input(page, "correction-reason").FillAsync("проверка");
        await page.GetByTestId("correction-post").ClickAsync();
        await Assertions.Expect(page.GetByTestId("correction-refusal"))
            .ToHaveTextAsync($"Корректировка за месяц {open.Next()} позже расчётного месяца {open} невозможна");
        (await CorrectionsAsync()).ShouldBe(1);
    }

    /// <summary>
    /// Picks <paramref name="option"/> in a MudSelect and waits until the field shows it: a slow server may still be closing the
    /// list, and a form posted before that sees no choice.
    /// </summary>
    internal static async Task ChooseAsync(IPage page, string testId, string option)
    {
        await Select(page, testId).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option }).ClickAsync();
        await Assertions.Expect(OperatorJourneyTests.Input(page, testId)).ToHaveValueAsync(option);
    }

    /// <summary>The clickable part of a MudSelect.</summary>
    internal static ILocator Select(IPage page, string testId) =>
        page.Locator($".mud-select:has([data-testid={testId}]), .mud-select[data-testid={testId}]").First;
}
