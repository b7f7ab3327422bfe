using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>recalculations.md §1 (temporary absence) and §2 (quality and interruptions), booked in the month's calculation.</summary>
public sealed class RecalculationTests
{
    private static readonly BillingPeriod June2026 = new(2026, 6);

    private static PremiseSnapshot AbsentFlat(Resource[] impossible, params AbsenceSnapshot[] absences) =>
        Flat(accounts: [Account() with { Absences = absences }], impossible: impossible);

    [Fact]
    public void Example_1_4_one_resident_away_ten_full_days_in_june()
    {
        var lines = Building(AbsentFlat([Resource.ColdWater], new AbsenceSnapshot(D(2026, 6, 4), D(2026, 6, 15))), ColdWater()).Calc(June2026);
        var line = lines.Line("cold_water", kind: ChargeLineKind.TemporaryAbsence);
        line.Unrounded.ShouldBe(-82.8318833333333333333333333m, tolerance: 0.0000000001m);
        line.Amount.ShouldBe(Rub(-82.83m));
        line.Source.ShouldBe(VolumeSource.Correction);
        line.Input("Дней начисления").ShouldBe(10m);
        line.Input("Временно отсутствовали m").ShouldBe(1m);
        line.Trace.LegalReference.ShouldBe("ПП 354, п. 86, 90");
        line.Trace.Formula.ShouldBe("ΔP = − m × N × T × D_отс / D_мес");
        lines.Line("cold_water").Amount.ShouldBe(Rub(745.49m)); // the month's charge stays whole
    }

    [Fact]
    public void No_absence_recalculation_when_a_meter_could_be_installed_or_for_five_days_or_less()
    {
        Building(AbsentFlat([], new AbsenceSnapshot(D(2026, 6, 4), D(2026, 6, 15))), ColdWater()).Calc(June2026)
            .ShouldNotContain(l => l.Kind == ChargeLineKind.TemporaryAbsence);
        Building(AbsentFlat([Resource.ColdWater], new AbsenceSnapshot(D(2026, 6, 4), D(2026, 6, 10))), ColdWater()).Calc(June2026)
            .ShouldNotContain(l => l.Kind == ChargeLineKind.TemporaryAbsence); // 5 full days
        Building(AbsentFlat([Resource.ColdWater], new AbsenceSnapshot(D(2026, 6, 4), D(2026, 6, 11))), ColdWater()).Calc(June2026)
            .Line("cold_water", kind: ChargeLineKind.TemporaryAbsence).Input("Дней начисления").ShouldBe(6m);
    }

    [Fact]
    public void An_absence_across_months_counts_its_days_in_each_month()
    {
        var building = Building(AbsentFlat([Resource.ColdWater], new AbsenceSnapshot(D(2026, 5, 25), D(2026, 6, 4))), ColdWater());
        building.Calc(new BillingPeriod(2026, 5)).Line("cold_water", kind: ChargeLineKind.TemporaryAbsence).Input("Дней начисления").ShouldBe(6m);
        building.Calc(June2026).Line("cold_water", kind: ChargeLineKind.TemporaryAbsence).Input("Дней начисления").ShouldBe(3m);
    }

    [Fact]
    public void Absence_repeats_for_sewage_electricity_by_the_present_residents_row_and_waste_but_not_heating_or_housing()
    {
        var electricity = Electricity(Norm(73m, "rooms=2;residents=3"), Norm(86m, "rooms=2;residents=2"), Norm(138m, "rooms=2;residents=1"));
        var waste = Service("waste", ServiceKind.Communal, Resource.None, "м³", CalculationMethod.PerResident, [Tariff(780.50m)], Norm(2.2m, perYear: true));
        var maintenance = Service("maintenance", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(28.40m)]);
        var flat = AbsentFlat([Resource.ColdWater, Resource.HotWater, Resource.Electricity], new AbsenceSnapshot(D(2026, 3, 4), D(2026, 3, 15)));
        var lines = Building([flat], [ColdWater(), HotWater(), Sewage(Norm(7.863m)), electricity, waste, maintenance, Heating()]).Calc();

