using System.Globalization;

namespace OpenErc.Core.Common;

/// <summary>A calendar month, the billing period (ПП 354 п. 37), written <c>YYYY-MM</c>.</summary>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    public BillingPeriod(int year, int month)
    {
        if (year is < 2000 or > 2200) throw new ArgumentOutOfRangeException(nameof(year), year, "Год вне допустимого диапазона");
        if (month is < 1 or > 12) throw new ArgumentOutOfRangeException(nameof(month), month, "Месяц должен быть от 1 до 12");
        Year = year;
        Month = month;
    }

    public int Year { get; }
    public int Month { get; }

    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The first day of the next month: the exclusive end of this period.</summary>
    public DateOnly End => FirstDay.AddMonths(1);

    public int Days => DateTime.DaysInMonth(Year, Month);

    public DateRange Range => new(FirstDay, End);

    public BillingPeriod Next() => Of(FirstDay.AddMonths(1));
    public BillingPeriod Previous() => Of(FirstDay.AddMonths(-1));

    public static BillingPeriod Of(DateOnly day) => new(day.Year, day.Month);

    public static BillingPeriod Parse(string text) =>
        TryParse(text, out var period) ? period : throw new FormatException($"Период должен иметь вид ГГГГ-ММ: «{text}»");

    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (text is null || !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return false;
        period = Of(day);
        return true;
    }

    public int CompareTo(BillingPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) < 0;
    public static bool operator >(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) > 0;
    public static bool operator <=(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) <= 0;
    public static bool operator >=(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Year:D4}-{Month:D2}";

    /// <summary>The month as people say it: «ноябрь 2026».</summary>
    public string Name() => $"{MonthNames[Month - 1]} {Year}";

    private static readonly string[] MonthNames =
        ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"];
}
