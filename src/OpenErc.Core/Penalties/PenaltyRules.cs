using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Core.Penalties;

/// <summary>Which statutory schedule a debt follows.</summary>
public enum PenaltySchedule
{
    /// <summary>ЖК РФ ст. 155 ч. 14: days 1–30 nothing, 31–90 at 1/300, from 91 at 1/130 of the rate.</summary>
    Housing = 1,

    /// <summary>ЖК РФ ст. 155 ч. 14.1 (capital repair): 1/300 of the rate from the day after the due date.</summary>
    CapitalRepair = 2,
}

/// <summary>A Bank of Russia key rate, percent per year, in force from a date until the next point.</summary>
public sealed record KeyRatePoint(DateOnly From, decimal Percent);

/// <summary>
/// Days on which no penalty accrues (ПП 424: 06.04–31.12.2020). <see cref="OnlyDebtsDueBefore"/> limits a
/// window to debts that fell due before a date (the 2022 bankruptcy moratorium covered obligations that arose
/// before 01.04.2022). The bounds are where courts and published calculators differ by a day (the 2020 window
/// through 31.12.2020 or 01.01.2021, the 2022 one through 30.09 or 01.10.2022): they are data, not code.
/// </summary>
public sealed record Moratorium(DateRange Days, string Name, DateOnly? OnlyDebtsDueBefore = null)
{
    /// <summary>A window from its first to its last day, both inclusive, as acts and court decisions write them.</summary>
    public static Moratorium Inclusive(DateOnly first, DateOnly last, string name, DateOnly? onlyDebtsDueBefore = null) =>
        new(new DateRange(first, last.AddDays(1)), name, onlyDebtsDueBefore);
}

/// <summary>Days on which the rate is min(cap, rate on the payment day) (ПП 474 and its extensions: 9.5 %).</summary>
public sealed record RateCap(DateRange Days, decimal CapPercent, string Name);

/// <summary>The due day of a billing period's charges: the given day of the following month, for periods from <see cref="FromPeriod"/> on.</summary>
public sealed record DueDayRule(BillingPeriod FromPeriod, int DayOfNextMonth);

/// <summary>
/// Dated configuration of the penalty rules. Every <c>[uncertain]</c> item of penalties.md is an option here
/// with the documented default.
/// </summary>
public sealed record PenaltyRules
{
    public required IReadOnlyList<KeyRatePoint> KeyRates { get; init; }

    public IReadOnlyList<Moratorium> Moratoria { get; init; } = DefaultMoratoria;

    public IReadOnlyList<RateCap> Caps { get; init; } = DefaultCaps;

    /// <summary>ЖК 155 ч. 1: the 10th up to February 2026, the 15th from March 2026 (ФЗ 177-ФЗ of 2025).</summary>
    public IReadOnlyList<DueDayRule> DueDays { get; init; } = [new(new BillingPeriod(2000, 1), 10), new(new BillingPeriod(2026, 3), 15)];

    /// <summary>Whether the day of payment accrues a penalty [uncertain; most published calculators include it].</summary>
    public bool IncludePaymentDay { get; init; } = true;

    /// <summary>
    /// Whether the calculation date accrues a penalty on the part still unpaid on it [uncertain: a claim counted "по дату
    /// расчёта включительно" includes it, some courts and calculators stop the day before]; default on.
    /// </summary>
    public bool IncludeCalculationDay { get; init; } = true;

    /// <summary>Move a due date that falls on a non-working day to the next working day (ГК ст. 193) [uncertain; default on].</summary>
    public bool ShiftDueDateToWorkingDay { get; init; } = true;

    /// <summary>Public holidays of the production calendar; Saturdays and Sundays are always non-working.</summary>
    public IReadOnlySet<DateOnly> Holidays { get; init; } = new HashSet<DateOnly>();

    public static readonly IReadOnlyList<Moratorium> DefaultMoratoria =
    [
        Moratorium.Inclusive(new DateOnly(2020, 4, 6), new DateOnly(2020, 12, 31), "Мораторий ПП № 424"),
        Moratorium.Inclusive(new DateOnly(2022, 4, 1), new DateOnly(2022, 10, 1), "Мораторий на банкротство ПП № 497", new DateOnly(2022, 4, 1)),
    ];

