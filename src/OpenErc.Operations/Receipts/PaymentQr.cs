using System.Globalization;
using OpenErc.Core.Common;
using QRCoder;

namespace OpenErc.Operations.Receipts;

/// <summary>The payee a receipt's QR code pays: who receives the money (the centre's collecting account, or a recipient paid directly).</summary>
public sealed record QrPayee(string Name, string SettlementAccount, string BankName, string Bic, string CorrespondentAccount, string Inn, string Kpp);

/// <param name="PeriodFormat">How <c>PaymPeriod</c> is written (epd-and-qr.md §4.5 [uncertain]: the standard does not fix it; <c>MMyyyy</c> by default, <c>MMyy</c> is also seen).</param>
public sealed record PaymentQrOptions(string PeriodFormat = "MMyyyy");

/// <summary>
/// The ГОСТ Р 56042-2014 payment string of a receipt (epd-and-qr.md §4), made by QRCoder's Russian payment order
/// generator: UTF-8, <c>|</c> between requisites, the five mandatory ones first, then the payee's INN and KPP, the total
/// to pay in kopecks (left out when there is nothing to pay), the purpose, the account (<c>PersAcc</c>), the period
/// (<c>PaymPeriod</c>, by which a payment is allocated to that month), the payer's address and the technical code 02
/// (housing and communal services). Separators and line breaks are removed from values; the result is checked against
/// the generator's checklist (§4.7) before it is returned.
/// </summary>
public static class PaymentQr
{
    private const char Separator = '|';

    /// <summary>The technical code of payments for housing and communal services.</summary>
    public const string HousingTechCode = "02";
    private static readonly string[] Mandatory = ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"];

    public static string Payload(QrPayee payee, string accountNumber, BillingPeriod period, decimal toPay, string? payerAddress = null,
        PaymentQrOptions? options = null)
    {
        options ??= new PaymentQrOptions();
        var month = period.FirstDay;
        var fields = new PayloadGenerator.RussiaPaymentOrder.OptionalFields
        {
            PayeeINN = payee.Inn,
            KPP = payee.Kpp,
            Sum = toPay > 0 ? Kopecks(toPay).ToString(CultureInfo.InvariantCulture) : null,
            Purpose = Clean($"Оплата ЖКУ за {month:MM.yyyy} ЛС {accountNumber}"),
            PersAcc = Clean(accountNumber),
            PaymPeriod = month.ToString(options.PeriodFormat, CultureInfo.InvariantCulture),
            PayerAddress = Clean(payerAddress),
            Category = "ЖКУ",
        };
        var order = new PayloadGenerator.RussiaPaymentOrder(Clean(payee.Name)!, payee.SettlementAccount, Clean(payee.BankName)!, payee.Bic,
            payee.CorrespondentAccount, fields, PayloadGenerator.RussiaPaymentOrder.CharacterSets.utf_8);
        // The technical code is added here: QRCoder 1.8.1 writes its enum's name («Коммунальные_услуги_ЖКХAFN»), not the code.
        var payload = order.ToString().TrimEnd(Separator) + Separator + "TechCode=" + HousingTechCode;
        if (Check(payload) is { Count: > 0 } problems)
            throw new ArgumentException($"Строка QR-кода не по ГОСТ Р 56042: {string.Join("; ", problems)}");
        return payload;
    }

    /// <summary>The requisites of a payment string by key, keys compared case-insensitively (<c>persAcc</c> is common in real bills); a trailing separator is accepted.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string payload)
    {
        if (payload.Length < 8 || !payload.StartsWith("ST0001", StringComparison.Ordinal))
            throw new FormatException("Строка QR-кода должна начинаться с ST0001");
        char separator = payload[7];
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in payload[8..].Split(separator, StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"Реквизит без «=»: «{part}»");
            fields[part[..eq]] = part[(eq + 1)..];
        }
        return fields;
    }

    /// <summary>The checklist of epd-and-qr.md §4.7, in Russian: empty when the string is right.</summary>
    public static IReadOnlyList<string> Check(string payload)
    {
        var problems = new List<string>();
        if (!payload.StartsWith("ST00012|", StringComparison.Ordinal)) problems.Add("заголовок должен быть ST00012| (UTF-8, разделитель «|»)");
        if (payload.Contains('\n') || payload.Contains('\r')) problems.Add("в строке не должно быть переводов строки");
        var parts = payload.Length > 8 ? payload[8..].TrimEnd(Separator).Split(Separator) : [];
        for (int i = 0; i < Mandatory.Length; i++)
            if (i >= parts.Length || !parts[i].StartsWith(Mandatory[i] + "=", StringComparison.Ordinal))
                problems.Add($"обязательный реквизит {Mandatory[i]} должен быть {i + 1}-м");
        foreach (var part in parts)
            if (part.IndexOf('=') is var eq && (eq <= 0 || eq == part.Length - 1)) problems.Add($"пустой реквизит «{part}»");
        if (problems.Count > 0) return problems;
        var fields = Parse(payload);
        if (!IsDigits(fields["BIC"], 9)) problems.Add("BIC — 9 цифр");
        if (!IsDigits(fields["PersonalAcc"], 20)) problems.Add("PersonalAcc — 20 цифр");
        if (fields.TryGetValue("Sum", out var sum) && (sum.Length > 18 || !sum.All(char.IsAsciiDigit))) problems.Add("Sum — целое число копеек");
        if (fields.TryGetValue("TechCode", out var techCode) && !IsDigits(techCode, 2)) problems.Add("TechCode — две цифры");
        if (fields.TryGetValue("Purpose", out var purpose) && purpose.Length > 160) problems.Add("Purpose — не длиннее 160 символов");
        if (fields["Name"].Length > 160) problems.Add("Name — не длиннее 160 символов");
        if (fields["BankName"].Length > 45) problems.Add("BankName — не длиннее 45 символов");
        return problems;
    }

    private static bool IsDigits(string value, int length) => value.Length == length && value.All(char.IsAsciiDigit);

    private static long Kopecks(decimal amount)
    {
        decimal k = amount * 100m;
        if (decimal.Truncate(k) != k) throw new ArgumentException($"Сумма {amount} не в копейках", nameof(amount));
        return (long)k;
    }

    /// <summary>A value without the separator and line breaks, trimmed; null when nothing is left.</summary>
    private static string? Clean(string? value)
    {
        if (value is null) return null;
        var text = value.Replace(Separator, ' ').Replace('\r', ' ').Replace('\n', ' ').Trim();
        return text.Length > 0 ? text : null;
    }
}
