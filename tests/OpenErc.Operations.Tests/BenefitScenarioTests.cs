using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Benefits;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Uszn;
using OpenErc.Operations.Benefits;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The family of benefits.md §7.1 and §7.4: a flat of 68.4 m², three residents, maintenance at 28.40 ₽/m² and cold water by
/// norm (4.745 m³ × 52.37 ₽, a meter technically impossible); one resident a veteran of labour (VET_TRUDA, 50 %, the area
/// standard 18 m² per member of three). The right is registered on 14.04.2026 from 01.02.2026, two closed months back.
/// In kind: −255.60 maintenance and −124.25 cold water a month — April's lines, February's and March's recalculations
/// booked in April, the ЕПД's «Льготы, субсидии», the УСЗН export; in money: full charges and the same figures exported.
/// </summary>
public sealed class BenefitScenarioTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod January = new(2026, 1), February = new(2026, 2), March = new(2026, 3), April = new(2026, 4);

    [Fact]
    public async Task A_veteran_registered_two_months_back_in_kind_gets_april_lines_and_recalculations_on_the_receipt_and_in_the_export()
    {
        var cs = await cluster.CreateDatabaseAsync("benefit_in_kind");
        var clock = TestClock.On(2026, 1, 10);
        var flat = await CreateAsync(cs, clock, inKind: true);
        await LiveToAprilAsync(cs, clock);

        clock.MoveTo(new DateOnly(2026, 4, 14));
        await RegisterVeteranAsync(cs, clock, flat);
        var queue = await Recalculations.ProcessQueueAsync(cs, April, "расчётчик", clock, ct: Ct);
        queue.Buildings.ShouldBe(1);
        (await LinesAsync(cs, $"l.booking_month = '2026-04-01' AND l.kind = {(short)ChargeLineKind.Recalculation}")).ShouldBe(
        [
            ("2026-02-01", "cold_water", -124.25m), ("2026-02-01", "maintenance", -255.60m),
            ("2026-03-01", "cold_water", -124.25m), ("2026-03-01", "maintenance", -255.60m),
        ]);

        clock.MoveTo(new DateOnly(2026, 4, 15));
        (await BillingRun.RunAsync(cs, April, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        (await LinesAsync(cs, "l.booking_month = '2026-04-01' AND l.service_month = '2026-04-01'")).ShouldBe(
        [
            ("2026-04-01", "cold_water", 745.49m), ("2026-04-01", "cold_water", -124.25m),
            ("2026-04-01", "maintenance", 1942.56m), ("2026-04-01", "maintenance", -255.60m),
        ]);
        // «Почему такая сумма»: the benefit's trace says the rule and its figures.
        var trace = await TraceAsync(cs, "maintenance");
        trace.Formula.ShouldBe(BenefitFormulas.AreaFormula);
        trace.Inputs.ShouldContain(new TraceInput("Стандарт площади A(k)", 54m, "м²"));
        trace.Inputs.ShouldContain(new TraceInput("Площадь по стандарту S_b", 18m, "м²"));
        trace.LegalReference.ShouldContain("ФЗ от 12.01.1995 №5-ФЗ");

        // Re-running changes nothing: the queue is empty, the month's regular charge is posted once.
        var before = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_lines");
        (await Recalculations.ProcessQueueAsync(cs, April, "расчётчик", clock, ct: Ct)).Buildings.ShouldBe(0);
        await BillingRun.RunAsync(cs, April, BillingScope.All, new BillingRunOptions(clock), ct: Ct);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM charge_lines")).ShouldBe(before);

        clock.MoveTo(new DateOnly(2026, 5, 1));
        await BillingPeriods.CloseAsync(cs, April, clock, "тест", Ct);
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(Ct);
            var receipt = await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", clock.Today, flat.Number, April, Ct);
            var maintenance = receipt.Services.Single(s => s.Service == "Содержание жилого помещения");
            (maintenance.Charged, maintenance.Recalculated, maintenance.Benefits).ShouldBe((1942.56m, -511.20m, 255.60m));
            receipt.Services.Single(s => s.Service == "Холодное водоснабжение").Benefits.ShouldBe(124.25m);
            (receipt.Totals.Charged, receipt.Totals.Recalculated, receipt.Totals.Benefits).ShouldBe((2688.05m, -759.70m, 379.85m));
            // The corrections of February and March are in «Перерасчёты» and section 6; April's own benefits only in «Льготы».
            receipt.Recalculations.Count.ShouldBe(4);
            receipt.Recalculations.Sum(r => r.Amount).ShouldBe(-759.70m);
        }

        var rows = await UsznExport.ChargesAsync(cs, April, Ct);
        rows.Select(r => (r.RightId, r.ServiceCode, r.Charged.Amount, r.Recalculated.Amount, r.DiscountApplied.Amount, r.BeneficiaryShareAmount.Amount)).ShouldBe(
        [
            ("R-7", "cold_water", 745.49m, -248.50m, 124.25m, 124.25m),
            ("R-7", "maintenance", 1942.56m, -511.20m, 255.60m, 255.60m),
        ]);
        var water = rows[0];
        (water.CalcMethod, water.Tariff, water.VolumeTotal, water.NormPerPerson, water.Residents, water.Covered, water.BaseVolume)
            .ShouldBe((BenefitCalcMethod.Norm, 52.37m, 14.235m, 4.745m, 3, 1, 4.745m));
        rows[1].AreaStandardUsed.ShouldBe(54m);
        rows[1].DebtEnd.Amount.ShouldBeGreaterThanOrEqualTo(4 * 1942.56m - 3 * 255.60m); // nothing paid; penalties on top
        System.Text.Encoding.UTF8.GetString(BenchgFile.Write(rows)).ShouldContain("R-7;");
        (await UsznExport.ChargesAsync(cs, April, Ct)).ShouldBe(rows);
        rows.ShouldAllBe(r => r.CourtDebt.Amount == 0m);

        // §6.3: a court order in force since 01.04.2026 for January–February (every supplier) and a judgment for March with a
        // repayment agreement: only January's and February's unpaid principal is court-confirmed — February's net of the
        // benefit recalculated for it; penalties never.
        await Sql.ExecAsync(cs, $"""
            INSERT INTO debt_claims (account_id, stage, case_number, debt_from, debt_to, amount, filed_on, in_force_on, agreement_on) VALUES
                ({flat.AccountId}, {(int)DebtClaimStage.CourtOrder}, '2-15/2026', '2026-01-01', '2026-02-01', 5376.10, '2026-03-10', '2026-04-01', NULL),
                ({flat.AccountId}, {(int)DebtClaimStage.Judgment}, '2-16/2026', '2026-03-01', '2026-03-01', 2688.05, '2026-04-02', '2026-04-20', '2026-04-25');
            """);
        (await UsznExport.ChargesAsync(cs, April, Ct)).Select(r => (r.ServiceCode, r.CourtDebt.Amount)).ShouldBe(
            [("cold_water", 745.49m + 745.49m - 124.25m), ("maintenance", 1942.56m + 1942.56m - 255.60m)]);
        var answer = await CourtDebt.AnswerAsync(cs, flat.AccountId, flat.Number, April.LastDay, Ct);
        (answer.BookMonth, answer.Amount).ShouldBe((April, 1366.73m + 3629.52m));
        answer.Cases.Select(c => (c.CaseNumber, c.Unpaid)).ShouldBe([("2-15/2026", 1366.73m + 3629.52m)]);
        // Before the order entered into force nothing is confirmed; three years after February the debt no longer counts.
        (await CourtDebt.AnswerAsync(cs, flat.AccountId, flat.Number, new DateOnly(2026, 3, 31), Ct)).Amount.ShouldBe(0m);
        (await CourtDebt.AnswerAsync(cs, flat.AccountId, flat.Number, new DateOnly(2029, 3, 1), Ct)).Amount.ShouldBe(0m);
    }

    [Fact]
    public async Task The_monetised_model_charges_in_full_and_exports_the_same_beneficiarys_share()
    {
        var (cs, clock, _) = await VeteranRegisteredInAprilAsync("benefit_cash", inKind: false);
        clock.MoveTo(new DateOnly(2026, 4, 15));
        (await BillingRun.RunAsync(cs, April, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        (await LinesAsync(cs, "l.booking_month = '2026-04-01'")).ShouldBe([("2026-04-01", "cold_water", 745.49m), ("2026-04-01", "maintenance", 1942.56m)]);

        var rows = await UsznExport.ChargesAsync(cs, April, Ct);
        rows.Select(r => (r.ServiceCode, r.Charged.Amount, r.Recalculated.Amount, r.DiscountApplied.Amount, r.BeneficiaryShareAmount.Amount)).ShouldBe(
        [
            ("cold_water", 745.49m, 0m, 0m, 124.25m),
            ("maintenance", 1942.56m, 0m, 0m, 255.60m),
        ]);
    }

    [Fact]
    public async Task A_disabled_beneficiary_away_ten_days_of_june_gets_the_person_day_share_of_benefits_md_5_5()
    {
        // §5.5: 3 residents, cold water by norm 4.745 m³ × 52.37; the disabled beneficiary (INV, 50 %) away 10 of June's 30 days:
        // B = −0.5 × 4.745 × 52.37 × 20/30 = −82.831883 → −82.83 (= −0.5 × the net 662.65 × σ 20/80). Housing is discounted
        // for INV only in public stock (the next test): the flat is private here.
        var cs = await cluster.CreateDatabaseAsync("benefit_absence");
        var clock = TestClock.On(2026, 6, 1);
        var flat = await CreateAsync(cs, clock, inKind: true);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "паспортист" })
        {
            db.Add(new BenefitRight { PersonId = flat.PersonId, AccountId = flat.AccountId, CategoryCode = "INV", ValidFrom = new DateOnly(2026, 1, 1) });
            db.Add(new TemporaryAbsence { AccountId = flat.AccountId, PersonId = flat.PersonId, ValidFrom = new DateOnly(2026, 6, 6), ValidTo = new DateOnly(2026, 6, 16), Document = "Справка №5" });
            await db.SaveChangesAsync(Ct);
        }
        clock.MoveTo(new DateOnly(2026, 6, 20));
        (await BillingRun.RunAsync(cs, new BillingPeriod(2026, 6), BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        (await LinesAsync(cs, "l.booking_month = '2026-06-01' AND s.code = 'cold_water'")).ShouldBe(
            [("2026-06-01", "cold_water", 745.49m), ("2026-06-01", "cold_water", -82.83m), ("2026-06-01", "cold_water", -82.83m)]);
        (await LinesAsync(cs, $"l.booking_month = '2026-06-01' AND l.kind = {(short)ChargeLineKind.Benefit}")).ShouldBe([("2026-06-01", "cold_water", -82.83m)]);
    }

    [Fact]
    public async Task A_disabled_persons_housing_discount_is_given_while_the_flat_is_municipal_stock()
    {
        // INV (181-ФЗ ст. 17 ч. 13): 50 % of содержание in state or municipal stock only, communal services in any. The flat
        // is municipal until its privatisation on 16.06.2026: maintenance B = −0.5 × 1942.56 × S_b / S_i with the occupied
        // area S_b = 68.4 × 1/3 = 22.8 → −323.76 a month, for 15 of June's 30 days −161.88; cold water by norm −0.5 × 4.745 ×
        // 52.37 = −124.25 the whole month. A private flat gets the cold water only (the test of §5.5 above).
        var cs = await cluster.CreateDatabaseAsync("benefit_public_stock");
        var clock = TestClock.On(2026, 6, 1);
        var flat = await CreateAsync(cs, clock, inKind: true);
        await Sql.ExecAsync(cs, $"UPDATE premises SET public_stock = true, privatised_on = '2026-06-16' WHERE id = (SELECT premise_id FROM personal_accounts WHERE id = {flat.AccountId})");
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "менеджер ЛС" })
        {
            db.Add(new BenefitRight { PersonId = flat.PersonId, AccountId = flat.AccountId, CategoryCode = "INV", ValidFrom = new DateOnly(2026, 1, 1) });
            await db.SaveChangesAsync(Ct);
        }
        clock.MoveTo(new DateOnly(2026, 6, 20));
        (await BillingRun.RunAsync(cs, new BillingPeriod(2026, 6), BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
        (await LinesAsync(cs, $"l.booking_month = '2026-06-01' AND l.kind = {(short)ChargeLineKind.Benefit}")).ShouldBe(
            [("2026-06-01", "cold_water", -124.25m), ("2026-06-01", "maintenance", -161.88m)]);
        var trace = await TraceAsync(cs, "maintenance", "2026-06-01");
        trace.Note.ShouldBe("Помещение в государственном или муниципальном жилищном фонде до 16.06.2026: наём и содержание со скидкой за 15 дн. из 30");
        trace.Inputs.ShouldContain(new TraceInput("Площадь по стандарту S_b", 22.8m, "м²"));

        // Privatised before June: no housing discount at all.
        await Sql.ExecAsync(cs, $"UPDATE premises SET privatised_on = '2026-05-20' WHERE id = (SELECT premise_id FROM personal_accounts WHERE id = {flat.AccountId})");
        var june = new BillingPeriod(2026, 6);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        long building = await Sql.ScalarAsync<long>(cs, $"SELECT p.building_id FROM premises p JOIN personal_accounts a ON a.premise_id = p.id WHERE a.id = {flat.AccountId}");
        var snapshot = (await SnapshotLoader.LoadAsync(conn, await BillingReference.LoadAsync(conn, june, Ct), [building], june, Ct)).Single().Snapshot!;
        ChargeCalculator.Calculate(snapshot, june, new ChargeSettings())
            .Where(l => l.Kind == ChargeLineKind.Benefit).Select(l => (l.ServiceCode, l.Amount.Amount)).ShouldBe([("cold_water", -124.25m)]);
    }

    [Fact]
    public async Task A_categorys_new_rate_from_a_closed_month_recalculates_its_beneficiaries_and_a_delivery_change_its_municipality()
    {
        // The veteran's right from February (in kind), February–March closed with their recalculations booked in April; then
        // the region raises VET_TRUDA to 60 % from 01.03.2026: March's maintenance benefit −0.6 × 28.40 × 18 = −306.72 instead
        // of −255.60, a correction of −51.12 booked in April.
        var (cs, clock, flat) = await VeteranRegisteredInAprilAsync("benefit_category_change", inKind: true);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM recalculation_queue")).ShouldBe(0);

        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "расчётчик", Reason = "закон области о ставке" })
        {
            var rule = BenefitCategories.Find("VET_TRUDA")!;
            var current = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.BenefitCategories.Where(c => c.Code == "VET_TRUDA"), Ct);
            await BenefitReference.AddCategoryAsync(db, new BenefitCategory
            {
                Code = current.Code, Title = current.Title, LegalBasis = current.LegalBasis, Rate = 0.6m, Services = current.Services, AreaCap = current.AreaCap,
                ConsumptionCapAtNorm = current.ConsumptionCapAtNorm, CoversFamily = current.CoversFamily, ValidFrom = March.FirstDay,
            }, Ct);
            rule.Rate.ShouldBe(0.5m);
        }
        (await Sql.ScalarAsync<string>(cs, "SELECT to_char(from_month, 'YYYY-MM') FROM recalculation_queue")).ShouldBe("2026-03");
        await Recalculations.ProcessQueueAsync(cs, April, "расчётчик", clock, ct: Ct);
        (await LinesAsync(cs, $"l.booking_month = '2026-04-01' AND l.service_month = '2026-03-01' AND s.code = 'maintenance' AND l.kind = {(short)ChargeLineKind.Recalculation}"))
            .ShouldBe([("2026-03-01", "maintenance", -51.12m), ("2026-03-01", "maintenance", -255.60m)]);

        // The municipality turns to money from March: March's discounts in kind are taken back in April, its corrections net to nothing.
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "расчётчик", Reason = "постановление" })
            await BenefitReference.AddDeliveryAsync(db, new BenefitDelivery { MunicipalityId = flat.MunicipalityId, Mode = BenefitDeliveryMode.Cash, ValidFrom = March.FirstDay }, Ct);
        (await Sql.ScalarAsync<string>(cs, "SELECT to_char(from_month, 'YYYY-MM') FROM recalculation_queue")).ShouldBe("2026-03");
        await Recalculations.ProcessQueueAsync(cs, April, "расчётчик", clock, ct: Ct);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(kopecks) * 0.01 FROM charge_lines WHERE service_month = '2026-03-01' AND kind = {(short)ChargeLineKind.Recalculation}"))
            .ShouldBe(0m);
    }

    [Fact]
    public async Task A_new_region_has_the_default_categories_of_benefits_md_as_reference_data()
    {
        var cs = await cluster.CreateDatabaseAsync("benefit_categories");
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), TestClock.On(2026, 4, 1));
        var rules = (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.BenefitCategories, Ct)).Select(c => c.Rule()).ToList();
        rules.Select(r => r.Code).Order().ShouldBe(BenefitCategories.Defaults.Select(r => r.Code).Order());
        foreach (var rule in rules)
        {
            var expected = BenefitCategories.Find(rule.Code)!;
            (rule.Title, rule.LegalBasis, rule.Rate, rule.AreaCap, rule.ConsumptionCapAtNorm, rule.CoversFamily, rule.HousingInPublicStockOnly)
                .ShouldBe((expected.Title, expected.LegalBasis, expected.Rate, expected.AreaCap, expected.ConsumptionCapAtNorm, expected.CoversFamily, expected.HousingInPublicStockOnly), rule.Code);
            rule.Services.Order().ShouldBe(expected.Services.Order(), rule.Code);
        }
    }

    private static async Task<List<(string Month, string Service, decimal Amount)>> LinesAsync(string cs, string where)
    {
        var list = new List<(string, string, decimal)>();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT to_char(l.service_month, 'YYYY-MM-DD'), s.code, l.kopecks * 0.01 FROM charge_lines l JOIN services s ON s.id = l.service_id
            WHERE {where} ORDER BY 1, 2, 3 DESC
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) list.Add((r.GetString(0), r.GetString(1), r.GetDecimal(2)));
        return list;
    }

    private static async Task<ChargeTrace> TraceAsync(string cs, string service, string month = "2026-04-01")
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT t.id, t.formula, t.legal, t.note, t.inputs::text, t.segments::text, l.trace_values
            FROM charge_line_details l JOIN charge_trace_templates t ON t.id = l.trace_template JOIN services s ON s.id = l.service_id
            WHERE l.kind = {(short)ChargeLineKind.Benefit} AND s.code = '{service}' AND l.booking_month = '{month}'
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        (await r.ReadAsync(Ct)).ShouldBeTrue();
        return ChargeTraces.Decode(ChargeTraces.ReadTemplate(r, r.GetInt64(0), 1), r.GetString(6));
    }

    /// <summary>The flat lived to April; the veteran registered on 14.04.2026 from February and the queue processed.</summary>
    private async Task<(string Cs, RegionClock Clock, NormFlat Flat)> VeteranRegisteredInAprilAsync(string database, bool inKind)
    {
        var cs = await cluster.CreateDatabaseAsync(database);
        var clock = TestClock.On(2026, 1, 10);
        var flat = await CreateAsync(cs, clock, inKind);
        await LiveToAprilAsync(cs, clock);
        clock.MoveTo(new DateOnly(2026, 4, 14));
        await RegisterVeteranAsync(cs, clock, flat);
        await Recalculations.ProcessQueueAsync(cs, April, "расчётчик", clock, ct: Ct);
        return (cs, clock, flat);
    }

    private static async Task LiveToAprilAsync(string cs, RegionClock clock)
    {
        foreach (var month in new[] { January, February, March })
        {
            clock.MoveTo(month.FirstDay.AddDays(9));
            (await BillingRun.RunAsync(cs, month, BillingScope.All, new BillingRunOptions(clock), ct: Ct)).Failures.ShouldBeEmpty();
            clock.MoveTo(month.End);
            await BillingPeriods.CloseAsync(cs, month, clock, "тест", Ct);
        }
    }

    private static async Task RegisterVeteranAsync(string cs, RegionClock clock, NormFlat flat)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "менеджер ЛС", Reason = "решение УСЗН" };
        db.Add(new BenefitRight
        {
            UsznRightId = "R-7", PersonId = flat.PersonId, AccountId = flat.AccountId, CategoryCode = "VET_TRUDA", CoveredPersons = 1, FamilySize = 3,
            ValidFrom = February.FirstDay, DecisionNumber = "УСЗН-1204", DecisionDate = new DateOnly(2026, 4, 10),
        });
        await db.SaveChangesAsync(Ct);
    }

    private static async Task<NormFlat> CreateAsync(string cs, RegionClock clock, bool inKind)
    {
        var centre = new Organisation
        {
            Kind = OrganisationKind.BillingCentre, Name = "АО «ЕРЦ»", Inn = "7728168971", Kpp = "772801001", BankName = "ПАО Сбербанк", Bik = "044525225",
            CorrespondentAccount = "30101810400000000225", SettlementAccount = Requisites.CompleteSettlementAccount("40702810000000000001", "044525225"),
        };
        var flat = await NormFlatRegion.CreateAsync(cs, clock, 68.4m, 712, Ct, centre);
        if (inKind)
        {
            await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "расчётчик", Reason = "льготы в натуральной форме" };
            db.Add(new BenefitDelivery { MunicipalityId = flat.MunicipalityId, Mode = BenefitDeliveryMode.InKind, ValidFrom = new DateOnly(2020, 1, 1) });
            await db.SaveChangesAsync(Ct);
        }
        return flat;
    }
}
