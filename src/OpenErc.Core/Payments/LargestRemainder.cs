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
        int n = weights.Count;
        if (n == 0) throw new ArgumentException("Нет долей для распределения", nameof(weights));
        decimal total = 0;
        for (int i = 0; i < n; i++)
        {
            if (weights[i] <= 0) throw new ArgumentException("Доли распределения должны быть положительными", nameof(weights));
            total += weights[i];
        }
        if (Kopecks(amount, weights, total) is { } whole) return whole;
        var parts = new decimal[n];
        var remainders = new decimal[n];
        decimal given = 0;
        for (int i = 0; i < n; i++)
        {
            decimal exact = amount * weights[i] / total;
            parts[i] = decimal.Truncate(exact * 100m) / 100m;
            remainders[i] = exact - parts[i];
            given += parts[i];
        }
        long kopecks = (long)((amount - given) * 100m);
        if (kopecks == 0) return parts;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = remainders[b].CompareTo(remainders[a]);
            if (c == 0) c = weights[b].CompareTo(weights[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        for (int k = 0; k < kopecks; k++) parts[order[k]] += 0.01m;
        return parts;
    }

    /// <summary>
    /// The same split in whole kopecks when every weight is whole kopecks (amounts of money always are): the shares
    /// and their remainders are exact integers over the same denominator, with no decimal division.
    /// </summary>
    private static decimal[]? Kopecks(decimal amount, IReadOnlyList<decimal> weights, decimal total)
    {
        int n = weights.Count;
        var w = new long[n];
        for (int i = 0; i < n; i++)
        {
            decimal k = weights[i] * 100m;
            if (k != decimal.Truncate(k) || k > long.MaxValue / 2) return null;
            w[i] = (long)k;
        }
        Int128 a = (long)(amount * 100m), t = (long)(total * 100m);
        var parts = new long[n];
        var remainders = new long[n];
        long given = 0;
        for (int i = 0; i < n; i++)
        {
            var (q, r) = Int128.DivRem(a * w[i], t);
            parts[i] = (long)q;
            remainders[i] = (long)r;
            given += parts[i];
        }
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
            for (int k = 0; k < kopecks; k++) parts[order[k]]++;
        }
        var result = new decimal[n];
        for (int i = 0; i < n; i++) result[i] = parts[i] / 100m;
        return result;
    }
}
