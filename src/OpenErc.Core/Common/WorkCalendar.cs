using System.Globalization;

namespace OpenErc.Core.Common;

/// <summary>
/// The region's work calendar, the one answer to "is this a working day" for every deadline counted in working days: a
/// complaint's answer (ПП 354 п. 31), a supplier's transfer (ПП 253: the working day after the money came), an agent's
/// transfer after its registry (exchange.md §2.3), an agent's late registry. A day is not worked on Saturday or Sunday
/// or a holiday — the federal holidays of ТК РФ ст. 112 every year (<see cref="Holidays"/>, «ММ-ДД») and the dates of
/// <see cref="ExtraHolidays"/> (the year's transferred days off and the region's own holidays, which the government and
/// the region publish each year) — unless the date is one of <see cref="WorkingWeekends"/> (a transferred working
/// Saturday). Configuration: <c>OpenErc:WorkCalendar</c>.
/// </summary>
public sealed record WorkCalendar
{
    public string[] Holidays { get; init; } = ["01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-08", "02-23", "03-08", "05-01", "05-09", "06-12", "11-04"];
    public DateOnly[] ExtraHolidays { get; init; } = [];
    public DateOnly[] WorkingWeekends { get; init; } = [];

    /// <summary>Whether the region works on <paramref name="day"/>.</summary>
    public bool IsWorkingDay(DateOnly day) =>
        WorkingWeekends.Contains(day)
        || day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !ExtraHolidays.Contains(day)
            && !Holidays.Contains(day.ToString("MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The <paramref name="days"/>-th working day after <paramref name="day"/> (the first for 1).</summary>
    public DateOnly AddWorkingDays(DateOnly day, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        while (days > 0)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) days--;
        }
        return day;
    }

    /// <summary>How many working days lie after <paramref name="from"/> up to and including <paramref name="to"/>.</summary>
    public int WorkingDaysAfter(DateOnly from, DateOnly to)
    {
        int days = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
            if (IsWorkingDay(d)) days++;
        return days;
    }
}
