using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Penalties;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Recalculations of past months, manual corrections and penalties in the ledger (recalculations.md §3, penalties.md §5).</summary>
public sealed class RecalculationTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly BillingPeriod November = new(2026, 11);
    private const string Reason = "Изменение числа проживающих и тарифа задним числом";

    private Task<string> RegionWithClosedOctoberAsync() => BillingTestRegion.WithClosedOctoberAsync(cluster, "recalc");

    private static Task<decimal> FreshOctoberAsync(string cs, long building) => BillingTestRegion.FreshAsync(cs, building, October);

    [Fact]
    public async Task A_retroactive_change_is_recalculated_into_the_open_month_once()
    {
        var cs = await RegionWithClosedOctoberAsync();
        // An account charged for cold water by the norm: its residents matter.
        long account = await Sql.ScalarAsync<long>(cs, $"""
            SELECT min(l.account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE s.code = 'cold_water' AND l.source = {(short)VolumeSource.Norm} AND l.service_month = '2026-10-01'
            """);
        long building = await Sql.ScalarAsync<long>(cs, $"SELECT min(building_id) FROM charge_line_details WHERE account_id = {account}");
        int residents = await Sql.ScalarAsync<int>(cs, $"SELECT count FROM resident_counts WHERE account_id = {account} AND valid_from <= '2026-10-01' AND (valid_to IS NULL OR valid_to > '2026-10-01')");
        var beforeChange = Clock.Now; // the change below is archived at this moment of the test's clock
        (await Recalculations.ChangedBuildingsAsync(cs, beforeChange, Ct)).ShouldBeEmpty();
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
            await Residency.SetResidentCountAsync(db, account, residents + 2, new DateOnly(2026, 10, 1), "акт о проживании", Ct);
        (await Recalculations.ChangedBuildingsAsync(cs, beforeChange, Ct)).ShouldBe([building]);
        await Sql.ExecAsync(cs, """
            UPDATE tariffs SET rate = rate + 1.17 WHERE service_id = (SELECT id FROM services WHERE code = 'maintenance')
              AND valid_from <= '2026-10-01' AND (valid_to IS NULL OR valid_to > '2026-10-01')
            """);

        decimal posted = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-10-01'");
        decimal fresh = await FreshOctoberAsync(cs, building);
        fresh.ShouldNotBe(posted);

        var report = await Recalculations.RecalculateAsync(cs, November, BillingScope.Buildings([building]), Reason, "оператор", Clock, ct: Ct);
        report.Failures.ShouldBeEmpty();
        var month = report.Months.ShouldHaveSingleItem();
        month.ServiceMonth.ShouldBe(October);
        month.Posted.ShouldBe(posted);
        month.Fresh.ShouldBe(fresh);
        report.Total.ShouldBe(fresh - posted);
        report.Lines.ShouldBeGreaterThan(0);

        // The lines: booked in November for October, of the recalculation kind, with the reason and the "было/стало" note.
        (await Sql.ScalarAsync<decimal>(cs, $"""
            SELECT sum(amount) FROM charge_line_details l JOIN charge_trace_templates t ON t.id = l.trace_template
            WHERE booking_month = '2026-11-01' AND service_month = '2026-10-01' AND kind = {(short)ChargeLineKind.Recalculation}
              AND building_id = {building} AND reason = '{Reason}' AND posted_by = 'оператор' AND t.note LIKE 'Перерасчёт за {ChargeTraces.Placeholder}-{ChargeTraces.Placeholder}: было % ₽, стало % ₽%'
              AND trace_values LIKE '%~2026;10;%'
            """)).ShouldBe(fresh - posted);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE booking_month = '2026-11-01'")).ShouldBe(report.Lines);
        (await Sql.ScalarAsync<long>(cs, $"""
            SELECT count(*) FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE l.account_id = {account} AND s.code = 'cold_water' AND l.kind = {(short)ChargeLineKind.Recalculation} AND l.amount > 0
            """)).ShouldBe(1);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE amount <> round(unrounded, 2)")).ShouldBe(0);
        // After the recalculation everything posted for October equals the fresh calculation.
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-10-01'")).ShouldBe(fresh);

        // Again: the difference is zero, nothing is posted.
        var again = await Recalculations.RecalculateAsync(cs, November, BillingScope.Buildings([building]), Reason, "оператор", Clock, ct: Ct);
        again.Lines.ShouldBe(0);
        again.Total.ShouldBe(0m);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_line_details WHERE booking_month = '2026-11-01'")).ShouldBe(report.Lines);

        // The registry lists them with the account, the address and the author.
        var listed = await Recalculations.ListAsync(cs, new RecalculationFilter(November, BuildingId: building), 1, 1000, Ct);
        listed.Total.ShouldBe((int)report.Lines);
        listed.Items.ShouldAllBe(e => e.Kind == ChargeLineKind.Recalculation && e.ServiceMonth == October && e.Reason == Reason && e.PostedBy == "оператор");
        listed.Items.Sum(e => e.Amount).ShouldBe(fresh - posted);
        listed.Items.ShouldContain(e => e.AccountId == account && e.ServiceCode == "cold_water" && e.Address.Contains("кв.") && e.AccountNumber.Length > 0);

        // A recalculation with no reason, or into a closed month, is refused.
        (await Should.ThrowAsync<BillingException>(() => Recalculations.RecalculateAsync(cs, November, BillingScope.All, " ", "оператор", Clock, ct: Ct)))
            .Message.ShouldBe("Укажите причину перерасчёта");
        (await Should.ThrowAsync<BillingException>(() => Recalculations.RecalculateAsync(cs, October, BillingScope.All, Reason, "оператор", Clock, ct: Ct)))
            .Message.ShouldBe("Месяц октябрь 2026 закрыт: перерасчёты проводятся только в открытый месяц — ноябрь 2026");

        // Closing November after its run: the recalculation is in the recalculated column (beside the month's own
        // absence and quality lines) and the balances hold.
        (await BillingRun.RunAsync(cs, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var closing = await BillingPeriods.CloseAsync(cs, November, Clock, "тест", Ct);
        closing.Recalculated.ShouldBe(fresh - posted + await NovemberReductionsAsync(cs));
        closing.Penalties.ShouldBe(0m);
        closing.Closing.ShouldBe(closing.Opening + closing.Charged + closing.Recalculated + closing.Penalties - closing.Paid);

        // Another change, recalculated in December: compared with the regular lines AND November's recalculation.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock))
            await Residency.SetResidentCountAsync(db, account, residents + 1, new DateOnly(2026, 10, 1), "уточнение", Ct);
        decimal fresh2 = await FreshOctoberAsync(cs, building);
        fresh2.ShouldNotBe(fresh);
        var december = await Recalculations.RecalculateAsync(cs, November.Next(), BillingScope.Buildings([building]), "уточнение", "оператор", Clock, ct: Ct);
        // November, charged with the first change, is recalculated for the second one too.
        var octoberAgain = december.Months.Single(m => m.ServiceMonth == October);
        (octoberAgain.Posted, octoberAgain.Fresh).ShouldBe((fresh, fresh2));
        december.Total.ShouldBe(december.Months.Sum(m => m.Fresh - m.Posted));
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE building_id = {building} AND service_month = '2026-10-01'")).ShouldBe(fresh2);
        // A horizon that does not reach October leaves it alone.
        (await Recalculations.RecalculateAsync(cs, November.Next(), BillingScope.Buildings([building]), "проверка", "оператор",
            Clock, new RecalculationOptions(HorizonMonths: 1), Ct)).Months.ShouldNotContain(m => m.ServiceMonth == October);
    }

    [Fact]
    public async Task A_manual_correction_is_posted_listed_and_bad_ones_are_refused()
    {
        var cs = await RegionWithClosedOctoberAsync();
        long account = await Sql.ScalarAsync<long>(cs, "SELECT min(account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water'");
        long supplier = await Sql.ScalarAsync<long>(cs, $"SELECT min(supplier_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND account_id = {account}");
        const string why = "Жалоба: начислено за непроживающего";

        Task<long> Post(BillingPeriod open, long acc, string service, decimal amount, string reason) =>
            Recalculations.PostCorrectionAsync(cs, open, acc, service, supplier, October, amount, reason, "оператор", Clock, Ct);

        long runId = await Post(November, account, "cold_water", -150.25m, why);
        runId.ShouldBeGreaterThan(0);

        async Task Refused(Task<long> attempt, string message) =>
            (await Should.ThrowAsync<BillingException>(() => attempt)).Message.ShouldBe(message);
        await Refused(Post(October, account, "cold_water", -10m, why), "Месяц октябрь 2026 закрыт: корректировки проводятся только в открытый месяц — ноябрь 2026");
        await Refused(Post(November, account, "cold_water", 0m, why), "Сумма корректировки не может быть нулевой");
        await Refused(Post(November, account, "cold_water", 10.005m, why), "Сумма корректировки должна быть в целых копейках");
        await Refused(Post(November, account, "cold_water", -10m, "  "), "Укажите причину корректировки");
        await Refused(Post(November, 999_999_999, "cold_water", -10m, why), "Лицевой счёт 999999999 не найден");
        await Refused(Post(November, account, "no_such_service", -10m, why), "Услуга «no_such_service» не найдена");
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM charge_line_details WHERE kind = {(short)ChargeLineKind.ManualCorrection}")).ShouldBe(1);

        var listed = await Recalculations.ListAsync(cs, new RecalculationFilter(AccountId: account, Kind: ChargeLineKind.ManualCorrection), ct: Ct);
        var entry = listed.Items.ShouldHaveSingleItem();
        entry.Amount.ShouldBe(-150.25m);
        entry.BookingMonth.ShouldBe(November);
        entry.ServiceMonth.ShouldBe(October);
        entry.Reason.ShouldBe(why);
        entry.PostedBy.ShouldBe("оператор");
        entry.SupplierId.ShouldBe(supplier);
        entry.Service.ShouldNotBeNullOrWhiteSpace();
        entry.RunId.ShouldBe(runId);
        (await Recalculations.ListAsync(cs, new RecalculationFilter(Month: October, Kind: ChargeLineKind.ManualCorrection), ct: Ct)).Total.ShouldBe(0);

        // A recalculation does not undo the operator's correction.
        long building = await Sql.ScalarAsync<long>(cs, $"SELECT min(building_id) FROM charge_line_details WHERE account_id = {account}");
        (await Recalculations.RecalculateAsync(cs, November, BillingScope.Buildings([building]), "проверка", "оператор", Clock, ct: Ct)).Lines.ShouldBe(0);
    }

    [Fact]
    public async Task Penalties_accrue_after_the_grace_period_are_posted_once_and_land_in_the_penalties_column()
    {
        var cs = await RegionWithClosedOctoberAsync();
        var rules = new PenaltyRules { KeyRates = KeyRateHistory.BankOfRussia };
        var due = rules.DueDate(October);
        async Task<long> PenaltyLinesAsync(string where = "true") =>
            await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE l.kind = {(short)ChargeLineKind.Penalty} AND {where}");

        // One account pays its October cold water in full on the due date: no penalty for that chunk.
        long payer = await Sql.ScalarAsync<long>(cs, "SELECT min(account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water'");
        long payerSupplier = await Sql.ScalarAsync<long>(cs, $"SELECT min(supplier_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND account_id = {payer}");
        decimal payerDebt = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND account_id = {payer} AND supplier_id = {payerSupplier}");
        var payments = new Dictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>
        {
            [new PenaltyDebtKey(payer, "cold_water", payerSupplier, October)] = [new ChunkPayment(due, payerDebt)],
        };

        // On the due date nothing accrues.
        (await PenaltyPosting.PostAsync(cs, November, due, Clock, "тест", payments, ct: Ct)).Lines.ShouldBe(0);
        // Day 30 of the delay: only capital repair (ЖК 155 ч. 14.1 accrues from day 1), the housing grace period still runs.
        var day30 = await PenaltyPosting.PostAsync(cs, November, due.AddDays(30), Clock, "тест", payments, ct: Ct);
        day30.Lines.ShouldBeGreaterThan(0);
        (await PenaltyLinesAsync("s.code <> 'capital_repair'")).ShouldBe(0);
        // Day 31 onwards: the housing penalties too.
        var day31 = await PenaltyPosting.PostAsync(cs, November, due.AddDays(31), Clock, "тест", payments, ct: Ct);
        day31.Lines.ShouldBeGreaterThan(0);
        (await PenaltyLinesAsync("s.code = 'cold_water'")).ShouldBeGreaterThan(0);
        (await PenaltyLinesAsync($"s.code = 'cold_water' AND l.account_id = {payer} AND l.supplier_id = {payerSupplier}")).ShouldBe(0);
        (await PenaltyLinesAsync("l.booking_month <> '2026-11-01' OR l.service_month <> '2026-10-01'")).ShouldBe(0);

        // The posted penalty of a chunk is what the calculator gives for its debt on that date.
        long debtor = await Sql.ScalarAsync<long>(cs, "SELECT max(account_id) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND l.kind = 0");
        decimal debt = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND account_id = {debtor} AND l.kind <> {(short)ChargeLineKind.Penalty}");
        decimal expected = PenaltyCalculator.Calculate(new DebtChunk(debt, due), [], due.AddDays(31), rules).Total.Amount;
        expected.ShouldBeGreaterThan(0m);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'cold_water' AND account_id = {debtor} AND l.kind = {(short)ChargeLineKind.Penalty}"))
            .ShouldBe(expected);
        day31.Posted.ShouldBe(day31.Accrued - day31.AlreadyPosted);

        // The same date again posts nothing.
        long before = await PenaltyLinesAsync();
        var repeat = await PenaltyPosting.PostAsync(cs, November, due.AddDays(31), Clock, "тест", payments, ct: Ct);
        repeat.Lines.ShouldBe(0);
        repeat.Accrued.ShouldBe(day31.Accrued);
        (await PenaltyLinesAsync()).ShouldBe(before);

        // Penalties are listed in the registry and closed into the penalties column, not the recalculated one.
        decimal penalties = await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM charge_line_details WHERE kind = {(short)ChargeLineKind.Penalty}");
        (await Recalculations.ListAsync(cs, new RecalculationFilter(November, Kind: ChargeLineKind.Penalty), 1, 10, Ct)).Total.ShouldBe((int)before);
        // November is charged before it closes (a month closes after its run).
        (await BillingRun.RunAsync(cs, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var closing = await BillingPeriods.CloseAsync(cs, November, Clock, "тест", Ct);
        closing.Penalties.ShouldBe(penalties);
        closing.Recalculated.ShouldBe(await NovemberReductionsAsync(cs));
        closing.Closing.ShouldBe(closing.Opening + closing.Charged + closing.Recalculated + closing.Penalties - closing.Paid);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE opening + charged + recalculated + penalties - paid <> closing")).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(penalties) FROM account_balances WHERE month = '2026-11-01'")).ShouldBe(penalties);
        (await Should.ThrowAsync<BillingException>(() => PenaltyPosting.PostAsync(cs, November, due.AddDays(40), Clock, ct: Ct)))
            .Message.ShouldBe("Месяц ноябрь 2026 закрыт: пени проводятся только в открытый месяц — декабрь 2026");
    }

    /// <summary>November's own absence and quality lines: what its closing counts as recalculated besides recalculations.</summary>
    private static Task<decimal> NovemberReductionsAsync(string cs) => Sql.ScalarAsync<decimal>(cs, $"""
        SELECT coalesce(sum(amount), 0) FROM charge_line_details
        WHERE booking_month = '2026-11-01' AND service_month = '2026-11-01' AND kind NOT IN ({(short)ChargeLineKind.Charge}, {(short)ChargeLineKind.Penalty})
        """);
}
