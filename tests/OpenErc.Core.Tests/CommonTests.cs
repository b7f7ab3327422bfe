using OpenErc.Core.Common;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

public sealed class CommonTests
{
    [Theory]
    [InlineData("405.97224", "405.97")]
    [InlineData("2.345", "2.35")]   // half away from zero, not banker's
    [InlineData("2.355", "2.36")]
    [InlineData("-2.345", "-2.35")]
    public void Money_rounds_once_half_away_from_zero(string unrounded, string expected) =>
        Money.RoundToKopecks(decimal.Parse(unrounded, System.Globalization.CultureInfo.InvariantCulture)).ToString().ShouldBe(expected);

    [Fact]
    public void Money_refuses_fractions_of_a_kopeck() => Should.Throw<ArgumentException>(() => Money.Exact(1.001m));

    [Theory]
    [InlineData("2026-02", 28, "2026-03", "2026-01")]
    [InlineData("2028-02", 29, "2028-03", "2028-01")]
    [InlineData("2026-12", 31, "2027-01", "2026-11")]
    public void Billing_period_arithmetic(string text, int days, string next, string previous)
    {
        var p = BillingPeriod.Parse(text);
        p.Days.ShouldBe(days);
        p.Next().ToString().ShouldBe(next);
        p.Previous().ToString().ShouldBe(previous);
        p.Range.Contains(p.End).ShouldBeFalse();
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("26-11")]
    [InlineData("ноябрь")]
    public void Bad_period_text_is_refused(string text) => BillingPeriod.TryParse(text, out _).ShouldBeFalse();
}
