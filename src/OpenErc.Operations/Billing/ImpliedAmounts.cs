using System.Numerics;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>
/// What the view <c>charge_line_details</c> gives for a line whose unrounded amount or amount the details leave empty,
/// computed here exactly as the database computes it: the product <c>P</c> of volume, rate, coefficient and day factor
/// (numeric multiplication is exact), the unrounded amount <c>net_decimal(P)</c> — the .NET decimal nearest to it: as
/// many decimals as fit in 96 bits, at most 28, rounded half away from zero — and the amount <c>round(P, 2)</c>. The
/// details leave a value empty only where this gives the line's own (a product the calculator rounded half to even at
/// a tie keeps its unrounded amount), so nothing depends on the two roundings agreeing.
/// </summary>
internal static class ImpliedAmounts
{
    private static readonly BigInteger Limit = BigInteger.One << 96;
    // Four factors of at most 28 decimals: a product's scale is at most 112; no other power asked exceeds that.
    private static readonly BigInteger[] Powers = [.. Enumerable.Range(0, 113).Select(k => BigInteger.Pow(10, k))];

    /// <summary>
    /// Whether the view gives the line's unrounded amount from its product, and whether it gives its amount — from the
    /// product when the unrounded amount is, else from the unrounded amount written.
    /// </summary>
    public static (bool Unrounded, bool Amount) Of(ChargeLine l)
    {
        bool unrounded = FromProduct(l, out bool amount);
        return (unrounded, unrounded ? amount : Money.RoundToKopecks(l.Unrounded) == l.Amount);
    }

    /// <summary>Whether <c>net_decimal(P)</c> is the line's unrounded amount; <paramref name="amount"/>: whether <c>round(P, 2)</c> is its amount.</summary>
    private static bool FromProduct(ChargeLine l, out bool amount)
    {
        // Without a rounding in the decimal multiplications (the usual case), they are the exact product.
        if (Exact(l.Volume, l.Rate, out var a) && Exact(a, l.Coefficient, out var b) && Exact(b, l.DayFactor, out var p))
        {
            amount = Money.RoundToKopecks(p) == l.Amount;
            return p == l.Unrounded;
        }
        var (m, e) = Parts(l.Volume);
        foreach (var factor in (ReadOnlySpan<decimal>)[l.Rate, l.Coefficient, l.DayFactor])
        {
            var (fm, fe) = Parts(factor);
            (m, e) = (m * fm, e + fe);
        }
        var (u, us) = Parts(l.Unrounded);
        var (n, ns) = NetDecimal(m, e);
        var (kopecks, scale) = Parts(l.Amount.Amount);
        amount = Round(m, e, 2) * Powers[scale] == kopecks * 100;
        return ns >= 0 && n * Powers[us] == u * Powers[ns]; // a negative scale is a number beyond any decimal
    }

    private static bool Exact(decimal x, decimal y, out decimal product)
    {
        try
        {
            product = x * y;
        }
        catch (OverflowException) // beyond decimal's range (never a charge): the exact path decides
        {
            product = 0m;
            return false;
        }
        return product.Scale == x.Scale + y.Scale; // a rounded product has fewer decimals than its factors together
    }

    /// <summary>The SQL function <c>net_decimal</c> (migration <c>CompactLedger</c>): the mantissa and scale of its result.</summary>
    private static (BigInteger Mantissa, int Scale) NetDecimal(BigInteger m, int e)
    {
        var whole = BigInteger.Abs(m) / Powers[e];
        int digits = 0;
        while (digits < Powers.Length - 1 && whole >= Powers[digits]) digits++;
        int s = Math.Min(28, 29 - digits);
        var r = Round(m, e, s);
        if (BigInteger.Abs(r) >= Limit) r = Round(m, e, --s);
        return (r, s);
    }

    /// <summary>The mantissa of <c>m·10⁻ᵉ</c> rounded half away from zero to <paramref name="s"/> decimals.</summary>
    private static BigInteger Round(BigInteger m, int e, int s)
    {
        if (s >= e) return m * Powers[s - e];
        var q = Powers[e - s];
        var r = (BigInteger.Abs(m) + q / 2) / q;
        return m.Sign < 0 ? -r : r;
    }

    private static (BigInteger Mantissa, int Scale) Parts(decimal x)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(x, bits);
        var m = (BigInteger)unchecked(((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0]); // the 96 bits of the mantissa
        return (bits[3] < 0 ? -m : m, x.Scale);
    }
}
