using OpenErc.Core.Common;
using OpenErc.Operations.Reports;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The reports of social support on the demo region's year (<see cref="DemoYear"/>): benefits in kind in the first
/// municipality, money elsewhere, rights granted late, subsidies. The register lists exactly the rights in force, the sums
/// are the ledger's «Льгота» lines and the subsidies' monthly amounts, and a management company sees only its buildings.
/// </summary>
public sealed class BenefitReportTests(DemoYear year) : IClassFixture<DemoYear>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static readonly BillingPeriod October = new(2026, 10);

    private Task<ReportResult> RunAsync(string code, Dictionary<string, string?> query, ReportScope? scope = null) =>
        ReportResult.FormAsync(year.ConnectionString, code, query, October, DemoYear.Current, Clock, Ct, scope);

    private Task<T> ScalarAsync<T>(string sql) => Sql.ScalarAsync<T>(year.ConnectionString, sql);

    [Fact]
    public async Task The_register_lists_exactly_the_rights_in_force_with_their_delivery_model()
    {
        var register = await RunAsync("BENEFIT_RIGHTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        var expected = await ScalarAsync<string[]>("""
            SELECT coalesce(array_agg(a.number || '|' || to_char(r.valid_from, 'YYYY-MM-DD') ORDER BY 1), '{}')
            FROM benefit_rights r JOIN personal_accounts a ON a.id = r.account_id
            WHERE r.valid_from < '2026-11-01' AND (r.valid_to IS NULL OR r.valid_to > '2026-10-01')
            """);
        expected.Length.ShouldBeGreaterThan(3);
        register.Rows.Select(r => $"{register.Text(r, "account")}|{(DateOnly)r[register.Index("validFrom")]!:yyyy-MM-dd}").Order(StringComparer.Ordinal)
            .ShouldBe(expected.Order(StringComparer.Ordinal));
        register.Total("count").ShouldBe(expected.Length);
        register.Rows.ShouldAllBe(r => register.Text(r, "person").Length > 0 && register.Text(r, "categoryName").Length > 0);

        // In kind exactly where the demo delivers in kind: the first municipality, from before the history.
        long inKind = await ScalarAsync<long>("""
            SELECT count(*) FROM benefit_rights r JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id
            JOIN buildings b ON b.id = p.building_id
            WHERE b.municipality_id = (SELECT municipality_id FROM benefit_deliveries WHERE mode = 1)
              AND r.valid_from < '2026-11-01' AND (r.valid_to IS NULL OR r.valid_to > '2026-10-01')
            """);
        inKind.ShouldBeGreaterThan(0);
        register.Total("inKind").ShouldBe(inKind);
        register.Rows.Count(r => register.Text(r, "mode") == "Скидка в платёжном документе").ShouldBe((int)inKind);

        var summary = await RunAsync("BENEFIT_RIGHTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "benefitCategory" });
        summary.Rows.Sum(r => Convert.ToDecimal(r[summary.Index("count")], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected.Length);
        summary.Rows.Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task The_sums_are_the_ledgers_benefit_lines_and_the_subsidies_in_force()
    {
        var sums = await RunAsync("BENEFIT_SUMS", new() { ["from"] = "2025-12", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        decimal ledger = await ScalarAsync<decimal>(
            "SELECT coalesce(-sum(kopecks), 0) * 0.01 FROM charge_lines WHERE kind = 8 AND booking_month >= '2025-12-01' AND booking_month <= '2026-10-01'");
        ledger.ShouldBeGreaterThan(0m);
        sums.Total("benefit").ShouldBe(ledger);
        sums.Sum("benefit").ShouldBe(ledger, "G1: the total is the sum of the printed rows");
        sums.Rows.Where(r => sums.Value(r, "benefit") != 0).ShouldAllBe(r => sums.Text(r, "categoryName") != "Право не найдено");

        decimal subsidies = await ScalarAsync<decimal>("""
            SELECT coalesce(sum(s.amount), 0) FROM subsidy_decisions s CROSS JOIN generate_series('2025-12-01'::date, '2026-10-01'::date, interval '1 month') m
            WHERE s.valid_from < (m + interval '1 month')::date AND s.valid_to > m::date
            """);
        sums.Total("subsidy").ShouldBe(subsidies);
        sums.Total("total").ShouldBe(ledger + subsidies);

        // The ОСВ's «в т.ч. льготы» (reports.md §5): the same lines, a part of its recalculations — by account from the
        // balances and by municipality from the snapshot alike.
        var osv = await RunAsync("OSV", new() { ["from"] = "2025-12", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        osv.Total("benefits").ShouldBe(-ledger);
        osv.Sum("benefits").ShouldBe(-ledger);
        osv.Rows.ShouldAllBe(r => osv.Value(r, "benefits") == 0 || Math.Sign(osv.Value(r, "benefits")) == -1);
        (await RunAsync("OSV", new() { ["from"] = "2025-12", ["to"] = "2026-10", ["group"] = "municipality" })).Total("benefits").ShouldBe(-ledger);

        // By category and month: the same totals; rights counted once a month, never more than were in force.
        var byCategory = await RunAsync("BENEFIT_SUMS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "benefitCategory" });
        byCategory.Rows.Sum(r => byCategory.Value(r, "benefit")).ShouldBe(byCategory.Total("benefit"));
        long rightsInKind = await ScalarAsync<long>("""
            SELECT count(DISTINCT r.id) FROM benefit_rights r JOIN charge_lines l ON l.account_id = r.account_id AND l.kind = 8 AND l.booking_month = '2026-10-01'
            WHERE r.valid_from < '2026-11-01' AND (r.valid_to IS NULL OR r.valid_to > '2026-10-01')
            """);
        long subsidiesInForce = await ScalarAsync<long>(
            "SELECT count(*) FROM subsidy_decisions WHERE valid_from < '2026-11-01' AND valid_to > '2026-10-01'");
        byCategory.Total("rights").ShouldBe(rightsInKind + subsidiesInForce);
        var october = await ScalarAsync<decimal>("SELECT coalesce(-sum(kopecks), 0) * 0.01 FROM charge_lines WHERE kind = 8 AND booking_month = '2026-10-01'");
        byCategory.Total("benefit").ShouldBe(october);
    }

    [Fact]
    public async Task A_management_company_sees_only_its_buildings_and_no_personal_data_without_the_right()
    {
        // The manager of the building with the most benefit lines in October.
        long manager = await ScalarAsync<long>("""
            SELECT m.organisation_id FROM charge_lines l JOIN building_managements m ON m.building_id = l.building_id
              AND m.valid_from <= '2026-10-31' AND (m.valid_to IS NULL OR m.valid_to >= '2026-10-31')
            WHERE l.kind = 8 AND l.booking_month = '2026-10-01' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1
            """);
        var buildings = await ScalarAsync<long[]>($"""
            SELECT array_agg(building_id) FROM building_managements
            WHERE organisation_id = {manager} AND valid_from <= '2026-10-31' AND (valid_to IS NULL OR valid_to >= '2026-10-31')
            """);
        var scope = new ReportScope(buildings, null, null, false, "УК");
        var addresses = (await ScalarAsync<string[]>($"SELECT array_agg(address) FROM buildings WHERE id = ANY(ARRAY[{string.Join(",", buildings)}]::bigint[])")).ToHashSet();
        Func<string, bool> own = address => addresses.Any(a => address.StartsWith(a + ",", StringComparison.Ordinal));

        var register = await RunAsync("BENEFIT_RIGHTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" }, scope);
        register.Page.Head.Columns.ShouldNotContain(c => c.Key == "person" || c.Key == "birth");
        register.Rows.Where(r => !own(register.Text(r, "address"))).ShouldBeEmpty();
        var whole = await RunAsync("BENEFIT_RIGHTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        register.Total("count").ShouldBe(whole.Rows.Count(r => own(whole.Text(r, "address"))));

        var sums = await RunAsync("BENEFIT_SUMS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" }, scope);
        sums.Rows.Where(r => !own(sums.Text(r, "address"))).ShouldBeEmpty();
        decimal ledger = await ScalarAsync<decimal>(
            $"SELECT coalesce(-sum(kopecks), 0) * 0.01 FROM charge_lines WHERE kind = 8 AND booking_month = '2026-10-01' AND building_id = ANY(ARRAY[{string.Join(",", buildings)}]::bigint[])");
        ledger.ShouldBeGreaterThan(0m);
        sums.Total("benefit").ShouldBe(ledger);
    }
}
