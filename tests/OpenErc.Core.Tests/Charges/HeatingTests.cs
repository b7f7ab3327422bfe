using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>charges.md §6: heating by norm (ф. 2, 2(1), 2(3), 2(4)) and by the building meter (ф. 3), season and evenly.</summary>
public sealed class HeatingTests
{
    /// <summary>A 7-month season, as in the worked examples (K_п = 7/12).</summary>
    private static readonly ChargeSettings SevenMonths = new() { HeatingSeasonMonths = new HashSet<int> { 10, 11, 12, 1, 2, 3, 4 } };

    private static ChargeLine Heat(BuildingKind kind, HeatingPaymentMethod method, BillingPeriod? period = null, CalculationMethod calc = CalculationMethod.Area,
        IEnumerable<MeterSnapshot>? meters = null, decimal? average = null) =>
        (Building([Flat()], [Heating(calc)], kind, method, meters) with { HeatingAverageMonthlyVolume = average })
            .Calc(period, SevenMonths).Line("heating");

    [Fact]
    public void Example_6_formula_2_detached_house_season()
    {
        var line = Heat(BuildingKind.DetachedHouse, HeatingPaymentMethod.DuringHeatingSeason);
        line.Unrounded.ShouldBe(3059.418384m);
        line.Amount.ShouldBe(Rub(3059.42m));
        line.Trace.LegalReference.ShouldBe("ПП 354, п. 42(1); прил. 2, ф. 2");
    }

    [Fact]
    public void Example_6_formula_2_1_detached_house_evenly_and_the_year_against_the_season_method()
    {
        var line = Heat(BuildingKind.DetachedHouse, HeatingPaymentMethod.EvenlyThroughYear);
        line.Unrounded.ShouldBe(1784.660724m);
        line.Amount.ShouldBe(Rub(1784.66m));
        line.Trace.LegalReference.ShouldEndWith("ф. 2(1)");
        line.Input("Месяцев отопительного периода").ShouldBe(7m);

        decimal evenly = Enumerable.Range(1, 12).Sum(m => Heat(BuildingKind.DetachedHouse, HeatingPaymentMethod.EvenlyThroughYear, new BillingPeriod(2026, m)).Amount.Amount);
        decimal season = Enumerable.Range(1, 12)
            .Select(m => (Building([Flat()], [Heating()], BuildingKind.DetachedHouse)).Calc(new BillingPeriod(2026, m), SevenMonths))
            .Sum(lines => lines.Sum(l => l.Amount.Amount));
        evenly.ShouldBe(21415.92m);
        season.ShouldBe(21415.94m); // 7 × 3059.42; the 0.02 ₽ gap is kopeck rounding
    }