        lines.Line("sewage", kind: ChargeLineKind.TemporaryAbsence).Unrounded.ShouldBe(-(7.863m * 38.15m * 10 / 31), tolerance: 0.0000000001m);
        var power = lines.Line("electricity", kind: ChargeLineKind.TemporaryAbsence);
        power.Unrounded.ShouldBe(-((3 * 73m - 2 * 86m) * 6.43m * 10 / 31), tolerance: 0.0000000001m);
        power.Input("Норматив для n − m").ShouldBe(86m);
        lines.Line("waste", kind: ChargeLineKind.TemporaryAbsence).Trace.LegalReference.ShouldBe("ПП 354, п. 148(44)");
        lines.Where(l => l.Kind == ChargeLineKind.TemporaryAbsence).Select(l => l.ServiceCode)
            .ShouldBe(["cold_water", "electricity", "hot_water", "sewage", "waste"]);
    }

    [Fact]
    public void Sewage_as_the_sum_of_water_volumes_follows_the_water_reductions()
    {
        var flat = AbsentFlat([Resource.ColdWater], new AbsenceSnapshot(D(2026, 3, 4), D(2026, 3, 15)));
        var lines = Building(flat, ColdWater(), Sewage()).Calc();
        lines.Line("sewage", kind: ChargeLineKind.TemporaryAbsence).Unrounded.ShouldBe(-(4.745m * 10 / 31 * 38.15m), tolerance: 0.0000000001m);
    }

    // ---- quality (recalculations.md §2.4) ----

    private static DateTime T(int day, int hour) => new(2026, 3, day, hour, 0, 0);

    private static ServiceIncident Incident(string service, IncidentKind kind, DateTime start, DateTime end) => new(service, kind, start, end);

    private static IReadOnlyList<ChargeLine> WithIncidents(PremiseSnapshot flat, ServiceSnapshot[] services, ServiceIncident[] incidents,
        ChargeSettings? settings = null, BuildingKind kind = BuildingKind.ApartmentBuilding) =>
        Building([flat], services, kind, incidents: incidents).Calc(settings: settings);

    [Fact]
    public void Example_2_4_1_cold_water_interruptions_14_hours()
    {
        var lines = WithIncidents(Flat(impossible: [Resource.ColdWater]), [ColdWater()],
        [
            Incident("cold_water", IncidentKind.Interruption, T(2, 9), T(2, 13)), Incident("cold_water", IncidentKind.Interruption, T(9, 9), T(9, 13)),
            Incident("cold_water", IncidentKind.Interruption, T(16, 9), T(16, 12)), Incident("cold_water", IncidentKind.Interruption, T(23, 9), T(23, 12)),
        ]);
        var line = lines.Line("cold_water", kind: ChargeLineKind.QualityReduction);
        line.Unrounded.ShouldBe(-6.70938255m);
        line.Amount.ShouldBe(Rub(-6.71m));
        line.Input("п. 1: часов сверх допустимого").ShouldBe(6m);
        line.Trace.LegalReference.ShouldBe("ПП 354, п. 98, 101; прил. 1, п. 1");
        line.Source.ShouldBe(VolumeSource.Correction);
    }

    [Fact]
    public void Example_2_4_2_cold_water_composition_four_bad_days()
    {
        var line = WithIncidents(Flat(impossible: [Resource.ColdWater]), [ColdWater()],
            [Incident("cold_water", IncidentKind.PoorQualityDays, T(10, 8), T(13, 20))]).Line("cold_water", kind: ChargeLineKind.QualityReduction);
        line.Amount.ShouldBe(Rub(-96.19m));
        line.Input("п. 2: дней").ShouldBe(4m);
    }

    [Fact]
    public void Example_2_4_3_heating_room_at_15_degrees_for_48_daytime_hours()
    {
        var incidents = Enumerable.Range(10, 3).Select(d => Incident("heating", IncidentKind.LowTemperature, T(d, 5), T(d, 21)) with { DeviationDegrees = 3 }).ToArray();
        var lines = WithIncidents(Flat(), [Heating()], incidents, kind: BuildingKind.DetachedHouse);
        lines.Line("heating").Amount.ShouldBe(Rub(3059.42m));
        var line = lines.Line("heating", kind: ChargeLineKind.QualityReduction);
        line.Input("п. 15: градусо-часов").ShouldBe(144m);
        line.Amount.ShouldBe(Rub(-660.83m));
    }

    [Fact]
    public void Night_hours_allow_three_degrees_and_interruption_hours_are_not_counted_twice()
    {
        var incidents = new[]
        {
            Incident("heating", IncidentKind.LowTemperature, T(10, 0), T(10, 10)) with { DeviationDegrees = 4 }, // 5 night h × 1° + 5 day h × 4°
            Incident("heating", IncidentKind.LowTemperature, T(12, 8), T(12, 18)) with { DeviationDegrees = 2 },  // 10 h × 2°, of which 12–14 interrupted
            Incident("heating", IncidentKind.Interruption, T(12, 12), T(12, 14)),
        };
        var line = WithIncidents(Flat(), [Heating()], incidents).Line("heating", kind: ChargeLineKind.QualityReduction);
        line.Input("п. 15: градусо-часов").ShouldBe(5m + 20m + 16m);
        line.Input("п. 14: часов сверх допустимого").ShouldBe(0m);
    }

    private static ServiceSnapshot TwoComponentHotWater() => HotWater(52.37m) with
    {
        Tariffs = [Tariff(52.37m), Tariff(2845.60m) with { Part = TariffPart.HeatEnergy }],
        HeatEnergyNorm = [Always(0.0612m)],
    };

    private static readonly PremiseSnapshot HotMetered = Flat(meters: [Meter(2, Resource.HotWater, (D(2026, 2, 25), 50.000m), (D(2026, 3, 25), 53.118m))]);

    [Theory]
    [InlineData(true, -14.13)]   // whole 3 °C steps: 1 × 0.1 % × 20 h = 2 %
    [InlineData(false, -23.54)]  // exact 5/3 steps
    public void Example_2_4_4_hot_water_at_52_degrees_for_20_daytime_hours(bool wholeSteps, double expected)
    {
        var incidents = new[]
        {
            Incident("hot_water", IncidentKind.LowTemperature, T(5, 5), T(5, 23)) with { DeviationDegrees = 8 },
            Incident("hot_water", IncidentKind.LowTemperature, T(6, 10), T(6, 12)) with { DeviationDegrees = 8 },
        };
        var line = WithIncidents(HotMetered, [TwoComponentHotWater()], incidents, new ChargeSettings { WholeTemperatureSteps = wholeSteps })
            .Line("hot_water", kind: ChargeLineKind.QualityReduction);
        line.Amount.ShouldBe(Rub((decimal)expected));
    }

    [Fact]
    public void Hot_water_below_40_degrees_is_paid_at_the_cold_water_component()
    {
        var incidents = new[] { Incident("hot_water", IncidentKind.LowTemperature, T(5, 6), T(5, 18)) with { DeviationDegrees = 25 } };
        var line = WithIncidents(HotMetered, [TwoComponentHotWater()], incidents).Line("hot_water", kind: ChargeLineKind.QualityReduction);
        // Of 12 h of the month's 744 h the heat component is not paid.
        line.Unrounded.ShouldBe(-(706.29160496m * (1m - 52.37m / (52.37m + 0.0612m * 2845.60m)) * 12m / 744m), tolerance: 0.000000001m);
    }

    [Theory]
    [InlineData(false, -13.16)] // one source: 30 − 24 = 6 h × 0.15 % = 0.9 %
    [InlineData(true, -61.42)]  // two sources: 30 − 2 = 28 h × 0.15 % = 4.2 %
    public void Example_2_4_5_electricity_outage_of_30_hours(bool twoSources, double expected)
    {
        var flat = Flat(meters: [ZonalMeter(3, (1, D(2026, 2, 28), 1000m), (2, D(2026, 2, 28), 500m), (1, D(2026, 3, 31), 1180m), (2, D(2026, 3, 31), 595m))]);
        var building = Building([flat], [Electricity()], incidents: [Incident("electricity", IncidentKind.Interruption, T(7, 10), T(8, 16))])
            with { TwoIndependentPowerSources = twoSources };
        var line = building.Calc().Line("electricity", kind: ChargeLineKind.QualityReduction);
        line.Input("Начислено за месяц P").ShouldBe(1462.35m);
        line.Amount.ShouldBe(Rub((decimal)expected));
    }

    [Fact]
    public void Example_2_4_6_waste_removal_delays_of_120_hours()
    {
        var waste = Service("waste", ServiceKind.Communal, Resource.None, "м³", CalculationMethod.PerResident, [Tariff(780.50m)], Norm(2.2m, perYear: true));
        var incidents = Enumerable.Range(0, 5)
            .Select(i => Incident("waste", IncidentKind.WasteRemovalDelay, T(2 + 5 * i, 0), T(3 + 5 * i, 0)) with { Temperature = -3 }).ToArray();
        var line = WithIncidents(Flat(), [waste], incidents).Line("waste", kind: ChargeLineKind.QualityReduction);
        line.Input("п. 17: часов сверх допустимого").ShouldBe(48m);
        line.Unrounded.ShouldBe(-28.33215m);
        line.Amount.ShouldBe(Rub(-28.33m));
    }

    [Fact]
    public void The_total_reduction_is_capped_at_the_month_charge()
    {
        var incidents = new[]
        {
            Incident("cold_water", IncidentKind.PoorQualityDays, T(1, 0), new DateTime(2026, 4, 1)),
            Incident("cold_water", IncidentKind.Interruption, T(1, 0), T(3, 0)),
        };
        var lines = WithIncidents(Flat(impossible: [Resource.ColdWater]), [ColdWater()], incidents);
        var line = lines.Line("cold_water", kind: ChargeLineKind.QualityReduction);
        line.Amount.ShouldBe(-lines.Line("cold_water").Amount);
        line.Trace.Note.ShouldNotBeNull().ShouldContain("100 %");
    }

    [Fact]
    public void Incidents_of_other_premises_do_not_reduce_and_the_table_is_data()
    {
        var other = new[] { Incident("cold_water", IncidentKind.PoorQualityDays, T(10, 8), T(13, 20)) with { PremiseIds = new HashSet<long> { 99 } } };
        WithIncidents(Flat(impossible: [Resource.ColdWater]), [ColdWater()], other).ShouldNotContain(l => l.Kind == ChargeLineKind.QualityReduction);

        var stricter = new ChargeSettings
        {
            QualityTable = new QualityTable([new QualityRule(1, Resource.ColdWater, IncidentKind.Interruption, "Бесперебойность ХВС", ReductionBasis.ExcessHours, 0.01m) { MonthlyAllowedHours = 0 }]),
        };
        WithIncidents(Flat(impossible: [Resource.ColdWater]), [ColdWater()], [Incident("cold_water", IncidentKind.Interruption, T(2, 9), T(2, 10))], stricter)
            .Line("cold_water", kind: ChargeLineKind.QualityReduction).Unrounded.ShouldBe(-7.4548695m);
    }

    [Theory]
    [InlineData(new[] { 14.0 }, 4.0, 8.0, ExcessHoursRule.MaxOfSingleAndMonthly, 10.0)]  // one long event: 14 − 4
    [InlineData(new[] { 4.0, 4.0, 3.0, 3.0 }, 4.0, 8.0, ExcessHoursRule.MaxOfSingleAndMonthly, 6.0)]
    [InlineData(new[] { 14.0 }, 4.0, 8.0, ExcessHoursRule.MonthlyOnly, 6.0)]
    [InlineData(new[] { 5.0 }, null, 8.0, ExcessHoursRule.MaxOfSingleAndMonthly, 0.0)]
    public void Excess_hours_rule(double[] events, double? single, double monthly, ExcessHoursRule rule, double expected) =>
        ChargeFormulas.ExcessHours(events.Select(e => ((decimal)e, single is null ? (decimal?)null : (decimal)single.Value)), (decimal)monthly, rule)
            .ShouldBe((decimal)expected);
}
