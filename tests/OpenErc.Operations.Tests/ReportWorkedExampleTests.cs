using OpenErc.Core.Accounts;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Reports;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// reports.md §22, the worked example: account 1001 in February 2026 — maintenance 1 542.12 (54.3 m² × 28.40) to
/// УК «Ромашка», cold water by norm 745.49 (3 × 4.745 m³ × 52.37, a meter technically impossible) to Водоканал, January
/// unpaid; in February a temporary absence recalculates January's cold water by −80.16 and 2 000.00 paid on 20.02 without
/// a period go to January's bill in proportion. Every figure the example gives, read from the reports.
/// </summary>
public sealed class ReportWorkedExampleTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod January = new(2026, 1), February = new(2026, 2), March = new(2026, 3);

    [Fact]
    public async Task Account_1001_in_february_2026_reads_as_the_worked_example_in_every_report()
    {
        var cs = await cluster.CreateDatabaseAsync("report_example");
        var clock = TestClock.On(2026, 1, 10);
        var bank = new Organisation { Kind = OrganisationKind.Bank, Name = "ПАО «Банк»", Inn = "7702070139" };
        var flat = await NormFlatRegion.CreateAsync(cs, clock, 54.3m, 1001, Ct, bank);
        var (number, personId, accountId, bankId) = (flat.Number, flat.PersonId, flat.AccountId, bank.Id);

        (await BillingRun.RunAsync(cs, January, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        clock.MoveTo(new DateOnly(2026, 2, 1));
        await BillingPeriods.CloseAsync(cs, January, clock, "тест", Ct);

        // February: one of the three residents was away 11.01–20.01, ten full days of January, said on 3 February.
        clock.MoveTo(new DateOnly(2026, 2, 3));
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "паспортист" })
        {
            db.Add(new TemporaryAbsence { AccountId = accountId, PersonId = personId, ValidFrom = new DateOnly(2026, 1, 11), ValidTo = new DateOnly(2026, 1, 21), Document = "Справка №12" });
            await db.SaveChangesAsync(Ct);
        }
        clock.MoveTo(new DateOnly(2026, 2, 5));
        (await Recalculations.ProcessQueueAsync(cs, February, "расчётчик", clock, ct: Ct)).Buildings.ShouldBe(1);
        (await BillingRun.RunAsync(cs, February, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        clock.MoveTo(new DateOnly(2026, 2, 20));
        var paid = await PaymentPosting.PostAsync(cs, new PaymentIntake(bankId, "SB-2002", PaymentChannel.Sber, number, 2000.00m,
            new DateTimeOffset(2026, 2, 20, 11, 0, 0, TimeSpan.FromHours(3))), new PostingOptions("финансист", clock), Ct);
        paid.Outcome.ShouldBe(PostingOutcome.Posted);
        clock.MoveTo(new DateOnly(2026, 3, 1));
        await BillingPeriods.CloseAsync(cs, February, clock, "тест", Ct);
        clock.MoveTo(new DateOnly(2026, 3, 2));

        Task<ReportResult> Run(string code, Dictionary<string, string?> query) => ReportResult.FormAsync(cs, code, query, February, March, clock, Ct);

        // ОСВ, February 2026.
        var osv = await Run("OSV", new() { ["from"] = "2026-02", ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "" });
        osv.Rows.Count().ShouldBe(2);
        var a = osv.Row("service", "Содержание жилого помещения");
        var b = osv.Row("service", "Холодное водоснабжение");
        osv.Figures(a, "openingDebt", "charged", "recalculated", "penalties", "paid", "closingDebt").ShouldBe([1542.12m, 1542.12m, 0m, 0m, 1397.20m, 1687.04m]);
        osv.Figures(b, "openingDebt", "charged", "recalculated", "penalties", "paid", "closingDebt").ShouldBe([745.49m, 745.49m, -80.16m, 0m, 602.80m, 808.02m]);
        osv.Totals("openingDebt", "charged", "recalculated", "penalties", "paid", "closingDebt").ShouldBe([2287.61m, 2287.61m, -80.16m, 0m, 2000.00m, 2495.06m]);

        // Задолженность on 28.02.2026: current = February's bills, overdue = January's remainder, «до 1 мес.»; total = ОСВ K (X4).
        var debt = await Run("DEBT", new() { ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "" });
        debt.Totals("debt", "current", "overdue", "b1", "b2").ShouldBe([2495.06m, 2287.61m, 207.45m, 207.45m, 0m]);
        debt.Figures(debt.Row("service", "Содержание жилого помещения"), "overdue").ShouldBe([144.92m]);
        debt.Figures(debt.Row("service", "Холодное водоснабжение"), "overdue").ShouldBe([62.53m]);

        // Платежи по периодам оплаты: 2 000.00 for «01.2026», booked in «02.2026».
        var periods = await Run("PAY_PERIODS", new() { ["from"] = "2026-02", ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "" });
        periods.Total("amount").ShouldBe(2000.00m);
        var split = await Run("SPLIT", new() { ["from"] = "2026-02", ["to"] = "2026-02", ["group"] = "supplier" });
        split.Rows.Select(r => (split.Text(r, "supplier"), split.Value(r, "amount"))).Order().ShouldBe([("Водоканал", 602.80m), ("УК «Ромашка»", 1397.20m)]);
        split.Total("amount").ShouldBe(2000.00m);
        var byPeriod = await Run("PAY_PERIODS", new() { ["from"] = "2026-02", ["to"] = "2026-02", ["group"] = "paidFor,month" });
        byPeriod.Rows.Count().ShouldBe(1);
        ReportFormat.Text(byPeriod.Rows.Single()[0], ReportCell.Month).ShouldBe("январь 2026");
        ReportFormat.Text(byPeriod.Rows.Single()[1], ReportCell.Month).ShouldBe("февраль 2026");

        // Оплата услуг за период: January charged 2 207.45, paid 2 000.00 (90.60 %); February 2 287.61, nothing paid.
        var paidFor = await Run("PAID_FOR_PERIOD", new() { ["from"] = "2026-01", ["to"] = "2026-02", ["group"] = "month" });
        paidFor.Rows.Select(r => (paidFor.Value(r, "charged"), paidFor.Value(r, "paid"), paidFor.Value(r, "unpaid"), paidFor.Value(r, "paidShare")))
            .ShouldBe([(2207.45m, 2000.00m, 207.45m, 90.60m), (2287.61m, 0m, 2287.61m, 0m)]);

        // Реестр перерасчётов of February: one line −80.16 correcting 01.2026, = ОСВ R (X3).
        var recalculations = await Run("RECALCULATIONS", new() { ["from"] = "2026-02", ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "" });
        var line = recalculations.Rows.ShouldHaveSingleItem();
        recalculations.Value(line, "amount").ShouldBe(-80.16m);
        line[recalculations.Index("corrected")].ShouldBe(January.FirstDay);
        recalculations.Text(line, "reason").ShouldBe(ChargeLineKind.Recalculation.Title());
        recalculations.Text(line, "cause").ShouldStartWith("Временное отсутствие");

        // Analytics: I1 = 2 000.00 / (2 287.61 − 80.16) = 90.60 %; January's bill was paid by 28.02 to the same 90.60 %.
        var analytics = await RegionAnalytics.LoadAsync(cs, February, "municipality", ReportScope.Everything("тест"), Ct);
        analytics.Region.Last.Collection.ShouldBe(90.60m);
        analytics.Region.Last.PreviousBillPaidShare.ShouldBe(90.60m);

        // Реестр неплательщиков: the product's threshold 3 × 745.49 = 2 236.47 and п. 118's 2 × 745.49 = 1 490.98 both list
        // nobody (cold water's overdue is 62.53, and cold water in an МКД may not be limited); at 0.05 of a month both rows
        // are listed with their printed thresholds, measured by the norm (cold water) and the area (maintenance).
        (await Run("DEBTORS", new() { ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "", ["k"] = "3" })).Rows.ShouldBeEmpty();
        (await Run("DEBTORS", new() { ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "", ["k"] = "2" })).Rows.ShouldBeEmpty();
        (await Run("DEBTORS", new() { ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "", ["rule"] = "p118" })).Rows.ShouldBeEmpty();
        var debtors = await Run("DEBTORS", new() { ["to"] = "2026-02", ["mode"] = "expanded", ["group"] = "", ["k"] = "0.05" });
        var water = debtors.Row("service", "Холодное водоснабжение");
        debtors.Figures(water, "overdue", "monthly", "threshold").ShouldBe([62.53m, 745.49m, 37.27m]);
        debtors.Text(water, "basis").ShouldBe("по нормативу");
        debtors.Figures(debtors.Row("service", "Содержание жилого помещения"), "overdue", "monthly", "threshold").ShouldBe([144.92m, 1542.12m, 77.11m]);
    }
}
