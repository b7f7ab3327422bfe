using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;

namespace OpenErc.Exchange.Registries;

/// <summary>One payment of a registry file; <see cref="LineNo"/> is the line of the file, from 1.</summary>
public sealed record RegistryLine(int LineNo, string OperationId, string AccountNumber, decimal Amount, decimal? Commission, DateTimeOffset PaidAt,
    DateOnly PaidOn, BillingPeriod? Period, string? Payer, string? Address)
{
    /// <summary>The readings given with the payment, as written: the meter's serial number and the value's text.</summary>
    public IReadOnlyList<(string Meter, string Value)> Readings { get; init; } = [];
}

/// <summary>What is wrong with a registry: a line of the file (from 1), or the file as a whole when <see cref="Line"/> is null.</summary>
public sealed record RegistryError(int? Line, string Reason);

/// <summary>A registry file read through: its payments counted and summed, and every error found.</summary>
public sealed record RegistryCheck(string Encoding, int Lines, decimal Total, decimal Commission, DateOnly? FirstDay, DateOnly? LastDay,
    IReadOnlyList<RegistryError> Errors);

/// <summary>
/// Reads payment registry files laid out by a <see cref="RegistryProfile"/>. <see cref="Check"/> reads the whole file,
/// finds every error and, when asked, keeps the payments for posting (read once: a region's registry of a million lines
/// takes seconds to parse). The text is UTF-8 when it has the UTF-8 byte order mark or is valid UTF-8, else
/// Windows-1251 (what banks send); text that reads as neither (U+FFFD, control characters, UTF-8 read as
/// Windows-1251 in a file of mixed encodings) is an error of its line.
/// </summary>
public static class RegistryParser
{
    /// <summary>At most this many errors are kept; a file wrong throughout says how many there were.</summary>
    public const int MaxErrors = 10_000;

    /// <summary>The encoding banks send registries in.</summary>
    public static readonly Encoding Windows1251;

    /// <summary>The characters Windows-1251 reads from the bytes 0x80–0xBF that follow a UTF-8 lead byte of Cyrillic (read as «Р» or «С»).</summary>
    private static readonly SearchValues<char> Utf8Tails;

