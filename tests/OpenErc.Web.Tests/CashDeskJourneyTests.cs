using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>A cashier opens a shift, takes a payment, sees the receipt, cancels the payment and closes the shift.</summary>
public sealed class CashDeskJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_cashier_takes_a_payment_prints_the_receipt_cancels_it_and_closes_the_shift()
    {
        var (accountId, number) = await host.ChargedAccountAsync();
        string payer = await Sql.ScalarAsync<string>(host.ConnectionString,
            $"SELECT p.full_name FROM personal_accounts a JOIN people p ON p.id = a.payer_person_id WHERE a.id = {accountId}");
        const string cashier = "Петрова Анна Сергеевна";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);

        await page.GotoAsync("/cash");
        // The button is enabled once the server has the cashier's name: the click cannot overtake the typing.
        await Assertions.Expect(page.GetByTestId("shift-open")).ToBeDisabledAsync();
        await OperatorJourneyTests.Input(page, "shift-cashier").FillAsync(cashier);
        await Assertions.Expect(page.GetByTestId("shift-open")).ToBeEnabledAsync();
        await page.GetByTestId("shift-open").ClickAsync();
        // The shift page comes by client-side navigation: wait for the address itself, not for a navigation event
        // (one that came before the wait began was missed under a full parallel run, with the shift already shown).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/cash/shifts/\d+$"));
        await Assertions.Expect(page.GetByTestId("shift-title")).ToContainTextAsync(cashier);

        // The account: its payer and debt; the amount is the debt by default — the cashier takes 250,00.
        await OperatorJourneyTests.Input(page, "cash-account").FillAsync(number);
        await page.GetByTestId("cash-find").ClickAsync();
        await Assertions.Expect(page.GetByTestId("cash-found")).ToContainTextAsync(payer);
        await Assertions.Expect(OperatorJourneyTests.Input(page, "cash-amount")).Not.ToHaveValueAsync("");
        await OperatorJourneyTests.Input(page, "cash-amount").FillAsync("250,00");
        await page.GetByTestId("cash-pay").ClickAsync();
        await Assertions.Expect(page.GetByTestId("cash-paid")).ToContainTextAsync("Принято 250,00");
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments")).ShouldBe(1);

        // The receipt: the centre, the shift and cashier, the account, and where the money goes.
        await page.GetByTestId("receipt-link").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/cash/receipts/\d+$"));
        var receipt = page.GetByTestId("receipt");
        await Assertions.Expect(receipt).ToContainTextAsync("Квитанция об оплате");
        await Assertions.Expect(receipt).ToContainTextAsync("Единый расчётный центр");
        await Assertions.Expect(receipt).ToContainTextAsync(cashier);
        await Assertions.Expect(receipt).ToContainTextAsync(number);
        await Assertions.Expect(page.GetByTestId("receipt-amount")).ToHaveTextAsync("250,00 ₽");
        await Assertions.Expect(page.GetByTestId("receipt-suppliers").Locator("tbody tr").First).ToBeVisibleAsync();

        // Back in the shift: cancel the payment with a reason.
        await page.GetByTestId("receipt-shift").ClickAsync();
        await page.GetByTestId("cash-cancel").ClickAsync();
        await page.GetByTestId("correction-submit").ClickAsync();
        await Assertions.Expect(page.GetByText("Укажите причину")).ToBeVisibleAsync();
        await OperatorJourneyTests.Input(page, "correction-reason").FillAsync("Плательщик передумал");
        await page.GetByTestId("correction-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("shift-payments")).ToContainTextAsync("отменён: Плательщик передумал");
        await Assertions.Expect(page.GetByTestId("shift-net")).ToHaveTextAsync("0,00");

        // Close the shift: nothing more can be taken; the report shows the payment and its cancellation.
        await page.GetByTestId("shift-close").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Закрыть смену" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("shift-state")).ToHaveTextAsync("закрыта");
        await Assertions.Expect(page.GetByTestId("cash-pay")).ToHaveCountAsync(0);
        await page.GetByTestId("shift-report").ClickAsync();
        var totals = page.GetByTestId("shift-report-totals");
        await Assertions.Expect(totals).ToContainTextAsync("Принято платежей");
        await Assertions.Expect(totals).ToContainTextAsync("250,00");

        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments")).ShouldBe(2);
        (await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT string_agg(state, ',') FROM cash_shifts")).ShouldBe("closed");
        (await Sql.ScalarAsync<decimal>(host.ConnectionString, $"SELECT sum(amount) FROM payment_allocations WHERE account_id = {accountId}")).ShouldBe(0m);
    }
}
