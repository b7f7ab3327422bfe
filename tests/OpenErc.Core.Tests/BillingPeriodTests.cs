using System.Text.RegularExpressions;
using CsCheck;
using OpenErc.Core.Common;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

/// <summary>A month cannot be invalid: 2000-01 … 2099-12, a valid <c>default</c>, parsing that answers false and never throws.</summary>
public sealed partial class BillingPeriodTests
{
    [Fact]
    public void Default_is_the_first_month_and_a_valid_one()
    {
        var month = default(BillingPeriod);
        month.ShouldBe(BillingPeriod.MinValue);
        month.ToString().ShouldBe("2000-01");
        month.FirstDay.ShouldBe(new DateOnly(2000, 1, 1));
        month.Days.ShouldBe(31);
        month.Name().ShouldBe("январь 2000");
    }

    [Fact]
    public void The_range_is_2000_01_to_2099_12_and_stepping_past_its_ends_throws()
    {
        BillingPeriod.MinValue.ShouldBe(new BillingPeriod(2000, 1));
        BillingPeriod.MaxValue.ShouldBe(new BillingPeriod(2099, 12));
        BillingPeriod.MaxValue.End.ShouldBe(new DateOnly(2100, 1, 1));
        BillingPeriod.MaxValue.Previous().ShouldBe(new BillingPeriod(2099, 11));
        BillingPeriod.MinValue.Next().ShouldBe(new BillingPeriod(2000, 2));
        // A month that silently stayed put at an end would post to the wrong month.
        Should.Throw<InvalidOperationException>(() => BillingPeriod.MaxValue.Next());
        Should.Throw<InvalidOperationException>(() => BillingPeriod.MinValue.Previous());
    }

