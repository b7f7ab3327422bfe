using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>
/// The monthly amount by the norm (ПП 354 п. 118; the debtors register's norm basis, reports.md §10): n × N × T on the
/// day, whether or not a meter exists, by the calculator's own choice of persons, norm row and price.
/// </summary>
public sealed class NormAmountTests
{
    private static readonly DateOnly LastDay = March2026.LastDay;

    private static Dictionary<(long, string, long), Money> Amounts(BuildingSnapshot building, params string[] services) =>
        ChargeCalculator.MonthlyByNorm(building, March2026, new ChargeSettings(), LastDay, services.Select(s => (1L, s, Supplier)));

    [Fact]
    public void A_metered_service_is_measured_by_its_norm_not_by_the_meter()
    {
        // Three residents, hot water by a meter: 3.118 m³ used in March (766.47), but the norm measure is
        // 3 × 3.118 × 245.82 = 2 299.40; electricity 3 × 85 × 6.43 = 1 639.65; maintenance 54.3 m² × 28.40 = 1 542.12.
        var flat = Flat(meters: [Meter(2, Resource.HotWater, (D(2026, 2, 25), 50.000m), (D(2026, 3, 25), 53.118m))]);
        var maintenance = Service("maintenance", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(28.40m)]);
        var building = Building(flat, HotWater(), Electricity(), maintenance, Heating());
        building.Calc().Line("hot_water").Amount.ShouldBe(Rub(766.47m));

        var amounts = Amounts(building, "hot_water", "electricity", "maintenance", "heating");
        amounts[(1, "hot_water", Supplier)].ShouldBe(Rub(2299.40m));
        amounts[(1, "electricity", Supplier)].ShouldBe(Rub(1639.65m));
        amounts[(1, "maintenance", Supplier)].ShouldBe(Rub(1542.12m));
        amounts.ShouldNotContainKey((1, "heating", Supplier)); // no norm measure: the report falls back to the month's charge
    }

    [Fact]
    public void The_worked_example_of_reports_md_is_745_49_a_month_and_owners_count_when_nobody_resides()
    {
        // reports.md §22: cold water by norm, 3 × 4.745 × 52.37 = 745.49; п. 118's threshold is twice that, 1 490.98.
        Amounts(Building(Flat(), ColdWater(CalculationMethod.Norm)), "cold_water")[(1, "cold_water", Supplier)].ShouldBe(Rub(745.49m));
        // Nobody resides: the two owners (п. 56(2)), 2 × 3.118 × 245.82 = 1 532.93.
        var empty = Flat(accounts: [Account(1, residents: 0, owners: 2)]);
        Amounts(Building(empty, HotWater()), "hot_water")[(1, "hot_water", Supplier)].ShouldBe(Rub(1532.93m));
    }

    [Fact]
    public void The_tariff_is_the_one_of_the_day()
    {
        // Hot water dearer from 20.03: on 31.03 the measure is 3 × 3.118 × 260.00 = 2 432.04, the whole month at the new price.
        var hot = HotWater() with { Tariffs = [Tariff(245.82m, to: D(2026, 3, 20)), Tariff(260.00m, from: D(2026, 3, 20))] };
        Amounts(Building(Flat(), hot), "hot_water")[(1, "hot_water", Supplier)].ShouldBe(Rub(2432.04m));
    }
}
