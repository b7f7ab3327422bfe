using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Web.Components.Shared;

/// <summary>
/// How the workstation shows values: Russian dates (dd.MM.yyyy), decimals with a comma, enums by their
/// Russian titles. Formatting is explicit so that the process culture (shared with the API) stays untouched.
/// </summary>
public static class Fmt
{
    public static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public const string DateFormat = "dd.MM.yyyy";
    public const string Empty = "—";

    public static string Date(DateOnly? day) => day?.ToString(DateFormat, Ru) ?? Empty;

    /// <summary>A moment in the server's local time zone, to the minute.</summary>
    /// <summary>The region's time zone, in which moments are shown (the host sets it from its <see cref="RegionClock"/>).</summary>
    public static TimeZoneInfo Zone { get; set; } = RegionClock.FindZone(null);

    /// <summary>A moment on the region's wall clock, never the server's.</summary>
    public static string Moment(DateTimeOffset? at) => at is { } a ? WallClock(TimeZoneInfo.ConvertTime(a, Zone).DateTime) : Empty;

    /// <summary>How a moment on the region's wall clock is typed and shown: «ДД.ММ.ГГГГ ЧЧ:ММ».</summary>
    public const string WallClockFormat = "dd.MM.yyyy HH:mm";

    public static string WallClock(DateTime local) => local.ToString(WallClockFormat, Ru);

    /// <summary>A wall-clock time typed as «ДД.ММ.ГГГГ ЧЧ:ММ».</summary>
    public static DateTime? ParseWallClock(string? text) =>
        DateTime.TryParseExact(text?.Trim(), WallClockFormat, Ru, DateTimeStyles.None, out var local) ? local : null;

    /// <summary>Up to six fraction digits (rates and norms carry six), no trailing zeros, groups of thousands.</summary>
    public static string Number(decimal? value) => value?.ToString("#,0.######", Ru) ?? Empty;

    /// <summary>A volume of a meter or a norm: up to three fraction digits (a cubic metre to the litre).</summary>
    public static string Volume(decimal? value) => value?.ToString("#,0.###", Ru) ?? Empty;

    /// <summary><see cref="TryParseNumber"/> as a value: null when the text is not a number.</summary>
    public static decimal? ParseNumber(string? text) => TryParseNumber(text, out var v) ? v : null;

    /// <summary>A billing month as people say it: «ноябрь 2026».</summary>
    public static string Month(BillingPeriod month) => month.FirstDay.ToString("MMMM yyyy", Ru);

    /// <summary>Roubles with kopecks and groups of thousands: "1 234,50".</summary>
    public static string Money(decimal amount) => amount.ToString("#,0.00", Ru);

    /// <summary>A count with groups of thousands: "2 000".</summary>
    public static string Count(int count) => count.ToString("#,0", Ru);

    /// <summary>
    /// A half-open range <c>[from, to)</c> shown as people read it: the last day inclusive, "с … по …".
    /// </summary>
    public static string Period(DateOnly from, DateOnly? to) =>
        to is { } end ? $"с {Date(from)} по {Date(end.AddDays(-1))}" : $"с {Date(from)}";

    public static string Period(IEffectiveDated item) => Period(item.ValidFrom, item.ValidTo);

    public static string Value(object? value) => value switch
    {
        null => Empty,
        string s => s.Length == 0 ? Empty : s,
        DateOnly d => Date(d),
        DateTime t => t.ToString("dd.MM.yyyy HH:mm", Ru),
        DateTimeOffset t => Moment(t),
        decimal d => Number(d),
        bool b => b ? "Да" : "Нет",
        Enum e => e.Title(),
        IFormattable f => f.ToString(null, Ru),
        _ => value.ToString() ?? Empty,
    };

    /// <summary>A billing run's state (<c>billing_runs.state</c>) as the workstation says it.</summary>
    public static string RunState(string state) => state switch
    {
        "completed" => "завершён",
        "running" => "выполняется или прерван",
        _ => "остановлен",
    };

    /// <summary>Parses a decimal typed by a person: comma or dot, spaces between thousands.</summary>
    public static bool TryParseNumber(string? text, out decimal value)
    {
        var clean = (text ?? "").Replace(" ", "").Replace("\u00A0", "").Replace('.', ',');
        return decimal.TryParse(clean, NumberStyles.Number, Ru, out value);
    }

    /// <summary>The first day of the month of <paramref name="day"/>: changes usually take effect from it.</summary>
    public static DateOnly MonthStart(DateOnly day) => new(day.Year, day.Month, 1);
}
