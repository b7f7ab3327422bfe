namespace OpenErc.Core.Organisations;

/// <summary>
/// Check digits of Russian organisation requisites. Each <c>Check*</c> returns null when the value
/// is valid, otherwise the message (in Russian) to show next to the field.
/// </summary>
public static class Requisites
{
    private static readonly int[] Inn10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    private static readonly int[] Inn11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    private static readonly int[] Inn12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    private static readonly int[] AccountWeights = [7, 1, 3];

    /// <summary>ИНН: 10 digits (organisation) or 12 (individual), control digits by weighted sums mod 11 mod 10.</summary>
    public static string? CheckInn(string? inn)
    {
        if (string.IsNullOrEmpty(inn)) return "Укажите ИНН";
        if (!AllDigits(inn) || inn.Length is not (10 or 12)) return "ИНН должен состоять из 10 или 12 цифр";
        bool ok = inn.Length == 10
            ? InnDigit(inn, Inn10) == inn[9] - '0'
            : InnDigit(inn, Inn11) == inn[10] - '0' && InnDigit(inn, Inn12) == inn[11] - '0';
        return ok ? null : "Неверное контрольное число ИНН";
    }

    /// <summary>КПП: 9 characters — tax office code (4 digits), reason (2 digits or capital Latin letters), number (3 digits).</summary>
    public static string? CheckKpp(string? kpp)
    {
        if (string.IsNullOrEmpty(kpp)) return "Укажите КПП";
        bool ok = kpp.Length == 9 && AllDigits(kpp[..4]) && AllDigits(kpp[6..])
                  && kpp[4..6].All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c));
        return ok ? null : "КПП должен состоять из 9 символов: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры";
    }

    /// <summary>ОГРН (13 digits: first 12 mod 11 mod 10) or ОГРНИП (15 digits: first 14 mod 13 mod 10).</summary>
    public static string? CheckOgrn(string? ogrn)
    {
        if (string.IsNullOrEmpty(ogrn)) return "Укажите ОГРН";
        if (!AllDigits(ogrn) || ogrn.Length is not (13 or 15)) return "ОГРН должен состоять из 13 цифр (ОГРНИП — из 15)";
        return OgrnDigit(ogrn[..^1]) == ogrn[^1] - '0' ? null : "Неверное контрольное число ОГРН";
    }

    /// <summary>БИК: 9 digits; Russian bank identifiers start with 04.</summary>
    public static string? CheckBik(string? bik)
    {
        if (string.IsNullOrEmpty(bik)) return "Укажите БИК";
        return AllDigits(bik) && bik.Length == 9 && bik.StartsWith("04", StringComparison.Ordinal)
            ? null : "БИК должен состоять из 9 цифр и начинаться с 04";
    }

    /// <summary>Settlement account (расчётный счёт): 20 digits whose key (digit 9) checks against the last three digits of the БИК.</summary>
    public static string? CheckSettlementAccount(string? account, string? bik)
    {
        if (string.IsNullOrEmpty(account)) return "Укажите расчётный счёт";
        if (!AllDigits(account) || account.Length != 20) return "Расчётный счёт должен состоять из 20 цифр";
        if (CheckBik(bik) is not null) return "Сначала укажите верный БИК";
        return AccountKeyValid(bik![^3..] + account) ? null : "Ключ расчётного счёта не сходится с БИК";
    }

    /// <summary>Correspondent account: 20 digits starting 30101, key checked against "0" + digits 5–6 of the БИК.</summary>
    public static string? CheckCorrespondentAccount(string? account, string? bik)
    {
        if (string.IsNullOrEmpty(account)) return "Укажите корреспондентский счёт";
        if (!AllDigits(account) || account.Length != 20 || !account.StartsWith("30101", StringComparison.Ordinal))
            return "Корреспондентский счёт должен состоять из 20 цифр и начинаться с 30101";
        if (CheckBik(bik) is not null) return "Сначала укажите верный БИК";
        return AccountKeyValid("0" + bik![4..6] + account) ? null : "Ключ корреспондентского счёта не сходится с БИК";
    }

    /// <summary>Completes a 9-digit prefix into a valid 10-digit ИНН.</summary>
    public static string CompleteInn10(string prefix9) => prefix9 + InnDigit(prefix9, Inn10);

    /// <summary>Completes a 12- or 14-digit prefix into a valid ОГРН / ОГРНИП.</summary>
    public static string CompleteOgrn(string prefix) => prefix + OgrnDigit(prefix);

    /// <summary>Sets the key digit (position 9) of a 20-digit account so that it checks against the БИК.</summary>
    public static string CompleteSettlementAccount(string account20, string bik) => WithKey(account20, bik[^3..]);

    public static string CompleteCorrespondentAccount(string account20, string bik) => WithKey(account20, "0" + bik[4..6]);

    private static string WithKey(string account20, string prefix3)
    {
        var chars = account20.ToCharArray();
        for (char key = '0'; key <= '9'; key++)
        {
            chars[8] = key;
            if (AccountKeyValid(prefix3 + new string(chars))) return new string(chars);
        }
        throw new InvalidOperationException("No key digit fits"); // unreachable: weight 1 at position 9 hits every residue
    }

    private static bool AccountKeyValid(string digits23)
    {
        int sum = 0;
        for (int i = 0; i < digits23.Length; i++)
            sum += (digits23[i] - '0') * AccountWeights[i % 3] % 10;
        return sum % 10 == 0;
    }

    private static int InnDigit(string inn, int[] weights)
    {
        int sum = 0;
        for (int i = 0; i < weights.Length; i++) sum += (inn[i] - '0') * weights[i];
        return sum % 11 % 10;
    }

    private static int OgrnDigit(string body) =>
        (int)(long.Parse(body, System.Globalization.CultureInfo.InvariantCulture) % (body.Length == 12 ? 11 : 13) % 10);

    private static bool AllDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
