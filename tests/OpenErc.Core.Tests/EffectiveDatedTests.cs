using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

public sealed class EffectiveDatedTests
{
    private static Tariff T(string from, string? to, decimal rate) => new()
    {
        Rate = rate, ValidFrom = DateOnly.Parse(from), ValidTo = to is null ? null : DateOnly.Parse(to),
    };

    private static readonly Tariff[] Series = [T("2026-01-01", "2026-07-01", 52.37m), T("2026-07-01", null, 55.12m)];

    [Theory]
    [InlineData("2025-12-31", null)]      // before the first record
    [InlineData("2026-01-01", 52.37)]     // the start day counts
    [InlineData("2026-06-30", 52.37)]     // the last day of the old tariff
    [InlineData("2026-07-01", 55.12)]     // the end day belongs to the next record
    [InlineData("2099-12-31", 55.12)]     // open-ended
    public void Lookup_at_the_boundaries(string day, double? expected)
    {
        var found = Series.SingleValidOn(DateOnly.Parse(day));
        found?.Rate.ShouldBe((decimal)expected!.Value);
        if (expected is null) found.ShouldBeNull();
    }

    [Fact]
    public void Overlapping_records_are_a_data_error() =>
        Should.Throw<InvalidOperationException>(() => new[] { T("2026-01-01", null, 1m), T("2026-03-01", null, 2m) }.SingleValidOn(new DateOnly(2026, 3, 1)));

    [Fact]
    public void Leap_day_is_inside_a_range_ending_on_first_of_march()
    {
        var range = new DateRange(new DateOnly(2028, 2, 1), new DateOnly(2028, 3, 1));
        range.Contains(new DateOnly(2028, 2, 29)).ShouldBeTrue();
        range.Contains(new DateOnly(2028, 3, 1)).ShouldBeFalse();
    }

    [Fact]
    public void Empty_or_inverted_range_is_invalid()
    {
        RegistryValidation.Validate(T("2026-07-01", "2026-07-01", 1m))["ValidTo"].ShouldBe(["Дата окончания должна быть позже даты начала"]);
        RegistryValidation.Validate(T("2026-07-01", "2026-07-02", 1m)).ShouldBeEmpty();
    }

    [Fact]
    public void Ranges_overlap_only_when_they_share_a_day()
    {
        var h1 = new DateRange(new DateOnly(2026, 1, 1), new DateOnly(2026, 7, 1));
        h1.Overlaps(new DateRange(new DateOnly(2026, 7, 1), null)).ShouldBeFalse();
        h1.Overlaps(new DateRange(new DateOnly(2026, 6, 30), null)).ShouldBeTrue();
    }
}
