using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>charges.md §10 (КР на СОИ) and housing.md (maintenance, capital repair, solid waste).</summary>
public sealed class CommonPropertyTests
{
    private static ServiceSnapshot CprElectricity() =>
        Service("cpr_electricity", ServiceKind.CommonPropertyResource, Resource.Electricity, "кВт·ч", CalculationMethod.CommonPropertyByArea, [Tariff(6.43m)], Norm(0.95m, "no_lift"));

    private static MeterSnapshot BuildingMeter(Resource resource, decimal previous, decimal current) =>
        new(90 + (int)resource, MeterKind.CommonHouse, resource, 1, 7, Ever, null, null, [new(1, D(2026, 2, 28), previous), new(1, D(2026, 3, 31), current)]);

    /// <summary>Flat 1 (54.3 m²) used 180 kWh, flat 2 used 17 200 kWh: Σ V_u = 17 380 kWh.</summary>
    private static BuildingSnapshot Example(decimal buildingVolume, params MeterSnapshot[] extra) => Building(
        [
            Flat(1, meters: [Meter(1, Resource.Electricity, (D(2026, 2, 28), 1000m), (D(2026, 3, 31), 1180m))]),
            Flat(2, 3000m, meters: [Meter(2, Resource.Electricity, (D(2026, 2, 28), 10000m), (D(2026, 3, 31), 27200m))]),
        ],
        [Electricity(), CprElectricity()],
        commonMeters: [BuildingMeter(Resource.Electricity, 100000m, 100000m + buildingVolume), .. extra]);

    [Fact]
    public void Example_10_formula_11_capped_at_the_norm()
    {
        var line = Example(18450m).Calc().Line("cpr_electricity");
        line.Volume.ShouldBe(779m * 54.3m / 6150m);
        line.Unrounded.ShouldBe(779m * 54.3m * 6.43m / 6150m);
        line.Amount.ShouldBe(Rub(44.23m));
        line.Source.ShouldBe(VolumeSource.CommonHouseMeter);
        line.Input("Объём на СОИ V_д − Σ V_u").ShouldBe(1070m);
        line.Input("Объём по нормативу").ShouldBe(779m);
        line.Trace.LegalReference.ShouldBe("ПП 354, прил. 2, ф. 10, 11; ЖК РФ ст. 156 ч. 9.2");
    }

    [Fact]
    public void Example_10_formula_11_uncapped_when_the_owners_pay_the_actual_volume() =>
        Example(18450m).Calc(settings: new ChargeSettings { CapCommonPropertyAtNorm = false }).Line("cpr_electricity").Amount.ShouldBe(Rub(60.75m));

    [Fact]
    public void Example_10_formula_15_without_a_building_meter()
    {
        var building = Building([Flat()], [CprElectricity()]);
        var line = building.Calc().Line("cpr_electricity");
        line.Amount.ShouldBe(Rub(44.23m));
        line.Source.ShouldBe(VolumeSource.CommonPropertyNorm);
        line.Trace.LegalReference.ShouldBe("ПП 354, прил. 2, ф. 10, 15");
    }

    [Fact]
    public void Negative_common_property_volume_is_billed_as_zero_with_the_figure_in_the_trace()
    {
        var line = Example(17000m).Calc().Line("cpr_electricity");
        line.Amount.ShouldBe(Money.Zero);
        line.Input("Объём на СОИ V_д − Σ V_u").ShouldBe(-380m);
        line.Trace.Note.ShouldNotBeNull().ShouldContain("к распределению 0");
    }

    [Fact]
    public void Building_meter_without_readings_falls_back_to_formula_15()
    {
        var building = Example(18450m) with { CommonHouseMeters = [BuildingMeter(Resource.Electricity, 1m, 2m) with { Readings = [new(1, D(2026, 1, 31), 1m)] }] };
        var line = building.Calc().Line("cpr_electricity");
        line.Source.ShouldBe(VolumeSource.CommonPropertyNorm);
        line.Amount.ShouldBe(Rub(44.23m));
        line.Trace.Note.ShouldNotBeNull().ShouldContain("Нет показаний ОДПУ");
    }

    [Fact]
    public void Premise_volumes_include_norm_volumes_without_the_coefficient()
    {
        // Flat 2 has no meter: 3 × 85 = 255 kWh by norm (with K = 1.5 on the amount only). Σ V_u = 180 + 255.
        var building = Building(
            [Flat(1, meters: [Meter(1, Resource.Electricity, (D(2026, 2, 28), 1000m), (D(2026, 3, 31), 1180m))]), Flat(2, 3000m)],
            [Electricity(), CprElectricity()],
            commonMeters: [BuildingMeter(Resource.Electricity, 0m, 1000m)]);
        building.Calc(settings: new ChargeSettings { CapCommonPropertyAtNorm = false }).Line("cpr_electricity").Input("Объём всех помещений").ShouldBe(435m);
    }

