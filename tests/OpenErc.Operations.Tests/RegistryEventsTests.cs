using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Operations.Billing;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The registry's incidents, acts of technical impossibility, meter failures and heating averages reach the charge
/// run's snapshot and its lines (recalculations.md §1–2, charges.md §6.3, §9).
/// </summary>
public sealed class RegistryEventsTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 9, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod May = new(2026, 5);
    private static readonly BillingPeriod September = new(2026, 9);

    private static async Task<BuildingSnapshot> SnapshotAsync(string cs, long building, BillingPeriod month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var reference = await BillingReference.LoadAsync(conn, month, Ct);
        return (await SnapshotLoader.LoadAsync(conn, reference, [building], month, Ct)).ShouldHaveSingleItem().Snapshot.ShouldNotBeNull();
    }

    private static Task<decimal> LineAsync(string cs, string service, ChargeLineKind kind, BillingPeriod month) => Sql.ScalarAsync<decimal>(cs, $"""
        SELECT coalesce(sum(l.amount), 0) FROM charge_line_details l JOIN services s ON s.id = l.service_id
        WHERE s.code = '{service}' AND l.kind = {(short)kind} AND l.service_month = '{month.FirstDay:yyyy-MM-dd}'
        """);

    [Fact]
    public async Task A_restored_incident_reaches_the_snapshot_and_reduces_the_charge_in_a_real_run_an_open_or_cancelled_one_does_not()
    {
        var cs = await cluster.CreateDatabaseAsync("events");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await OneFlatRegion.RegisterAsync(cs, "диспетчер", Ct,
            OneFlatRegion.ColdWaterInterruption(flat),
            // Another month and another service: not in September's cold water.
            new Incident
            {
                BuildingId = flat.BuildingId, ServiceId = flat.HotWaterId, Kind = IncidentKind.Interruption,
                StartedAt = new DateTime(2026, 8, 3, 0, 0, 0), EndedAt = new DateTime(2026, 8, 4, 0, 0, 0), Document = "Журнал АДС, запись 480",
            },
            // Still open (no end fixed) and cancelled: neither reduces anything.
            new Incident
            {
                BuildingId = flat.BuildingId, ServiceId = flat.ColdWaterId, Kind = IncidentKind.Interruption,
                StartedAt = new DateTime(2026, 9, 20, 9, 0, 0), Document = "Журнал АДС, запись 530",
            },
            new Incident
            {
                BuildingId = flat.BuildingId, ServiceId = flat.ColdWaterId, Kind = IncidentKind.Interruption, Cancelled = true,
                StartedAt = new DateTime(2026, 9, 25, 9, 0, 0), EndedAt = new DateTime(2026, 9, 26, 9, 0, 0), Document = "Журнал АДС, запись 541 (повтор)",
            });

        var incident = (await SnapshotAsync(cs, flat.BuildingId, September)).Incidents.ShouldHaveSingleItem();
        incident.ServiceCode.ShouldBe("cold_water");
        incident.Kind.ShouldBe(IncidentKind.Interruption);
        incident.Start.ShouldBe(new DateTime(2026, 9, 10, 8, 0, 0));
        incident.End.ShouldBe(new DateTime(2026, 9, 10, 22, 0, 0));
        incident.PremiseIds.ShouldBeNull();

        var run = await BillingRun.RunAsync(cs, September, BillingScope.All, new BillingRunOptions(Clock), ct: Ct);
        run.Failures.ShouldBeEmpty();
        // September cold water: no readings since March (6 months > the п. 59 limit of 3) → norm, no coefficient (п. 60):
        // 2 persons × 5 m³ × 55.00 ₽ = 550.00 ₽.
        (await LineAsync(cs, "cold_water", ChargeLineKind.Charge, September)).ShouldBe(550.00m);
        // 14 h at once; allowed 4 h at once and 8 h a month → excess max(14 − 4, 14 − 8) = 10 h × 0.15 % = 1.5 %;
        // ΔP = −550.00 × 0.015 = −8.25 ₽ (прил. 1 п. 1).
        (await LineAsync(cs, "cold_water", ChargeLineKind.QualityReduction, September)).ShouldBe(-8.25m);
        (await LineAsync(cs, "hot_water", ChargeLineKind.QualityReduction, September)).ShouldBe(0m);
    }

    [Fact]
    public async Task An_incident_registered_after_its_month_was_closed_is_queued_and_recalculated_into_the_open_month()
    {
        var cs = await cluster.CreateDatabaseAsync("events");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        (await BillingRun.RunAsync(cs, September, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        await BillingPeriods.CloseAsync(cs, September, Clock, "тест", Ct);
        (await LineAsync(cs, "cold_water", ChargeLineKind.QualityReduction, September)).ShouldBe(0m);

        // The dispatcher registers September's interruption in October: the building is queued from September in the same save.
        await OneFlatRegion.RegisterAsync(cs, "диспетчер", Ct, OneFlatRegion.ColdWaterInterruption(flat));
        var queued = (await Recalculations.QueueAsync(cs, Ct)).ShouldHaveSingleItem();
        queued.BuildingId.ShouldBe(flat.BuildingId);
        queued.FromMonth.ShouldBe(September);
        queued.Reason.ShouldStartWith("Нарушение качества или перерыв: изменение с 10.09.2026");

        // Processing before October's run posts the −8.25 ₽ reduction (see the test above) as October's recalculation of September.
        var report = await Recalculations.ProcessQueueAsync(cs, new BillingPeriod(2026, 10), "оператор", Clock, ct: Ct);
        report.Total.ShouldBe(-8.25m);
        (await Sql.ScalarAsync<decimal>(cs, $"""
            SELECT sum(amount) FROM charge_line_details WHERE booking_month = '2026-10-01' AND service_month = '2026-09-01' AND kind = {(short)ChargeLineKind.Recalculation}
            """)).ShouldBe(-8.25m);
        (await Recalculations.QueueAsync(cs, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_act_of_technical_impossibility_enables_the_temporary_absence_line_and_removes_the_coefficient()
    {
        var cs = await cluster.CreateDatabaseAsync("events");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await OneFlatRegion.RegisterAsync(cs, "паспортист", Ct,
            OneFlatRegion.AbsenceInMay(flat, "Командировочное удостоверение №15"));
        var premise = (await SnapshotAsync(cs, flat.BuildingId, May)).Premises.ShouldHaveSingleItem();
        premise.MeterTechnicallyImpossible.ShouldBe([Core.Tariffs.Resource.HotWater]);

        var run = await BillingRun.RunAsync(cs, May, BillingScope.All, new BillingRunOptions(Clock), ct: Ct);
        run.Failures.ShouldBeEmpty();
        // Hot water by the norm without the coefficient (the act): 2 × 3 m³ × 200.00 ₽ = 1200.00 ₽.
        (await LineAsync(cs, "hot_water", ChargeLineKind.Charge, May)).ShouldBe(1200.00m);
        // ΔP = −1 × 3 × 200.00 × 10 / 31 = −193.548… → −193.55 ₽ (ПП 354 п. 86, 90).
        (await LineAsync(cs, "hot_water", ChargeLineKind.TemporaryAbsence, May)).ShouldBe(-193.55m);
        // Cold water is metered (the п. 59 average): no absence recalculation.
        (await LineAsync(cs, "cold_water", ChargeLineKind.TemporaryAbsence, May)).ShouldBe(0m);

        // Without an act in force in May: no recalculation, and the norm carries the coefficient 1.5 (ГВС):
        // 2 × 3 × 200.00 × 1.5 = 1800.00 ₽.
        await Sql.ExecAsync(cs, $"UPDATE meter_impossibility_acts SET valid_from = '2026-06-01' WHERE id = {flat.ActId}");
        var lines = ChargeCalculator.Calculate(await SnapshotAsync(cs, flat.BuildingId, May), May, new ChargeSettings());
        lines.ShouldNotContain(l => l.Kind == ChargeLineKind.TemporaryAbsence);
        lines.Single(l => l.ServiceCode == "hot_water").Amount.Amount.ShouldBe(1800.00m);
    }

    [Fact]
    public async Task Meter_failures_refused_access_heating_averages_and_two_power_sources_reach_the_snapshot()
    {
        var cs = await cluster.CreateDatabaseAsync("events");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await Sql.ExecAsync(cs, $"""
            UPDATE meters SET failed_on = '2026-08-12' WHERE id = {flat.ColdMeterId};
            UPDATE meters SET access_refused_on = '2026-08-20' WHERE id = {flat.HotMeterId};
            UPDATE buildings SET two_independent_power_sources = true WHERE id = {flat.BuildingId};
            """);
        await OneFlatRegion.RegisterAsync(cs, "тест", Ct,
            new HeatingAverageVolume { BuildingId = flat.BuildingId, Volume = 80m, ValidFrom = new DateOnly(2025, 1, 1), ValidTo = new DateOnly(2026, 1, 1) },
            new HeatingAverageVolume { BuildingId = flat.BuildingId, Volume = 100.875m, ValidFrom = new DateOnly(2026, 1, 1), Basis = "ОДПУ за 2025 год" });

        var snapshot = await SnapshotAsync(cs, flat.BuildingId, September);
        var meters = snapshot.Premises.ShouldHaveSingleItem().Meters;
        meters.Single(m => m.MeterId == flat.ColdMeterId).FailedOn.ShouldBe(new DateOnly(2026, 8, 12));
        meters.Single(m => m.MeterId == flat.HotMeterId).AccessRefusedOn.ShouldBe(new DateOnly(2026, 8, 20));
        snapshot.HeatingAverageMonthlyVolume.ShouldBe(100.875m);
        snapshot.TwoIndependentPowerSources.ShouldBeTrue();
        snapshot.Premises.Single().MeterTechnicallyImpossible.ShouldBeEmpty(); // the act ended on 01.07
        (await SnapshotAsync(cs, flat.BuildingId, new BillingPeriod(2025, 6))).HeatingAverageMonthlyVolume.ShouldBe(80m);
    }
}
