using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using OpenErc.Web.Components.Shared;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The supplier cabinet over real HTTP and in the browser: a water supplier's user sees the ledger of its own services
/// (checked against SQL sums of the ledger), never the heat supplier's, and nobody but a supplier's user gets in.
/// </summary>
public sealed class SupplierCabinetTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The charged month, closed; its successor is open and holds the payment.</summary>
    private static readonly BillingPeriod Charged = new(2026, 11);
    private static readonly BillingPeriod Current = Charged.Next();

    private Task<T> ScalarAsync<T>(string sql) => Sql.ScalarAsync<T>(host.ConnectionString, sql);

    private static string Day(BillingPeriod month) => month.FirstDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Charges November (the month the host opened) and closes it on 3 December, pays 1000 ₽ in December to an account with water charges (each once, whichever test
    /// comes first) and returns the water and heat suppliers with a signed-in client of each one's access group.
    /// </summary>
    private async Task<(long Water, HttpClient WaterClient, long Heat, HttpClient HeatClient)> PreparedAsync()
    {
        long water = await ScalarAsync<long>("SELECT id FROM organisations WHERE short_name = 'АО «Водоканал»'");
        long heat = await ScalarAsync<long>("SELECT id FROM organisations WHERE short_name = 'АО «Теплосеть»'");
        if (await ScalarAsync<long>($"SELECT count(*) FROM billing_periods WHERE month = '{Day(Charged)}' AND state = 'closed'") == 0)
        {
            await host.ChargedAccountAsync();
            host.Clock.MoveTo(new DateOnly(2026, 12, 3));
            await BillingPeriods.CloseAsync(host.ConnectionString, Charged, host.Clock, "тест", Ct);
        }
        string number = await ScalarAsync<string>($"""
            SELECT number FROM personal_accounts WHERE id = (SELECT min(account_id) FROM charge_line_details WHERE supplier_id = {water})
            """);
        long bank = await ScalarAsync<long>("SELECT organisation_id FROM payment_agent_accesses WHERE login = 'demo-bank'");
        (await PaymentPosting.PostAsync(host.ConnectionString, new PaymentIntake(bank, "SUPPLIER-1", PaymentChannel.Sber, number, 1000.00m, host.Clock.Now),
            new PostingOptions("тест", host.Clock), Ct)).PaymentId.ShouldNotBeNull();
        return (water, await host.ClientAsync(Roles.Supplier, await GroupAsync(water)), heat, await host.ClientAsync(Roles.Supplier, await GroupAsync(heat)));
    }

    /// <summary>The supplier's access group (kind Supplier), made on first use.</summary>
    private async Task<long> GroupAsync(long supplier)
    {
        await using var db = host.CreateContext();
        if (db.AccessGroups.FirstOrDefault(g => g.Kind == AccessGroupKind.Supplier && g.OrganisationId == supplier) is { } existing) return existing.Id;
        var group = new AccessGroup { Kind = AccessGroupKind.Supplier, Name = $"Поставщик {supplier}", OrganisationId = supplier };
        db.AccessGroups.Add(group);
        await db.SaveChangesAsync(Ct);
        return group.Id;
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await WebHost.JsonAsync(await client.GetAsync(path, Ct), expected);

    /// <summary>The supplier's balances of a month by service, summed in SQL from the ledger.</summary>
    private async Task<Dictionary<long, decimal[]>> LedgerAsync(long supplier, BillingPeriod month)
    {
        await using var conn = new Npgsql.NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync(Ct);
        // A closed month is its account_balances; an open one (the current) is last month's closing plus this month's allocations.
        await using var cmd = new Npgsql.NpgsqlCommand(month == Charged
            ? $"""
               SELECT service_id, sum(opening), sum(charged), sum(recalculated), sum(penalties), sum(paid), sum(closing)
               FROM account_balances WHERE month = '{Day(month)}' AND supplier_id = {supplier} GROUP BY 1
               """
            : $"""
               SELECT service_id, sum(opening), 0, 0, 0, sum(paid), sum(opening) - sum(paid) FROM (
                   SELECT service_id, closing AS opening, 0 AS paid FROM account_balances WHERE month = '{Day(Charged)}' AND supplier_id = {supplier}
                   UNION ALL
                   SELECT service_id, 0, amount FROM payment_allocations WHERE booking_month = '{Day(month)}' AND supplier_id = {supplier}) x
               GROUP BY 1
               """, conn);
        var ledger = new Dictionary<long, decimal[]>();
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) ledger[r.GetInt64(0)] = Enumerable.Range(1, 6).Select(i => Convert.ToDecimal(r.GetValue(i))).ToArray();
        return ledger;
    }

    private static Dictionary<long, decimal[]> Totals(JsonElement summary) => summary.GetProperty("services").EnumerateArray().ToDictionary(
        s => s.GetProperty("serviceId").GetInt64(),
        s => new[] { "opening", "charged", "recalculated", "penalties", "paid", "closing" }.Select(p => s.GetProperty(p).GetDecimal()).ToArray());

    [Fact]
    public async Task A_supplier_sees_the_ledger_of_its_own_services_by_month_and_not_another_suppliers()
    {
        var (water, waterClient, heat, heatClient) = await PreparedAsync();

        // The closed month: exactly the supplier's account_balances, by service; charged is its regular lines of the month.
        var closed = await GetAsync(waterClient, $"/api/v1/supplier/summary?month={Charged}");
        closed.GetProperty("supplier").GetString().ShouldBe("АО «Водоканал»");
        closed.GetProperty("closed").GetBoolean().ShouldBeTrue();
        var totals = Totals(closed);
        var ledger = await LedgerAsync(water, Charged);
        totals.Keys.Order().ShouldBe(ledger.Keys.Order());
        foreach (var (service, sums) in ledger) totals[service].ShouldBe(sums, $"service {service}");
        totals.Values.Sum(t => t[1]).ShouldBe(await ScalarAsync<decimal>(
            $"SELECT sum(amount) FROM charge_line_details WHERE booking_month = '{Day(Charged)}' AND supplier_id = {water} AND kind = 0"));
        totals.Values.Sum(t => t[1]).ShouldBeGreaterThan(0m);
        closed.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()).Order()
            .ShouldBe(["Водоотведение", "Холодное водоснабжение"]);

        // The open month: opens with that closing and holds the water share of this month's payment.
        var open = await GetAsync(waterClient, $"/api/v1/supplier/summary?month={Current}");
        open.GetProperty("closed").GetBoolean().ShouldBeFalse();
        var openTotals = Totals(open);
        var openLedger = await LedgerAsync(water, Current);
        openTotals.Keys.Order().ShouldBe(openLedger.Keys.Order());
        foreach (var (service, sums) in openLedger) openTotals[service].ShouldBe(sums, $"service {service}");
        decimal paid = openTotals.Values.Sum(t => t[4]);
        paid.ShouldBe(await ScalarAsync<decimal>($"SELECT sum(amount) FROM payment_allocations WHERE booking_month = '{Day(Current)}' AND supplier_id = {water}"));
        paid.ShouldBeInRange(0.01m, 999.99m); // a share of the 1000 ₽: the rest went to the account's other suppliers

        // The heat supplier sees its own services and sums, none of the water supplier's.
        var heatTotals = Totals(await GetAsync(heatClient, $"/api/v1/supplier/summary?month={Charged}"));
        heatTotals.Keys.Order().ShouldBe((await LedgerAsync(heat, Charged)).Keys.Order());
        heatTotals.Keys.Intersect(totals.Keys).ShouldBeEmpty();
        heatTotals.Values.Sum(t => t[1]).ShouldBe(await ScalarAsync<decimal>(
            $"SELECT sum(amount) FROM charge_line_details WHERE booking_month = '{Day(Charged)}' AND supplier_id = {heat} AND kind = 0"));

        // Debtors: accounts owing the water supplier at the end of the month, largest first, paged.
        string debts = $"SELECT account_id, sum(closing) AS debt FROM account_balances WHERE month = '{Day(Charged)}' AND supplier_id = {water} GROUP BY 1";
        var debtors = await GetAsync(waterClient, $"/api/v1/supplier/debtors?month={Charged}&pageSize=5");
        debtors.GetProperty("total").GetInt32().ShouldBe((int)await ScalarAsync<long>($"SELECT count(*) FROM ({debts}) d WHERE debt >= 0.01"));
        var top = debtors.GetProperty("items").EnumerateArray().ToList();
        top.Count.ShouldBe(5);
        top[0].GetProperty("debt").GetDecimal().ShouldBe(await ScalarAsync<decimal>($"SELECT max(debt) FROM ({debts}) d"));
        top.Select(d => d.GetProperty("debt").GetDecimal()).ShouldBeInOrder(SortDirection.Descending);
        long first = top[0].GetProperty("accountId").GetInt64();
        top[0].GetProperty("accountNumber").GetString().ShouldBe(await ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {first}"));
        top[0].GetProperty("address").GetString()!.ShouldContain(await ScalarAsync<string>(
            $"SELECT b.address FROM personal_accounts a JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id WHERE a.id = {first}"));
        decimal third = top[2].GetProperty("debt").GetDecimal();
        var large = await GetAsync(waterClient, $"/api/v1/supplier/debtors?month={Charged}&min={third.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        large.GetProperty("total").GetInt32().ShouldBe((int)await ScalarAsync<long>($"SELECT count(*) FROM ({debts}) d WHERE debt >= {third.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        (await GetAsync(waterClient, $"/api/v1/supplier/debtors?month={Charged}&min=много", HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("min")[0].GetString()!.ShouldContain("положительное число");

        // Bad months: 400 with a Russian message, for every endpoint that takes one.
        foreach (var path in new[] { "summary?month=2026-13", "debtors?month=май", "export/charges.csv?month=1999-01", "summary" })
            (await GetAsync(waterClient, "/api/v1/supplier/" + path, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!.ShouldContain("ГГГГ-ММ");
    }

    [Fact]
    public async Task The_charges_export_is_a_russian_csv_of_the_suppliers_balances_per_account_and_service()
    {
        var (water, waterClient, _, _) = await PreparedAsync();
        var response = await waterClient.GetAsync($"/api/v1/supplier/export/charges.csv?month={Charged}", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"Начисления {Charged}.csv");
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        bytes.Take(3).ShouldBe(Encoding.UTF8.GetPreamble());
        var rows = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        rows[0].ShouldBe("Лицевой счёт;Адрес;Услуга;Входящее сальдо;Начислено;Перерасчёт;Пени;Оплачено;Исходящее сальдо");
        string balances = $"account_balances WHERE month = '{Day(Charged)}' AND supplier_id = {water}";
        rows.Length.ShouldBe((int)await ScalarAsync<long>($"SELECT count(*) FROM {balances}") + 2);
        var ru = System.Globalization.CultureInfo.GetCultureInfo("ru-RU");
        string Ru(decimal amount) => amount.ToString("0.00", ru);
        rows[^1].ShouldBe($"Итого;;;{Ru(await ScalarAsync<decimal>($"SELECT sum(opening) FROM {balances}"))};"
                          + $"{Ru(await ScalarAsync<decimal>($"SELECT sum(charged) FROM {balances}"))};"
                          + $"{Ru(await ScalarAsync<decimal>($"SELECT sum(recalculated) FROM {balances}"))};"
                          + $"{Ru(await ScalarAsync<decimal>($"SELECT sum(penalties) FROM {balances}"))};"
                          + $"{Ru(await ScalarAsync<decimal>($"SELECT sum(paid) FROM {balances}"))};"
                          + $"{Ru(await ScalarAsync<decimal>($"SELECT sum(closing) FROM {balances}"))}");

        // The first account's cold water, to the kopeck; no other supplier's service anywhere in the file.
        string number = await ScalarAsync<string>($"SELECT min(number) FROM personal_accounts WHERE id IN (SELECT account_id FROM {balances})");
        decimal charged = await ScalarAsync<decimal>($"""
            SELECT charged FROM {balances} AND service_id = (SELECT id FROM services WHERE code = 'cold_water')
              AND account_id = (SELECT id FROM personal_accounts WHERE number = '{number}')
            """);
        rows[1].ShouldStartWith($"{number};");
        rows[1].Split(';')[2].ShouldBe("Холодное водоснабжение");
        rows[1].Split(';')[4].ShouldBe(Ru(charged));
        rows.Skip(1).SkipLast(1).Select(r => r.Split(';')[2]).Distinct().Order().ShouldBe(["Водоотведение", "Холодное водоснабжение"]);
    }

    [Fact]
    public async Task Meters_are_those_of_the_suppliers_resources_in_its_buildings_and_others_are_refused()
    {
        var (water, waterClient, heat, heatClient) = await PreparedAsync();

        // Meters: in service, of a resource the supplier supplies in that building (water: cold water and sewage; heat: hot water and heat).
        async Task CheckMetersAsync(HttpClient client, long supplier, string[] resources)
        {
            var meters = await GetAsync(client, "/api/v1/supplier/meters?pageSize=200");
            var items = meters.GetProperty("items").EnumerateArray().ToList();
            int expected = (int)await ScalarAsync<long>($"""
                SELECT count(*) FROM meters m JOIN services s ON s.resource = m.resource
                JOIN service_contracts c ON c.building_id = m.building_id AND c.service_id = s.id AND c.supplier_id = {supplier} AND c.valid_to IS NULL
                WHERE m.removed_on IS NULL
                """);
            expected.ShouldBeGreaterThan(0);
            meters.GetProperty("total").GetInt32().ShouldBe(expected);
            items.Count.ShouldBe(expected);
            items.ShouldAllBe(m => resources.Contains(m.GetProperty("resource").GetString()));
            var read = items.First(m => m.GetProperty("lastReadOn").ValueKind == JsonValueKind.String);
            long id = read.GetProperty("id").GetInt64();
            read.GetProperty("lastReadOn").GetString().ShouldBe(await ScalarAsync<string>($"SELECT to_char(max(read_on), 'YYYY-MM-DD') FROM meter_readings WHERE meter_id = {id}"));
            read.GetProperty("lastReading")[0].GetDecimal().ShouldBe(await ScalarAsync<decimal>(
                $"SELECT value FROM meter_readings WHERE meter_id = {id} AND zone = 1 ORDER BY read_on DESC LIMIT 1"));
            read.GetProperty("serialNumber").GetString().ShouldBe(await ScalarAsync<string>($"SELECT serial_number FROM meters WHERE id = {id}"));
        }
        await CheckMetersAsync(waterClient, water, ["ColdWater", "Sewage"]);
        await CheckMetersAsync(heatClient, heat, ["HotWater", "Heat"]);

        // Staff without the supplier role, and the supplier's role in a management company's group: 403, nothing shown.
        string summary = $"/api/v1/supplier/summary?month={Charged}";
        (await host.Client.GetAsync(summary, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await host.ClientAsync(Roles.Financier)).GetAsync(summary, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await host.ClientAsync(Roles.Calculator)).GetAsync("/api/v1/supplier/meters", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        long managers = await ScalarAsync<long>($"SELECT min(id) FROM access_groups WHERE kind = {(int)AccessGroupKind.ManagementCompany}");
        (await GetAsync(await host.ClientAsync(Roles.Supplier, managers), summary, HttpStatusCode.Forbidden)).GetProperty("detail").GetString()
            .ShouldBe("Кабинет поставщика открыт только пользователям группы доступа поставщика");
        (await host.AnonymousClient().GetAsync(summary, Ct)).IsSuccessStatusCode.ShouldBeFalse();
    }

    [Fact]
    public async Task The_supplier_opens_its_cabinet_in_the_browser_and_sees_only_its_services()
    {
        var (water, _, _, _) = await PreparedAsync();
        var (_, cookies) = await host.SignedInAsync(await host.CreateUserAsync(Roles.Supplier, await GroupAsync(water)));
        decimal charged = await ScalarAsync<decimal>($"SELECT sum(charged) FROM account_balances WHERE month = '{Day(Charged)}' AND supplier_id = {water}");
        string topDebtor = await ScalarAsync<string>($"""
            SELECT a.number FROM account_balances b JOIN personal_accounts a ON a.id = b.account_id
            WHERE b.month = '{Day(Charged)}' AND b.supplier_id = {water} GROUP BY a.number ORDER BY sum(b.closing) DESC, a.number LIMIT 1
            """);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000, cookies);
        // A supplier has no workstation: the registry refuses it, its menu is the cabinet alone.
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/denied"));
        await page.GotoAsync("/supplier");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Кабинет поставщика" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Поиск лицевых счетов" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("supplier-name")).ToContainTextAsync("АО «Водоканал»");
        await Assertions.Expect(page.Locator("input[data-testid=supplier-month], [data-testid=supplier-month] input").First).ToHaveValueAsync(Fmt.Month(Charged));

        var summary = page.GetByTestId("supplier-summary");
        await Assertions.Expect(summary).ToContainTextAsync("Холодное водоснабжение");
        await Assertions.Expect(summary).ToContainTextAsync("Водоотведение");
        await Assertions.Expect(summary).ToContainTextAsync(Fmt.Money(charged));
        foreach (var other in new[] { "Горячее водоснабжение", "Отопление", "Электроэнергия", "Содержание жилого помещения" })
            await Assertions.Expect(summary).Not.ToContainTextAsync(other);
        await Assertions.Expect(page.GetByTestId("supplier-debtors")).ToContainTextAsync(topDebtor);
        await Assertions.Expect(page.GetByTestId("supplier-meters")).ToContainTextAsync("Холодная вода");
        await Assertions.Expect(page.GetByTestId("supplier-meters")).Not.ToContainTextAsync("Электроэнергия");
        await Assertions.Expect(page.GetByTestId("supplier-export")).ToHaveAttributeAsync("href", $"/api/v1/supplier/export/charges.csv?month={Charged}");
        var csv = await page.APIRequest.GetAsync($"/api/v1/supplier/export/charges.csv?month={Charged}");
        csv.Status.ShouldBe(200);
        (await csv.TextAsync()).ShouldContain("Холодное водоснабжение");
    }
}