    [Fact]
    public void Sewage_for_common_property_is_the_sum_of_the_water_for_common_property()
    {
        var cprCold = Service("cpr_cold_water", ServiceKind.CommonPropertyResource, Resource.ColdWater, "м³", CalculationMethod.CommonPropertyByArea, [Tariff(52.37m)], Norm(0.0317m));
        var cprHot = Service("cpr_hot_water", ServiceKind.CommonPropertyResource, Resource.HotWater, "м³", CalculationMethod.CommonPropertyByArea, [Tariff(245.82m)], Norm(0.0317m));
        var cprSewage = Service("cpr_sewage", ServiceKind.CommonPropertyResource, Resource.Sewage, "м³", CalculationMethod.CommonPropertyByArea, [Tariff(38.15m)], Norm(0.0634m));
        var withNorm = Building(Flat(), cprCold, cprHot, cprSewage).Calc();
        withNorm.Line("cpr_sewage").Volume.ShouldBe(0.0634m * 820m * 54.3m / 6150m);   // ф. 15 with the sewage norm
        withNorm.Line("cpr_cold_water").Volume.ShouldBe(0.0317m * 820m * 54.3m / 6150m);

        var withoutNorm = Building(Flat(), cprCold, cprHot, cprSewage with { Norms = [] }).Calc();
        withoutNorm.Line("cpr_sewage").Volume.ShouldBe(2 * 0.0317m * 820m * 54.3m / 6150m);
        withoutNorm.Line("cpr_sewage").Trace.Note.ShouldNotBeNull().ShouldContain("сумме ХВС и ГВС на СОИ");
    }

    [Fact]
    public void A_group_meter_shares_its_common_property_volume_among_its_premises_only_and_the_building_meter_the_rest()
    {
        // An entrance meter over flats 1 and 2 (54.3 + 45.7 = 100 m²) counted 350 kWh; they used 180 and 120 by their own
        // meters, flat 3 (60 m²) used 200; the ОДПУ counted 1 000 kWh. S_об = 6 150 m².
        var group = new GroupMeterSnapshot(BuildingMeter(Resource.Electricity, 500m, 850m) with { MeterId = 60, Kind = MeterKind.Group }, [1, 2]);
        var building = Building(
            [
                Flat(1, 54.3m, meters: [Meter(1, Resource.Electricity, (D(2026, 2, 28), 1000m), (D(2026, 3, 31), 1180m))]),
                Flat(2, 45.7m, meters: [Meter(2, Resource.Electricity, (D(2026, 2, 28), 2000m), (D(2026, 3, 31), 2120m))]),
                Flat(3, 60m, meters: [Meter(3, Resource.Electricity, (D(2026, 2, 28), 3000m), (D(2026, 3, 31), 3200m))]),
            ],
            [Electricity(), CprElectricity()],
            commonMeters: [BuildingMeter(Resource.Electricity, 100000m, 101000m)]) with { GroupMeters = [group] };
        var uncapped = building.Calc(settings: new ChargeSettings { CapCommonPropertyAtNorm = false });

        // The group: V_гр − Σ V_u = 350 − 300 = 50 kWh over its 100 m² only.
        var first = uncapped.Line("cpr_electricity", 1);
        var second = uncapped.Line("cpr_electricity", 2);
        first.Volume.ShouldBe(50m * 54.3m / 100m);
        second.Volume.ShouldBe(50m * 45.7m / 100m);
        (first.Volume + second.Volume).ShouldBe(50m);
        first.Amount.ShouldBe(Rub(174.57m)); // 27.15 × 6.43 = 174.5745
        first.Input("Объём на СОИ V_гр − Σ V_u").ShouldBe(50m);
        first.Input("Площадь помещений группы S_гр").ShouldBe(100m);
        first.Trace.Formula.ShouldBe("P = (V_гр − Σ V_u) × S_i / S_гр × T");

        // The rest: V_д − Σ V_гр − Σ V_u = 1 000 − 350 − 200 = 450 kWh over 6 150 − 100 = 6 050 m².
        var third = uncapped.Line("cpr_electricity", 3);
        third.Volume.ShouldBe(450m * 60m / 6050m);
        third.Input("Объём на СОИ V_д − Σ V_гр − Σ V_u").ShouldBe(450m);
        third.Input("Площадь помещений вне групп S_д").ShouldBe(6050m);

        // Capped at the norm in proportion to the area shared (0.95 × 820 = 779 kWh for the building): the group's 50 kWh
        // above 779 × 100 / 6 150 = 12.67 is capped, the rest's 450 below 779 × 6 050 / 6 150 = 766.33 is not.
        var capped = building.Calc();
        capped.Line("cpr_electricity", 1).Volume.ShouldBe(779m * 100m / 6150m * 54.3m / 100m);
        capped.Line("cpr_electricity", 1).Trace.Note.ShouldNotBeNull().ShouldContain("ограничен нормативом");
        capped.Line("cpr_electricity", 3).Volume.ShouldBe(450m * 60m / 6050m);

        // A group meter without the month's readings: its premises and the rest by the norm (ф. 15), never the ОДПУ alone.
        var unread = (building with { GroupMeters = [group with { Meter = group.Meter with { Readings = [new(1, D(2026, 1, 31), 500m)] } }] }).Calc();
        unread.Line("cpr_electricity", 1).Source.ShouldBe(VolumeSource.CommonPropertyNorm);
        unread.Line("cpr_electricity", 3).Source.ShouldBe(VolumeSource.CommonPropertyNorm);
        unread.Line("cpr_electricity", 3).Trace.Note.ShouldNotBeNull().ShouldContain("Нет показаний группового прибора учёта");
    }

