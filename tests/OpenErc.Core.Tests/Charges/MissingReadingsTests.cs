using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;
using static OpenErc.Core.Tests.Charges.Kit;

namespace OpenErc.Core.Tests.Charges;

/// <summary>charges.md §9: the п. 59 average for missing readings and failed meters, then the norm (п. 60).</summary>
public sealed class MissingReadingsTests
{
    /// <summary>Monthly readings on the 10th from September 2025 to March 2026: 42.6 m³ over 6 months.</summary>
    private static MeterSnapshot ExpiringMeter() =>
        Meter(1, Resource.ColdWater,
            (D(2025, 9, 10), 100m), (D(2025, 10, 10), 107m), (D(2025, 11, 10), 114.2m), (D(2025, 12, 10), 121.5m),
            (D(2026, 1, 10), 128.4m), (D(2026, 2, 10), 135.6m), (D(2026, 3, 10), 142.6m), (D(2026, 4, 10), 150m))
        with { NextVerificationOn = D(2026, 3, 14) };

    [Theory]
    [InlineData(3, 371.83, VolumeSource.Average)] // 7.1 × 52.37 = 371.827, month 1 of 3 (whole months)
    [InlineData(4, 371.83, VolumeSource.Average)]
    [InlineData(5, 371.83, VolumeSource.Average)]
    [InlineData(6, 2236.46, VolumeSource.Norm)]   // 3 × 4.745 × 52.37 × 3 (п. 60 with the coefficient)
    [InlineData(9, 2236.46, VolumeSource.Norm)]
    public void Example_9_2_expired_verification_average_then_norm_with_coefficient(int month, double expected, VolumeSource source)
    {
        var line = Building(Flat(meters: [ExpiringMeter()]), ColdWater()).Calc(new BillingPeriod(2026, month)).Line("cold_water");
        line.Amount.ShouldBe(Rub((decimal)expected));
        line.Source.ShouldBe(source);
        if (source == VolumeSource.Average)
        {
            line.Volume.ShouldBe(7.1m);
            line.Input("Месяцев в расчёте среднего").ShouldBe(6m);
            line.Trace.Note.ShouldNotBeNull().ShouldContain("истёк межповерочный интервал");
            line.Trace.LegalReference.ShouldContain("п. 59");
        }
        else
        {
            line.Coefficient.ShouldBe(3m);
            line.Trace.LegalReference.ShouldContain("п. 60");
        }
    }

    [Fact]
    public void The_month_before_expiry_is_still_charged_by_readings() =>
        Building(Flat(meters: [ExpiringMeter()]), ColdWater()).Calc(new BillingPeriod(2026, 2)).Line("cold_water").Volume.ShouldBe(7.2m);

    [Fact]
    public void A_failed_meter_and_refused_access_are_treated_like_expiry()
    {
        var failed = ExpiringMeter() with { NextVerificationOn = null, FailedOn = D(2026, 3, 14) };
        var refused = ExpiringMeter() with { NextVerificationOn = null, AccessRefusedOn = D(2026, 3, 14) };
        foreach (var meter in new[] { failed, refused })
        {
            Building(Flat(meters: [meter]), ColdWater()).Calc(new BillingPeriod(2026, 4)).Line("cold_water").Volume.ShouldBe(7.1m);
            Building(Flat(meters: [meter]), ColdWater()).Calc(new BillingPeriod(2026, 6)).Line("cold_water").Coefficient.ShouldBe(3m);
        }
    }

    /// <summary>Readings on the 25th from August 2025 to February 2026 (6 months, 30 m³), then none.</summary>
    private static MeterSnapshot SilentMeter(params (DateOnly, decimal)[] later) =>
        Meter(1, Resource.ColdWater, [
            (D(2025, 8, 25), 200m), (D(2025, 9, 25), 205m), (D(2025, 10, 25), 210m), (D(2025, 11, 25), 215m),
            (D(2025, 12, 25), 220m), (D(2026, 1, 25), 225m), (D(2026, 2, 25), 230m), .. later]);

    [Theory]
    [InlineData(3, VolumeSource.Average, 1)]
    [InlineData(5, VolumeSource.Average, 1)]
    [InlineData(6, VolumeSource.Norm, 1)]  // past the limit of 3 months: the norm, without the coefficient by default (case «б»)
    public void Missing_readings_average_for_three_months_then_the_norm(int month, VolumeSource source, double k)
    {
        var line = Building(Flat(meters: [SilentMeter()]), ColdWater()).Calc(new BillingPeriod(2026, month)).Line("cold_water");
        line.Source.ShouldBe(source);
        line.Coefficient.ShouldBe((decimal)k);
        if (source == VolumeSource.Average) line.Amount.ShouldBe(Money.RoundToKopecks(5m * 52.37m));
        else line.Amount.ShouldBe(Rub(745.49m));
    }

