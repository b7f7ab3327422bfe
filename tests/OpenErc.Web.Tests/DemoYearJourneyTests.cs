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
public sealed partial class DemoYearJourneyTests(DemoYearWebHost host) : IClassFixture<DemoYearWebHost>
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
        // Its head: the debt on the day, by supplier (adding up to it), the last payment and the last document.
        var ru = System.Globalization.CultureInfo.GetCultureInfo("ru-RU");
        await using (var conn = new Npgsql.NpgsqlConnection(host.ConnectionString))
        {
            await conn.OpenAsync(Ct);
            var headline = await OpenErc.Operations.Payments.AccountHeadline.LoadAsync(conn, debtor, host.Clock.Today, Ct);
            headline.BySupplier.Sum(x => x.Debt).ShouldBe(headline.Balance.Debt);
            headline.BySupplier.Sum(x => x.Advance).ShouldBe(headline.Balance.Advance);
            headline.BySupplier.Count.ShouldBeGreaterThan(1);
            await Assertions.Expect(page.GetByTestId("account-head")).ToContainTextAsync($"долг {headline.Balance.Debt.ToString("#,0.00", ru)} ₽");
            var suppliers = page.GetByTestId("account-head-suppliers").Locator("tbody tr");
            await Assertions.Expect(suppliers).ToHaveCountAsync(headline.BySupplier.Count);
            await Assertions.Expect(suppliers.First).ToContainTextAsync(headline.BySupplier[0].Supplier);
            // The last payment that stands — a chronic debtor may have none.
            long lastId = await host.ScalarAsync<long>($"""
                SELECT coalesce((SELECT p.id FROM payments p WHERE p.account_id = {debtor} AND p.corrects IS NULL
                  AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.corrects = p.id) ORDER BY p.received_on DESC, p.id DESC LIMIT 1), 0)
                """);
            (headline.Payment?.Id ?? 0).ShouldBe(lastId);
            await Assertions.Expect(page.GetByTestId("account-head-payment")).ToContainTextAsync(headline.Payment is { } last
                ? $"{last.Amount.ToString("#,0.00", ru)} ₽ от {last.ReceivedOn:dd.MM.yyyy}" : "платежей нет");
            await Assertions.Expect(page.GetByTestId("account-head-receipt")).ToContainTextAsync("ЕПД за октябрь 2026");
        }
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

    /// <summary>
    /// The calculator prints the last closed month's ЕПД from the workstation: the progress, the report, a file per
    /// building with its download (every account of the building in it) and the print registry.
    /// </summary>
    [Fact]
    public async Task The_calculator_prints_a_closed_months_documents_building_by_building_and_downloads_them()
    {
        var login = await host.CreateUserAsync(OpenErc.Web.Security.Roles.Calculator);
        var (client, cookies) = await host.SignedInAsync(login);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);

        await page.GotoAsync("/receipts");
        await Assertions.Expect(OperatorJourneyTests.Input(page, "print-month")).ToHaveValueAsync("октябрь 2026");
        await page.GetByTestId("print-start").ClickAsync();
        int buildings = (int)await host.ScalarAsync<long>("SELECT count(*) FROM buildings");
        await Assertions.Expect(page.GetByTestId("print-report")).ToContainTextAsync($"Напечатано домов: {buildings}");
        var files = page.GetByTestId("print-files").Locator("tbody tr");
        await Assertions.Expect(files).ToHaveCountAsync(buildings);

        long building = await host.ScalarAsync<long>("SELECT min(id) FROM buildings");
        int documents = await host.ScalarAsync<int>($"SELECT receipts FROM receipt_prints WHERE month = '2026-10-01' AND building_id = {building}");
        documents.ShouldBe(await host.ScalarAsync<int>($"SELECT count(*)::int FROM receipts WHERE month = '2026-10-01' AND building_id = {building} AND kind IN (1, 3)"));
        var pdf = await client.GetAsync($"/api/v1/receipts/prints/2026-10/{building}", Ct);
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        using (var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync(Ct)))
        {
            document.NumberOfPages.ShouldBeGreaterThanOrEqualTo(documents); // a long document goes on over a page
            string text = string.Join(" ", document.GetPages().Select(p => p.Text));
            var numbers = await host.ScalarAsync<string[]>($"SELECT array_agg(a.number) FROM receipts r JOIN personal_accounts a ON a.id = r.account_id WHERE r.month = '2026-10-01' AND r.building_id = {building} AND r.kind IN (1, 3)");
            numbers.ShouldAllBe(n => text.Contains(n));
        }
        var registry = await client.GetStringAsync("/api/v1/receipts/prints/2026-10/registry", Ct);
        registry.ShouldContain(await host.ScalarAsync<string>($"SELECT address FROM buildings WHERE id = {building}"));
        (await client.GetAsync("/api/v1/receipts/prints/2026-10/987654", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Printed again, nothing is printed twice: every building's file is there already.
        await page.GetByTestId("print-start").ClickAsync();
        await Assertions.Expect(page.GetByTestId("print-report")).ToContainTextAsync($"Напечатано домов: 0 (уже были готовы: {buildings})");
    }
}

/// <summary>The citizen's payment archive and the statement of the account over the demo region's year.</summary>
public sealed class CabinetStatementTests(DemoYearWebHost host) : IClassFixture<DemoYearWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_statement_chains_the_months_balances_and_the_archive_shows_how_each_payment_was_allocated()
    {
        long account = await host.ScalarAsync<long>("""
            SELECT account_id FROM payments WHERE account_id IS NOT NULL GROUP BY account_id ORDER BY count(*) DESC, account_id LIMIT 1
            """);
        string number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var (citizen, _, _) = await host.CitizenAsync(account);

        var statement = await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/statement?from=2025-11&to=2026-10", Ct), HttpStatusCode.OK);
        var months = statement.EnumerateArray().ToList();
        months.Count.ShouldBe(12);
        months[0].GetProperty("month").GetString().ShouldBe("2025-11");
        for (int i = 1; i < months.Count; i++)
            months[i].GetProperty("opening").GetDecimal().ShouldBe(months[i - 1].GetProperty("closing").GetDecimal());
        foreach (var m in months)
            (m.GetProperty("opening").GetDecimal() + m.GetProperty("charged").GetDecimal() + m.GetProperty("recalculated").GetDecimal()
             + m.GetProperty("penalties").GetDecimal() - m.GetProperty("paid").GetDecimal()).ShouldBe(m.GetProperty("closing").GetDecimal());
        months[^1].GetProperty("closing").GetDecimal()
            .ShouldBe(await host.ScalarAsync<decimal>($"SELECT sum(closing) FROM account_balances WHERE account_id = {account} AND month = '2026-10-01'"));
        // By default: the twelve months before the current one.
        (await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/statement", Ct), HttpStatusCode.OK)).GetArrayLength().ShouldBe(12);
        var bad = await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/statement?from=ноябрь", Ct), HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("from")[0].GetString().ShouldBe("Укажите месяцы в виде ГГГГ-ММ, например 2026-01");

        var pdf = await citizen.GetAsync($"/api/v1/me/accounts/{number}/statement/pdf?from=2025-11&to=2026-10", Ct);
        pdf.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var read = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync(Ct)))
        {
            var words = string.Join(" ", read.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            words.ShouldContain("Выписка из финансового лицевого счёта");
            words.ShouldContain(number);
            words.ShouldContain("октябрь 2026");
        }

        var payments = await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/me/accounts/{number}/payments", Ct), HttpStatusCode.OK);
        payments.GetArrayLength().ShouldBe((int)Math.Min(100, await host.ScalarAsync<long>($"SELECT count(*) FROM payments WHERE account_id = {account}")));
        foreach (var p in payments.EnumerateArray().Where(p => p.GetProperty("status").GetString() == "Posted"))
            p.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("amount").GetDecimal()).ShouldBe(p.GetProperty("amount").GetDecimal());

        // Another account's statement is not the citizen's.
        string other = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id <> {account} ORDER BY id LIMIT 1");
        (await citizen.GetAsync($"/api/v1/me/accounts/{other}/statement", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_administrator_sees_a_citizens_cabinet_read_only_and_the_opening_is_journaled()
    {
        long account = await host.ScalarAsync<long>("SELECT min(account_id) FROM payments WHERE account_id IS NOT NULL");
        string number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var (_, _, login) = await host.CitizenAsync(account);
        long user = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{login}'");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000); // the administrator
        await page.GotoAsync($"/admin/users/{user}/cabinet");
        await Assertions.Expect(page.GetByTestId("cabinet-view-as")).ToContainTextAsync(login);
        await Assertions.Expect(page.GetByTestId("cabinet-account")).ToContainTextAsync(number);
        await Assertions.Expect(page.GetByTestId("pay")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("link")).ToHaveCountAsync(0);
        await WebHost.OpenTabAsync(page, "Платежи");
        await Assertions.Expect(page.GetByTestId("cabinet-payments")).ToBeVisibleAsync();
        (await host.ScalarAsync<string>($"SELECT actor || ' ' || success FROM auth_events WHERE event = 'cabinet-viewed' AND user_id = {user}"))
            .ShouldBe($"{host.AdminLogin} true");

        // Not a citizen: nothing to show.
        long staff = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{host.AdminLogin}'");
        await page.GotoAsync($"/admin/users/{staff}/cabinet");
        await Assertions.Expect(page.GetByText("не является гражданином")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_cabinet_reads_whole_on_a_360_pixel_phone()
    {
        long account = await host.ScalarAsync<long>("SELECT min(account_id) FROM payments WHERE account_id IS NOT NULL");
        var (_, cookies, _) = await host.CitizenAsync(account);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies, phone: true, phoneWidth: 360);
        await page.GotoAsync("/cabinet");
        await Assertions.Expect(page.GetByTestId("to-pay")).ToBeVisibleAsync();
        foreach (var tab in new[] { "Начисления", "Показания", "Документы", "Платежи", "Обращения", "Уведомления", "Калькуляторы" })
        {
            await WebHost.OpenTabAsync(page, tab);
            // Nothing wider than the screen: the page never scrolls sideways.
            (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(360, tab);
        }
        // The charges' amounts are on the screen.
        await WebHost.OpenTabAsync(page, "Начисления");
        var amount = page.GetByTestId("charge-amount").First;
        var box = (await amount.BoundingBoxAsync()).ShouldNotBeNull();
        (box.X + box.Width).ShouldBeLessThanOrEqualTo(360f);
    }
}
