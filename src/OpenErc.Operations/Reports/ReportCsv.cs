using System.Text;
using OpenErc.Exchange;

namespace OpenErc.Operations.Reports;

/// <summary>
/// A report as CSV for loading into other systems (reports.md §21.2): one header row of the columns' Russian names, one
/// record per row — no title block, no subtotals — <c>;</c> between fields, decimal comma without groups, dates
/// dd.MM.yyyy, months ММ.ГГГГ, CRLF, RFC 4180 quoting; text starting with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> gets a
/// leading <c>'</c> so that a spreadsheet never takes it for a formula. Profile «utf8» is UTF-8 with a BOM (Excel needs
/// it); «cp1251» is Windows-1251 for 1С and older systems, where «₽» is written «руб.» and «м²» «кв. м», and any other
/// character the code page lacks is an error naming the row — never a silent «?».
/// </summary>
public static class ReportCsv
{
    public static readonly IReadOnlyList<string> Profiles = ["utf8", "cp1251"];

    private static readonly Encoding StrictCp1251 = Encoding.GetEncoding(1251, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    public static async Task WriteAsync(Stream output, ReportHead head, IAsyncEnumerable<ReportRow> rows, string profile, CancellationToken ct = default)
    {
        bool cp1251 = profile == "cp1251";
        _ = Encodings.Cp1251; // registers the code pages
        var encoding = cp1251 ? StrictCp1251 : new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
        await using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true);
        int number = 0;
        await Line(writer, head.Columns.Select(c => c.Title), cp1251, number);
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (row.Kind != ReportRowKind.Row) continue;
            number++;
            await Line(writer, head.Columns.Select((c, i) => Field(row.Values[i], c.Cell)), cp1251, number);
        }
    }

    private static string Field(object? value, ReportCell cell)
    {
        var text = ReportFormat.Csv(value, cell);
        return value is string && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' ? "'" + text : text;
    }

    private static async Task Line(StreamWriter writer, IEnumerable<string> fields, bool cp1251, int number)
    {
        var line = string.Join(';', fields.Select(CsvFile.Quote)) + "\r\n";
        if (cp1251)
        {
            line = line.Replace("₽", "руб.", StringComparison.Ordinal).Replace("м²", "кв. м", StringComparison.Ordinal);
            try
            {
                StrictCp1251.GetByteCount(line);
            }
            catch (EncoderFallbackException e)
            {
                throw new ReportException("encoding", $"{(number == 0 ? "Заголовок" : $"Строка {number}")}: символ «{e.CharUnknown}» не записывается в кодировке Windows-1251 — выгрузите в UTF-8");
            }
        }
        await writer.WriteAsync(line);
    }
}
