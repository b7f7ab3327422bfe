using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>charges.md §1–5, §7, §8: meters, norms, the increasing coefficient, sewage, zones, two-component hot water.</summary>
public sealed class ChargeCalculatorTests
{
    private static PremiseSnapshot FlatWithColdMeter(decimal previous, decimal current, int digits = 5) =>
        Flat(meters: [Meter(1, Resource.ColdWater, (D(2026, 2, 25), previous), (D(2026, 3, 25), current)) with { Digits = digits }]);

    [Fact]
    public void Example_2_cold_water_by_meter()
    {
        var line = Building(FlatWithColdMeter(123.456m, 131.208m), ColdWater()).Calc().Line("cold_water");
        line.Volume.ShouldBe(7.752m);
        line.Unrounded.ShouldBe(405.97224m);
        line.Amount.ShouldBe(Rub(405.97m));
        line.Source.ShouldBe(VolumeSource.Meter);
        line.Trace.LegalReference.ShouldBe("ПП 354, прил. 2, ф. 1");
        line.Trace.Formula.ShouldBe("P = V × T");
        line.Input("Предыдущее показание").ShouldBe(123.456m);
        line.Input("Текущее показание").ShouldBe(131.208m);
    }

    [Fact]
    public void Example_3_norm_times_residents_with_technical_impossibility_has_no_coefficient()
    {
        var line = Building(Flat(impossible: [Resource.ColdWater]), ColdWater()).Calc().Line("cold_water");
        line.Volume.ShouldBe(14.235m);
        line.Unrounded.ShouldBe(745.48695m);
        line.Amount.ShouldBe(Rub(745.49m));
        line.Coefficient.ShouldBe(1m);
        line.Source.ShouldBe(VolumeSource.Norm);
        line.Trace.LegalReference.ShouldStartWith("ПП 354, п. 42; прил. 2, ф. 4");
    }

    [Fact]
    public void Example_3_nobody_resides_so_owners_are_counted()
    {
        var flat = Flat(accounts: [Account(residents: 0, owners: 2)], impossible: [Resource.ColdWater]);
        var line = Building(flat, ColdWater()).Calc().Line("cold_water");
        line.Input("Собственники n").ShouldBe(2m);
        line.Volume.ShouldBe(9.49m);
        line.Amount.ShouldBe(Rub(496.99m)); // 2 × 4.745 × 52.37 = 496.9913
        line.Trace.LegalReference.ShouldContain("п. 56(2)");
    }

    [Fact]
    public void Nobody_resides_and_nobody_owns_gives_no_norm_line() =>
        Building(Flat(accounts: [Account(residents: 0, owners: 0)]), ColdWater()).Calc().ShouldBeEmpty();

    [Theory]
    [InlineData(2026, 3, 3, 2236.46)]  // ПП 1871: K = 3 from 06.12.2025; 745.48695 × 3 = 2236.46085
    [InlineData(2025, 11, 1.5, 1118.23)] // ПП 603: K = 1.5; × 1.5 = 1118.230425
    public void Example_4_cold_water_coefficient_by_date(int year, int month, double k, double expected)
    {
        var line = Building(Flat(), ColdWater()).Calc(new BillingPeriod(year, month)).Line("cold_water");
        line.Coefficient.ShouldBe((decimal)k);
        line.Volume.ShouldBe(14.235m); // the coefficient multiplies the amount, not the volume
        line.Amount.ShouldBe(Rub((decimal)expected));
        line.Trace.Formula.ShouldBe("P = n × N × T × K");
    }

    [Fact]
    public void December_2025_splits_at_the_coefficient_change_on_the_6th()
    {
        var line = Building(Flat(), ColdWater()).Calc(new BillingPeriod(2025, 12)).Line("cold_water");
        // 745.48695 × (1.5 × 5 + 3 × 26) / 31, rounded once
        line.Unrounded.ShouldBe(745.48695m * 1.5m * 5 / 31 + 745.48695m * 3m * 26 / 31);
        line.Amount.ShouldBe(Rub(2056.10m));
        line.Trace.Segments.Select(s => (s.From, s.To)).ShouldBe([(D(2025, 12, 1), D(2025, 12, 6)), (D(2025, 12, 6), D(2026, 1, 1))]);
        line.Coefficient.ShouldBe(3m);
        line.DayFactor.ShouldBe(1m);
    }

