namespace OpenErc.Core.Accounts;

/// <summary>
/// The 10-digit personal account number printed on the ЕПД: 9 digits of serial number and a Luhn check
/// digit, so that a mistyped digit or swapped neighbours are caught at the cash desk and in bank registries.
/// </summary>
public static class AccountNumber
{
    /// <summary>Digits in a number.</summary>
    public const int Length = 10;

    public static string Create(long serial)
    {
        if (serial is < 1 or > 999_999_999) throw new ArgumentOutOfRangeException(nameof(serial), serial, "Порядковый номер ЛС вне диапазона");
        var body = serial.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        return body + LuhnDigit(body);
    }

    /// <summary>Null when valid, otherwise the message in Russian.</summary>
    public static string? Check(string? number)
    {
        if (string.IsNullOrEmpty(number)) return "Укажите номер лицевого счёта";
        if (number.Length != Length || !number.All(char.IsAsciiDigit)) return "Номер лицевого счёта должен состоять из 10 цифр";
        return LuhnDigit(number[..9]) == number[9] - '0' ? null : "Неверная контрольная цифра номера лицевого счёта";
    }

    private static int LuhnDigit(string body)
    {
        int sum = 0;
        for (int i = 0; i < body.Length; i++)
        {
            int d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }
}
