namespace OpenErc.Core.Payments;

/// <summary>
/// Kopeck-exact proportional split (payments.md §5): every share truncated to kopecks, the kopecks left over given one
/// by one to the largest truncated remainders — ties to the larger weight, then to the earlier line. The parts add up
/// to the amount exactly; naive rounding of each share can miss it by a kopeck either way.
/// </summary>
public static class LargestRemainder
{
    /// <summary>
    /// Splits <paramref name="amount"/> (kopecks, ≥ 0) in proportion to positive <paramref name="weights"/> (kopecks:
    /// the weights are always sums of money); no part exceeds its weight when the amount does not exceed their sum.
    /// The shares and their remainders are exact integers over one denominator: no decimal division, no rounding.
    /// </summary>
    public static decimal[] Split(decimal amount, IReadOnlyList<decimal> weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (decimal.Round(amount, 2) != amount) throw new ArgumentException($"Сумма {amount} не в копейках", nameof(amount));
        int n = weights.Count;
        if (n == 0) throw new ArgumentException("Нет долей для распределения", nameof(weights));
        var w = new long[n];
        Int128 total = 0;
        for (int i = 0; i < n; i++)
        {
            if (weights[i] <= 0) throw new ArgumentException("Доли распределения должны быть положительными", nameof(weights));
            if (decimal.Round(weights[i], 2) != weights[i]) throw new ArgumentException($"Доля {weights[i]} не в копейках", nameof(weights));
            w[i] = (long)(weights[i] * 100m);
            total += w[i];
        }
        Int128 a = (long)(amount * 100m);
        var parts = new long[n];
        var remainders = new Int128[n];
        long given = 0;
        // Amounts and weights of everyday money (under 2^31 kopecks, about 21 million roubles) multiply within a long.
        bool small = a < int.MaxValue && total < int.MaxValue;
        for (int i = 0; i < n; i++)
        {
            if (small)
            {
                long product = (long)a * w[i];
                parts[i] = Math.DivRem(product, (long)total, out long r);
                remainders[i] = r;
            }
            else
            {
                var (q, r) = Int128.DivRem(a * w[i], total);
                parts[i] = (long)q;
                remainders[i] = r;
            }
            given += parts[i];
        }
        // Fewer kopecks are left than there are lines: one each to the largest remainders (ties: larger weight, then
        // earlier line). Sorting the lines by that order keeps a split of many lines n·log n.
        long kopecks = (long)a - given;
        if (kopecks > 0)
        {
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Array.Sort(order, (x, y) =>
            {
                int c = remainders[y].CompareTo(remainders[x]);
                if (c == 0) c = w[y].CompareTo(w[x]);
                return c != 0 ? c : x.CompareTo(y);
            });
            for (long k = 0; k < kopecks; k++) parts[order[k]]++;
        }
        var result = new decimal[n];
        for (int i = 0; i < n; i++) result[i] = new decimal(unchecked((int)parts[i]), (int)(parts[i] >> 32), 0, false, 2);
        return result;
    }
}