    [Fact]
    public void Example_4_electricity_by_norm_with_coefficient()
    {
        var line = Building(Flat(), Electricity()).Calc().Line("electricity");
        line.Volume.ShouldBe(255m);
        line.Unrounded.ShouldBe(2459.475m);
        line.Amount.ShouldBe(Rub(2459.48m));
    }

    [Theory]
    [InlineData(2, 3, 67)]  // exact row
    [InlineData(1, 1, 117)]
    [InlineData(5, 3, 78)]  // five rooms use the "4 rooms" row
    [InlineData(2, 7, 47)]  // seven residents use "5 и более"
    public void Electricity_norm_row_by_rooms_and_residents(int rooms, int residents, int expectedNorm)
    {
        int[,] table = { { 117, 73, 57, 46, 40 }, { 138, 86, 67, 54, 47 }, { 152, 94, 73, 59, 51 }, { 162, 101, 78, 63, 55 } };
        var norms = new List<NormSnapshot>();
        foreach (var stove in new[] { "gas", "electric" })
            for (int r = 1; r <= 4; r++)
                for (int n = 1; n <= 5; n++)
                    norms.Add(Norm(table[r - 1, n - 1] * (stove == "gas" ? 1 : 2), $"stove={stove};rooms={r};residents={n}"));
        var flat = Flat(rooms: rooms, accounts: [Account(residents: residents)], impossible: [Resource.Electricity]) with
        {
            NormCategories = new Dictionary<string, string> { ["electricity"] = "stove=gas" },
        };
        var line = Building(flat, Electricity([.. norms])).Calc().Line("electricity");
        line.Input("Норматив N").ShouldBe(expectedNorm);
        line.Amount.ShouldBe(Money.RoundToKopecks(residents * expectedNorm * 6.43m));
    }

    [Fact]
    public void Ambiguous_norm_rows_are_a_data_error()
    {
        var flat = Flat(impossible: [Resource.ColdWater]);
        var service = ColdWater() with { Norms = [Norm(4.745m, "mkd_bath"), Norm(4.245m, "mkd_shower")] };
        Should.Throw<ChargeDataException>(() => Building(flat, service).Calc()).Message.ShouldContain("нет норматива");
        var withProfile = flat with { NormCategories = new Dictionary<string, string> { ["cold_water"] = "mkd_shower" } };
        Building(withProfile, service).Calc().Line("cold_water").Input("Норматив N").ShouldBe(4.245m);
    }

    [Fact]
    public void Example_5_sewage_is_cold_plus_hot_water_volume()
    {
        var flat = Flat(meters:
        [
            Meter(1, Resource.ColdWater, (D(2026, 2, 25), 123.456m), (D(2026, 3, 25), 131.208m)),
            Meter(2, Resource.HotWater, (D(2026, 2, 25), 50.000m), (D(2026, 3, 25), 53.118m)),
        ]);
        var line = Building(flat, ColdWater(), HotWater(), Sewage(Norm(7.863m))).Calc().Line("sewage");
        line.Volume.ShouldBe(10.870m);
        line.Unrounded.ShouldBe(414.6905m);
        line.Amount.ShouldBe(Rub(414.69m));
        line.Input("Объём ХВС").ShouldBe(7.752m);
        line.Input("Объём ГВС").ShouldBe(3.118m);
    }

    [Fact]
    public void Sewage_without_meters_by_the_sewage_norm_and_no_coefficient_by_default()
    {
        var building = Building(Flat(), ColdWater(), HotWater(), Sewage(Norm(7.863m)));
        var line = building.Calc().Line("sewage");
        line.Volume.ShouldBe(3 * 7.863m);
        line.Coefficient.ShouldBe(1m);
        line.Amount.ShouldBe(Money.RoundToKopecks(3 * 7.863m * 38.15m)); // 899.92
        var withK = building.Calc(settings: new ChargeSettings { CoefficientOnSewage = true }).Line("sewage");
        withK.Coefficient.ShouldBe(1.5m);
        withK.Amount.ShouldBe(Money.RoundToKopecks(3 * 7.863m * 38.15m * 1.5m));
    }

