using System.Globalization;
using System.Text;

namespace OpenErc.Exchange.Banks;

/// <summary>A document of a statement or of a payment-order file, with every key as the bank wrote it (exchange.md §2.2).</summary>
public sealed record BankDocument(int Line, string Kind, IReadOnlyDictionary<string, string> Keys)
{
    public string? this[string key] => Keys.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    public string? Number => this["Номер"];
    public DateOnly? Date => ClientBankExchange.Day(this["Дата"]);
    public decimal? Amount => ClientBankExchange.Amount(this["Сумма"]);

    /// <summary>The payer's account: <c>ПлательщикСчет</c>, or <c>ПлательщикРасчСчет</c> of older files.</summary>
    public string? PayerAccount => this["ПлательщикСчет"] ?? this["ПлательщикРасчСчет"];

    public string? PayeeAccount => this["ПолучательСчет"] ?? this["ПолучательРасчСчет"];
    public string? PayerInn => this["ПлательщикИНН"];
    public string? PayerName => this["Плательщик1"] ?? this["Плательщик"];
    public string? Purpose => this["НазначениеПлатежа"];
    public DateOnly? Received => ClientBankExchange.Day(this["ДатаПоступило"]);
}

/// <summary>The balance section of one account: <c>СекцияРасчСчет</c> … <c>КонецРасчСчет</c>.</summary>
public sealed record BankAccountSection(string Account, DateOnly? From, DateOnly? To, decimal Opening, decimal Received, decimal Debited, decimal Closing);

/// <summary>A file read: the header keys, the accounts' balances, the documents, and every error with its line.</summary>
public sealed record BankFile(IReadOnlyDictionary<string, string> Header, IReadOnlyList<BankAccountSection> Accounts, IReadOnlyList<BankDocument> Documents,
    IReadOnlyList<string> Errors)
{
    /// <summary>The incoming documents of a statement: credited to <paramref name="account"/>.</summary>
    public IEnumerable<BankDocument> Credits(string account) => Documents.Where(d => d.PayeeAccount == account);
}

/// <summary>A side of a payment order: the name, ИНН, КПП and the bank account.</summary>
public sealed record BankParty(string Name, string Inn, string? Kpp, string Account, string Bank, string? BankCity, string Bik, string CorrespondentAccount);

/// <summary>A payment order to write (exchange.md §2.4).</summary>
public sealed record PaymentOrder(int Number, DateOnly Date, decimal Amount, BankParty Payer, BankParty Payee, string Purpose);

/// <summary>
/// 1C's client-bank exchange text (exchange.md §2, «1CClientBankExchange»): <see cref="Read"/> takes a bank statement
/// (cp1251 or cp866 per <c>Кодировка</c>, guessed from the bytes when absent; unknown keys kept; older
/// <c>…РасчСчет</c> read for <c>…Счет</c>) and checks its layout and arithmetic — opening + received − debited =
/// closing, and the documents credited and debited add up to <c>ВсегоПоступило</c> / <c>ВсегоСписано</c>;
/// <see cref="Write"/> makes the payment orders (cp1251, CRLF, version 1.03, <c>ВидОплаты=01</c>,
/// <c>Очередность=5</c>, <c>Код=0</c>, purpose at most 210 characters).
/// </summary>
public static class ClientBankExchange
{
    public const string FirstLine = "1CClientBankExchange", LastLine = "КонецФайла";
    public const int MaxPurpose = 210;

    public static BankFile Read(byte[] bytes)
    {
        var errors = new List<string>();
        var encoding = EncodingOf(bytes);
        var lines = encoding.GetString(bytes).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0 || lines[0].Trim().TrimStart('\uFEFF') != FirstLine)
            return new BankFile(new Dictionary<string, string>(), [], [], [$"Строка 1: ожидается «{FirstLine}» — это не файл обмена 1С с банком"]);
        if (lines[^1].Trim() != LastLine) errors.Add($"Файл не заканчивается строкой «{LastLine}»: он обрезан");

