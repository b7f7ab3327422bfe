using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenErc.Core.Common;
using OpenErc.Exchange.Registries;

namespace OpenErc.Exchange.Uszn;

/// <summary>The encoding of a file the centre writes for УСЗН (benefits.md §6): UTF-8 with a BOM by default, or Windows-1251.</summary>
public enum UsznEncoding
{
    [Display(Name = "UTF-8")] Utf8,
    [Display(Name = "Windows-1251")] Windows1251,
}

/// <summary>A file the centre cannot write as asked (a character Windows-1251 lacks); the message, in Russian, names the row.</summary>
public sealed class UsznFileException(string message) : Exception(message);

/// <summary>
/// The name of an exchange file with УСЗН: <c>OPENERC_&lt;kind&gt;_&lt;ercCode&gt;_&lt;usznCode&gt;_&lt;YYYYMM&gt;_&lt;seq&gt;.csv</c>
/// (benefits.md §6), e.g. <c>OPENERC_BENCHG_ERC66_USZN01_202604_001.csv</c>; the codes are letters, digits and hyphens.
/// </summary>
public sealed partial record UsznFileName(string Kind, string ErcCode, string UsznCode, BillingPeriod Period, int Sequence)
{
    public const string Benreg = "BENREG", Benerr = "BENERR", Benchg = "BENCHG", Subdec = "SUBDEC";

    public string ToString(string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"OPENERC_{Kind}_{ErcCode}_{UsznCode}_{Period.Year:D4}{Period.Month:D2}_{Sequence:D3}.{extension}");

    public override string ToString() => ToString("csv");

    /// <summary>The parts of <paramref name="fileName"/> (a path is allowed), or null when it is not such a name.</summary>
    public static UsznFileName? TryParse(string fileName)
    {
        var m = Pattern().Match(Path.GetFileName(fileName));
        if (!m.Success || !BillingPeriod.TryParse($"{m.Groups[4].Value[..4]}-{m.Groups[4].Value[4..]}", out var period)
            || !int.TryParse(m.Groups[5].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int sequence)) return null;
        return new(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, period, sequence);
    }

    [GeneratedRegex(@"^OPENERC_([A-Z]+)_([A-Za-z0-9-]+)_([A-Za-z0-9-]+)_(\d{6})_(\d{1,9})\.(csv|xml)$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}

/// <summary>One line of an exchange file: its number in the file (from 1) and its fields.</summary>
internal sealed record UsznLine(int Number, IReadOnlyList<string> Fields);

/// <summary>
/// The layout all УСЗН files share (benefits.md §6): <c>;</c> between fields, a header row, decimal point, dates
/// dd.MM.yyyy, periods YYYY-MM, money and areas with 2 decimals, volumes with 6, CRLF; the last row
/// <c>#TRAILER;&lt;rows&gt;;&lt;Σ money column&gt;</c> counts the data rows (not the header, a TOTAL row or itself).
/// Read: UTF-8 with or without a BOM when the bytes are valid UTF-8, else Windows-1251 (<see cref="RegistryParser.DetectEncoding"/>).
/// </summary>
internal static class UsznCsv
{
    public const string Trailer = "#TRAILER";

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Area(decimal area) => area.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Volume(decimal volume) => volume.ToString("0.000000", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? day) => day?.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture) ?? "";

    /// <summary>
    /// The file: header, rows (each with the name that an encoding error cites), the trailer of
    /// <paramref name="count"/> rows and <paramref name="sum"/>.
    /// </summary>
    /// <exception cref="UsznFileException">A character Windows-1251 cannot write.</exception>
    public static byte[] Write(IReadOnlyList<string> columns, IEnumerable<(string Name, IReadOnlyList<string> Fields)> rows, int count, decimal sum,
        UsznEncoding encoding)
    {
        var text = encoding == UsznEncoding.Windows1251 ? Encodings.StrictCp1251 : Encodings.StrictUtf8;
        using var stream = new MemoryStream();
        if (encoding == UsznEncoding.Utf8) stream.Write(Encoding.UTF8.Preamble);
        void Line(string name, IEnumerable<string> fields)
        {
            try
            {
                stream.Write(text.GetBytes(string.Join(';', fields.Select(CsvFile.Quote)) + "\r\n"));
            }
            catch (EncoderFallbackException e)
            {
                throw new UsznFileException($"{name}: символ «{e.CharUnknown}» не записывается в кодировке Windows-1251 — выгрузите файл в UTF-8");
            }
        }
        Line("Заголовок", columns);
        foreach (var (name, fields) in rows) Line(name, fields);
        Line("Строка итога", [Trailer, count.ToString(CultureInfo.InvariantCulture), Money(sum)]);
        return stream.ToArray();
    }

    /// <summary>The header, the data lines and the trailer line (null when the last line is not one); empty lines are skipped.</summary>
    public static (UsznLine? Header, List<UsznLine> Rows, UsznLine? Trailer) Read(byte[] content)
    {
        var encoding = RegistryParser.DetectEncoding(content, out int preamble);
        var lines = encoding.GetString(content, preamble, content.Length - preamble).Split('\n')
            .Select((l, i) => new UsznLine(i + 1, CsvFile.Split(l.TrimEnd('\r'))))
            .Where(l => l.Fields.Count > 1 || l.Fields[0].Trim().Length > 0).ToList();
        if (lines.Count == 0) return (null, [], null);
        var trailer = lines.Count > 1 && lines[^1].Fields[0] == Trailer ? lines[^1] : null;
        return (lines[0], lines.GetRange(1, lines.Count - (trailer is null ? 1 : 2)), trailer);
    }

    /// <summary>
    /// What is wrong with the trailer against the <paramref name="count"/> rows read and their <paramref name="sum"/>, in
    /// Russian; a null sum (rows that could not be read) is not compared.
    /// </summary>
    public static IEnumerable<(int? Line, string Reason)> CheckTrailer(UsznLine? trailer, int count, decimal? sum, string sumOf)
    {
        if (trailer is null)
        {
            yield return (null, $"Нет последней строки {Trailer};<число строк>;<сумма {sumOf}>: файл неполный");
            yield break;
        }
        var f = trailer.Fields;
        if (f.Count != 3 || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int rows)
            || !decimal.TryParse(f[2], NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal total))
        {
            yield return (trailer.Number, $"Строка итога имеет вид {Trailer};<число строк>;<сумма {sumOf}>");
            yield break;
        }
        if (rows != count) yield return (trailer.Number, $"В строке итога {rows} строк, в файле {count}");
        if (sum is { } s && total != s) yield return (trailer.Number, $"В строке итога сумма {sumOf} {f[2]}, по строкам файла {Money(s)}");
    }
}
