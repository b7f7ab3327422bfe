using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>Part months: accounts opened or closed, residents moving, tariffs changing — by days, one rounding per line.</summary>
public sealed class ProrationTests
{
    private static readonly ServiceSnapshot Maintenance = Service("maintenance", ServiceKind.Housing, Resource.None, "м²", CalculationMethod.Area, [Tariff(28.40m)]);

    [Theory]
    [InlineData(2026, 3, 10, null, 22, 1094.41)]    // opened on the 10th: 22 of 31 days
    [InlineData(2026, 3, null, 16, 15, 746.19)]     // closed on the 16th (first day not charged): 15 days
    [InlineData(2026, 3, 31, null, 1, 49.75)]       // opened on the last day of the month
    [InlineData(2028, 2, 29, null, 1, 53.18)]       // opened on 29 February of a leap year: 1 of 29 days
    [InlineData(2028, 2, null, null, 29, 1542.12)]  // a whole February of 29 days is a whole month
    [InlineData(2026, 3, null, 1, 0, 0)]            // closed on the 1st: not a single day
    public void Account_opened_or_closed_mid_month(int year, int month, int? openedDay, int? closedDay, int days, double expected)
    {
        var period = new BillingPeriod(year, month);
        var account = Account(opened: openedDay is { } o ? new DateOnly(year, month, o) : null, closed: closedDay is { } c ? new DateOnly(year, month, c) : null);
        var lines = Building(Flat(accounts: [account]), Maintenance).Calc(period);
        if (days == 0)
        {
            lines.ShouldBeEmpty();
            return;
        }
        var line = lines.Line("maintenance");
        line.Amount.ShouldBe(Rub((decimal)expected));
        line.DayFactor.ShouldBe(days == period.Days ? 1m : (decimal)days / period.Days);
        if (days != period.Days) line.Input("Дней начисления").ShouldBe(days);
    }

    [Fact]
    public void Residents_changing_mid_month_split_the_line_into_segments_rounded_once()
    {
        var account = Account() with { Residents = [new(Ever, D(2026, 3, 20), 3), new(D(2026, 3, 20), null, 4)] };
        var line = Building(Flat(accounts: [account], impossible: [Resource.ColdWater]), ColdWater()).Calc().Line("cold_water");
        line.Unrounded.ShouldBe((745.48695m * 19 + 4 * 4.745m * 52.37m * 12) / 31, tolerance: 0.0000000001m);
        line.Amount.ShouldBe(Rub(841.68m));
        line.Trace.Segments.Count.ShouldBe(2);
        line.Trace.Segments[0].Inputs.ShouldContain(new TraceInput("Проживающие n", 3, "чел."));
        line.Trace.Segments[1].Inputs.ShouldContain(new TraceInput("Проживающие n", 4, "чел."));
        line.Trace.Inputs.ShouldContain(i => i.Name.StartsWith("Норматив N", StringComparison.Ordinal)); // common to both segments
        line.DayFactor.ShouldBe(1m);
    }

    [Fact]
    public void Moving_in_on_the_last_day_of_the_month()
    {
        var account = Account(residents: 0, owners: 0) with { Residents = [new(D(2026, 3, 31), null, 3)] };
        var line = Building(Flat(accounts: [account], impossible: [Resource.ColdWater]), ColdWater()).Calc().Line("cold_water");
        line.Unrounded.ShouldBe(745.48695m / 31, tolerance: 0.0000000001m);
        line.Amount.ShouldBe(Rub(24.05m));
        line.DayFactor.ShouldBe(1m / 31);
        line.Trace.Segments.ShouldBeEmpty();
    }

    private static ServiceSnapshot ColdWaterWithTariffChange() =>
        ColdWater() with { Tariffs = [Tariff(52.37m, to: D(2026, 3, 15)), Tariff(58.61m, from: D(2026, 3, 15))] };

    [Fact]
    public void Tariff_change_on_the_15th_by_norm()
    {
        var line = Building(Flat(impossible: [Resource.ColdWater]), ColdWaterWithTariffChange()).Calc().Line("cold_water");
        line.Unrounded.ShouldBe(14.235m * (52.37m * 14 + 58.61m * 17) / 31, tolerance: 0.0000000001m);
        line.Amount.ShouldBe(Rub(794.20m));
        line.Rate.ShouldBe(58.61m); // the rate in force at the end of the month; the earlier one is in the segments
        line.Volume.ShouldBe(14.235m, tolerance: 0.0000000001m);
        line.Trace.Segments.Select(s => s.Inputs.Single(i => i.Name == "Тариф").Value).ShouldBe([52.37m, 58.61m]);
        line.Trace.Segments.Select(s => s.DayFactor).ShouldBe([14m / 31, 17m / 31]);
    }

    [Fact]
    public void Tariff_change_on_the_15th_spreads_the_meter_volume_by_days()
    {
        var flat = Flat(meters: [Meter(1, Resource.ColdWater, (D(2026, 2, 25), 123.456m), (D(2026, 3, 25), 131.208m))]);
        var line = Building(flat, ColdWaterWithTariffChange()).Calc().Line("cold_water");
        line.Amount.ShouldBe(Rub(432.50m)); // 7.752 × (52.37 × 14 + 58.61 × 17) / 31 = 432.4991
        line.Volume.ShouldBe(7.752m, tolerance: 0.0000000001m);
    }

    [Fact]
    public void A_supplier_change_mid_month_gives_one_line_per_supplier()
    {
        var service = Maintenance with
        {
            Suppliers = [new(Ever, D(2026, 3, 11), Supplier), new(D(2026, 3, 11), null, 8)],
            Tariffs = [Tariff(28.40m), new TariffSnapshot(8, TariffZone.Single, Ever, null, 30m)],
        };
        var lines = Building(Flat(), service).Calc();
        lines.Select(l => (l.SupplierId, l.Amount)).ShouldBe([(Supplier, Money.RoundToKopecks(1542.12m * 10 / 31)), (8L, Money.RoundToKopecks(54.3m * 30m * 21 / 31))]);
    }

    [Fact]
    public void A_meter_installed_mid_month_leaves_the_days_before_on_the_norm_with_the_coefficient()
    {
        var meter = Meter(1, Resource.ColdWater, (D(2026, 3, 11), 0m), (D(2026, 3, 31), 3m)) with { InstalledOn = D(2026, 3, 11) };
        var lines = Building(Flat(meters: [meter]), ColdWater()).Calc();
        var line = lines.Line("cold_water");
        line.Unrounded.ShouldBe(2236.46085m * 10 / 31 + 3m * 52.37m, tolerance: 0.0000000001m);
        line.Source.ShouldBe(VolumeSource.Meter);
        line.Trace.Segments.Count.ShouldBe(2);
        line.Trace.Note.ShouldNotBeNull().ShouldContain("Дни без прибора учёта");
    }

    [Fact]
    public void Two_accounts_in_a_row_share_a_premise_meter_by_days()
    {
        var flat = Flat(accounts: [Account(1, closed: D(2026, 3, 16)), Account(2, opened: D(2026, 3, 16))],
            meters: [Meter(1, Resource.ColdWater, (D(2026, 2, 28), 100m), (D(2026, 3, 31), 131m))]);
        var lines = Building(flat, ColdWater()).Calc();
        lines.Line("cold_water", 1).Volume.ShouldBe(15m);
        lines.Line("cold_water", 2).Volume.ShouldBe(16m);
    }
}
