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

    /// <summary>An invariant's interpolated message is written only when the check fails, with every value in it.</summary>
    [Fact]
    public void An_invariant_formats_its_message_only_when_it_fails()
    {
        var counted = new Counted();
        Invariant.Holds(true, $"never written: {counted}");
        counted.Written.ShouldBe(0);
        var failure = Should.Throw<InvariantViolationException>(() => Invariant.Holds(false, $"line {42}, {counted,3}, {1.5m:0.00}"));
        counted.Written.ShouldBe(1);
        failure.Message.ShouldBe(FormattableString.Invariant($"Invariant violated: line 42,   x, {1.5m.ToString("0.00", System.Globalization.CultureInfo.CurrentCulture)}"));
    }

    private sealed class Counted
    {
        public int Written { get; private set; }

        public override string ToString()
        {
            Written++;
            return "x";
        }
    }

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
