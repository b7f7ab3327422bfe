using OpenErc.Core.Common;

namespace OpenErc.Core.Penalties;

/// <summary>A debt chunk: the principal of one account × recipient/service × billing period, due on <see cref="DueDate"/> inclusive.</summary>
public sealed record DebtChunk(decimal Amount, DateOnly DueDate, PenaltySchedule Schedule = PenaltySchedule.Housing, string? Label = null);

/// <summary>A payment applied to a chunk's principal on a date.</summary>
public sealed record ChunkPayment(DateOnly Date, decimal Amount);

/// <summary>
/// Why a row of the day-by-day table accrues what it does: the code that logic and display switch on (the row's
/// Russian <see cref="PenaltyRow.Note"/> is for display only).
/// </summary>
public enum PenaltyRowNote
{
    /// <summary>ЖК 155 ч. 14: days 1–30 of delay accrue nothing.</summary>
    Grace = 1,

    /// <summary>A moratorium window (<see cref="PenaltyRow.Window"/>): nothing accrues.</summary>
    Moratorium = 2,

    /// <summary>ЖК 155 ч. 14: days 31–90 of delay at 1/300 of the rate.</summary>
    OneThreeHundredth = 3,

    /// <summary>ЖК 155 ч. 14: from the 91st day of delay at 1/130 of the rate.</summary>
    OneHundredThirtieth = 4,

    /// <summary>ЖК 155 ч. 14.1 (capital repair): 1/300 of the rate from the day after the due date.</summary>
    CapitalRepair = 5,
}

/// <summary>
/// One row of the day-by-day table for a court claim: consecutive days of one portion with the same
/// fraction, rate and note. <see cref="Amount"/> is unrounded (<see cref="PenaltyCalculator.Accrued"/>); the
/// portion total is rounded once.
/// </summary>
public sealed record PenaltyRow(
    decimal Debt, DateOnly From, DateOnly To, int Days, int FirstDayOfDelay, decimal RatePercent, int Divisor, decimal Amount, PenaltyRowNote Code,
    Moratorium? Window = null)
{
    /// <summary>The Russian note of a row that accrues nothing (the moratorium's name, the grace period); null otherwise.</summary>
    public string? Note => Code switch
    {
        PenaltyRowNote.Moratorium => Window?.Name ?? "Мораторий",
        PenaltyRowNote.Grace => "Льготный период (30 дней)",
        _ => null,
    };

    /// <summary>"5000.00 × 9.5 % × 1/300 × 60 дн." — how the row's amount was obtained.</summary>
    public string Formula => Divisor == 0
        ? Note ?? "не начисляется"
        : $"{Debt:0.00} × {RatePercent:0.####} % × 1/{Divisor} × {Days} дн.";
}

/// <summary>A portion of the chunk that ended on one date (a payment, or the calculation date for what is still unpaid).</summary>
public sealed record PenaltyPortion(decimal Debt, DateOnly End, bool Paid, decimal RatePercent, IReadOnlyList<PenaltyRow> Rows, Money Penalty);

public sealed record PenaltyResult(DebtChunk Chunk, DateOnly CalculatedOn, IReadOnlyList<PenaltyPortion> Portions)
{
    public Money Total => Portions.Aggregate(Money.Zero, (sum, p) => sum + p.Penalty);
}

/// <summary>
/// Пени under ЖК РФ ст. 155 ч. 14 and 14.1 (penalties.md §5): per portion of the chunk (each paid part and
/// the part still unpaid), per day of delay, at the fraction of the day's schedule and the key rate in force on
/// the portion's end date (capped where a cap window says so), nothing on moratorium days; the portion's sum is
/// rounded once to kopecks, half away from zero.
/// </summary>
/// <remarks>
/// A day's terms change only on a few days: the 31st and 91st day of delay and the bounds of the moratorium and cap
/// windows. The rows are the stretches between those days, so a portion costs as many steps as it has rows, not days
/// (a debt of 2000 paid in 2100 is as cheap as one paid next month), and each row's amount is one product divided
/// once (<see cref="Accrued"/>) rather than a sum of day amounts that were each cut to 28 digits.
/// </remarks>
public static class PenaltyCalculator
{
    public static PenaltyResult Calculate(DebtChunk chunk, IEnumerable<ChunkPayment> payments, DateOnly calculatedOn, PenaltyRules rules)
    {
        if (chunk.Amount <= 0) return new PenaltyResult(chunk, calculatedOn, []);
        var portions = new List<PenaltyPortion>();
        decimal left = chunk.Amount;
        foreach (var payment in payments.Where(p => p.Date <= calculatedOn).OrderBy(p => p.Date))
        {
            if (left <= 0) break;
            var paid = Math.Min(payment.Amount, left);
            if (paid <= 0) continue;
            portions.Add(Portion(chunk, paid, payment.Date, paid: true, rules));
            left -= paid;
        }
        if (left > 0) portions.Add(Portion(chunk, left, calculatedOn, paid: false, rules));
        return new PenaltyResult(chunk, calculatedOn, portions);
    }

    /// <summary>
    /// A row's unrounded penalty: debt (₽) × rate (% per year) × days / (100 × divisor), ЖК 155 ч. 14 and 14.1. The
    /// product is exact in decimal; the one division rounds at the 28th significant digit. Zero for a row without a
    /// divisor (grace, moratorium).
    /// </summary>
    public static decimal Accrued(decimal debt, decimal ratePercent, int days, int divisor) =>
        divisor == 0 ? 0m : debt * ratePercent * days / (100m * divisor);