    [Fact]
    public void Sewage_follows_a_norm_based_cold_water_without_coefficient_when_hot_water_is_metered()
    {
        var flat = Flat(meters: [Meter(2, Resource.HotWater, (D(2026, 2, 25), 50.000m), (D(2026, 3, 25), 53.118m))]);
        var lines = Building(flat, ColdWater(), HotWater(), Sewage(Norm(7.863m))).Calc();
        lines.Line("cold_water").Coefficient.ShouldBe(3m);
        var sewage = lines.Line("sewage");
        sewage.Volume.ShouldBe(14.235m + 3.118m);
        sewage.Coefficient.ShouldBe(1m);
    }

    [Fact]
    public void Example_7_two_component_hot_water_rounded_once()
    {
        var hot = HotWater(52.37m) with
        {
            Tariffs = [Tariff(52.37m), Tariff(2845.60m) with { Part = TariffPart.HeatEnergy }],
            HeatEnergyNorm = [Always(0.0612m)],
        };
        var flat = Flat(meters: [Meter(2, Resource.HotWater, (D(2026, 2, 25), 50.000m), (D(2026, 3, 25), 53.118m))]);
        var line = Building(flat, hot).Calc().Line("hot_water");
        line.Unrounded.ShouldBe(706.29160496m);
        line.Amount.ShouldBe(Rub(706.29m));
        line.Rate.ShouldBe(52.37m + 0.0612m * 2845.60m);
        line.Trace.Formula.ShouldBe("P = V × T_хв + V × q × T_тэ");
        line.Trace.LegalReference.ShouldContain("ф. 23");
        line.Input("Компонент на тепловую энергию").ShouldBe(2845.60m);
    }

    [Fact]
    public void Example_8_electricity_day_and_night_one_line_per_zone()
    {
        var flat = Flat(meters: [ZonalMeter(3, (1, D(2026, 2, 28), 1000m), (2, D(2026, 2, 28), 500m), (1, D(2026, 3, 31), 1180m), (2, D(2026, 3, 31), 595m))]);
        var lines = Building(flat, Electricity()).Calc();
        lines.Line("electricity", zone: TariffZone.Day).Amount.ShouldBe(Rub(1157.40m));
        lines.Line("electricity", zone: TariffZone.Night).Amount.ShouldBe(Rub(304.95m));
        lines.Where(l => l.ServiceCode == "electricity").Sum(l => l.Amount.Amount).ShouldBe(1462.35m);
        lines.Select(l => l.Zone).ShouldBe([TariffZone.Day, TariffZone.Night]);
        lines[0].Trace.LegalReference.ShouldContain("п. 38");
    }

    [Fact]
    public void A_note_of_one_register_stays_on_its_own_line()
    {
        // The day register (6 digits) rolls over 999 950 → 130; the night register counts on as usual.
        var flat = Flat(meters: [ZonalMeter(3, (1, D(2026, 2, 28), 999_950m), (2, D(2026, 2, 28), 500m), (1, D(2026, 3, 31), 130m), (2, D(2026, 3, 31), 595m))]);
        var lines = Building(flat, Electricity()).Calc();
        var day = lines.Line("electricity", zone: TariffZone.Day);
        day.Volume.ShouldBe(180m);
        day.Trace.Note.ShouldNotBeNull().ShouldContain("ПУ 3, T1: переход счётчика через ноль");
        lines.Line("electricity", zone: TariffZone.Night).Trace.Note.ShouldBeNull();
    }

    [Theory]
    [InlineData(99990.5, 4.25, 5, 13.75)]   // 10^5 − 99990.5 + 4.25
    [InlineData(999.9, 0.1, 3, 0.2)]
    [InlineData(131.208, 131.208, 5, 0)]    // zero consumption: a zero line that still explains itself
    public void Meter_rollover_and_zero_consumption(double previous, double current, int digits, double expectedVolume)
    {
        var line = Building(FlatWithColdMeter((decimal)previous, (decimal)current, digits), ColdWater()).Calc().Line("cold_water");
        line.Volume.ShouldBe((decimal)expectedVolume);
        line.Source.ShouldBe(VolumeSource.Meter);
        line.Amount.ShouldBe(Money.RoundToKopecks((decimal)expectedVolume * 52.37m));
        if (previous > current) line.Trace.Note.ShouldNotBeNull().ShouldContain("переход счётчика через ноль");
    }

