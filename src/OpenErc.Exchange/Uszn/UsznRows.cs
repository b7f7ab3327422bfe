using System.Globalization;

namespace OpenErc.Exchange.Uszn;

/// <summary>
/// Reading an incoming УСЗН file (<c>BENREG</c>, <c>SUBDEC</c>) in the common layout of <see cref="UsznCsv"/>, whole or
/// nothing: the file name of its kind, the header (columns by name, in any order), each data line through the file's own
/// row reader, a stable id repeated nowhere, and the trailer with the sum of one column. Any error refuses the file.
/// </summary>
internal static class UsznRows
{
    /// <summary>
    /// The file's rows when it has no error, else none and every error. <paramref name="read"/> turns a line into a row or
    /// null (having reported why); <paramref name="id"/> is the row's stable id, <paramref name="sum"/> its share of the trailer sum.
    /// </summary>
    public static (UsznFileName? Name, List<TRow> Rows, List<BenefitRowProblem> Errors) Parse<TRow>(byte[] content, string fileName, string kind,
        IReadOnlyList<string> columns, string idColumn, string sumColumn, Func<UsznRowReader, TRow?> read, Func<TRow, (int Line, string Id, string Account)> id,
        Func<TRow, decimal> sum) where TRow : class
    {
        var errors = new List<BenefitRowProblem>();
        void FileError(int? line, string reason) => errors.Add(new(line, null, null, BenefitRowError.BadFormat, reason));
        var name = UsznFileName.TryParse(fileName);
        if (name is null || name.Kind != kind)
            FileError(null, $"Имя файла «{Path.GetFileName(fileName)}» — не OPENERC_{kind}_<код ЕРЦ>_<код УСЗН>_<ГГГГММ>_<номер>.csv");
        var (header, lines, trailer) = UsznCsv.Read(content);
        if (header is null)
        {
            FileError(null, "Файл пуст");
            return (name, [], errors);
        }
        var index = Header(columns, header, FileError);
        var rows = new List<TRow>();
        if (index is not null)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                if (read(new UsznRowReader(line, index, idColumn, errors)) is not { } row) continue;
                var (number, key, account) = id(row);
                if (seen.TryGetValue(key, out int first))
                    errors.Add(new(number, key, account, BenefitRowError.BadFormat, $"{idColumn} «{key}» уже был в строке {first}"));
                else seen[key] = number;
                rows.Add(row);
            }
        }
        foreach (var (line, reason) in UsznCsv.CheckTrailer(trailer, lines.Count, rows.Count == lines.Count ? rows.Sum(sum) : null, sumColumn)) FileError(line, reason);
        return errors.Count > 0 ? (name, [], errors) : (name, rows, errors);
    }

    /// <summary>Column indexes by name; null (with the errors) when a column is missing, unknown or repeated.</summary>
    private static Dictionary<string, int>? Header(IReadOnlyList<string> columns, UsznLine header, Action<int?, string> error)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int defects = 0;
        for (int i = 0; i < header.Fields.Count; i++)
        {
            var column = header.Fields[i].Trim();
            if (!columns.Contains(column)) error(header.Number, $"Неизвестный столбец «{column}»");
            else if (!index.TryAdd(column, i)) error(header.Number, $"Столбец «{column}» указан дважды");
            else continue;
            defects++;
        }
        foreach (var column in columns.Where(c => !index.ContainsKey(c)))
        {
            error(header.Number, $"Нет столбца «{column}»");
            defects++;
        }
        return defects == 0 ? index : null;
    }
}

/// <summary>
/// The fields of one data line by column name, every defect an error of the line naming its column (and the row's id and
/// account once <see cref="Start"/> has read them).
/// </summary>
internal sealed class UsznRowReader(UsznLine line, Dictionary<string, int> index, string idColumn, List<BenefitRowProblem> errors)
{
    private readonly int _count = errors.Count;
    private string _id = "", _account = "";

    public int Line => line.Number;

    /// <summary>The row's id.</summary>
    public string Id => _id;

    /// <summary>The row's account number.</summary>
    public string Account => _account;

    /// <summary>Whether any field of this line was wrong.</summary>
    public bool Failed => errors.Count > _count;

    /// <summary>
    /// Checks the number of fields and reads the id and the account number (both required); false, with the error, when the
    /// line has another number of fields than the header.
    /// </summary>
    public bool Start()
    {
        if (line.Fields.Count != index.Count)
        {
            errors.Add(new(line.Number, null, null, BenefitRowError.BadFormat, $"В строке {line.Fields.Count} полей, в заголовке {index.Count}"));
            return false;
        }
        _id = Text(idColumn, true) ?? "";
        _account = Text("AccountNumber", true) ?? "";
        return true;
    }

    public void Fail(string column, string reason, BenefitRowError code = BenefitRowError.BadFormat) =>
        errors.Add(new(line.Number, _id.Length > 0 ? _id : null, _account.Length > 0 ? _account : null, code, $"{column}: {reason}"));

    public string? Text(string column, bool required = false)
    {
        var text = line.Fields[index[column]].Trim();
        if (text.Length > 0) return text;
        if (required) Fail(column, "не заполнено");
        return null;
    }

    public decimal? Number(string column, int? decimals = null, bool required = false)
    {
        if (Text(column, required) is not { } text) return null;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && (decimals is not { } n || decimal.Round(d, n) == d))
            return d;
        Fail(column, $"«{text}» — не число{(decimals is { } k ? $" с не более чем {k} знаками после точки" : "")}");
        return null;
    }

    public int? Whole(string column, int min)
    {
        if (Text(column) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min) return n;
        Fail(column, $"«{text}» — не целое число от {min}");
        return null;
    }

    public DateOnly? Date(string column, bool required = false)
    {
        if (Text(column, required) is not { } text) return null;
        if (DateOnly.TryParseExact(text, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        Fail(column, $"«{text}» — не дата ДД.ММ.ГГГГ");
        return null;
    }

    /// <summary>A required code among <paramref name="values"/>.</summary>
    public T? Code<T>(string column, params (string Code, T Value)[] values) where T : struct, Enum
    {
        if (Text(column, required: true) is not { } text) return null;
        foreach (var (code, value) in values)
            if (code == text) return value;
        Fail(column, $"«{text}» — не {string.Join(", ", values.Select(v => v.Code))}");
        return null;
    }

    /// <summary>The <c>Snils</c> column normalised to <c>000-000-000 00</c>, null when empty or wrong (the error reported).</summary>
    public string? Snils()
    {
        if (Text("Snils") is not { } snils) return null;
        if (OpenErc.Core.Residents.Snils.IsValid(snils)) return OpenErc.Core.Residents.Snils.Normalize(snils);
        Fail("Snils", $"«{snils}» — неверный СНИЛС (вид 000-000-000 00, контрольное число)");
        return null;
    }

    /// <summary>
    /// <c>ValidFrom</c> (required) and <c>ValidTo</c> (the last day, inclusive): a last day before the first is
    /// <see cref="BenefitRowError.BadDates"/>.
    /// </summary>
    public (DateOnly? From, DateOnly? To) Dates(bool toRequired)
    {
        var from = Date("ValidFrom", true);
        var to = Date("ValidTo", toRequired);
        if (from is { } f && to is { } t && t < f)
            Fail("ValidTo", $"{UsznCsv.Date(t)} раньше ValidFrom {UsznCsv.Date(f)}", BenefitRowError.BadDates);
        return (from, to);
    }
}