    private static PenaltyPortion Portion(DebtChunk chunk, decimal debt, DateOnly end, bool paid, PenaltyRules rules)
    {
        bool endAccrues = paid ? rules.IncludePaymentDay : rules.IncludeCalculationDay;
        var last = endAccrues || end == DateOnly.MinValue ? end : end.AddDays(-1);
        // The rate is read only when a day accrues: a portion paid within the grace period, or before the debt was even
        // due (a payment dated years back, before the key-rate table starts), needs none and never fails for the lack of one.
        decimal? keyRate = null;
        var rows = Rows(chunk, debt, last, () => keyRate ??= rules.KeyRateOn(end), rules);
        decimal total = 0m;
        foreach (var row in rows) total += row.Amount;
        // A portion that accrued nothing shows the rate of its end when the table has one, else 0.
        return new PenaltyPortion(debt, end, paid, keyRate ?? rules.TryKeyRateOn(end) ?? 0m, rows, Money.RoundToKopecks(total));
    }

    /// <summary>The rows from the day after the due date to <paramref name="last"/>: stretches of equal terms, merged when neighbours agree.</summary>
    private static List<PenaltyRow> Rows(DebtChunk chunk, decimal debt, DateOnly last, Func<decimal> keyRate, PenaltyRules rules)
    {
        // Day numbers, not DateOnly.AddDays: a stored date at either end of the calendar (01.01.0001, 31.12.9999) must not
        // overflow; a row's own days are always within it.
        var rows = new List<PenaltyRow>();
        int due = chunk.DueDate.DayNumber, from = due + 1;
        foreach (int next in Changes(chunk, from, last.DayNumber, rules))
        {
            var day = DateOnly.FromDayNumber(from);
            int k = from - due, days = next - from;
            var (code, divisor, rate, window) = DayTerms(chunk, day, k, keyRate, rules);
            var to = DateOnly.FromDayNumber(next - 1);
            var prev = rows.Count > 0 ? rows[^1] : null;
            if (prev is not null && prev.Code == code && prev.Divisor == divisor && prev.RatePercent == rate && prev.Window == window)
                rows[^1] = prev with { To = to, Days = prev.Days + days };
            else
                rows.Add(new PenaltyRow(debt, day, to, days, k, rate, divisor, 0m, code, window));
            from = next;
        }
        for (int i = 0; i < rows.Count; i++)
            rows[i] = rows[i] with { Amount = Accrued(debt, rows[i].RatePercent, rows[i].Days, rows[i].Divisor) };
        return rows;
    }

    /// <summary>
    /// The day numbers after <paramref name="first"/> up to <paramref name="last"/> on which a day's terms may change, in
    /// order, then the one after <paramref name="last"/>: each is the exclusive end of a stretch of equal terms. Empty when
    /// <paramref name="last"/> is before <paramref name="first"/>.
    /// </summary>
    private static List<int> Changes(DebtChunk chunk, int first, int last, PenaltyRules rules)
    {
        var days = new List<int>();
        if (last < first) return days;
        void Add(int day)
        {
            if (day > first && day <= last) days.Add(day);
        }
        void AddDate(DateOnly? day)
        {
            if (day is { } d) Add(d.DayNumber);
        }
        if (chunk.Schedule != PenaltySchedule.CapitalRepair)
        {
            Add(chunk.DueDate.DayNumber + 31);
            Add(chunk.DueDate.DayNumber + 91);
        }
        foreach (var m in rules.Moratoria)
        {
            AddDate(m.Days.From);
            AddDate(m.Days.To);
        }
        foreach (var cap in rules.Caps)
        {
            AddDate(cap.Days.From);
            AddDate(cap.Days.To);
        }
        days.Sort();
        days.Add(last + 1);
        int n = 0;
        for (int i = 0; i < days.Count; i++)
            if (n == 0 || days[i] != days[n - 1]) days[n++] = days[i];
        days.RemoveRange(n, days.Count - n);
        return days;
    }

    private static (PenaltyRowNote Code, int Divisor, decimal Rate, Moratorium? Window) DayTerms(DebtChunk chunk, DateOnly day, int k, Func<decimal> keyRate, PenaltyRules rules)
    {
        foreach (var m in rules.Moratoria)
            if (m.Days.Contains(day) && (m.OnlyDebtsDueBefore is null || chunk.DueDate < m.OnlyDebtsDueBefore))
                return (PenaltyRowNote.Moratorium, 0, 0m, m);
        var (code, divisor) = chunk.Schedule switch
        {
            PenaltySchedule.CapitalRepair => (PenaltyRowNote.CapitalRepair, 300),
            _ => k <= 30 ? (PenaltyRowNote.Grace, 0) : k <= 90 ? (PenaltyRowNote.OneThreeHundredth, 300) : (PenaltyRowNote.OneHundredThirtieth, 130),
        };
        if (divisor == 0) return (code, 0, 0m, null);
        decimal rate = keyRate();
        foreach (var cap in rules.Caps)
            if (cap.Days.Contains(day)) rate = Math.Min(rate, cap.CapPercent);
        return (code, divisor, rate, null);
    }
}