    [Theory]
    [InlineData(1999, 12)]
    [InlineData(2100, 1)]
    [InlineData(2026, 0)]
    [InlineData(2026, 13)]
    [InlineData(0, 0)]
    [InlineData(int.MaxValue, int.MinValue)]
    public void The_constructor_refuses_a_month_outside_the_range_as_a_programmer_error(int year, int month) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new BillingPeriod(year, month));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t\n")]
    [InlineData("0000-00")]
    [InlineData("2026-00")]
    [InlineData("2026-13")]
    [InlineData("1999-01")]
    [InlineData("1999-12")]
    [InlineData("2100-01")]
    [InlineData("2300-01")]
    [InlineData("9999-12")]
    [InlineData("２０２６-１１")]  // full-width digits
    [InlineData("٢٠٢٦-١١")]        // Arabic-Indic digits
    [InlineData("2026-1")]
    [InlineData("2026-011")]
    [InlineData(" 2026-11")]
    [InlineData("2026-11 ")]
    [InlineData("2026/11")]
    [InlineData("2026-11-01")]
    [InlineData("26-11")]
    [InlineData("+026-11")]
    [InlineData("-026-11")]
    [InlineData("2026--1")]
    [InlineData("2026-+1")]
    [InlineData("ноябрь")]
    [InlineData("2026‐11")]        // a Unicode hyphen, not '-'
    public void Text_that_is_not_a_month_of_the_range_is_refused_without_throwing(string? text)
    {
        BillingPeriod.TryParse(text, out var month).ShouldBeFalse();
        month.ShouldBe(default);
    }

    [Fact]
    public void A_huge_text_is_refused_and_its_message_stays_short()
    {
        foreach (var text in new[] { new string('2', 100_000), "2026-11" + new string(' ', 100_000), new string('я', 100_000) })
        {
            BillingPeriod.TryParse(text, out _).ShouldBeFalse();
            BillingPeriod.ParseError(text).Length.ShouldBeLessThan(120);
        }
    }

    [Theory]
    [InlineData("2000-01", 2000, 1)]
    [InlineData("2026-11", 2026, 11)]
    [InlineData("2028-02", 2028, 2)]
    [InlineData("2099-12", 2099, 12)]
    public void A_month_of_the_range_parses(string text, int year, int month)
    {
        BillingPeriod.TryParse(text, out var period).ShouldBeTrue();
        (period.Year, period.Month).ShouldBe((year, month));
        BillingPeriod.Parse(text).ShouldBe(period);
        period.ToString().ShouldBe(text);
    }

    [Fact]
    public void Parse_is_for_literals_and_throws_a_format_exception_with_the_russian_reason()
    {
        Should.Throw<FormatException>(() => BillingPeriod.Parse("2026-13")).Message.ShouldBe("Месяц указывается в виде ГГГГ-ММ, например 2025-03, а не «2026-13»");
        Should.Throw<FormatException>(() => BillingPeriod.Parse(null!)).Message.ShouldBe("Укажите месяц в виде ГГГГ-ММ, например 2025-03");
    }

    [Theory]
    [InlineData(null, "Укажите месяц в виде ГГГГ-ММ, например 2025-03")]
    [InlineData("  ", "Укажите месяц в виде ГГГГ-ММ, например 2025-03")]
    [InlineData("март", "Месяц указывается в виде ГГГГ-ММ, например 2025-03, а не «март»")]
    [InlineData("0000-00", "Месяц указывается в виде ГГГГ-ММ, например 2025-03, а не «0000-00»")]
    [InlineData("1999-01", "Месяц (ГГГГ-ММ) должен быть от 2000-01 до 2099-12, а не «1999-01»")]
    [InlineData("2300-01", "Месяц (ГГГГ-ММ) должен быть от 2000-01 до 2099-12, а не «2300-01»")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "Месяц указывается в виде ГГГГ-ММ, например 2025-03, а не «abcdefghijklmnopqrst…»")]
    public void The_reason_says_how_a_month_is_written_or_its_range(string? text, string reason) =>
        BillingPeriod.ParseError(text).ShouldBe(reason);

    [Fact]
    public void The_reason_can_leave_the_text_out() =>
        BillingPeriod.ParseError("1999-01", quote: false).ShouldBe("Месяц (ГГГГ-ММ) должен быть от 2000-01 до 2099-12");

    [Theory]
    [InlineData("1999-12-31")]
    [InlineData("2100-01-01")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    public void A_day_outside_the_range_has_no_month(string text)
    {
        var day = DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        BillingPeriod.TryOf(day, out _).ShouldBeFalse();
        Should.Throw<ArgumentOutOfRangeException>(() => BillingPeriod.Of(day));
    }

    [Fact]
    public void The_first_and_last_days_of_the_range_have_their_months()
    {
        BillingPeriod.Of(new DateOnly(2000, 1, 1)).ShouldBe(BillingPeriod.MinValue);
        BillingPeriod.TryOf(new DateOnly(2099, 12, 31), out var last).ShouldBeTrue();
        last.ShouldBe(BillingPeriod.MaxValue);
    }

    private static readonly Gen<BillingPeriod> Months = Gen.Select(Gen.Int[2000, 2099], Gen.Int[1, 12], (y, m) => new BillingPeriod(y, m));

    /// <summary>Seven characters mostly of digits and dashes (and a few look-alikes): the strings closest to months.</summary>
    private static readonly Gen<string> NearMonths = Gen.Char["0123456789-0123456789-２١ +"].Array[7].Select(c => new string(c));

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}$")]
    private static partial Regex MonthShape();

    [Fact]
    public void Parsing_never_throws_and_accepts_exactly_the_months_of_the_range() =>
        Gen.OneOf(Gen.String, NearMonths, Months.Select(m => m.ToString())).Sample(text =>
        {
            bool expected = MonthShape().IsMatch(text) && int.Parse(text[..4]) is >= 2000 and <= 2099 && int.Parse(text[5..]) is >= 1 and <= 12;
            BillingPeriod.TryParse(text, out var month).ShouldBe(expected, text);
            if (expected) month.ToString().ShouldBe(text);
            else BillingPeriod.ParseError(text).ShouldContain("ГГГГ-ММ");
        }, iter: 20_000);

    [Fact]
    public void Every_month_round_trips_through_its_text_and_its_days() =>
        Gen.Select(Months, Gen.Int[0, 30]).Sample((month, day) =>
        {
            BillingPeriod.Parse(month.ToString()).ShouldBe(month);
            BillingPeriod.Of(month.FirstDay.AddDays(Math.Min(day, month.Days - 1))).ShouldBe(month);
            (month.End.DayNumber - month.FirstDay.DayNumber).ShouldBe(month.Days);
            month.Range.Contains(month.End).ShouldBeFalse();
            if (month < BillingPeriod.MaxValue)
            {
                month.Next().FirstDay.ShouldBe(month.End);
                month.Next().Previous().ShouldBe(month);
            }
        }, iter: 5_000);

    [Fact]
    public void Months_compare_as_year_then_month() =>
        Gen.Select(Months, Months).Sample((a, b) =>
        {
            int expected = (a.Year, a.Month).CompareTo((b.Year, b.Month));
            Math.Sign(a.CompareTo(b)).ShouldBe(Math.Sign(expected));
            (a < b).ShouldBe(expected < 0);
            (a <= b).ShouldBe(expected <= 0);
            (a > b).ShouldBe(expected > 0);
            (a >= b).ShouldBe(expected >= 0);
            (a == b).ShouldBe(expected == 0);
            Math.Sign(a.FirstDay.CompareTo(b.FirstDay)).ShouldBe(Math.Sign(expected));
        }, iter: 5_000);
}