    [Fact]
    public void Example_6_formula_2_3_apartment_building_adds_the_common_area_share()
    {
        var line = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.DuringHeatingSeason);
        line.Unrounded.ShouldBe(3467.3408352m);
        line.Amount.ShouldBe(Rub(3467.34m));
        line.Volume.ShouldBe(61.54m * 0.0198m);
        line.Trace.LegalReference.ShouldEndWith("ф. 2(3)");
    }

    [Fact]
    public void Example_6_formula_2_4_apartment_building_evenly()
    {
        var line = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.EvenlyThroughYear);
        line.Unrounded.ShouldBe(2022.6154872m);
        line.Amount.ShouldBe(Rub(2022.62m));
        line.Trace.LegalReference.ShouldEndWith("ф. 2(4)");
    }

    private static MeterSnapshot HeatMeter(decimal previous, decimal current, int month = 3) =>
        new(50, MeterKind.CommonHouse, Resource.Heat, 1, 7, Ever, null, null,
            [new(1, new DateOnly(2026, month, 1).AddDays(-1), previous), new(1, new DateOnly(2026, month, 1).AddMonths(1).AddDays(-1), current)]);

    [Fact]
    public void Example_6_formula_3_season_by_the_building_meter()
    {
        var line = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.DuringHeatingSeason, calc: CalculationMethod.CommonHouseMeter,
            meters: [HeatMeter(5000m, 5172.20m)]);
        line.Volume.ShouldBe(1.5204m);
        line.Unrounded.ShouldBe(4326.45024m);
        line.Amount.ShouldBe(Rub(4326.45m));
        line.Source.ShouldBe(VolumeSource.CommonHouseMeter);
        line.Trace.LegalReference.ShouldBe("ПП 354, п. 42(1); прил. 2, ф. 3");
        line.Input("Объём по ОДПУ V_д").ShouldBe(172.20m);
    }

    [Fact]
    public void Example_6_formula_3_evenly_by_the_previous_year_average_and_the_annual_correction()
    {
        var line = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.EvenlyThroughYear, new BillingPeriod(2025, 7), CalculationMethod.CommonHouseMeter,
            average: 1210.5m / 12);
        line.Amount.ShouldBe(Rub(2534.44m));
        (line.Amount.Amount * 12).ShouldBe(30413.28m);

        // Q1 of the next year: actual 1 236.8 Гкал → 31 074.06 − 30 413.28 = +660.78.
        var actual = Enumerable.Range(1, 12).ToDictionary(m => m, m => m == 12 ? 103.8m : 103m);
        var building = Building([Flat(accounts: [Account() with { HeatingChargedForCorrectedYear = 30413.28m }])], [Heating(CalculationMethod.CommonHouseMeter)],
            heating: HeatingPaymentMethod.EvenlyThroughYear) with { HeatingAverageMonthlyVolume = 1236.8m / 12, HeatingAnnualCorrection = new HeatingAnnualCorrection(2025, actual) };
        var lines = building.Calc(new BillingPeriod(2026, 2), SevenMonths);
        var correction = lines.Line("heating", kind: ChargeLineKind.HeatingAnnualCorrection);
        correction.Amount.ShouldBe(Rub(660.78m));
        correction.Source.ShouldBe(VolumeSource.Correction);
        correction.Input("Фактический объём ОДПУ").ShouldBe(1236.8m);
        lines.Line("heating").Amount.ShouldBe(Money.RoundToKopecks(1236.8m / 12 * 54.3m * 2845.60m / 6150m));
    }

    [Fact]
    public void The_annual_correction_needs_what_was_charged_for_the_year()
    {
        var actual = Enumerable.Range(1, 12).ToDictionary(m => m, _ => 103m);
        var building = Building([Flat()], [Heating(CalculationMethod.CommonHouseMeter)], heating: HeatingPaymentMethod.EvenlyThroughYear)
            with { HeatingAverageMonthlyVolume = 100m, HeatingAnnualCorrection = new HeatingAnnualCorrection(2025, actual) };
        Should.Throw<ChargeDataException>(() => building.Calc(new BillingPeriod(2026, 2), SevenMonths)).Message.ShouldContain("начисленная за год");

        // An account opened after the corrected year has nothing to correct.
        var newcomer = building with { Premises = [Flat(accounts: [Account(opened: D(2026, 1, 15))])] };
        newcomer.Calc(new BillingPeriod(2026, 2), SevenMonths).ShouldNotContain(l => l.Kind == ChargeLineKind.HeatingAnnualCorrection);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(10, true)]  // the season may start on 15 October: still the whole month by norm
    [InlineData(5, false)]
    [InlineData(7, false)]
    public void Season_method_by_norm_charges_whole_season_months_only(int month, bool charged)
    {
        var lines = Building(Flat(), Heating()).Calc(new BillingPeriod(2026, month), SevenMonths);
        if (!charged)
        {
            lines.ShouldBeEmpty();
            return;
        }
        lines.Line("heating").Amount.ShouldBe(Rub(3467.34m));
        lines.Line("heating").DayFactor.ShouldBe(1m);
    }

    [Fact]
    public void Building_meter_volume_outside_the_season_is_still_charged_and_missing_readings_fall_back_to_the_norm()
    {
        var september = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.DuringHeatingSeason, new BillingPeriod(2026, 9), CalculationMethod.CommonHouseMeter,
            [HeatMeter(5000m, 5030m, 9)]);
        september.Source.ShouldBe(VolumeSource.CommonHouseMeter);
        september.Volume.ShouldBe(30m * 54.3m / 6150m);

        var noReadings = Heat(BuildingKind.ApartmentBuilding, HeatingPaymentMethod.DuringHeatingSeason, calc: CalculationMethod.CommonHouseMeter,
            meters: [HeatMeter(5000m, 5172.20m, 1)]);
        noReadings.Source.ShouldBe(VolumeSource.Norm);
        noReadings.Amount.ShouldBe(Rub(3467.34m));
        noReadings.Trace.Note.ShouldNotBeNull().ShouldContain("Нет показаний ОДПУ");
    }

    [Fact]
    public void Heating_follows_the_account_share()
    {
        var flat = Flat(accounts: [Account(1, share: 0.5m), Account(2, share: 0.5m)]);
        var lines = Building(flat, Heating()).Calc(settings: SevenMonths);
        lines.Line("heating", 1).Unrounded.ShouldBe(3467.3408352m / 2);
        lines.Line("heating", 2).Amount.ShouldBe(Rub(1733.67m));
    }

    [Fact]
    public void A_group_meter_shares_its_volume_among_its_premises_only_and_the_building_meter_the_rest()
    {
        // Flats 1 and 2 (54.3 + 45.7 = 100 m²) have a group heat meter: 10 Гкал in March; the ОДПУ counted 172.20.
        var group = new GroupMeterSnapshot(HeatMeter(2000m, 2010m) with { MeterId = 60, Kind = MeterKind.Group }, [1, 2]);
        var premises = new[] { Flat(1, 54.3m), Flat(2, 45.7m), Flat(3, 60m) };
        var building = Building(premises, [Heating(CalculationMethod.CommonHouseMeter)], commonMeters: [HeatMeter(5000m, 5172.20m)]) with { GroupMeters = [group] };
        var lines = building.Calc(settings: SevenMonths);

        var first = lines.Line("heating", 1);
        var second = lines.Line("heating", 2);
        first.Volume.ShouldBe(5.43m);
        second.Volume.ShouldBe(4.57m);
        (first.Volume + second.Volume).ShouldBe(10m);
        first.Amount.ShouldBe(Rub(15451.61m)); // 10 × 54.3 / 100 × 2 845.60
        first.Trace.LegalReference.ShouldBe("ПП 354, п. 42(1); прил. 2, ф. 3 (по групповому прибору учёта)");
        first.Input("Площадь помещений группы S_гр").ShouldBe(100m);

        // The third flat shares what the building meter counted less the group's, over the area the group does not cover.
        var third = lines.Line("heating", 3);
        third.Volume.ShouldBe(162.20m * 60m / 6050m);
        third.Input("Объём ОДПУ без групповых приборов V_д").ShouldBe(162.20m);
        third.Input("Площадь помещений без групповых приборов S_об").ShouldBe(6050m);

        // A group meter is never the building's: without an ОДПУ the others are charged by the norm.
        var noBuildingMeter = (Building(premises, [Heating(CalculationMethod.CommonHouseMeter)]) with { GroupMeters = [group] }).Calc(settings: SevenMonths);
        noBuildingMeter.Line("heating", 3).Source.ShouldBe(VolumeSource.Norm);
        noBuildingMeter.Line("heating", 1).Volume.ShouldBe(5.43m);
    }
}