    static RegistryParser()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1251 = Encoding.GetEncoding(1251);
        Utf8Tails = SearchValues.Create(Windows1251.GetString(Enumerable.Range(0x80, 0x40).Select(b => (byte)b).ToArray()));
    }

    /// <summary>UTF-8 (with or without its byte order mark, whose length is <paramref name="preamble"/>) or Windows-1251.</summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> content, out int preamble)
    {
        preamble = content.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        return preamble > 0 || Utf8.IsValid(content) ? new UTF8Encoding(false) : Windows1251;
    }

    /// <summary>
    /// The totals and errors of a file; its payments, in file order, are added to <paramref name="payments"/> when given
    /// (all of them only when there are no errors). A payment dated after today or further back than
    /// <paramref name="dates"/> allow (<see cref="PaymentDates.RefuseRegistry"/>) is an error of its line.
    /// </summary>
    /// <param name="aliases">Other numbers of accounts (an earlier system's, the ЕЛС) and the accounts' own numbers they stand for: a line
    /// with one is the payment of that account.</param>
    public static RegistryCheck Check(byte[] content, RegistryProfile profile, RegionClock clock, DateOnly today, List<RegistryLine>? payments = null,
        PaymentDates? dates = null, IReadOnlyDictionary<string, string>? aliases = null)
    {
        dates ??= PaymentDates.Default;
        var errors = new List<RegistryError>();
        int errorCount = 0;
        void Error(int? line, string reason)
        {
            if (++errorCount <= MaxErrors) errors.Add(new(line, reason));
        }

        var encoding = DetectEncoding(content, out _);
        var operations = new Dictionary<string, int>(StringComparer.Ordinal);
        var reasons = new List<string>();
        int lines = 0;
        decimal total = 0, commission = 0;
        bool sumsKnown = true;
        DateOnly? first = null, last = null;
        var read = Read(content, profile).ToList();
        int footerAt = read.FindIndex(l => l.Text.StartsWith(profile.FooterPrefix, StringComparison.Ordinal));
        (int No, string Text)? footer = footerAt >= 0 ? read[footerAt] : null;
        // The lines parse independently, on every core: a region's registry has a million of them.
        int paymentLines = footerAt >= 0 ? footerAt : read.Count;
        var parsed = new (RegistryLine? Line, string[]? Reasons)[paymentLines];
        Parallel.For(0, paymentLines, () => new List<string>(), (i, _, own) =>
        {
            own.Clear();
            var line = Parse(read[i].No, read[i].Text, profile, clock, own, aliases);
            parsed[i] = (line, own.Count > 0 ? own.ToArray() : null);
            return own;
        }, _ => { });
        for (int i = 0; i < paymentLines; i++)
        {
            int no = read[i].No;
            var (line, parseReasons) = parsed[i];
            lines++;
            reasons.Clear();
            if (parseReasons is not null) reasons.AddRange(parseReasons);
            if (line is not null && reasons.Count == 0)
            {
                total += line.Amount;
                commission += line.Commission ?? 0;
                if (dates.RefuseRegistry(line.PaidOn, today) is { } refusal) reasons.Add(refusal);
                if (first is null || line.PaidOn < first) first = line.PaidOn;
                if (last is null || line.PaidOn > last) last = line.PaidOn;
                payments?.Add(line);
            }
            else sumsKnown = false;
            if (line is { OperationId.Length: > 0 } && !operations.TryAdd(line.OperationId, no))
                reasons.Add($"Номер операции {line.OperationId} повторяется: он уже есть в строке {operations[line.OperationId]}");
            foreach (var reason in reasons) Error(no, reason);
        }
        for (int i = paymentLines + 1; i < read.Count; i++) Error(read[i].No, "После итоговой строки не должно быть строк");

        if (footer is not { } f)
            Error(null, $"Нет итоговой строки «{profile.FooterPrefix}число;сумма;…»: файл обрезан или передан не полностью");
        else
        {
            var fields = f.Text[profile.FooterPrefix.Length..].Split(profile.Separator);
            string Field(int i) => i < fields.Length ? fields[i].Trim() : "";
            if (!int.TryParse(Field(profile.FooterCount), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
                Error(f.No, $"Неверное число платежей в итоговой строке: «{Field(profile.FooterCount)}»");
            else if (count != lines)
                Error(f.No, $"Число платежей в итоговой строке ({count}) не совпадает с числом строк реестра ({lines})");
            CheckSum(f.No, "Сумма платежей", Field(profile.FooterTotal), total);
            if (profile.FooterCommission is { } c && Field(c).Length > 0) CheckSum(f.No, "Сумма комиссии", Field(c), commission);
        }
        if (errorCount > MaxErrors) errors.Add(new(null, $"Показаны первые {MaxErrors} ошибок из {errorCount}"));
        return new RegistryCheck(encoding.CodePage == 1251 ? "Windows-1251" : "UTF-8", lines, total, commission, first, last, errors);

        void CheckSum(int no, string what, string text, decimal actual)
        {
            if (!TryMoney(text, out var stated)) Error(no, $"{what} в итоговой строке — не число: «{text}»");
            else if (sumsKnown && stated != actual)
                Error(no, $"{what} в итоговой строке ({Rub(stated)}) не совпадает с суммой строк реестра ({Rub(actual)})");
        }
    }

    /// <summary>
    /// The account numbers of the payment lines that are not in the centre's form (or all of them, with <paramref name="all"/>):
    /// the ones to look up among accounts' other numbers before <see cref="Check"/>.
    /// </summary>
    public static HashSet<string> AccountNumbers(byte[] content, RegistryProfile profile, bool all)
    {
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in Read(content, profile))
        {
            if (text.StartsWith(profile.FooterPrefix, StringComparison.Ordinal)) break;
            var fields = text.Split(profile.Separator);
            if (profile.Account >= fields.Length) continue;
            string account = fields[profile.Account].Trim();
            if (account.Length > 0 && (all || Core.Accounts.AccountNumber.Check(account) is not null)) numbers.Add(account);
        }
        return numbers;
    }

    /// <summary>The non-blank lines after the header, with their numbers in the file.</summary>
    private static IEnumerable<(int No, string Text)> Read(byte[] content, RegistryProfile profile)
    {
        var encoding = DetectEncoding(content, out int preamble);
        using var reader = new StreamReader(new MemoryStream(content, preamble, content.Length - preamble, writable: false), encoding,
            detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        int no = 0;
        while (reader.ReadLine() is { } text)
        {
            if (++no <= profile.HeaderLines || string.IsNullOrWhiteSpace(text)) continue;
            yield return (no, text);
        }
    }

    /// <summary>A payment line; its problems go to <paramref name="reasons"/>. Null when it does not even have the fields.</summary>
    private static RegistryLine? Parse(int no, string text, RegistryProfile p, RegionClock clock, List<string> reasons, IReadOnlyDictionary<string, string>? aliases)
    {
        var fields = text.Split(p.Separator);
        if (fields.Length < p.RequiredFields)
        {
            reasons.Add($"Полей через «{p.Separator}» в строке: {fields.Length}, а нужно не меньше {p.RequiredFields}");
            return null;
        }
        string? Optional(int? i) => i is { } n && n < fields.Length && fields[n].Trim() is { Length: > 0 } v ? v : null;

        var dateText = fields[p.Date].Trim();
        bool dated = DateOnly.TryParseExact(dateText, p.Dates, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        if (!dated) reasons.Add($"Неверная дата платежа «{dateText}»: нужна {Formats(p.Dates)}");
        var time = TimeOnly.MinValue;
        if (Optional(p.Time) is { } timeText && !TimeOnly.TryParseExact(timeText, p.Times, CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            reasons.Add($"Неверное время платежа «{timeText}»: нужно {Formats(p.Times)}");

        var operation = fields[p.OperationId].Trim();
        if (operation.Length == 0) reasons.Add("Не указан номер операции");
        var account = fields[p.Account].Trim();
        if (aliases is not null && aliases.TryGetValue(account, out var own)) account = own;
        else if (Core.Accounts.AccountNumber.Check(account) is { } badAccount) reasons.Add($"{badAccount}: «{account}»");

        var amountText = fields[p.Amount].Trim();
        if (!TryMoney(amountText, out var amount)) reasons.Add($"Неверная сумма платежа «{amountText}»");
        // A registry lists money already collected: a large amount is not refused, unlike an online check.
        else if (PaymentAmount.Check(amount) is (AmountProblem.Format or AmountProblem.TooSmall, var problem)) reasons.Add($"{problem}: «{amountText}»");

        decimal? commission = null;
        if (Optional(p.Commission) is { } commissionText)
        {
            if (!TryMoney(commissionText, out var c) || c < 0 || decimal.Round(c, 2) != c)
                reasons.Add($"Неверная сумма комиссии «{commissionText}»");
            else if (c > amount && amount > 0) reasons.Add($"Комиссия {Rub(c)} больше суммы платежа {Rub(amount)}");
            else commission = c;
        }

        BillingPeriod? period = null;
        if (Optional(p.Period) is { } periodText)
        {
            if (!DateOnly.TryParseExact(periodText, p.PeriodFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                reasons.Add($"Неверный период оплаты «{periodText}»: нужен {Formats([p.PeriodFormat])}");
            else if (!BillingPeriod.TryOf(day, out var month))
                reasons.Add($"Период оплаты «{periodText}» вне расчётных месяцев {BillingPeriod.MinValue} — {BillingPeriod.MaxValue}");
            else period = month;
        }

        var payer = Optional(p.Payer);
        var address = Optional(p.Address);
        if (Unreadable(payer)) reasons.Add("ФИО плательщика не читается: файл не в кодировке Windows-1251 или UTF-8");
        if (Unreadable(address)) reasons.Add("Адрес не читается: файл не в кодировке Windows-1251 или UTF-8");

        // 01-01-0001 00-00-00 in a zone east of Greenwich is no moment at all (and far too old anyway).
        DateTimeOffset paidAt = default;
        if (dated && !clock.TryFromLocal(date.ToDateTime(time), out paidAt)) reasons.Add($"Неверная дата платежа «{dateText}»: вне календаря");
        var readings = new List<(string, string)>();
        foreach (var pair in p.ReadingColumns ?? [])
            if (pair.Length == 2 && Optional(pair[0]) is { } meter && Optional(pair[1]) is { } value) readings.Add((meter, value));
        return new RegistryLine(no, operation, account, amount, commission, paidAt, date, period, payer, address) { Readings = readings };
    }

    /// <summary>Roubles with kopecks after <c>,</c> or <c>.</c>, no groups of thousands.</summary>
    private static bool TryMoney(string text, out decimal value) =>
        decimal.TryParse(text.Replace(',', '.'), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>«1 500,00»: groups of thousands with a plain space, whatever the platform's ru-RU group separator.</summary>
    internal static string Rub(decimal amount) => amount.ToString("#,0.00", CultureInfo.GetCultureInfo("ru-RU")).Replace('\u00A0', ' ').Replace('\u202F', ' ');

    /// <summary>Text decoded wrongly: the replacement character, control characters, or two Cyrillic letters of UTF-8 read as Windows-1251 («Р°», «СЏ»).</summary>
    private static bool Unreadable(string? text)
    {
        if (text is null) return false;
        int utf8Letters = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\uFFFD' || char.IsControl(c)) return true;
            if (c is 'Р' or 'С' && i + 1 < text.Length && Utf8Tails.Contains(text[i + 1]) && ++utf8Letters >= 2) return true;
        }
        return false;
    }

    /// <summary>Format strings as people read them: «ДД-ММ-ГГГГ или ДД.ММ.ГГГГ».</summary>
    private static string Formats(IEnumerable<string> formats) => string.Join(" или ", formats.Select(f => f
        .Replace("yyyy", "ГГГГ", StringComparison.Ordinal).Replace("dd", "ДД", StringComparison.Ordinal).Replace("MM", "ММ", StringComparison.Ordinal)
        .Replace("HH", "ЧЧ", StringComparison.Ordinal).Replace("mm", "ММ", StringComparison.Ordinal).Replace("ss", "СС", StringComparison.Ordinal)));
}
