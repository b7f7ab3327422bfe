using System.Globalization;

namespace OpenErc.Exchange.Legacy;

/// <summary>A row of a filled workbook by its header's column names: each read cell that is wrong adds an error with its place (sheet, row, column).</summary>
internal sealed class SheetRow(IDictionary<string, object?> cells, List<LegacyError> errors, string place)
{
    public void Fail(string column, string reason) => errors.Add(new($"{place}, «{column}»", reason));

    public string Text(string column, bool required = false)
    {
        string text = cells.TryGetValue(column, out var v) ? v switch
        {
            null => "",
            DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "",
        } : "";
        if (required && text.Length == 0) Fail(column, "не заполнено");
        return text;
    }

    public decimal? Number(string column, bool required = false)
    {
        string text = Text(column, required);
        if (text.Length == 0) return null;
        if (decimal.TryParse(text.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) return d;
        Fail(column, $"«{text}» — не число");
        return null;
    }

    public int? Int(string column)
    {
        if (Number(column) is not { } d) return null;
        if (d == decimal.Truncate(d) && d is >= 0 and <= int.MaxValue) return (int)d;
        Fail(column, $"«{d}» — не целое число");
        return null;
    }

    public DateOnly? Day(string column, bool required = false)
    {
        string text = Text(column, required);
        if (text.Length == 0) return null;
        if (DateOnly.TryParseExact(text.Length > 10 ? text[..10] : text, ["yyyy-MM-dd", "dd.MM.yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        Fail(column, $"«{text}» — не дата ДД.ММ.ГГГГ");
        return null;
    }
}
