using System.Net;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>A host started on an empty database the way a newcomer starts it: the demo region with its year of life.</summary>
public sealed class DemoYearWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    protected override int DemoAccounts => 60;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("OpenErc:DemoMonths", "12")];
}

/// <summary>
/// After the first start, every screen has a year of history: the twelve months before the host's month (November 2026)
/// charged, paid, closed and documented, the host's month open and not yet charged.
/// </summary>
public sealed class DemoYearJourneyTests(DemoYearWebHost host) : IClassFixture<DemoYearWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod Current = new(2026, 11), LastClosed = new(2026, 10), First = new(2025, 11);

    [Fact]
    public async Task Twelve_months_of_charges_payments_debts_and_receipts_are_on_every_screen()
    {
        // The months: twelve closed in order, the current one open with nothing charged.
        (await BillingPeriods.OpenMonthAsync(host.ConnectionString, Ct)).ShouldBe(Current);
        (await host.ScalarAsync<string>("SELECT string_agg(to_char(month, 'YYYY-MM'), ',' ORDER BY month) FROM billing_periods WHERE state = 'closed'"))
            .ShouldBe(string.Join(",", Enumerable.Range(0, 12).Select(i => new BillingPeriod(2025, 11).FirstDay.AddMonths(i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))));
        (await host.ScalarAsync<long>("SELECT count(*) FROM charge_line_details WHERE booking_month = '2026-11-01'")).ShouldBe(0);
        (await host.ScalarAsync<long>("SELECT count(DISTINCT month) FROM receipts")).ShouldBe(12);
        (await host.ScalarAsync<long>("SELECT count(DISTINCT booking_month) FROM payments")).ShouldBe(12);

        // A chronic debtor: a debt of the history's first months is still unpaid at the last closing.
        long debtor = await host.ScalarAsync<long>($"""
            SELECT b.account_id FROM account_balances b
            WHERE b.month = '{LastClosed.FirstDay:yyyy-MM-dd}'
            GROUP BY b.account_id
            HAVING sum(b.closing) > (SELECT coalesce(sum(c.amount), 0) FROM charge_line_details c WHERE c.account_id = b.account_id AND c.booking_month >= '2026-07-01')
            ORDER BY sum(b.closing) DESC LIMIT 1
            """);

        // The month dashboard: the last closed month with its documents, debt and debtors.
        var summary = await MonthSummary.LoadAsync(host.ConnectionString, Current, Ct);
        var closed = summary.LastClosed.ShouldNotBeNull();
        (closed.Month, closed.Issued > 0, closed.Debt > 0, closed.Debtors > 0).ShouldBe((LastClosed, true, true, true));

        // The supplier cabinet's month and the citizen cabinet's documents.
        long water = await host.ScalarAsync<long>("SELECT id FROM organisations WHERE short_name = 'АО «Водоканал»'");
        using var supplier = await OpenApiSweep.SupplierClientAsync(host, "year-supplier", water);
        var month = await WebHost.JsonAsync(await supplier.GetAsync($"/api/v1/supplier/summary?month={LastClosed}", Ct), HttpStatusCode.OK);
        var services = month.GetProperty("services").EnumerateArray().ToList();
        services.ShouldNotBeEmpty();
        services.ShouldAllBe(s => s.GetProperty("opening").GetDecimal() > 0 && s.GetProperty("paid").GetDecimal() > 0);
        var (citizen, _, _) = await host.CitizenAsync(debtor);
        string number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {debtor}");
        var receipts = await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/receipts", Ct), HttpStatusCode.OK);
        receipts.GetArrayLength().ShouldBeGreaterThanOrEqualTo(12);

        // The account card in the browser: a year of documents, the debt, and a penalty statement whose
        // oldest debt is past 90 days of delay (the 1/130 rows).
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync($"/accounts/{debtor}");
        await WebHost.OpenTabAsync(page, "Платёжные документы");
        var documents = page.GetByTestId("account-receipts");
        await Assertions.Expect(documents).ToContainTextAsync("ноябрь 2025");
        await Assertions.Expect(documents).ToContainTextAsync("октябрь 2026");
        await WebHost.OpenTabAsync(page, "Платежи");
        decimal debt = await host.ScalarAsync<decimal>($"SELECT sum(closing) FROM account_balances WHERE month = '2026-10-01' AND account_id = {debtor}");
        await Assertions.Expect(page.GetByTestId("account-balance")).ToContainTextAsync(debt.ToString("#,0.00", System.Globalization.CultureInfo.GetCultureInfo("ru-RU")));
        await page.GotoAsync($"/accounts/{debtor}/penalties?on=2026-11-20");
        await Assertions.Expect(page.GetByTestId("penalty-rows").First).ToContainTextAsync("1/130");
    }
}