    [Fact]
    public void Example_housing_maintenance_per_square_metre()
    {
        var service = Service("maintenance", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(28.40m)]);
        var line = Building(Flat(), service).Calc().Line("maintenance");
        line.Unrounded.ShouldBe(1542.12m);
        line.Amount.ShouldBe(Rub(1542.12m));
        line.Volume.ShouldBe(54.3m);
        line.Source.ShouldBe(VolumeSource.Area);
        line.Trace.LegalReference.ShouldBe("ЖК РФ ст. 154 ч. 2 п. 1, ст. 156");
    }

    [Fact]
    public void Example_housing_capital_repair_per_square_metre()
    {
        var service = Service("capital_repair", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(15.83m)]);
        var line = Building(Flat(), service).Calc().Line("capital_repair");
        line.Unrounded.ShouldBe(859.569m);
        line.Amount.ShouldBe(Rub(859.57m));
        line.Trace.LegalReference.ShouldContain("ст. 169");
    }

    private static ServiceSnapshot Waste(CalculationMethod method, NormSnapshot norm) =>
        Service("waste", ServiceKind.Communal, Resource.None, "м³", method, [Tariff(780.50m)], norm);

    [Fact]
    public void Example_housing_waste_per_person_formula_9_1()
    {
        var line = Building(Flat(), Waste(CalculationMethod.PerResident, Norm(2.2m, "mkd", perYear: true))).Calc().Line("waste");
        line.Unrounded.ShouldBe(429.275m);
        line.Amount.ShouldBe(Rub(429.28m));
        line.Trace.LegalReference.ShouldBe("ПП 354, прил. 2, ф. 9(1)");
    }

    [Fact]
    public void Example_housing_waste_per_square_metre_formula_9_2()
    {
        var line = Building(Flat(), Waste(CalculationMethod.Area, Norm(0.12m, "area", perYear: true))).Calc().Line("waste");
        line.Unrounded.ShouldBe(423.8115m);
        line.Amount.ShouldBe(Rub(423.81m));
        line.Trace.LegalReference.ShouldBe("ПП 354, прил. 2, ф. 9(2)");
    }

    [Fact]
    public void Waste_counts_owners_when_nobody_resides()
    {
        var line = Building(Flat(accounts: [Account(residents: 0, owners: 2)]), Waste(CalculationMethod.PerResident, Norm(2.2m, "mkd", perYear: true))).Calc().Line("waste");
        line.Amount.ShouldBe(Money.RoundToKopecks(2 * 2.2m / 12 * 780.50m));
        line.Trace.LegalReference.ShouldContain("п. 148(36)");
    }

    [Fact]
    public void Share_applies_to_area_charges_but_not_to_per_person_charges()
    {
        var flat = Flat(accounts: [Account(1, residents: 2, share: 0.5m), Account(2, residents: 1, share: 0.5m)]);
        var maintenance = Service("maintenance", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(28.40m)]);
        var lines = Building([flat], [maintenance, Waste(CalculationMethod.PerResident, Norm(2.2m, "mkd", perYear: true)), CprElectricity()]).Calc();
        lines.Line("maintenance", 1).Amount.ShouldBe(Rub(771.06m));
        lines.Line("maintenance", 2).Amount.ShouldBe(Rub(771.06m));
        lines.Line("waste", 1).Amount.ShouldBe(Money.RoundToKopecks(2 * 2.2m / 12 * 780.50m));
        lines.Line("waste", 2).Amount.ShouldBe(Money.RoundToKopecks(2.2m / 12 * 780.50m));
        lines.Line("cpr_electricity", 1).Unrounded.ShouldBe(0.95m * 820m * 27.15m * 6.43m / 6150m);
    }
}
