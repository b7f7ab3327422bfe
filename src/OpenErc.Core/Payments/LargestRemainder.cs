namespace OpenErc.Core.Payments;

/// <summary>
/// Kopeck-exact proportional split (payments.md §5): every share truncated to kopecks, the kopecks left over given one
/// by one to the largest truncated remainders — ties to the larger weight, then to the earlier line. The parts add up
/// to the amount exactly; naive rounding of each share can miss it by a kopeck either way.
/// </summary>
public static class LargestRemainder
{
    /// <summary>Splits <paramref name="amount"/> (kopecks, ≥ 0) in proportion to positive <paramref name="weights"/>; no part exceeds its weight when the amount does not exceed their sum.</summary>
    public static decimal[] Split(decimal amount, IReadOnlyList<decimal> weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (decimal.Round(amount, 2) != amount) throw new ArgumentException($"Сумма {amount} не в копейках", nameof(amount));
        if (weights.Count == 0) throw new ArgumentException("Нет долей для распределения", nameof(weights));
        if (weights.Any(w => w <= 0)) throw new ArgumentException("Доли распределения должны быть положительными", nameof(weights));
        decimal total = weights.Sum();
        var parts = new decimal[weights.Count];
        var remainders = new decimal[weights.Count];
        for (int i = 0; i < weights.Count; i++)
        {
            decimal exact = amount * weights[i] / total;
            parts[i] = decimal.Truncate(exact * 100m) / 100m;
            remainders[i] = exact - parts[i];
        }
        long kopecks = (long)((amount - parts.Sum()) * 100m);
        foreach (int i in Enumerable.Range(0, weights.Count)
                     .OrderByDescending(i => remainders[i]).ThenByDescending(i => weights[i]).ThenBy(i => i).Take((int)kopecks))
            parts[i] += 0.01m;
        return parts;
    }
}
