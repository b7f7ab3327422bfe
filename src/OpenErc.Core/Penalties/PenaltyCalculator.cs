using OpenErc.Core.Common;

namespace OpenErc.Core.Penalties;

/// <summary>A debt chunk: the principal of one account × recipient/service × billing period, due on <see cref="DueDate"/> inclusive.</summary>
public sealed record DebtChunk(decimal Amount, DateOnly DueDate, PenaltySchedule Schedule = PenaltySchedule.Housing, string? Label = null);

/// <summary>A payment applied to a chunk's principal on a date.</summary>
public sealed record ChunkPayment(DateOnly Date, decimal Amount);

/// <summary>
/// One row of the day-by-day table for a court claim: consecutive days of one portion with the same
/// fraction and rate. <see cref="Amount"/> is unrounded; the portion total is rounded once.
/// </summary>
public sealed record PenaltyRow(
    decimal Debt, DateOnly From, DateOnly To, int Days, int FirstDayOfDelay, decimal RatePercent, int Divisor, decimal Amount, string? Note)
{
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

    private static PenaltyPortion Portion(DebtChunk chunk, decimal debt, DateOnly end, bool paid, PenaltyRules rules)
    {
        // Day numbers rather than DateOnly.AddDays: a stored date at either end of the calendar (01.01.0001, 31.12.9999)
        // must not overflow.
        int due = chunk.DueDate.DayNumber;
        int last = rules.IncludePaymentDay || !paid ? end.DayNumber : end.DayNumber - 1;
        // The rate is read only when a day accrues: a portion paid within the grace period, or before the debt was even
        // due (a payment dated years back, before the key-rate table starts), needs none and never fails for the lack of one.
        decimal? keyRate = null;
        var rows = new List<PenaltyRow>();
        decimal total = 0m;
        for (int n = due + 1; n <= last; n++)
        {
            var day = DateOnly.FromDayNumber(n);
            int k = n - due;
            var (divisor, note) = DayTerms(chunk, day, k, rules);
            decimal rate = 0m;
            if (divisor != 0) rate = Capped(keyRate ??= rules.KeyRateOn(end), day, rules);
            decimal amount = divisor == 0 ? 0m : debt * rate / 100m / divisor;
            total += amount;
            var prev = rows.Count > 0 ? rows[^1] : null;
            if (prev is not null && prev.Divisor == divisor && prev.RatePercent == rate && prev.Note == note && prev.To.DayNumber + 1 == n)
                rows[^1] = prev with { To = day, Days = prev.Days + 1, Amount = prev.Amount + amount };
            else
                rows.Add(new PenaltyRow(debt, day, day, 1, k, rate, divisor, amount, note));
        }
        // A portion that accrued nothing shows the rate of its end when the table has one, else 0.
        return new PenaltyPortion(debt, end, paid, keyRate ?? rules.TryKeyRateOn(end) ?? 0m, rows, Money.RoundToKopecks(total));
    }

    /// <summary>The fraction of a day of delay: 0 with the reason (a moratorium, the grace period), or the divisor of the rate.</summary>
    private static (int Divisor, string? Note) DayTerms(DebtChunk chunk, DateOnly day, int k, PenaltyRules rules)
    {
        foreach (var m in rules.Moratoria)
            if (m.Days.Contains(day) && (m.OnlyDebtsDueBefore is null || chunk.DueDate < m.OnlyDebtsDueBefore))
                return (0, m.Name);
        int divisor = chunk.Schedule switch
        {
            PenaltySchedule.CapitalRepair => 300,
            _ => k <= 30 ? 0 : k <= 90 ? 300 : 130,
        };
        return divisor == 0 ? (0, "Льготный период (30 дней)") : (divisor, null);
    }

    /// <summary>The rate of a day: the key rate, capped where a cap window says so.</summary>
    private static decimal Capped(decimal keyRate, DateOnly day, PenaltyRules rules)
    {
        decimal rate = keyRate;
        foreach (var cap in rules.Caps)
            if (cap.Days.Contains(day)) rate = Math.Min(rate, cap.CapPercent);
        return rate;
    }
}
