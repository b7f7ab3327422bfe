using System.Globalization;

namespace OpenErc.Core.Residents;

/// <summary>
/// СНИЛС, the insurance number of an individual account: nine digits and a two-digit check number, written
/// <c>000-000-000 00</c> (the form <see cref="Person.Snils"/> stores).
/// </summary>
public static class Snils
{
    /// <summary>Numbers up to 001-001-998 were issued before the check number was defined; they are not checked.</summary>
    private const int LastUnchecked = 1_001_998;

    /// <summary>
    /// The check number of nine digits: Σ digit × weight, the weights 9 … 1 from the left; a sum below 100 is the check
    /// number, otherwise the sum mod 101, with 100 written 00.
    /// </summary>
    public static int CheckNumber(int number)
    {
        int sum = 0;
        for (int weight = 1, rest = number; weight <= 9; weight++, rest /= 10) sum += rest % 10 * weight;
        return sum < 100 ? sum : sum % 101 % 100;
    }

    /// <summary>The number as <c>000-000-000 00</c> from that form or from 11 digits; null for any other text.</summary>
    public static string? Normalize(string text)
    {
        var t = text.Trim();
        string digits = t.Length == 14 && t[3] == '-' && t[7] == '-' && t[11] == ' ' ? string.Concat(t[..3], t[4..7], t[8..11], t[12..]) : t;
        if (digits.Length != 11 || !digits.All(char.IsAsciiDigit)) return null;
        return string.Create(CultureInfo.InvariantCulture, $"{digits[..3]}-{digits[3..6]}-{digits[6..9]} {digits[9..]}");
    }

    /// <summary>True when <paramref name="text"/> is a СНИЛС (either form) whose check number is right.</summary>
    public static bool IsValid(string text)
    {
        if (Normalize(text) is not { } n) return false;
        int number = int.Parse(string.Concat(n[..3], n[4..7], n[8..11]), CultureInfo.InvariantCulture);
        return number <= LastUnchecked || CheckNumber(number) == int.Parse(n[12..], CultureInfo.InvariantCulture);
    }
}
