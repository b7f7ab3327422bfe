using System.Globalization;

namespace OpenErc.Core.Payments;

public enum AmountProblem
{
    None,
    /// <summary>Not a number of roubles with at most two decimals after a point.</summary>
    Format,
    /// <summary>Zero or negative.</summary>
    TooSmall,
    /// <summary>Above <see cref="PaymentAmount.Max"/>.</summary>
    TooLarge,
}

/// <summary>The amount of a payment a citizen or an agent sends online: roubles with kopecks, positive, at most <see cref="Max"/>.</summary>
public static class PaymentAmount
{
    /// <summary>The largest single online payment: far above any month of housing services, small enough to catch a mistyped amount.</summary>
    public const decimal Max = 1_000_000m;

    /// <summary>The problem with the amount and its message in Russian, or <see cref="AmountProblem.None"/> and null.</summary>
    public static (AmountProblem Problem, string? Message) Check(decimal amount) =>
        decimal.Round(amount, 2) != amount ? (AmountProblem.Format, "Сумма платежа — рубли с копейками, не больше двух знаков после точки")
        : amount <= 0 ? (AmountProblem.TooSmall, "Сумма платежа должна быть больше нуля")
        : amount > Max ? (AmountProblem.TooLarge, $"Сумма платежа больше {Max.ToString("N0", Ru)} ₽")
        : (AmountProblem.None, null);

    /// <summary>Parses "1234.50" (a point, as the protocols send it; a comma is taken too) and checks it.</summary>
    public static (decimal Amount, AmountProblem Problem, string? Message) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (0, AmountProblem.Format, "Не указана сумма платежа");
        if (!decimal.TryParse(text.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
            return (0, AmountProblem.Format, $"Сумма платежа должна быть числом с точкой: «{text}»");
        var (problem, message) = Check(amount);
        return (amount, problem, message);
    }

    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");
}
