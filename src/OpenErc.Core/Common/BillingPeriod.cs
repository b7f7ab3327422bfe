using System.Globalization;

namespace OpenErc.Core.Common;

/// <summary>
/// A calendar month, the billing period (ПП 354 п. 37), written <c>YYYY-MM</c>: one of the months
/// <see cref="MinValue"/> (2000-01) … <see cref="MaxValue"/> (2099-12), and nothing else.
/// </summary>
/// <remarks>
/// Like NodaTime's <c>YearMonth</c> the value cannot be invalid: it is one number, the months since 2000-01, so
/// <c>default</c> is 2000-01. The range covers every month a region's centre bills (no ЕРЦ data predates 2000) and
/// keeps the first days and the exclusive ends of all months valid <see cref="DateOnly"/>s. Input from people goes
/// through <see cref="TryParse"/>, which answers false for anything else and never throws; the constructor,
/// <see cref="Of"/>, <see cref="Next"/> and <see cref="Previous"/> throw for a month outside the range, because
/// reaching one is a bug of the caller (use <see cref="TryOf"/> for a date that may lie outside). Stepping past
/// either end throws rather than stopping at it: a month that silently stayed put would post to the wrong month.
/// </remarks>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    private const int FirstYear = 2000, LastYear = 2099, Count = (LastYear - FirstYear + 1) * 12;

    /// <summary>Months since 2000-01: 0 … 1199.</summary>
    private readonly int _index;

    /// <summary>2000-01, the first month (and <c>default</c>).</summary>
    public static readonly BillingPeriod MinValue = default;

    /// <summary>2099-12, the last month.</summary>
    public static readonly BillingPeriod MaxValue = new(Count - 1);

    /// <summary>The month <paramref name="month"/> (1–12) of <paramref name="year"/> (2000–2099).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside the range: a bug of the caller (people's input goes through <see cref="TryParse"/>).</exception>
    public BillingPeriod(int year, int month)
    {
        if (year is < FirstYear or > LastYear) throw new ArgumentOutOfRangeException(nameof(year), year, $"A billing year is {FirstYear}–{LastYear}");
        if (month is < 1 or > 12) throw new ArgumentOutOfRangeException(nameof(month), month, "A month is 1–12");
        _index = (year - FirstYear) * 12 + month - 1;
    }

    private BillingPeriod(int index) => _index = index;

    public int Year => FirstYear + _index / 12;

    /// <summary>1–12.</summary>
    public int Month => _index % 12 + 1;

    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The first day of the next month: the exclusive end of this period (2100-01-01 for the last one).</summary>
    public DateOnly End => FirstDay.AddMonths(1);

    /// <summary>The month's last day.</summary>
    public DateOnly LastDay => End.AddDays(-1);

    public int Days => DateTime.DaysInMonth(Year, Month);

    public DateRange Range => new(FirstDay, End);

    /// <summary>The month after this one.</summary>
    /// <exception cref="InvalidOperationException">This is <see cref="MaxValue"/>.</exception>
    public BillingPeriod Next() => _index < Count - 1 ? new(_index + 1) : throw new InvalidOperationException($"{this} is the last billing month");

    /// <summary>The month before this one.</summary>
    /// <exception cref="InvalidOperationException">This is <see cref="MinValue"/>.</exception>
    public BillingPeriod Previous() => _index > 0 ? new(_index - 1) : throw new InvalidOperationException($"{this} is the first billing month");

    /// <summary>The month of <paramref name="day"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The day is before 2000-01-01 or after 2099-12-31.</exception>
    public static BillingPeriod Of(DateOnly day) =>
        TryOf(day, out var month) ? month : throw new ArgumentOutOfRangeException(nameof(day), day, $"A billing month is {MinValue}…{MaxValue}");

    /// <summary>The month of <paramref name="day"/>; false when the day is outside 2000-01-01 … 2099-12-31.</summary>
    public static bool TryOf(DateOnly day, out BillingPeriod month)
    {
        month = default;
        if (day.Year is < FirstYear or > LastYear) return false;
        month = new BillingPeriod(day.Year, day.Month);
        return true;
    }

    /// <summary>A month written <c>YYYY-MM</c> in code (a literal); people's input goes through <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException">Not a month of the range; the message is <see cref="ParseError"/>.</exception>
    public static BillingPeriod Parse(string text) => TryParse(text, out var period) ? period : throw new FormatException(ParseError(text));

    /// <summary>
    /// Exactly <c>YYYY-MM</c> in ASCII digits, a month 01–12 of a year 2000–2099; anything else (null, empty, blanks, other
    /// digits, a day, spaces around) is false. Never throws.
    /// </summary>
    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (!TrySplit(text, out int year, out int month) || year is < FirstYear or > LastYear || month is < 1 or > 12) return false;
        period = new BillingPeriod(year, month);
        return true;
    }

    /// <summary>
    /// Why <paramref name="text"/> is not a month, in Russian for people: how a month is written, or the range when it is
    /// written right but lies outside. With <paramref name="quote"/> the text itself follows (cut to 20 characters).
    /// </summary>
    public static string ParseError(string? text, bool quote = true)
    {
        if (string.IsNullOrWhiteSpace(text)) return "Укажите месяц в виде ГГГГ-ММ, например 2025-03";
        var what = quote ? $", а не «{(text.Length <= 20 ? text : text[..20] + "…")}»" : "";
        return TrySplit(text, out _, out int month) && month is >= 1 and <= 12
            ? $"Месяц (ГГГГ-ММ) должен быть от {MinValue} до {MaxValue}{what}"
            : $"Месяц указывается в виде ГГГГ-ММ, например 2025-03{what}";
    }

    /// <summary>The year and month numbers of text of the form <c>DDDD-DD</c> (ASCII digits), whatever their values.</summary>
    private static bool TrySplit(string? text, out int year, out int month)
    {
        year = month = 0;
        if (text is not { Length: 7 } || text[4] != '-') return false;
        for (int i = 0; i < 7; i++)
            if (i != 4 && !char.IsAsciiDigit(text[i])) return false;
        year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
        month = (text[5] - '0') * 10 + (text[6] - '0');
        return true;
    }

    public int CompareTo(BillingPeriod other) => _index.CompareTo(other._index);

    public static bool operator <(BillingPeriod a, BillingPeriod b) => a._index < b._index;
    public static bool operator >(BillingPeriod a, BillingPeriod b) => a._index > b._index;
    public static bool operator <=(BillingPeriod a, BillingPeriod b) => a._index <= b._index;
    public static bool operator >=(BillingPeriod a, BillingPeriod b) => a._index >= b._index;

    /// <summary><c>YYYY-MM</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");

    /// <summary>The month as people say it: «ноябрь 2026».</summary>
    public string Name() => $"{MonthNames[Month - 1]} {Year}";

    private static readonly string[] MonthNames =
        ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"];
}
