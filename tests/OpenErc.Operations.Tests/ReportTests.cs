using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Operations.Reports;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The reports of reports.md on the demo region's year (<see cref="DemoYear"/>: twelve months charged, paid, recalculated,
/// penalised and closed, November 2026 open): each report's invariants and the reconciliations between reports (§23),
/// the scope of a management company, the pivot, and the three export formats.
/// </summary>
public sealed class ReportTests(DemoYear year, PostgresCluster cluster) : IClassFixture<DemoYear>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static readonly BillingPeriod October = new(2026, 10), September = new(2026, 9), August = new(2026, 8);

    private Task<ReportResult> RunAsync(string code, Dictionary<string, string?> query, ReportScope? scope = null) =>
        RunAsync(year.ConnectionString, code, query, scope);

    /// <summary>A report on a database of its own (a copy of the year changed by the test).</summary>
    private static Task<ReportResult> RunAsync(string cs, string code, Dictionary<string, string?> query, ReportScope? scope = null) =>
        ReportResult.FormAsync(cs, code, query, October, DemoYear.Current, Clock, Ct, scope);

    private static string Key(ReportResult r, object?[] row) => $"{r.Text(row, "account")}|{r.Text(row, "service")}|{r.Text(row, "supplier")}";

    [Fact]
    public async Task The_turnover_sheet_balances_per_row_and_in_total_and_each_month_opens_with_the_last_ones_closing()
    {
        var months = new[] { August, September, October };
        var sheets = new List<ReportResult>();
        foreach (var m in months)
        {
            var r = await RunAsync("OSV", new() { ["from"] = m.ToString(), ["to"] = m.ToString(), ["mode"] = "expanded", ["group"] = "" });
            r.Rows.Count().ShouldBeGreaterThan(100);
            foreach (var row in r.Rows)
                (r.Value(row, "openingDebt") - r.Value(row, "openingAdvance") + r.Value(row, "charged") + r.Value(row, "recalculated")
                    + r.Value(row, "penalties") - r.Value(row, "paid")).ShouldBe(r.Value(row, "closingDebt") - r.Value(row, "closingAdvance"), Key(r, row));
            (r.Total("openingDebt") - r.Total("openingAdvance") + r.Total("charged") + r.Total("recalculated") + r.Total("penalties") - r.Total("paid"))
                .ShouldBe(r.Total("closingDebt") - r.Total("closingAdvance"));
            foreach (var key in new[] { "openingDebt", "charged", "recalculated", "penalties", "paid", "closingAdvance" })
                r.Total(key).ShouldBe(r.Sum(key), $"total of {key} = the sum of its printed rows (G1)");
            sheets.Add(r);
        }
        sheets.Sum(s => s.Total("recalculated")).ShouldNotBe(0m);
        sheets.Sum(s => s.Total("penalties")).ShouldBeGreaterThan(0m);
        for (int i = 1; i < sheets.Count; i++)
        {
            var before = sheets[i - 1].Rows.ToDictionary(r => Key(sheets[i - 1], r), r => sheets[i - 1].Value(r, "closingDebt") - sheets[i - 1].Value(r, "closingAdvance"));
            foreach (var row in sheets[i].Rows)
                (sheets[i].Value(row, "openingDebt") - sheets[i].Value(row, "openingAdvance")).ShouldBe(before.GetValueOrDefault(Key(sheets[i], row)), $"O2 {Key(sheets[i], row)}");
        }

        // O3: the quarter is the chain of its months — the quarter's summary read from the closed months' snapshot by building.
        (await Sql.ScalarAsync<long>(year.ConnectionString, "SELECT count(DISTINCT month) FROM closed_month_buildings")).ShouldBe(DemoYear.Closed.Count);
        var quarter = await RunAsync("OSV", new() { ["from"] = "2026-08", ["to"] = "2026-10", ["group"] = "municipality" });
        quarter.Total("openingDebt").ShouldBe(sheets[0].Total("openingDebt"));
        quarter.Total("closingDebt").ShouldBe(sheets[^1].Total("closingDebt"));
        foreach (var key in new[] { "charged", "recalculated", "penalties", "paid" })
            quarter.Total(key).ShouldBe(sheets.Sum(s => s.Total(key)), key);

        // X6: an account's turnover by month is its rows of the turnover sheets.
        var account = sheets[0].Text(sheets[0].Rows.First(r => sheets[0].Value(r, "paid") > 0), "account");
        var turnover = await RunAsync("ACCOUNT_TURNOVER", new() { ["from"] = "2026-08", ["to"] = "2026-10", ["account"] = account });
        turnover.Rows.Count().ShouldBe(3);
        for (int i = 0; i < 3; i++)
        {
            var own = sheets[i].Rows.Where(r => sheets[i].Text(r, "account") == account).ToList();
            var row = turnover.Rows.ElementAt(i);
            turnover.Value(row, "charged").ShouldBe(own.Sum(r => sheets[i].Value(r, "charged")));
            turnover.Value(row, "paid").ShouldBe(own.Sum(r => sheets[i].Value(r, "paid")));
            turnover.Value(row, "closing").ShouldBe(own.Sum(r => sheets[i].Value(r, "closingDebt") - sheets[i].Value(r, "closingAdvance")));
        }

        // O4: without penalties the identity holds on the principal, and the difference is the penalties' own ledger.
        var without = await RunAsync("OSV", new() { ["from"] = "2026-08", ["to"] = "2026-10", ["group"] = "municipality", ["penalties"] = "exclude" });
        without.Total("penalties").ShouldBe(0m);
        decimal Net(ReportResult r, string o) => r.Total(o + "Debt") - r.Total(o + "Advance");
        (Net(without, "opening") + without.Total("charged") + without.Total("recalculated") - without.Total("paid")).ShouldBe(Net(without, "closing"));
        decimal openingN = Net(quarter, "opening") - Net(without, "opening"), paidN = quarter.Total("paid") - without.Total("paid"),
            closingN = Net(quarter, "closing") - Net(without, "closing");
        (openingN + quarter.Total("penalties") - paidN).ShouldBe(closingN);
        paidN.ShouldBeGreaterThan(0m);
    }

    [Fact]
    public async Task Payments_reconcile_across_the_eight_views_the_split_and_the_turnover_sheet()
    {
        var booked = new Dictionary<string, string?> { ["from"] = "2026-10", ["to"] = "2026-10", ["by"] = "booked" };
        var views = new Dictionary<string, decimal>();
        foreach (var code in new[] { "PAY_BANKS", "PAY_ACCOUNTS", "PAY_DAYS", "PAY_AGENTS", "PAY_CHANNELS", "PAY_PURPOSES", "PAY_PERIODS" })
            views[code] = (await RunAsync(code, new(booked))).Total("amount");
        views["PAY_DETAIL"] = (await RunAsync("PAY_DETAIL", new(booked) { ["mode"] = "expanded", ["group"] = "" })).Total("amount");
        views.Values.Distinct().Count().ShouldBe(1, string.Join(", ", views.Select(v => $"{v.Key} {v.Value}"))); // X8
        views["PAY_BANKS"].ShouldBeGreaterThan(0m);

        var accounts = await RunAsync("PAY_ACCOUNTS", new(booked));
        decimal unidentified = accounts.Rows.Where(r => accounts.Text(r, "account") == "").Sum(r => accounts.Value(r, "amount"));
        var split = await RunAsync("SPLIT", new(booked));
        split.Total("amount").ShouldBe(views["PAY_BANKS"] - unidentified); // X2
        split.Total("net").ShouldBe(split.Total("amount") - split.Total("commission"));
        split.Total("principal").ShouldBeGreaterThan(split.Total("penalties"));
        // The split by booking month above the building reads the closed month's snapshot: the lines give the same figures.
        var splitLines = await RunAsync("SPLIT", new(booked) { ["mode"] = "expanded", ["group"] = "" });
        foreach (var key in new[] { "principal", "penalties", "amount", "commission", "net" })
            splitLines.Total(key).ShouldBe(split.Total(key), key);
        split.Total("commission").ShouldBeGreaterThan(0m);
        var osv = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10" });
        split.Total("amount").ShouldBe(osv.Total("paid")); // X1

        // By the day paid: October's payments whenever booked; the views still agree.
        var paid = new Dictionary<string, string?> { ["from"] = "2026-10", ["to"] = "2026-10" };
        (await RunAsync("PAY_CHANNELS", new(paid))).Total("amount").ShouldBe((await RunAsync("PAY_PERIODS", new(paid))).Total("amount"));

        // Recalculations: the register of October is the turnover sheet's column (X3).
        (await RunAsync("RECALCULATIONS", new() { ["from"] = "2026-10", ["to"] = "2026-10" })).Total("amount").ShouldBe(osv.Total("recalculated"));
        (await RunAsync("INCOME", new() { ["from"] = "2026-10", ["to"] = "2026-10" })).Total("paid").ShouldBe(osv.Total("paid"));
        // X5: the lines' charges are the turnover sheet's; each line is its unrounded amount rounded once.
        var lines = await RunAsync("ACCOUNT_TARIFFS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        lines.Total("charged").ShouldBe(osv.Total("charged"));
        lines.Rows.ShouldAllBe(r => Core.Common.Money.RoundToKopecks(lines.Value(r, "unrounded")).Amount == lines.Value(r, "charged"));
    }

    [Fact]
    public async Task Debts_split_into_current_and_overdue_by_age_and_add_up_to_the_turnover_sheets_closing()
    {
        var debt = await RunAsync("DEBT", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        debt.Rows.Count().ShouldBeGreaterThan(50);
        foreach (var row in debt.Rows)
        {
            debt.Value(row, "debt").ShouldBe(debt.Value(row, "current") + debt.Value(row, "overdue")); // D1
            Enumerable.Range(1, 5).Sum(i => debt.Value(row, $"b{i}")).ShouldBe(debt.Value(row, "overdue")); // D2
        }
        debt.Total("overdue").ShouldBeGreaterThan(0m);
        debt.Total("current").ShouldBeGreaterThan(0m);
        // The region's summary reads the closed month's snapshot by building: the same figures as the rows.
        var summary = await RunAsync("DEBT", new() { ["to"] = "2026-10", ["group"] = "municipality,service" });
        foreach (var key in new[] { "debt", "current", "overdue", "b1", "b2", "b3", "b4", "b5", "penaltyDebt", "advance" })
            summary.Total(key).ShouldBe(debt.Total(key), key);
        var osv = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10" });
        (debt.Total("debt") + debt.Total("penaltyDebt") - debt.Total("advance")).ShouldBe(osv.Total("closingDebt") - osv.Total("closingAdvance")); // X4
        // D3: on the last day of October the current debt is what October's bill left unpaid, at most the month's bill.
        debt.Total("current").ShouldBeLessThanOrEqualTo(osv.Total("charged") + osv.Total("recalculated") + osv.Total("penalties"));

        // Advances: exactly the rows of the turnover sheet closing below zero.
        var advances = await RunAsync("ADVANCES", new() { ["from"] = "2026-10", ["to"] = "2026-10" });
        advances.Total("advance").ShouldBe(osv.Total("closingAdvance"));

        // P8: netted by account, debt = Σ max(K, 0) and advance = Σ max(−K, 0) of each account's sum; Σ K stays the same.
        var rows = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        var byAccount = rows.Rows.GroupBy(r => rows.Text(r, "account")).Select(g => g.Sum(r => rows.Value(r, "closingDebt") - rows.Value(r, "closingAdvance"))).ToList();
        var netted = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "municipality", ["net"] = "account" });
        netted.Total("closingDebt").ShouldBe(byAccount.Sum(k => Math.Max(k, 0m)));
        netted.Total("closingAdvance").ShouldBe(byAccount.Sum(k => Math.Max(-k, 0m)));
        netted.Total("closingAdvance").ShouldBeLessThanOrEqualTo(osv.Total("closingAdvance"));
        (netted.Total("closingDebt") - netted.Total("closingAdvance")).ShouldBe(osv.Total("closingDebt") - osv.Total("closingAdvance"));
        (await RunAsync("ADVANCES", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["net"] = "account" })).Total("advance").ShouldBe(netted.Total("closingAdvance"));
        var bySupplier = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "supplier", ["net"] = "supplier", ["mode"] = "expanded" });
        bySupplier.Rows.ShouldAllBe(r => bySupplier.Text(r, "service") == "Все услуги");
        Should.Throw<ReportException>(() => ReportRequest.Parse(ReportCatalog.Find("OSV")!, new Dictionary<string, string?> { ["net"] = "account", ["group"] = "service" },
            October, DemoYear.Current, Clock.Today)).Message.ShouldBe("«Уровень свёртки сальдо: Лицевой счёт» — без отбора и группировки по признаку «Услуга»");

        // Debtors: exactly the rows whose overdue debt is over k monthly charges; a higher k never adds a row.
        var sheet = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        var monthly = sheet.Rows.ToDictionary(r => Key(sheet, r), r => sheet.Value(r, "charged"));
        foreach (var k in new[] { 1m, 3m })
        {
            var expected = debt.Rows.Where(r => monthly.GetValueOrDefault(Key(debt, r)) is var m && m > 0 && debt.Value(r, "overdue") > Math.Round(k * m, 2))
                .Select(r => Key(debt, r)).Order().ToList();
            var debtors = await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["basis"] = "last", ["k"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            debtors.Rows.Select(r => Key(debtors, r)).Order().ToList().ShouldBe(expected, $"k = {k}");
            if (k == 1m) expected.ShouldNotBeEmpty();
        }
        var looser = (await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["k"] = "1" })).Total("count");
        var stricter = (await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["k"] = "2.5" })).Total("count");
        stricter.ShouldBeLessThanOrEqualTo(looser);
    }

    [Fact]
    public async Task Attributes_of_each_month_put_a_months_rows_under_that_months_management_company()
    {
        // P6: a building passes to another management company from 01.10.2026. By the end of the range (the default) both
        // September and October are the new company's; by each month, September stays with the old one. The totals are the same.
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "p6");
        long building = await Sql.ScalarAsync<long>(cs, "SELECT min(building_id) FROM building_managements WHERE valid_to IS NULL");
        long before = await Sql.ScalarAsync<long>(cs, $"SELECT organisation_id FROM building_managements WHERE building_id = {building} AND valid_to IS NULL");
        long after = await Sql.ScalarAsync<long>(cs, $"SELECT min(organisation_id) FROM building_managements WHERE organisation_id <> {before}");
        await Sql.ExecAsync(cs, $"""
            UPDATE building_managements SET valid_to = '2026-10-01' WHERE building_id = {building} AND valid_to IS NULL;
            INSERT INTO building_managements (building_id, organisation_id, valid_from) VALUES ({building}, {after}, '2026-10-01');
            """);
        Task<ReportResult> Turnover(string attributes) => RunAsync(cs, "ACCOUNT_TURNOVER", new()
        {
            ["from"] = "2026-09", ["to"] = "2026-10", ["building"] = building.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["group"] = "month,manager", ["attributes"] = attributes,
        });
        static List<(BillingPeriod, long)> Groups(ReportResult r) => r.Page.Rows.Where(x => x.Kind == ReportRowKind.Row)
            .Select(x => (BillingPeriod.Of(x.Keys![0] is DateOnly d ? d : DateOnly.FromDateTime((DateTime)x.Keys[0]!)), Convert.ToInt64(x.Keys[1], System.Globalization.CultureInfo.InvariantCulture)))
            .Order().ToList();
        var end = await Turnover("end");
        var monthly = await Turnover("month");
        Groups(end).ShouldBe([(September, after), (October, after)]);
        Groups(monthly).ShouldBe([(September, before), (October, after)]);
        monthly.Totals("charged", "paid", "closing").ShouldBe(end.Totals("charged", "paid", "closing"));

        // Every monthly series takes P6, by the company: the grouping moves, the totals do not.
        foreach (var series in ReportCatalog.All.Where(r => r.Options.Contains(ReportParameter.Attributes) && r.Dimensions.Contains("manager")))
        {
            Task<ReportResult> Page(string attributes) => RunAsync(cs, series.Code, new() { ["from"] = "2026-09", ["to"] = "2026-10", ["group"] = "manager", ["attributes"] = attributes });
            (await Page("month")).Page.Total.Values.ShouldBe((await Page("end")).Page.Total.Values, series.Code);
        }
    }

    [Fact]
    public async Task The_rule_of_uszn_lists_the_overdue_debt_of_accounts_whose_debt_a_court_act_in_force_confirms()
    {
        // Four debtors with claims on 31.10.2026: a court order in force since 01.08 for 2026's debt (confirmed); an order
        // with a repayment agreement of 01.09 (not); a claim only filed (not); an order for the debt of 2022 (older than
        // three years: not).
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "uszn_court");
        await Sql.ExecAsync(cs, "DELETE FROM debt_claims; DELETE FROM limitation_notices"); // the demo's own legal work
        var accounts = await Sql.ScalarAsync<long[]>(cs, "SELECT array_agg(account_id) FROM (SELECT DISTINCT account_id FROM closed_month_overdue WHERE month = '2026-10-01' ORDER BY 1 LIMIT 4) a");
        await Sql.ExecAsync(cs, $"""
            INSERT INTO debt_claims (account_id, stage, case_number, debt_from, debt_to, amount, filed_on, in_force_on, agreement_on) VALUES
                ({accounts[0]}, {(int)Core.Accounts.DebtClaimStage.CourtOrder}, '2-101/2026', '2026-01-01', '2026-06-01', 5000, '2026-07-01', '2026-08-01', NULL),
                ({accounts[1]}, {(int)Core.Accounts.DebtClaimStage.CourtOrder}, '2-102/2026', '2026-01-01', '2026-06-01', 5000, '2026-07-01', '2026-08-01', '2026-09-01'),
                ({accounts[2]}, {(int)Core.Accounts.DebtClaimStage.Filed}, '2-103/2026', '2026-01-01', '2026-06-01', 5000, '2026-07-01', NULL, NULL),
                ({accounts[3]}, {(int)Core.Accounts.DebtClaimStage.Writ}, '2-104/2023', '2022-01-01', '2022-12-01', 5000, '2023-02-01', '2023-03-01', NULL);
            """);
        Task<ReportResult> Debtors(string rule) => RunAsync(cs, "DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["rule"] = rule, ["k"] = "0.01" });
        var uszn = await Debtors("uszn");
        var confirmed = await Sql.ScalarAsync<string>(cs, $"SELECT number FROM personal_accounts WHERE id = {accounts[0]}");
        uszn.Rows.ShouldNotBeEmpty();
        uszn.Rows.ShouldAllBe(r => uszn.Text(r, "account") == confirmed && uszn.Text(r, "basis") == "подтверждена судом");
        uszn.Total("overdue").ShouldBe(await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(overdue) FROM closed_month_overdue WHERE month = '2026-10-01' AND account_id = {accounts[0]}"));
        uszn.Text(uszn.Rows.First(), "court").ShouldBe("Судебный приказ, дело 2-101/2026, в силе с 01.08.2026");

        // A notice of limitation (п. 119) delivered on 05.10.2026: the service may be limited from 26.10.2026.
        long service = await Sql.ScalarAsync<long>(cs, $"SELECT min(service_id) FROM closed_month_overdue WHERE month = '2026-10-01' AND account_id = {accounts[0]}");
        await Sql.ExecAsync(cs, $"INSERT INTO limitation_notices (account_id, service_id, sent_on, delivered_on, document) VALUES ({accounts[0]}, {service}, '2026-10-01', '2026-10-05', 'Заказное письмо № 1')");
        var noticed = await Debtors("uszn");
        var serviceName = await Sql.ScalarAsync<string>(cs, $"SELECT name FROM services WHERE id = {service}");
        noticed.Text(noticed.Rows.Single(r => noticed.Text(r, "service") == serviceName), "notice")
            .ShouldBe("направлено 01.10.2026, вручено 05.10.2026, можно ограничить с 26.10.2026");
        new Core.Accounts.LimitationNotice { SentOn = new DateOnly(2026, 10, 1), DeliveredOn = new DateOnly(2026, 10, 5) }.LimitableFrom.ShouldBe(new DateOnly(2026, 10, 26));

        // Every rule shows the court status: here the agreement.
        var all = await Debtors("product");
        var agreed = await Sql.ScalarAsync<string>(cs, $"SELECT number FROM personal_accounts WHERE id = {accounts[1]}");
        all.Rows.Where(r => all.Text(r, "account") == agreed).ShouldAllBe(r => all.Text(r, "court") == "Судебный приказ, дело 2-102/2026, в силе с 01.08.2026, соглашение от 01.09.2026");
        var day = October.LastDay;
        new Core.Accounts.DebtClaim { Stage = Core.Accounts.DebtClaimStage.CourtOrder, InForceOn = new DateOnly(2026, 8, 1) }.ConfirmedOn(day).ShouldBeTrue();
        new Core.Accounts.DebtClaim { Stage = Core.Accounts.DebtClaimStage.CourtOrder, InForceOn = new DateOnly(2026, 8, 1), AgreementOn = new DateOnly(2026, 9, 1) }.ConfirmedOn(day).ShouldBeFalse();
        new Core.Accounts.DebtClaim { Stage = Core.Accounts.DebtClaimStage.Filed }.ConfirmedOn(day).ShouldBeFalse();
    }

    [Fact]
    public async Task The_debtors_months_migration_keeps_each_norms_overdue_debt_and_goes_back()
    {
        // Down and up again on the demo's closed months: the norm amounts get their rows' overdue debt back; the register
        // (read through the indexes of the months of debt) is what it was.
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "debtor_months");
        Task<ReportResult> Debtors() => RunAsync(cs, "DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["k"] = "1" });
        var before = await Debtors();
        const string Kept = """
            SELECT count(*) FILTER (WHERE n.overdue = o.overdue) || '/' || count(*) FROM closed_month_norms n JOIN closed_month_overdue o
            ON o.month = n.month AND o.account_id = n.account_id AND o.service_id = n.service_id AND o.supplier_id = n.supplier_id
            """;
        var all = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM closed_month_norms");
        all.ShouldBeGreaterThan(0);
        (await Sql.ScalarAsync<string>(cs, Kept)).ShouldBe($"{all}/{all}");
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
        {
            var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);
            await migrator.MigrateAsync("20261231030000_PremisePublicStock", Ct);
            (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'closed_month_norms' AND column_name = 'overdue'")).ShouldBe(0);
            await migrator.MigrateAsync(null, Ct);
        }
        (await Sql.ScalarAsync<string>(cs, Kept)).ShouldBe($"{all}/{all}");
        var after = await Debtors();
        after.Rows.Select(r => r.ToList()).ShouldBe(before.Rows.Select(r => r.ToList()));
        before.Rows.Count().ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task Overdue_debt_is_split_at_the_limitation_period_counted_from_each_bills_due_date()
    {
        // On 31.10.2026 a bill of September 2023 (due 10.10.2023) is more than three years overdue, October 2023's (due
        // 10.11.2023) is not yet (ГК ст. 196, 200).
        DebtAge.LimitationBound(new DateOnly(2026, 10, 31)).ShouldBe(new BillingPeriod(2023, 9));
        DebtAge.LimitationBound(new DateOnly(2026, 11, 11)).ShouldBe(new BillingPeriod(2023, 10));

        // October 2026 written again with two old unpaid chunks in an account's book: 100.00 of September 2023 beyond the
        // period, 50.00 of October 2023 within it.
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "limitation");
        long account = await Sql.ScalarAsync<long>(cs, "SELECT min(account_id) FROM closed_month_overdue WHERE month = '2026-10-01'");
        long service = await Sql.ScalarAsync<long>(cs, $"SELECT min(service_id) FROM closed_month_overdue WHERE month = '2026-10-01' AND account_id = {account}");
        long supplier = await Sql.ScalarAsync<long>(cs, $"SELECT min(supplier_id) FROM closed_month_overdue WHERE month = '2026-10-01' AND account_id = {account} AND service_id = {service}");
        decimal before = await Sql.ScalarAsync<decimal>(cs, $"SELECT overdue FROM closed_month_overdue WHERE month = '2026-10-01' AND account_id = {account} AND service_id = {service} AND supplier_id = {supplier}");
        await Sql.ExecAsync(cs, $"""
            INSERT INTO debt_books (month, account_id, service_id, supplier_id, service_month, kind, charged, allocated)
            VALUES ('2026-10-01', {account}, {service}, {supplier}, '2023-09-01', 0, 100.00, 0), ('2026-10-01', {account}, {service}, {supplier}, '2023-10-01', 0, 50.00, 0);
            DELETE FROM closed_month_overdue WHERE month = '2026-10-01';
            SELECT write_closed_month_overdue('2026-10-01', '{DebtAge.LimitationBound(October.LastDay).FirstDay:yyyy-MM-dd}');
            """);
        var debtors = await RunAsync(cs, "DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["k"] = "0.01", ["basis"] = "last" });
        var number = await Sql.ScalarAsync<string>(cs, $"SELECT number FROM personal_accounts WHERE id = {account}");
        var name = await Sql.ScalarAsync<string>(cs, $"SELECT name FROM services WHERE id = {service}");
        var row = debtors.Rows.Single(r => debtors.Text(r, "account") == number && debtors.Text(r, "service") == name);
        debtors.Figures(row, "overdue", "withinLimitation", "beyondLimitation").ShouldBe([before + 150.00m, before + 50.00m, 100.00m]);
        debtors.Total("withinLimitation").ShouldBe(debtors.Total("overdue") - 100.00m);
    }

    [Fact]
    public async Task Every_report_groups_by_every_dimension_it_offers()
    {
        // A dimension a report lists is one its source can be grouped by: no SQL error anywhere (a month of the charge
        // lines' register once had none to group by).
        foreach (var report in ReportCatalog.All)
            foreach (var dimension in report.Dimensions)
            {
                var query = new Dictionary<string, string?> { ["group"] = dimension };
                if (report.Time != ReportTime.Date) query["to"] = "2026-10";
                if (report.Time == ReportTime.Months) query["from"] = "2026-10";
                (await RunAsync(report.Code, query)).Page.Head.ShouldNotBeNull($"{report.Code} × {dimension}");
            }
    }

    [Fact]
    public async Task Debtors_by_the_norm_are_measured_by_the_calculators_norm_and_the_rule_of_118_keeps_the_services_that_may_be_limited()
    {
        // The norm basis (the default): every row over k times its monthly amount by the norm (or, where a service has
        // none, the month's charge, said in «База»); a metered row's norm measure is not its month's charge.
        var norm = await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["k"] = "1" });
        norm.Rows.ShouldContain(r => norm.Text(r, "basis") == "по нормативу");
        foreach (var row in norm.Rows)
        {
            norm.Value(row, "threshold").ShouldBe(Math.Round(norm.Value(row, "monthly"), 2));
            norm.Value(row, "overdue").ShouldBeGreaterThan(norm.Value(row, "threshold"));
        }
        var last = await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["k"] = "1", ["basis"] = "last" });
        var charged = last.Rows.ToDictionary(r => Key(last, r), r => last.Value(r, "monthly"));
        norm.Rows.Where(r => norm.Text(r, "basis") == "по нормативу" && charged.ContainsKey(Key(norm, r)))
            .ShouldContain(r => charged[Key(norm, r)] != norm.Value(r, "monthly"));

        // п. 118: over two monthly amounts by the norm, hot water, electricity, gas and sewage only — a subset of the
        // norm basis at k = 2 (N3, X11).
        var limitable = (await Sql.ScalarAsync<string[]>(year.ConnectionString, $"SELECT array_agg(name) FROM services WHERE {DebtorThresholds.LimitableSql("id")}")).ToHashSet();
        var p118 = await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["rule"] = "p118" });
        p118.Rows.ShouldNotBeEmpty();
        foreach (var row in p118.Rows)
        {
            limitable.ShouldContain(p118.Text(row, "service"));
            p118.Text(row, "basis").ShouldBe("по нормативу");
            p118.Value(row, "threshold").ShouldBe(Math.Round(2 * p118.Value(row, "monthly"), 2));
        }
        var twice = await RunAsync("DEBTORS", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["k"] = "2" });
        p118.Rows.Select(r => Key(p118, r)).Except(twice.Rows.Select(r => Key(twice, r))).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_management_company_sees_only_its_buildings_and_disjoint_filters_add_up()
    {
        var whole = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "manager" });
        whole.Rows.Count().ShouldBeGreaterThan(1);
        var buildings = await Sql.ScalarAsync<long[]>(year.ConnectionString, $"""
            SELECT array_agg(building_id) FROM building_managements
            WHERE organisation_id = (SELECT min(organisation_id) FROM building_managements) AND valid_from <= '2026-10-31' AND (valid_to IS NULL OR valid_to >= '2026-10-31')
            """);
        var scope = new ReportScope(buildings, null, null, false, "УК");
        var own = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "building" }, scope);
        var addresses = (await Sql.ScalarAsync<string[]>(year.ConnectionString, $"SELECT array_agg(address) FROM buildings WHERE id = ANY(ARRAY[{string.Join(",", buildings)}]::bigint[])")).ToHashSet();
        own.Rows.ShouldAllBe(r => addresses.Any(a => ((string)r[own.Index("address")]!).StartsWith(a + ",", StringComparison.Ordinal)));
        own.Total("charged").ShouldBeLessThan(whole.Total("charged"));
        own.Total("charged").ShouldBeGreaterThan(0m);
        // The register of residents without personal data for a user who may not see it.
        var residents = await RunAsync("RESIDENTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded" }, scope);
        residents.Page.Head.Columns.ShouldNotContain(c => c.Key == "person" || c.Key == "birth");

        // G4: the municipalities' totals add up to the region's.
        var byMunicipality = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "municipality" });
        byMunicipality.Rows.Count().ShouldBeGreaterThan(1);
        decimal parts = 0;
        var ids = await Sql.ScalarAsync<long[]>(year.ConnectionString, "SELECT array_agg(id ORDER BY id) FROM municipalities");
        foreach (var id in ids)
            parts += (await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "service", ["municipality"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) })).Total("charged");
        parts.ShouldBe(byMunicipality.Total("charged"));

        // The pivot: municipalities × services of one measure, totals both ways equal the summary's.
        var pivot = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "pivot", ["group"] = "municipality", ["across"] = "service", ["measure"] = "charged" });
        ((decimal)pivot.Page.Total.Values[^1]!).ShouldBe(byMunicipality.Total("charged"));
        foreach (var row in pivot.Rows)
            ((decimal)row[^1]!).ShouldBe(row.Skip(1).SkipLast(1).Sum(v => (decimal?)v ?? 0m));
    }

    [Fact]
    public async Task Transfers_to_suppliers_are_the_split_by_day_of_receipt_less_commissions_against_the_payment_orders()
    {
        var r = await RunAsync("TRANSFERS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        r.Rows.Count().ShouldBeGreaterThan(10);
        foreach (var row in r.Rows)
        {
            r.Value(row, "transferred").ShouldBeLessThanOrEqualTo(r.Value(row, "net"));
            r.Value(row, "left").ShouldBe(r.Value(row, "net") - r.Value(row, "transferred"));
            // ПП 253: due the working day after the day received (the region's calendar); sent later, or not sent by a due
            // day within the month, the day's money is late.
            var due = Clock.Calendar.AddWorkingDays((DateOnly)row[r.Index("day")]!, 1);
            row[r.Index("due")].ShouldBe(due);
            bool late = row[r.Index("sent")] is DateOnly sent ? sent > due : due <= October.LastDay;
            r.Value(row, "late").ShouldBe(late ? r.Value(row, "net") : 0m);
        }
        // A Friday's money is due on Monday (no holiday in October 2026).
        var friday = r.Rows.First(row => ((DateOnly)row[r.Index("day")]!).DayOfWeek == DayOfWeek.Friday);
        friday[r.Index("due")].ShouldBe(((DateOnly)friday[r.Index("day")]!).AddDays(3));
        r.Total("transferred").ShouldBeGreaterThan(0m);
        var split = await RunAsync("SPLIT", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["by"] = "received", ["group"] = "supplier" });
        r.Total("amount").ShouldBe(split.Total("amount"));
        r.Total("net").ShouldBe(split.Total("net"));

        // A supplier sees its own transfers; a management company's user scoped to buildings without a supplier sees none.
        var supplier = await Sql.ScalarAsync<long>(year.ConnectionString, "SELECT min(supplier_id) FROM supplier_transfers");
        var own = await RunAsync("TRANSFERS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "supplier" }, new ReportScope([], null, supplier, false, "РСО"));
        own.Rows.ShouldHaveSingleItem();
        (await RunAsync("TRANSFERS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "supplier" }, new ReportScope([1], null, null, false, "УК"))).Rows.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_limit_index_compares_the_base_months_volumes_at_both_months_tariffs()
    {
        // The demo's own limits (11.9 %, 1.5 % deviation outside the first municipality) stand per account.
        var demo = await RunAsync("LIMIT_INDEX", new() { ["from"] = "2026-06", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        demo.Rows.Select(row => demo.Value(row, "limitPercent")).Distinct().Order().ShouldBe([11.9m, 13.4m]);

        // Without limits in the reference data the parameter decides.
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "limits");
        await Sql.ExecAsync(cs, "DELETE FROM limit_indices");
        var r = await RunAsync(cs, "LIMIT_INDEX", new() { ["from"] = "2026-06", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["limit"] = "0.001" });
        r.Rows.Count().ShouldBeGreaterThan(50);
        foreach (var row in r.Rows)
        {
            r.Value(row, "index").ShouldBe(ReportFormat.Percent(r.Value(row, "nowCost"), r.Value(row, "baseCost"))!.Value);
            r.Value(row, "flagged").ShouldBe(r.Value(row, "nowCost") > r.Value(row, "baseCost") * 1.00001m ? 1 : 0, 0.5m);
        }
        r.Total("nowCost").ShouldBeGreaterThan(r.Total("baseCost")); // the demo's tariffs rise from July
        r.Total("flagged").ShouldBeGreaterThan(0m);
        var loose = await RunAsync(cs, "LIMIT_INDEX", new() { ["from"] = "2026-06", ["to"] = "2026-10", ["group"] = "municipality", ["limit"] = "1000" });
        loose.Total("flagged").ShouldBe(0m);
        loose.Total("index").ShouldBe(r.Total("index")); // a ratio of sums, whatever the grouping (G1)

        // The limits of the reference data win over the parameter: the region's 1000 % flags nobody; one municipality's
        // 0.001 % (with no deviation) flags its accounts as the parameter did.
        long municipality = await Sql.ScalarAsync<long>(cs, "SELECT min(id) FROM municipalities");
        await Sql.ExecAsync(cs, $"""
            INSERT INTO limit_indices (municipality_id, percent, deviation_percent, base_month, valid_from) VALUES
                (NULL, 1000, 0, '2025-12-01', '2026-01-01'), ({municipality}, 0.001, 0, '2025-12-01', '2026-01-01');
            """);
        var limited = await RunAsync(cs, "LIMIT_INDEX", new() { ["from"] = "2026-06", ["to"] = "2026-10", ["group"] = "municipality", ["limit"] = "0.001" });
        var byParameter = r.Rows.Where(row => r.Value(row, "flagged") == 1).Select(row => r.Text(row, "account")).ToHashSet();
        var own = limited.Page.Rows.Single(row => row.Kind == ReportRowKind.Row && Convert.ToInt64(row.Keys![0], System.Globalization.CultureInfo.InvariantCulture) == municipality);
        limited.Total("flagged").ShouldBe(limited.Value(own.Values, "flagged"));
        limited.Total("flagged").ShouldBeGreaterThan(0m);
        limited.Total("flagged").ShouldBeLessThan(byParameter.Count);
    }

    [Fact]
    public async Task The_dashboards_limit_index_is_the_reports_summary_from_the_december_before()
    {
        // I10 on the dashboard: the LIMIT_INDEX report from December 2025 (ПП 400's usual base) to October, by municipality.
        var i10 = await RegionAnalytics.LimitIndexAsync(year.ConnectionString, October, "municipality", ReportScope.Everything("тест"), Clock, Ct);
        i10.Base.ShouldBe(new BillingPeriod(2025, 12));
        var report = await RunAsync("LIMIT_INDEX", new() { ["from"] = "2025-12", ["to"] = "2026-10", ["group"] = "municipality" });
        (i10.Region.Growth, i10.Region.FlaggedShare, i10.Region.Accounts).ShouldBe((report.Total("index") - 100m, report.Total("flaggedShare"), (long)report.Total("count")));
        i10.Region.Accounts.ShouldBeGreaterThan(50);
        i10.Region.Growth!.Value.ShouldBeGreaterThan(0m); // the demo's tariffs rise from July
        i10.Groups.Values.Sum(g => g.Accounts).ShouldBe(i10.Region.Accounts);
        (await Should.ThrowAsync<ReportException>(() => RegionAnalytics.LimitIndexAsync(year.ConnectionString, October, "supplier", ReportScope.Everything("тест"), Clock, Ct)))
            .Message.ShouldBe("Индекс изменения платы считается по муниципальным образованиям или управляющим организациям");
    }

    [Fact]
    public async Task Common_property_overuse_is_what_the_norm_cap_left_unbilled()
    {
        var r = await RunAsync("CPR_OVERUSE", new() { ["from"] = "2026-08", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        r.Rows.ShouldNotBeEmpty();
        foreach (var row in r.Rows)
        {
            (r.Value(row, "billed") + r.Value(row, "over")).ShouldBe(Math.Max(r.Value(row, "raw"), 0m)); // §5.1's check
            r.Value(row, "raw").ShouldBe(r.Value(row, "metered") - r.Value(row, "premises"), 0.000001m); // volumes printed to six decimals
            if (r.Value(row, "norm") > 0) r.Value(row, "billed").ShouldBeLessThanOrEqualTo(r.Value(row, "norm"));
            r.Value(row, "overAmount").ShouldBe(Math.Round(r.Value(row, "over") * r.Value(row, "rate"), 2, MidpointRounding.AwayFromZero));
        }
        r.Total("overAmount").ShouldBeGreaterThan(0m);
        r.Rows.ShouldContain(row => r.Text(row, "result") == "перерасход");
        (await RunAsync("CPR_OVERUSE", new() { ["from"] = "2026-08", ["to"] = "2026-10", ["group"] = "municipality" })).Total("overAmount").ShouldBe(r.Total("overAmount"));
    }

    [Fact]
    public async Task Registers_of_premises_meters_tariffs_residents_readings_and_wear_form_with_their_totals()
    {
        foreach (var (code, query) in new (string, Dictionary<string, string?>)[]
                 {
                     ("PREMISES", new() { ["to"] = "2026-10", ["mode"] = "expanded" }),
                     ("METERS", new() { ["date"] = "20.11.2026", ["mode"] = "expanded" }),
                     ("TARIFFS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded" }),
                     ("RESIDENTS", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded" }),
                     ("READINGS_ACT", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded" }),
                     ("WEAR", new() { ["to"] = "2026-10" }),
                     ("ACCOUNT_TURNOVER", new() { ["from"] = "2026-08", ["to"] = "2026-10" }),
                     ("PAID_FOR_PERIOD", new() { ["from"] = "2026-08", ["to"] = "2026-10" }),
                 })
        {
            var r = await RunAsync(code, query);
            r.Rows.ShouldNotBeEmpty(code);
            r.Total("count" is var c && r.Page.Head.Columns.Any(x => x.Key == c) ? c : r.Page.Head.Columns.First(x => x.Total == ReportTotal.Sum).Key)
                .ShouldBeGreaterThan(0m, code);
        }
        var premises = await RunAsync("PREMISES", new() { ["to"] = "2026-10", ["mode"] = "expanded" });
        premises.Total("count").ShouldBe(await Sql.ScalarAsync<long>(year.ConnectionString, "SELECT count(*) FROM premises"));
        premises.Total("area").ShouldBe(await Sql.ScalarAsync<decimal>(year.ConnectionString, "SELECT sum(total_area) FROM premises"));
        var paidFor = await RunAsync("PAID_FOR_PERIOD", new() { ["from"] = "2026-08", ["to"] = "2026-08" });
        paidFor.Total("paid").ShouldBeGreaterThan(0m);
        ((decimal)paidFor.Page.Total.Values[paidFor.Index("paidShare")]!).ShouldBe(Math.Round(100m * paidFor.Total("paid") / paidFor.Total("charged"), 2));
    }

    [Fact]
    public async Task Exports_carry_the_title_block_numeric_cells_and_the_same_totals_as_the_json_form()
    {
        var report = ReportCatalog.Find("OSV")!;
        var query = ReportRequest.Parse(report, new Dictionary<string, string?> { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "municipality,service" },
            October, DemoYear.Current, Clock.Today);
        var page = await ReportEngine.PageAsync(year.ConnectionString, report, query, ReportScope.Everything("Иванова И. И."), Clock, 1, 10_000, Ct);
        page.Rows.ShouldContain(r => r.Kind == ReportRowKind.Subtotal);

        await using var conn = new Npgsql.NpgsqlConnection(year.ConnectionString);
        await conn.OpenAsync(Ct);
        // An export reads its query once and sums the rows as they pass: the same rows, subtotals and total as the page's.
        var expandedQuery = ReportRequest.Parse(report, new Dictionary<string, string?> { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "municipality,service" },
            October, DemoYear.Current, Clock.Today);
        var expanded = await ReportEngine.PageAsync(year.ConnectionString, report, expandedQuery, ReportScope.Everything("тест"), Clock, 1, 10_000, Ct);
        var streamed = new List<ReportRow>();
        await foreach (var row in (await ReportEngine.OpenAsync(conn, report, expandedQuery, ReportScope.Everything("тест"), Clock, Ct)).Rows) streamed.Add(row);
        streamed.Select(r => (r.Kind, r.Level, string.Join("|", r.Values))).ShouldBe(
            expanded.Rows.Append(expanded.Total).Select(r => (r.Kind, r.Level, string.Join("|", r.Values))));
        using var xlsx = new MemoryStream();
        var (head, rows) = await ReportEngine.OpenAsync(conn, report, query, ReportScope.Everything("Иванова И. И."), Clock, Ct);
        await ReportXlsx.WriteAsync(xlsx, head, rows, Clock.Zone, Ct);
        xlsx.Position = 0;
        var sheet = MiniExcel.Query(xlsx, useHeaderRow: false, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        sheet[0]["A"].ShouldBe(page.Head.Organisation);
        page.Head.Organisation.ShouldBe(await Sql.ScalarAsync<string>(year.ConnectionString, "SELECT coalesce(short_name, name) FROM organisations WHERE kind = 1 ORDER BY id LIMIT 1"));
        sheet[1]["A"].ShouldBe("Оборотно-сальдовая ведомость");
        sheet[2]["A"].ShouldBe("за октябрь 2026 г.");
        ((string)sheet[5]["A"]!).ShouldStartWith("Сформирован: 20.11.2026 12:00 (UTC+03:00), Иванова И. И.");
        sheet[7]["A"].ShouldBe("Муниципальное образование");
        sheet[7]["D"].ShouldBe("Сальдо на начало: аванс");
        var last = sheet[^1];
        last["A"].ShouldBe("Всего");
        var charged = page.Head.Columns.ToList().FindIndex(c => c.Key == "charged");
        last[((char)('A' + charged)).ToString()].ShouldBeOfType<double>();
        decimal.Parse(last[((char)('A' + charged)).ToString()]!.ToString()!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe((decimal)page.Total.Values[charged]!);
        sheet.Count.ShouldBe(8 + page.Rows.Count + 1);
        sheet.Count(r => (r["A"] as string)?.StartsWith("Итого по ", StringComparison.Ordinal) == true).ShouldBe(page.Rows.Count(r => r.Kind == ReportRowKind.Subtotal));

        // CSV, Windows-1251: the header and one record per row, decimal commas, no subtotals.
        using var csv = new MemoryStream();
        (head, rows) = await ReportEngine.OpenAsync(conn, report, query, ReportScope.Everything("тест"), Clock, Ct);
        await ReportCsv.WriteAsync(csv, head, rows, "cp1251", Ct);
        var lines = System.Text.Encoding.GetEncoding(1251).GetString(csv.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("Муниципальное образование;Услуга;Сальдо на начало: долг;");
        lines.Length.ShouldBe(1 + page.Rows.Count(r => r.Kind == ReportRowKind.Row));
        lines.Skip(1).ShouldAllBe(l => !l.StartsWith("Итого", StringComparison.Ordinal));
        lines[1].ShouldMatch(@";-?\d+,\d\d;");

        // PDF: landscape A4, the title and the totals as text.
        var pdf = ReportPdf.Render(page.Head, [.. page.Rows, page.Total], Clock.Zone);
        using var document = PdfDocument.Open(pdf);
        var first = document.GetPage(1);
        first.Width.ShouldBeGreaterThan(first.Height);
        var text = string.Concat(document.GetPages().Select(p => p.Text));
        text.ShouldContain("Оборотно-сальдовая ведомость");
        text.ShouldContain("Всего");
        static string Bare(string t) => t.Replace("\u00A0", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        Bare(text).ShouldContain(Bare(ReportFormat.Text(page.Total.Values[charged], ReportCell.Money)));
        text.ShouldContain($"Стр. 1 из {document.NumberOfPages}");
    }

    [Fact]
    public async Task Wear_and_the_capital_repair_programme_read_the_buildings_inspections_and_works()
    {
        // 17.3: each building's elements add up to 100 % of its cost, their contributions to the building's wear (17.1).
        var elements = await RunAsync("WEAR_ELEMENTS", new() { ["to"] = "2026-10", ["group"] = "building" });
        elements.Rows.ShouldNotBeEmpty();
        elements.Rows.ShouldAllBe(r => elements.Value(r, "share") == 100m);
        var wear = await RunAsync("WEAR", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" });
        var byAddress = wear.Rows.ToDictionary(r => wear.Text(r, "address"), r => (decimal?)r[wear.Index("wear")]);
        foreach (var row in elements.Rows)
            byAddress[elements.Text(row, "building")].ShouldBe(Math.Round(elements.Value(row, "contribution"), 0, MidpointRounding.AwayFromZero));
        wear.Rows.ShouldAllBe(r => (string?)r[wear.Index("basis")] == "Обследование элементов");
        // 17.2: bands partition the buildings; the mean is weighted by area (a ratio of sums).
        var average = await RunAsync("WEAR", new() { ["to"] = "2026-10" });
        (average.Total("band1") + average.Total("band2") + average.Total("band3") + average.Total("band4")).ShouldBe(average.Total("count"));

        // 19: accepted ≤ the contract; the execution shares are ratios of sums.
        var execution = await RunAsync("CAPITAL_EXECUTION", new() { ["from"] = "2025-01", ["to"] = "2027-12", ["mode"] = "expanded", ["group"] = "planYear" });
        execution.Rows.ShouldNotBeEmpty();
        execution.Rows.ShouldAllBe(r => execution.Value(r, "accepted") <= execution.Value(r, "price"));
        execution.Rows.Where(r => execution.Value(r, "accepted") > 0).ShouldAllBe(r => r[execution.Index("acceptedOn")] != null);
        ((decimal)execution.Page.Total.Values[execution.Index("costPercent")]!).ShouldBe(Math.Round(100m * execution.Total("accepted") / execution.Total("planned"), 2));
        execution.Total("done").ShouldBeGreaterThan(0m);
        execution.Total("done").ShouldBeLessThan(execution.Total("count"));

        // 18: a building's contributions since the start are its turnover sheet's charges for capital repair, counted once.
        var plan = await RunAsync("CAPITAL_PLAN", new() { ["from"] = "2025-01", ["to"] = "2027-12", ["group"] = "building" });
        var planned = plan.Rows.First(r => plan.Value(r, "charged") > 0);
        long building = (long)plan.Page.Rows.First(r => ReferenceEquals(r.Values, planned)).Keys![0]!;
        long capital = await Sql.ScalarAsync<long>(year.ConnectionString, "SELECT id FROM services WHERE code = 'capital_repair'");
        var ledger = await RunAsync("OSV", new() { ["from"] = DemoYear.Closed[0].ToString(), ["to"] = "2026-10", ["group"] = "building",
            ["building"] = building.ToString(System.Globalization.CultureInfo.InvariantCulture), ["service"] = capital.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        plan.Value(planned, "charged").ShouldBe(ledger.Total("charged") + ledger.Total("recalculated"));
        plan.Value(planned, "paid").ShouldBe(ledger.Total("paid"));
    }

    /// <summary>X10: the analytics' figures are the reports' columns of the same group and month.</summary>
    [Fact]
    public async Task The_regions_analytics_reconcile_with_the_reports_behind_them()
    {
        var dashboard = await RegionAnalytics.LoadAsync(year.ConnectionString, October, "municipality", ReportScope.Everything("тест"), Ct);
        dashboard.Months.Count.ShouldBe(12);
        dashboard.Months[^1].ShouldBe(October);
        dashboard.Groups.Count.ShouldBeGreaterThan(1);
        var osv = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "municipality" });
        var split = await RunAsync("SPLIT", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["by"] = "booked", ["group"] = "municipality" });
        var debt = await RunAsync("DEBT", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "municipality" });
        foreach (var g in dashboard.Groups)
        {
            var id = g.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var one = await RunAsync("OSV", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["group"] = "service", ["municipality"] = id });
            g.Last.Charged.ShouldBe(one.Total("charged") + one.Total("recalculated"), g.Name);
            var paid = await RunAsync("SPLIT", new() { ["from"] = "2026-10", ["to"] = "2026-10", ["by"] = "booked", ["group"] = "service", ["municipality"] = id });
            g.Last.Paid.ShouldBe(paid.Total("principal"), g.Name);
            var owed = await RunAsync("DEBT", new() { ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "", ["municipality"] = id });
            g.Last.Current.ShouldBe(owed.Total("current"), g.Name);
            g.Last.Overdue.ShouldBe(Enumerable.Range(1, 5).Select(i => owed.Total($"b{i}")).ToArray(), g.Name);
            g.Last.Collection.ShouldBe(Math.Round(100m * g.Last.Paid / g.Last.Charged, 2, MidpointRounding.AwayFromZero));
        }
        dashboard.Region.Last.Charged.ShouldBe(osv.Total("charged") + osv.Total("recalculated"));
        dashboard.Region.Last.Paid.ShouldBe(split.Total("principal"));
        dashboard.Region.Last.OverdueDebt.ShouldBe(debt.Total("overdue"));
        var region = dashboard.Region.Last;
        region.ReadingsRate.ShouldNotBeNull().ShouldBeInRange(1m, 100m);
        region.MeterCoverage.ShouldNotBeNull().ShouldBeInRange(1m, 100m);
        region.PreviousBillPaidShare.ShouldNotBeNull().ShouldBeInRange(1m, 150m);
        region.DebtorShare.ShouldNotBeNull().ShouldBeInRange(0m, 100m);
        dashboard.Region.GrowthPerAccount.ShouldBeNull(); // the year has no October 2025 to compare with: «—», never a made-up 0
        dashboard.Region.CollectionYearToDate(dashboard.Months).ShouldNotBeNull();

        // By supplier: a supplier's user sees its own row only.
        long water = await Sql.ScalarAsync<long>(year.ConnectionString, "SELECT id FROM organisations WHERE short_name = 'АО «Водоканал»'");
        var own = await RegionAnalytics.LoadAsync(year.ConnectionString, October, "supplier", new ReportScope(null, null, water, false, "РСО"), Ct);
        own.Groups.Select(g => g.Name).ShouldBe(["АО «Водоканал»"]);
    }

    [Fact]
    public void Refusals_name_the_parameter_and_the_reason_in_russian()
    {
        var osv = ReportCatalog.Find("OSV")!;
        ReportException Refused(ReportDefinition r, Dictionary<string, string?> q) =>
            Should.Throw<ReportException>(() => ReportRequest.Parse(r, q, October, DemoYear.Current, Clock.Today));
        Refused(osv, new() { ["from"] = "2026-13" }).Key.ShouldBe("from");
        Refused(osv, new() { ["to"] = "2026-12" }).Message.ShouldBe("Месяц декабрь 2026 ещё не открыт: открыт ноябрь 2026");
        Refused(osv, new() { ["from"] = "2026-10", ["to"] = "2026-09" }).Key.ShouldBe("from");
        Refused(osv, new() { ["agent"] = "1" }).Message.ShouldBe("Отчёт «Оборотно-сальдовая ведомость» не отбирается по признаку «Платёжный агент / банк»");
        Refused(osv, new() { ["colour"] = "1" }).Message.ShouldBe("Неизвестный параметр отчёта «colour»");
        Refused(osv, new() { ["group"] = "municipality,manager,building" }).Key.ShouldBe("group");
        Refused(osv, new() { ["building"] = "один" }).Message.ShouldContain("ожидается код");
        Refused(osv, new() { ["mode"] = "olap" }).Key.ShouldBe("mode");
        Refused(osv, new() { ["mode"] = "pivot", ["group"] = "service" }).Key.ShouldBe("across");
        Refused(osv, new() { ["penalties"] = "maybe" }).Key.ShouldBe("penalties");
        Refused(ReportCatalog.Find("DEBTORS")!, new() { ["k"] = "-1" }).Key.ShouldBe("k");
        Refused(ReportCatalog.Find("METERS")!, new() { ["date"] = "31.02.2026" }).Key.ShouldBe("date");
    }

    /// <summary>
    /// reports.md §22 on 28.02.2026: January's bill was due on 10.02.2026 — its unpaid remainder is overdue by 18 days,
    /// bucket «до 1 мес.»; February's bill is due on 10.03.2026 — current. The age buckets from there (§0.3).
    /// </summary>
    [Fact]
    public void The_worked_examples_debt_ages()
    {
        var day = new DateOnly(2026, 2, 28);
        DebtAge.Bucket(new BillingPeriod(2026, 2), day).ShouldBe(DebtAge.Current);
        DebtAge.Bucket(new BillingPeriod(2026, 1), day).ShouldBe(1);
        DebtAge.Buckets[1].ShouldBe("до 1 мес.");
        // January's debt due 10.02: on 10.03 still «до 1 мес.» (one month after is not yet passed), on 11.03 «1–3 мес.».
        DebtAge.Bucket(new BillingPeriod(2026, 1), new DateOnly(2026, 3, 10)).ShouldBe(1);
        DebtAge.Bucket(new BillingPeriod(2026, 1), new DateOnly(2026, 3, 11)).ShouldBe(2);
        DebtAge.Bucket(new BillingPeriod(2026, 1), new DateOnly(2026, 5, 11)).ShouldBe(3);
        DebtAge.Bucket(new BillingPeriod(2026, 1), new DateOnly(2026, 8, 11)).ShouldBe(4);
        DebtAge.Bucket(new BillingPeriod(2026, 1), new DateOnly(2027, 2, 11)).ShouldBe(5);
        // From March 2026 bills are due on the 15th (177-ФЗ).
        DebtAge.Bucket(new BillingPeriod(2026, 3), new DateOnly(2026, 4, 15)).ShouldBe(DebtAge.Current);
        DebtAge.Bucket(new BillingPeriod(2026, 3), new DateOnly(2026, 4, 16)).ShouldBe(1);
    }
}