    [Fact]
    public void Negative_volume_without_rollover_gives_no_meter_line_and_falls_back_with_a_note()
    {
        // 131.208 → 123.456 on a 5-digit register is no rollover: the reading is rejected and March has no reading.
        var flat = Flat(meters: [Meter(1, Resource.ColdWater,
            (D(2025, 8, 25), 100m), (D(2025, 11, 25), 115m), (D(2026, 2, 25), 131.208m), (D(2026, 3, 25), 123.456m))]);
        var line = Building(flat, ColdWater()).Calc().Line("cold_water");
        line.Source.ShouldBe(VolumeSource.Average);
        line.Volume.ShouldBe(31.208m / 6);
        line.Trace.Note.ShouldNotBeNull().ShouldContain("отклонено");
        line.Trace.LegalReference.ShouldContain("п. 59");
    }

    [Fact]
    public void Negative_volume_without_history_falls_back_to_the_norm()
    {
        var line = Building(FlatWithColdMeter(131.208m, 123.456m), ColdWater()).Calc().Line("cold_water");
        line.Source.ShouldBe(VolumeSource.Norm);
        line.Coefficient.ShouldBe(1m); // missing readings (case «б»): no coefficient by default
        line.Trace.Note.ShouldNotBeNull().ShouldContain("отклонено");
    }

    [Fact]
    public void A_reading_on_the_first_of_the_next_month_belongs_to_the_next_month()
    {
        var flat = Flat(meters: [Meter(1, Resource.ColdWater, (D(2026, 2, 28), 100m), (D(2026, 3, 31), 107m), (D(2026, 4, 1), 108m))]);
        Building(flat, ColdWater()).Calc().Line("cold_water").Volume.ShouldBe(7m);
    }

    [Fact]
    public void Two_meters_of_one_resource_add_up_in_one_line()
    {
        var flat = Flat(meters:
        [
            Meter(1, Resource.ColdWater, (D(2026, 2, 25), 10m), (D(2026, 3, 25), 13m)),
            Meter(2, Resource.ColdWater, (D(2026, 2, 25), 20m), (D(2026, 3, 25), 24.5m)),
        ]);
        var line = Building(flat, ColdWater()).Calc().Line("cold_water");
        line.Volume.ShouldBe(7.5m);
        line.Amount.ShouldBe(Money.RoundToKopecks(7.5m * 52.37m));
    }

    [Fact]
    public void Same_snapshot_in_any_order_gives_the_same_lines()
    {
        var flats = Enumerable.Range(1, 5).Select(i => Flat(i, 40m + i, meters: i % 2 == 0 ? [Meter(i, Resource.ColdWater, (D(2026, 2, 25), 10m), (D(2026, 3, 25), 10m + i))] : null)).ToList();
        ServiceSnapshot[] services = [ColdWater(), HotWater(), Sewage(Norm(7.863m)), Electricity()];
        var a = Building(flats, services).Calc();
        var b = Building(Enumerable.Reverse(flats), services.Reverse()).Calc();
        a.Select(l => (l.AccountId, l.ServiceCode, l.Zone, l.Amount)).ShouldBe(b.Select(l => (l.AccountId, l.ServiceCode, l.Zone, l.Amount)));
        a.Select(l => l.AccountId).ShouldBeInOrder();
    }

    [Fact]
    public void A_communal_flat_room_meter_belongs_to_its_account_and_a_premise_meter_is_shared()
    {
        var flat = Flat(accounts: [Account(1, share: 0.6m), Account(2, share: 0.4m)], meters:
        [
            Meter(1, Resource.ColdWater, (D(2026, 2, 25), 10m), (D(2026, 3, 25), 20m)),
            Meter(2, Resource.HotWater, (D(2026, 2, 25), 0m), (D(2026, 3, 25), 2m)) with { AccountId = 2 },
        ]);
        var lines = Building(flat, ColdWater(), HotWater()).Calc();
        lines.Line("cold_water", 1).Volume.ShouldBe(6m);
        lines.Line("cold_water", 2).Volume.ShouldBe(4m);
        lines.Line("hot_water", 2).Volume.ShouldBe(2m);
        lines.Line("hot_water", 1).Source.ShouldBe(VolumeSource.Norm); // no meter of account 1 for hot water
    }
}