    [Fact]
    public void Missing_readings_past_the_limit_with_the_coefficient_option() =>
        Building(Flat(meters: [SilentMeter()]), ColdWater()).Calc(new BillingPeriod(2026, 6), new ChargeSettings { CoefficientAfterMissingReadings = true })
            .Line("cold_water").Amount.ShouldBe(Rub(2236.46m));

    [Fact]
    public void The_limit_is_configurable_and_two_months_for_non_residential_premises()
    {
        var building = Building(Flat(meters: [SilentMeter()], kind: PremiseKind.NonResidential, accounts: [Account(residents: 0, owners: 0)]), ColdWater());
        building.Calc(new BillingPeriod(2026, 4)).Line("cold_water").Source.ShouldBe(VolumeSource.Average);
        building.Calc(new BillingPeriod(2026, 5)).ShouldBeEmpty(); // no residents in a non-residential premise: no norm line
        Building(Flat(meters: [SilentMeter()]), ColdWater()).Calc(new BillingPeriod(2026, 4), new ChargeSettings { AverageMonthsLimit = 1 })
            .Line("cold_water").Source.ShouldBe(VolumeSource.Norm);
    }

    [Fact]
    public void Readings_after_months_of_average_take_the_average_off()
    {
        // March and April averaged (5 m³ each); the May reading covers March–May: 17 − 2 × 5 = 7 m³.
        var line = Building(Flat(meters: [SilentMeter((D(2026, 5, 25), 247m))]), ColdWater()).Calc(new BillingPeriod(2026, 5)).Line("cold_water");
        line.Source.ShouldBe(VolumeSource.Meter);
        line.Volume.ShouldBe(7m);
        line.Input("Месяцев без показаний").ShouldBe(2m);
        line.Trace.Note.ShouldNotBeNull().ShouldContain("п. 59 «б»");
    }

    [Fact]
    public void Readings_lower_than_the_averages_give_a_credit()
    {
        var line = Building(Flat(meters: [SilentMeter((D(2026, 5, 25), 236m))]), ColdWater()).Calc(new BillingPeriod(2026, 5)).Line("cold_water");
        line.Volume.ShouldBe(-4m); // 6 − 2 × 5
        line.Amount.ShouldBe(Money.RoundToKopecks(-4m * 52.37m));
    }

    [Theory]
    [InlineData(4, 3, VolumeSource.Average)] // worked 3 months: average over 3
    [InlineData(3, 2, VolumeSource.Norm)]    // worked 2 months: too short for an average
    public void A_young_meter_averages_over_its_life_but_not_less_than_three_months(int readings, int months, VolumeSource source)
    {
        var meter = Meter(1, Resource.ColdWater, Enumerable.Range(0, readings).Select(i => (D(2025, 12, 20).AddMonths(i), 10m + 4 * i)).ToArray())
            with { InstalledOn = D(2025, 12, 20) };
        var period = BillingPeriod.Of(D(2025, 12, 20).AddMonths(readings));
        var line = Building(Flat(meters: [meter]), ColdWater()).Calc(period).Line("cold_water");
        line.Source.ShouldBe(source);
        if (source == VolumeSource.Average)
        {
            line.Volume.ShouldBe(4m);
            line.Input("Месяцев в расчёте среднего").ShouldBe(months);
        }
    }

    [Fact]
    public void A_zonal_meter_averages_each_zone()
    {
        var meter = new MeterSnapshot(3, MeterKind.Individual, Resource.Electricity, 2, 6, Ever, null, null,
            Enumerable.Range(0, 7).SelectMany(i => new[]
            {
                new ReadingSnapshot(1, D(2025, 8, 28).AddMonths(i), 1000m + 180m * i),
                new ReadingSnapshot(2, D(2025, 8, 28).AddMonths(i), 500m + 95m * i),
            }).ToList());
        var lines = Building(Flat(meters: [meter]), Electricity()).Calc();
        lines.Line("electricity", zone: TariffZone.Day).Volume.ShouldBe(180m);
        lines.Line("electricity", zone: TariffZone.Night).Volume.ShouldBe(95m);
        lines.Line("electricity", zone: TariffZone.Night).Source.ShouldBe(VolumeSource.Average);
    }
}
