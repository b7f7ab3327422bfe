using System.Net;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using OpenErc.Web.Components.Shared;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>«Сводка месяца»: the month's runs, the last closed month's documents and debt, and the month's payments, as the ledger holds them.</summary>
public sealed class MonthDashboardTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<T> ScalarAsync<T>(string sql) => Sql.ScalarAsync<T>(host.ConnectionString, sql);

    [Fact]
    public async Task The_dashboard_shows_the_runs_documents_debt_and_payments_the_database_holds()
    {
        // The host opened November on 20.11.2026; it is charged, and closed on 3 December.
        var previous = host.Clock.CurrentMonth;
        var month = previous.Next();
        string prev = $"'{previous.FirstDay:yyyy-MM-dd}'";

        // Nothing yet: neither month charged, none closed, no payments.
        var empty = await MonthSummary.LoadAsync(host.ConnectionString, month, Ct);
        (empty.Previous.State, empty.Current.State, empty.LastClosed, empty.Payments.Count).ShouldBe((MonthState.NotCharged, MonthState.NotCharged, null, 0));

        // The previous month charged and closed; the documents of two accounts issued (by downloading them).
        var (first, firstNumber) = await host.ChargedAccountAsync();
        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        (await host.Client.PostAsync($"/api/v1/billing/periods/{previous}/close", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        long second = await ScalarAsync<long>($"SELECT min(account_id) FROM charge_line_details WHERE account_id > {first}");
        string secondNumber = await ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {second}");
        foreach (var account in new[] { first, second })
            (await host.Client.GetAsync($"/api/v1/accounts/{account}/receipts/{previous}/pdf", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // This month's payments: three through Sberbank's protocol (one of them to an unknown account, in suspense), one
        // through OSMP; the first is reversed.
        long bank = await ScalarAsync<long>("SELECT organisation_id FROM payment_agent_accesses WHERE login = 'demo-bank'");
        var options = new PostingOptions("тест", host.Clock, AllowSuspense: true);
        async Task<long> PayAsync(string key, PaymentChannel channel, string number, decimal amount) => (await PaymentPosting.PostAsync(host.ConnectionString,
            new PaymentIntake(bank, key, channel, number, amount, host.Clock.Now), options, Ct)).PaymentId!.Value;
        long wrong = await PayAsync("DASH-1", PaymentChannel.Sber, firstNumber, 1000.00m);
        await PayAsync("DASH-2", PaymentChannel.Sber, secondNumber, 500.00m);
        await PayAsync("DASH-3", PaymentChannel.Sber, Core.Accounts.AccountNumber.Create(999_999_998), 300.00m);
        await PayAsync("DASH-4", PaymentChannel.Osmp, firstNumber, 250.50m);
        await PaymentCorrections.ReverseAsync(host.ConnectionString, wrong, "Ошибочный платёж", options, ct: Ct);

        var s = await MonthSummary.LoadAsync(host.ConnectionString, month, Ct);

        // Runs: the previous month closed with every line of the ledger; nothing charged in this one.
        (s.Previous.State, s.Current.State).ShouldBe((MonthState.Closed, MonthState.NotCharged));
        s.Previous.Status.PostedTotal.ShouldBe(await ScalarAsync<decimal>($"SELECT sum(amount) FROM charge_line_details WHERE booking_month = {prev}"));
        s.Previous.LastRun.ShouldNotBeNull().Scope.ShouldBe(BillingScope.All.Description);

        // Documents and debt of the closed month, against the charges (nothing was paid in it, so the debt is what was charged).
        var closed = s.LastClosed.ShouldNotBeNull();
        closed.Month.ShouldBe(previous);
        closed.Accounts.ShouldBe((int)await ScalarAsync<long>($"SELECT count(DISTINCT account_id) FROM charge_line_details WHERE booking_month = {prev}"));
        closed.Issued.ShouldBe(2);
        closed.Receipts.ShouldHaveSingleItem().Kind.ShouldBe(ReceiptKind.Monthly);
        decimal toPay = await ScalarAsync<decimal>($"SELECT sum(amount) FROM charge_line_details WHERE booking_month = {prev} AND account_id IN ({first}, {second})");
        closed.IssuedToPay.ShouldBe(toPay);
        closed.IssuedToPay.ShouldBe(await ScalarAsync<decimal>($"SELECT sum(to_pay) FROM receipts WHERE month = {prev}"));
        decimal debt = await ScalarAsync<decimal>($"""
            SELECT sum(t) FROM (SELECT sum(amount) AS t FROM charge_line_details WHERE booking_month = {prev} GROUP BY account_id HAVING sum(amount) > 0) x
            """);
        int debtors = (int)await ScalarAsync<long>($"""
            SELECT count(*) FROM (SELECT account_id FROM charge_line_details WHERE booking_month = {prev} GROUP BY account_id HAVING sum(amount) > 0) x
            """);
        (closed.Debt, closed.Debtors, closed.Advance, closed.AdvanceAccounts).ShouldBe((debt, debtors, 0m, 0));
        debt.ShouldBeGreaterThan(0m);

        // Payments of the month: by channel, by day, the reversal and the suspense.
        s.Payments.Channels.ShouldBe([new ChannelTotal(PaymentChannel.Sber, 3, 1800.00m), new ChannelTotal(PaymentChannel.Osmp, 1, 250.50m)]);
        (s.Payments.Count, s.Payments.Amount, s.Payments.Reversals, s.Payments.Reversed, s.Payments.Net).ShouldBe((4, 2050.50m, 1, -1000.00m, 1050.50m));
        (s.Payments.Suspense, s.Payments.SuspenseAmount).ShouldBe((1, 300.00m));
        s.Payments.Days.ShouldBe([new DayTotal(options.Today, 4, 2050.50m)]);
        s.Payments.Net.ShouldBe(await ScalarAsync<decimal>($"SELECT sum(amount) FROM payments WHERE correction IS NULL OR correction = 'reversal'"));

        // The page shows the same figures; its link heads the menu, and «/» is still the account search.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Поиск лицевых счетов" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-navmenu a").First).ToHaveTextAsync("Сводка месяца");
        await page.Locator(".mud-navmenu a").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("month-previous-state")).ToHaveTextAsync("закрыт");
        await Assertions.Expect(page.GetByTestId("month-current-state")).ToHaveTextAsync("не рассчитан");
        await Assertions.Expect(page.GetByTestId("month-previous")).ToContainTextAsync(Fmt.Money(s.Previous.Status.PostedTotal));
        await Assertions.Expect(page.GetByTestId("month-receipts")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByTestId("month-receipts-to-pay")).ToHaveTextAsync(Fmt.Money(toPay));
        await Assertions.Expect(page.GetByTestId("month-debt")).ToHaveTextAsync(Fmt.Money(debt));
        await Assertions.Expect(page.GetByTestId("month-debtors")).ToHaveTextAsync(Fmt.Count(debtors));
        await Assertions.Expect(page.GetByTestId("month-payments-count")).ToHaveTextAsync("4");
        await Assertions.Expect(page.GetByTestId("month-payments-sum")).ToHaveTextAsync(Fmt.Money(2050.50m));
        await Assertions.Expect(page.GetByTestId("month-payments-net")).ToHaveTextAsync(Fmt.Money(1050.50m));
        await Assertions.Expect(page.GetByTestId("month-channels").Locator("tbody tr")).ToHaveTextAsync(
            [$"Онлайн (протокол Сбербанка)3{Fmt.Money(1800m)}", $"Онлайн (протокол ОСМП)1{Fmt.Money(250.50m)}"]);
        await Assertions.Expect(page.GetByTestId("month-suspense")).ToContainTextAsync($"Невыясненных: 1 на {Fmt.Money(300m)} ₽");
        await Assertions.Expect(page.GetByTestId("month-chart").Locator("svg").First).ToBeVisibleAsync();

        // ГИС ЖКХ of the closed month: the accounts prepared, the state per building.
        await Assertions.Expect(page.GetByTestId("month-gis")).ToContainTextAsync("За этот месяц пакеты не готовились.");
        await page.GetByTestId("gis-prepare-Accounts").ClickAsync();
        await Assertions.Expect(page.GetByTestId("gis-skipped")).ToContainTextAsync("Лицевые счета: подготовлено пакетов");
        await Assertions.Expect(page.GetByTestId("gis-states").Locator("tbody tr").First).ToContainTextAsync("Подготовлен");
    }
}
