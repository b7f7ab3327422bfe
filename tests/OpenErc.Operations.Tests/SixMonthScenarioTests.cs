using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Penalties;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The acceptance scenario of the charge run: one account of <see cref="OneFlatRegion"/> walked through April–September
/// 2026 with real runs on PostgreSQL, each month run and closed. Every amount below is computed by hand from the
/// formulas of charges.md, recalculations.md and penalties.md (the comments show the arithmetic), never copied from
/// the output.
/// </summary>
public sealed class SixMonthScenarioTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 10, 1);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod April = new(2026, 4), May = new(2026, 5), June = new(2026, 6), July = new(2026, 7),
        August = new(2026, 8), September = new(2026, 9);

    private sealed record Line(string Service, ChargeLineKind Kind, BillingPeriod ServiceMonth, VolumeSource Source, decimal Amount);

    private static Line Charge(string service, BillingPeriod month, VolumeSource source, decimal amount) => new(service, ChargeLineKind.Charge, month, source, amount);

    private static Line Correction(string service, ChargeLineKind kind, BillingPeriod month, decimal amount) => new(service, kind, month, VolumeSource.Correction, amount);

    /// <summary>The lines booked in a month, in a stable order.</summary>
    private static async Task<List<Line>> BookedAsync(string cs, BillingPeriod booking)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT s.code, l.kind, l.service_month, l.source, l.amount FROM charge_line_details l JOIN services s ON s.id = l.service_id
            WHERE l.booking_month = @m ORDER BY s.code, l.kind, l.service_month
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("m", booking.FirstDay));
        var lines = new List<Line>();
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct))
            lines.Add(new Line(r.GetString(0), (ChargeLineKind)r.GetInt16(1), BillingPeriod.Of(r.GetFieldValue<DateOnly>(2)), (VolumeSource)r.GetInt16(3), r.GetDecimal(4)));
        return lines;
    }

    private static async Task RunAsync(string cs, BillingPeriod month)
    {
        var report = await BillingRun.RunAsync(cs, month, BillingScope.All, new BillingRunOptions(Clock), ct: Ct);
        report.Failures.ShouldBeEmpty(string.Join("; ", report.Failures.Select(f => f.Error)));
        report.Accounts.ShouldBe(1);
    }

    /// <summary>Closes the month and checks the balance equation and the expected totals.</summary>
    private static async Task CloseAsync(string cs, BillingPeriod month, decimal opening, decimal charged, decimal recalculated, decimal penalties, decimal closing)
    {
        var report = await BillingPeriods.CloseAsync(cs, month, Clock, "тест", Ct);
        report.Accounts.ShouldBe(1);
        (report.Opening, report.Charged, report.Recalculated, report.Penalties, report.Paid, report.Closing)
            .ShouldBe((opening, charged, recalculated, penalties, 0m, closing), $"closing of {month}");
        report.Closing.ShouldBe(report.Opening + report.Charged + report.Recalculated + report.Penalties - report.Paid);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM account_balances WHERE opening + charged + recalculated + penalties - paid <> closing")).ShouldBe(0);
    }

    [Fact]
    public async Task One_account_through_six_months_of_runs_recalculations_reductions_and_penalties()
    {
        var cs = await cluster.CreateDatabaseAsync("scenario");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct,
            new KeyRate { RatePercent = 16m, ValidFrom = new DateOnly(2025, 10, 27) });

        // ── April: the account opens on 16.04 → 15 of 30 days (day factor 0.5).
        await RunAsync(cs, April);
        (await BookedAsync(cs, April)).ShouldBe(
        [
            // Cold water: no reading in April (the last is 20.03) → п. 59 «б» average over 20.09.2025–20.03.2026:
            // (136 − 100) / 6 = 6 m³/month; 6 × 50.00 × 15/30 = 150.00 ₽.
            Charge("cold_water", April, VolumeSource.Average, 150.00m),
            // Hot water: no meter, installation technically impossible (act) → norm without the coefficient:
            // 2 persons × 3 m³ × 200.00 × 15/30 = 600.00 ₽.
            Charge("hot_water", April, VolumeSource.Norm, 600.00m),
            // Maintenance: 50 m² × 30.00 × 15/30 = 750.00 ₽.
            Charge("maintenance", April, VolumeSource.Area, 750.00m),
        ]);
        (await Sql.ScalarAsync<decimal>(cs, "SELECT day_factor FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE s.code = 'maintenance'")).ShouldBe(0.5m);
        await CloseAsync(cs, April, opening: 0m, charged: 1500.00m, recalculated: 0m, penalties: 0m, closing: 1500.00m);

        // ── May: the resident is away 06.05–15.05 (departed 05.05, back 16.05): 10 full days.
        await OneFlatRegion.RegisterAsync(cs, "паспортист", Ct,
            OneFlatRegion.AbsenceInMay(flat, "Справка о стационарном лечении №44"));
        await RunAsync(cs, May);
        (await BookedAsync(cs, May)).ShouldBe(
        [
            // Second month without readings: the average, 6 × 50.00 = 300.00 ₽. Metered: no absence recalculation.
            Charge("cold_water", May, VolumeSource.Average, 300.00m),
            // 2 × 3 × 200.00 = 1200.00 ₽.
            Charge("hot_water", May, VolumeSource.Norm, 1200.00m),
            // ΔP = −m × N × T × D_abs / D_month = −1 × 3 × 200.00 × 10 / 31 = −193.548… → −193.55 ₽ (п. 86, 90; the act allows it).
            Correction("hot_water", ChargeLineKind.TemporaryAbsence, May, -193.55m),
            // 50 × 30.00 = 1500.00 ₽.
            Charge("maintenance", May, VolumeSource.Area, 1500.00m),
        ]);
        await CloseAsync(cs, May, opening: 1500.00m, charged: 3000.00m, recalculated: -193.55m, penalties: 0m, closing: 4306.45m);

        // ── June: the third month without readings, the last one of the average.
        await RunAsync(cs, June);
        (await BookedAsync(cs, June)).ShouldBe(
        [
            Charge("cold_water", June, VolumeSource.Average, 300.00m),
            Charge("hot_water", June, VolumeSource.Norm, 1200.00m),
            Charge("maintenance", June, VolumeSource.Area, 1500.00m),
        ]);
        await CloseAsync(cs, June, opening: 4306.45m, charged: 3000.00m, recalculated: 0m, penalties: 0m, closing: 7306.45m);

        // ── July: new tariffs from 01.07 (cold water 55.00, hot water 220.00); the hot-water meter is installed on 01.07.
        await RunAsync(cs, July);
        var julyCharges = new List<Line>
        {
            // Fourth month without readings, past the п. 59 limit of 3 → norm (п. 60), no coefficient for missing readings:
            // 2 × 5 m³ × 55.00 = 550.00 ₽.
            Charge("cold_water", July, VolumeSource.Norm, 550.00m),
            // The new meter: 13.500 − 10.000 = 3.5 m³ × 220.00 = 770.00 ₽.
            Charge("hot_water", July, VolumeSource.Meter, 770.00m),
            Charge("maintenance", July, VolumeSource.Area, 1500.00m),
        };
        (await BookedAsync(cs, July)).ShouldBe(julyCharges);

        // A late payment: April's maintenance (750.00 ₽, due 15.05.2026 — the 15th from March 2026) is paid on 20.07; every
        // other chunk of April and May is paid on its due date. Penalties on 20.07: day k = 20.07 − 15.05 = 66; days
        // 31…66 = 36 days at 1/300 of min(9.5 %, key rate 16 %) = 9.5 % (the 2022–2026 cap):
        // 750.00 × 0.095 / 300 × 36 = 8.55 ₽. June chunks are on day 5 (grace), July's are not due yet.
        var rules = new PenaltyRules { KeyRates = [new KeyRatePoint(new DateOnly(2025, 10, 27), 16m)] };
        rules.DueDate(April).ShouldBe(new DateOnly(2026, 5, 15));
        var payments = new Dictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(Ct);
            await using var cmd = new NpgsqlCommand("""
                SELECT l.account_id, s.code, l.supplier_id, l.service_month, sum(l.amount) FROM charge_line_details l JOIN services s ON s.id = l.service_id
                WHERE l.service_month IN ('2026-04-01', '2026-05-01') GROUP BY 1, 2, 3, 4
                """, conn);
            await using var r = await cmd.ExecuteReaderAsync(Ct);
            while (await r.ReadAsync(Ct))
            {
                var key = new PenaltyDebtKey(r.GetInt64(0), r.GetString(1), r.GetInt64(2), BillingPeriod.Of(r.GetFieldValue<DateOnly>(3)));
                bool late = key.ServiceCode == "maintenance" && key.ServiceMonth == April;
                payments[key] = [new ChunkPayment(late ? new DateOnly(2026, 7, 20) : rules.DueDate(key.ServiceMonth), r.GetDecimal(4))];
            }
        }
        payments.Count.ShouldBe(6);
        var penalties = await PenaltyPosting.PostAsync(cs, July, new DateOnly(2026, 7, 20), Clock, "тест", payments, ct: Ct);
        penalties.Lines.ShouldBe(1);
        penalties.Posted.ShouldBe(8.55m);
        (await BookedAsync(cs, July)).ShouldBe([julyCharges[0], julyCharges[1], julyCharges[2], Correction("maintenance", ChargeLineKind.Penalty, April, 8.55m)]);
        await CloseAsync(cs, July, opening: 7306.45m, charged: 2820.00m, recalculated: 0m, penalties: 8.55m, closing: 10135.00m);

        // ── August: an act of actual residence, found in August, says 3 persons live there since 01.07 (July is closed).
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "паспортист" })
            await Residency.SetResidentCountAsync(db, flat.AccountId, 3, new DateOnly(2026, 7, 1), "Акт о фактическом проживании №3", Ct);
        await RunAsync(cs, August);
        var recalc = await Recalculations.RecalculateAsync(cs, August, BillingScope.Buildings([flat.BuildingId]), "Акт о фактическом проживании №3", "оператор", Clock, ct: Ct);
        recalc.Failures.ShouldBeEmpty();
        // April–June are computed again too and come out the same.
        recalc.Months.Select(m => m.ServiceMonth).ShouldBe([April, May, June, July]);
        var july = recalc.Months.Where(m => m.Difference != 0m).ShouldHaveSingleItem();
        july.ServiceMonth.ShouldBe(July);
        july.Posted.ShouldBe(2820.00m);
        // July again: cold water 3 × 5 × 55.00 = 825.00 instead of 550.00; the rest unchanged.
        july.Fresh.ShouldBe(3095.00m);
        recalc.Total.ShouldBe(275.00m);
        (await BookedAsync(cs, August)).ShouldBe(
        [
            // 3 × 5 × 55.00 = 825.00 ₽ (still no readings: norm).
            Charge("cold_water", August, VolumeSource.Norm, 825.00m),
            // The recalculation of July booked in August: 825.00 − 550.00 = +275.00 ₽.
            Correction("cold_water", ChargeLineKind.Recalculation, July, 275.00m),
            // 17.200 − 13.500 = 3.7 m³ × 220.00 = 814.00 ₽.
            Charge("hot_water", August, VolumeSource.Meter, 814.00m),
            Charge("maintenance", August, VolumeSource.Area, 1500.00m),
        ]);
        await CloseAsync(cs, August, opening: 10135.00m, charged: 3139.00m, recalculated: 275.00m, penalties: 0m, closing: 13549.00m);

        // ── September: cold water interrupted on 10.09 from 08:00 to 22:00 (14 h at once).
        await OneFlatRegion.RegisterAsync(cs, "диспетчер", Ct,
            OneFlatRegion.ColdWaterInterruption(flat));
        await RunAsync(cs, September);
        (await BookedAsync(cs, September)).ShouldBe(
        [
            Charge("cold_water", September, VolumeSource.Norm, 825.00m),
            // Прил. 1 п. 1: allowed 4 h at once and 8 h a month → excess max(14 − 4, 14 − 8) = 10 h × 0.15 % = 1.5 %;
            // ΔP = −825.00 × 0.015 = −12.375 → −12.38 ₽ (rounded half away from zero).
            Correction("cold_water", ChargeLineKind.QualityReduction, September, -12.38m),
            // 21.000 − 17.200 = 3.8 m³ × 220.00 = 836.00 ₽.
            Charge("hot_water", September, VolumeSource.Meter, 836.00m),
            Charge("maintenance", September, VolumeSource.Area, 1500.00m),
        ]);
        await CloseAsync(cs, September, opening: 13549.00m, charged: 3161.00m, recalculated: -12.38m, penalties: 0m, closing: 16697.62m);

        // Everything charged over the six months is the last closing balance (nothing was paid through the ledger).
        (await Sql.ScalarAsync<decimal>(cs, "SELECT sum(amount) FROM charge_line_details")).ShouldBe(16697.62m);
    }
}
