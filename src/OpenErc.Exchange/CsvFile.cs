using System.Globalization;
using System.Text;

namespace OpenErc.Exchange;

/// <summary>
/// The CSV files the centre hands out: UTF-8 with a BOM, <c>;</c> between fields, CRLF line ends, amounts with a decimal
/// comma and dates as dd.MM.yyyy — what Excel in a Russian locale opens as it is.
/// </summary>
public static class CsvFile
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    /// <summary>A writer of such a file over <paramref name="stream"/> (the BOM is written with the first line).</summary>
    public static StreamWriter Writer(Stream stream) => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);

    /// <summary>One line, with its CRLF: each value formatted as above and quoted when it holds a separator, a quote or a line break.</summary>
    public static string Line(IEnumerable<object?> values) =>
        string.Join(';', values.Select(v => Quote(v switch
        {
            null => "",
            decimal d => d.ToString("0.00", Ru),
            DateTime t => t.ToString("dd.MM.yyyy", Ru),
            DateOnly d => d.ToString("dd.MM.yyyy", Ru),
            _ => Convert.ToString(v, Ru) ?? "",
        }))) + "\r\n";

    /// <summary>The whole file of <paramref name="columns"/> and <paramref name="rows"/> in memory.</summary>
    public static byte[] Write(IEnumerable<string> columns, IEnumerable<object?[]> rows)
    {
        using var stream = new MemoryStream();
        using (var writer = Writer(stream))
        {
            writer.Write(Line(columns));
            foreach (var row in rows) writer.Write(Line(row));
        }
        return stream.ToArray();
    }

    /// <summary>The fields of one line as <see cref="Quote"/> writes them: a quoted field may hold the separator and doubled quotes.</summary>
    public static List<string> Split(string line, char separator = ';')
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
            else if (c == '"' && (quoted || field.Length == 0)) quoted = !quoted;
            else if (c == separator && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>A field as written: quoted (with its quotes doubled) when it holds a separator, a quote or a line break.</summary>
    public static string Quote(string value) =>
        value.IndexOfAny([';', '"', '\r', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
