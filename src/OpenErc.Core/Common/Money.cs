namespace OpenErc.Core.Common;

/// <summary>Roubles, always a whole number of kopecks.</summary>
public readonly record struct Money
{
    private Money(decimal amount) => Amount = amount;

    /// <summary>Amount in roubles with at most two fraction digits.</summary>
    public decimal Amount { get; }

    public static Money Zero => default;

    /// <summary>Wraps an amount that is already whole kopecks; anything finer is a bug.</summary>
    public static Money Exact(decimal amount) => decimal.Round(amount, 2) == amount
        ? new(amount)
        : throw new ArgumentException($"Not whole kopecks: {amount}", nameof(amount));

    /// <summary>The only way from an unrounded product to Money: half away from zero, once.</summary>
    public static Money RoundToKopecks(decimal unrounded) =>
        new(decimal.Round(unrounded, 2, MidpointRounding.AwayFromZero));

    public static Money FromKopecks(long kopecks) => new(kopecks / 100m);

    public long Kopecks => (long)(Amount * 100m);

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount);
    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount);
    public static Money operator -(Money a) => new(-a.Amount);

    public override string ToString() => Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