    public static readonly IReadOnlyList<RateCap> DefaultCaps =
    [
        new(new DateRange(new DateOnly(2022, 2, 28), new DateOnly(2027, 1, 1)), 9.5m, "Ограничение ставки ПП № 474"),
    ];

    /// <summary>
    /// Whether a day before the first point of <see cref="KeyRates"/> takes the first point's rate. Off, such a day has no
    /// rate and <see cref="KeyRateOn"/> throws: the public calculator asks its caller for a longer table. On for the
    /// ledger (<c>PenaltyPosting</c>), which has no one to ask: a stored debt or payment older than its table (history
    /// migrated from another system) must never stop an account's statement or the month's penalties, and the earliest
    /// known rate is the nearest fact [assumption; the built-in table starts on 01.01.2016, when the refinancing rate
    /// became the key rate].
    /// </summary>
    public bool FirstRateForEarlierDays { get; init; }

    /// <summary>
    /// Every rule as text, the same for the same rules: the ledger keeps it with each penalty run, and a run whose rules
    /// differ from the last one's recomputes the penalties of all history rather than of the open debts alone.
    /// </summary>
    public string Fingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (var r in KeyRates.OrderBy(r => r.From)) text.Append(CultureInfo.InvariantCulture, $"rate {r.From:yyyy-MM-dd} {r.Percent};");
        foreach (var m in Moratoria) text.Append(CultureInfo.InvariantCulture, $"moratorium {m.Days.From:yyyy-MM-dd} {m.Days.To:yyyy-MM-dd} {m.OnlyDebtsDueBefore:yyyy-MM-dd};");
        foreach (var c in Caps) text.Append(CultureInfo.InvariantCulture, $"cap {c.Days.From:yyyy-MM-dd} {c.Days.To:yyyy-MM-dd} {c.CapPercent};");
        foreach (var d in DueDays) text.Append(CultureInfo.InvariantCulture, $"due {d.FromPeriod} {d.DayOfNextMonth};");
        foreach (var h in Holidays.Order()) text.Append(CultureInfo.InvariantCulture, $"holiday {h:yyyy-MM-dd};");
        text.Append(CultureInfo.InvariantCulture, $"payment day {IncludePaymentDay}; calculation day {IncludeCalculationDay}; shift {ShiftDueDateToWorkingDay}; first rate {FirstRateForEarlierDays}");
        return text.ToString();
    }

    /// <summary>The key rate in force on a day (the latest point not after it).</summary>
    /// <exception cref="InvalidOperationException">No rate on that day (see <see cref="FirstRateForEarlierDays"/>).</exception>
    public decimal KeyRateOn(DateOnly day) =>
        TryKeyRateOn(day) ?? throw new InvalidOperationException($"Нет ключевой ставки на {day:dd.MM.yyyy}");

    /// <summary>The key rate in force on a day, or null when the table has none for it.</summary>
    public decimal? TryKeyRateOn(DateOnly day)
    {
        KeyRatePoint? found = null, first = null;
        foreach (var p in KeyRates)
        {
            if (p.From <= day && (found is null || p.From > found.From)) found = p;
            if (first is null || p.From < first.From) first = p;
        }
        return found?.Percent ?? (FirstRateForEarlierDays ? first?.Percent : null);
    }

    /// <summary>The last timely day of payment for a period's charges.</summary>
    public DateOnly DueDate(BillingPeriod period)
    {
        var rule = DueDays.Where(r => r.FromPeriod <= period).MaxBy(r => r.FromPeriod)
                   ?? throw new InvalidOperationException($"Нет правила срока оплаты для периода {period}");
        // The next month by its first day, not by period.Next(): the month after 2099-12 has debts falling due too.
        var next = period.End;
        var due = new DateOnly(next.Year, next.Month, Math.Min(rule.DayOfNextMonth, DateTime.DaysInMonth(next.Year, next.Month)));
        if (ShiftDueDateToWorkingDay)
            while (due.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || Holidays.Contains(due)) due = due.AddDays(1);
        return due;
    }
}