        var header = new Dictionary<string, string>();
        var accounts = new List<BankAccountSection>();
        var documents = new List<BankDocument>();
        Dictionary<string, string>? section = null;
        string? kind = null;
        int sectionLine = 0;
        for (int i = 1; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line == LastLine) continue;
            int eq = line.IndexOf('=');
            string key = eq < 0 ? line : line[..eq].Trim(), value = eq < 0 ? "" : line[(eq + 1)..].Trim();
            switch (key)
            {
                case "СекцияРасчСчет" or "СекцияДокумент":
                    if (section is not null) errors.Add($"Строка {i + 1}: новая секция до конца предыдущей (строка {sectionLine})");
                    (section, kind, sectionLine) = (new Dictionary<string, string>(), key == "СекцияДокумент" ? value : null, i + 1);
                    break;
                case "КонецРасчСчет":
                    if (section is null || kind is not null) errors.Add($"Строка {i + 1}: «КонецРасчСчет» без начала секции");
                    else accounts.Add(Balance(section, sectionLine, errors));
                    section = null;
                    break;
                case "КонецДокумента":
                    if (section is null || kind is null) errors.Add($"Строка {i + 1}: «КонецДокумента» без начала документа");
                    else documents.Add(new BankDocument(sectionLine, kind, section));
                    (section, kind) = (null, null);
                    break;
                default:
                    if (eq < 0) errors.Add($"Строка {i + 1}: «{line}» — не «Ключ=Значение»");
                    else if (section is not null) section[key] = value;
                    else header.TryAdd(key, value);
                    break;
            }
        }
        if (section is not null) errors.Add($"Строка {sectionLine}: секция не закрыта до конца файла");
        foreach (var d in documents)
            if (d.Amount is null) errors.Add($"Строка {d.Line}: документ № {d.Number} без суммы или с неверной суммой «{d["Сумма"]}»");
        foreach (var a in accounts)
        {
            if (a.Opening + a.Received - a.Debited != a.Closing)
                errors.Add($"Счёт {a.Account}: остаток {Money(a.Opening)} + поступило {Money(a.Received)} − списано {Money(a.Debited)} ≠ остатку {Money(a.Closing)}");
            decimal credited = documents.Where(d => d.PayeeAccount == a.Account).Sum(d => d.Amount ?? 0m);
            decimal debited = documents.Where(d => d.PayerAccount == a.Account).Sum(d => d.Amount ?? 0m);
            if (documents.Count > 0 && credited != a.Received)
                errors.Add($"Счёт {a.Account}: документы на поступление дают {Money(credited)}, а «ВсегоПоступило» — {Money(a.Received)}");
            if (documents.Count > 0 && debited != a.Debited)
                errors.Add($"Счёт {a.Account}: документы на списание дают {Money(debited)}, а «ВсегоСписано» — {Money(a.Debited)}");
        }
        return new BankFile(header, accounts, documents, errors);
    }

    private static BankAccountSection Balance(Dictionary<string, string> s, int line, List<string> errors)
    {
        decimal Sum(string key)
        {
            if (Amount(s.GetValueOrDefault(key)) is { } v) return v;
            errors.Add($"Строка {line}: в секции счёта нет суммы «{key}» или она неверна");
            return 0m;
        }
        return new BankAccountSection(s.GetValueOrDefault("РасчСчет") ?? "", Day(s.GetValueOrDefault("ДатаНачала")), Day(s.GetValueOrDefault("ДатаКонца")),
            Sum("НачальныйОстаток"), Sum("ВсегоПоступило"), Sum("ВсегоСписано"), Sum("КонечныйОстаток"));
    }

    /// <summary>cp866 when the file says <c>Кодировка=DOS</c>, cp1251 when it says <c>Windows</c>, else the code page its bytes read best in.</summary>
    private static Encoding EncodingOf(byte[] bytes)
    {
        // The key itself is Cyrillic: look for it in both code pages.
        foreach (var (encoding, other) in new[] { (Encodings.Cp1251, Encodings.Cp866), (Encodings.Cp866, Encodings.Cp1251) })
        {
            string text = encoding.GetString(bytes, 0, Math.Min(bytes.Length, 4096));
            int at = text.IndexOf("Кодировка=", StringComparison.Ordinal);
            if (at < 0) continue;
            string value = text[(at + "Кодировка=".Length)..].Split('\n')[0].Trim();
            return value.Equals("DOS", StringComparison.OrdinalIgnoreCase) ? Encodings.Cp866 : Encodings.Cp1251;
        }
        return Encodings.Guess(bytes) ?? Encodings.Cp1251;
    }

    internal static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>An amount as banks write it: a point (or a comma) and at most two decimals, never a thousands separator.</summary>
    internal static decimal? Amount(string? text)
    {
        text = text?.Trim().Replace(',', '.');
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
               && decimal.Round(v, 2) == v ? v : null;
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// The payment orders of a day as a file for the bank, from <paramref name="account"/> (the centre's collecting
    /// account); <paramref name="created"/> is the moment written in the header (the region's wall clock).
    /// </summary>
    public static byte[] Write(string account, DateTime created, IReadOnlyList<PaymentOrder> orders)
    {
        var b = new StringBuilder();
        void Line(string key, string? value) => b.Append(key).Append('=').Append(value ?? "").Append("\r\n");
        b.Append(FirstLine).Append("\r\n");
        Line("ВерсияФормата", "1.03");
        Line("Кодировка", "Windows");
        Line("Отправитель", "OpenErc");
        Line("Получатель", "");
        Line("ДатаСоздания", created.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
        Line("ВремяСоздания", created.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        if (orders.Count > 0)
        {
            Line("ДатаНачала", orders.Min(o => o.Date).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
            Line("ДатаКонца", orders.Max(o => o.Date).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
        }
        Line("РасчСчет", account);
        Line("Документ", "Платежное поручение");
        foreach (var o in orders)
        {
            if (o.Purpose.Length > MaxPurpose) throw new ArgumentException($"Назначение платежа длиннее {MaxPurpose} символов", nameof(orders));
            Line("СекцияДокумент", "Платежное поручение");
            Line("Номер", o.Number.ToString(CultureInfo.InvariantCulture));
            Line("Дата", o.Date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
            Line("Сумма", Money(o.Amount));
            Party("Плательщик", o.Payer);
            Party("Получатель", o.Payee);
            Line("ВидПлатежа", "");
            Line("ВидОплаты", "01");
            Line("Код", "0");
            Line("Очередность", "5");
            Line("НазначениеПлатежа", o.Purpose);
            b.Append("КонецДокумента\r\n");
        }
        b.Append(LastLine).Append("\r\n");
        return Encodings.Cp1251.GetBytes(b.ToString());

        void Party(string side, BankParty p)
        {
            Line(side + "Счет", p.Account);
            Line(side, $"ИНН {p.Inn} {p.Name}");
            Line(side + "ИНН", p.Inn);
            Line(side + "КПП", p.Kpp);
            Line(side + "1", p.Name);
            Line(side + "РасчСчет", p.Account);
            Line(side + "Банк1", p.Bank);
            Line(side + "Банк2", p.BankCity);
            Line(side + "БИК", p.Bik);
            Line(side + "Корсчет", p.CorrespondentAccount);
        }
    }
}
