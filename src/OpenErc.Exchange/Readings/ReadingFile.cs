using System.Globalization;
using System.Text;
using OpenErc.Exchange.Dbf;
using OpenErc.Exchange.Legacy;

namespace OpenErc.Exchange.Readings;

/// <summary>
/// Where a file of readings (from a management company, a supplier, an automatic meter reading system) keeps each
/// field. CSV: columns by number from 0, <see cref="Separator"/>, <see cref="HeaderLines"/> skipped; DBF: columns by
/// name (<see cref="AccountField"/> …). The zone is 1 when the file has none.
/// </summary>
public sealed record ReadingFileProfile
{
    public char Separator { get; init; } = ';';
    public int HeaderLines { get; init; } = 1;
    public int Account { get; init; }
    public int Meter { get; init; } = 1;
    public int? Zone { get; init; } = 2;
    public int Date { get; init; } = 3;
    public int Value { get; init; } = 4;
    public string? CodePage { get; init; }
    public string AccountField { get; init; } = "LS";
    public string MeterField { get; init; } = "NOMER";
    public string? ZoneField { get; init; } = "ZONA";
    public string DateField { get; init; } = "DATA";
    public string ValueField { get; init; } = "POK";
}

/// <summary>One reading of a file: the account (its own number or another), the meter's serial number, the zone, the day, the value.</summary>
public sealed record ReadingRow(string Place, string Account, string Meter, int Zone, DateOnly On, decimal Value);

/// <summary>
/// Files of readings: CSV (UTF-8 or Windows-1251; «ЛС;Заводской номер;Зона;Дата;Показание» by default, dates
/// <c>ДД.ММ.ГГГГ</c> or <c>ГГГГ-ММ-ДД</c>, decimals with a comma or a point), XLSX (the first sheet, columns as in CSV)
/// and DBF, each through a profile. A line that
/// cannot be read is an error with its place; the others are read.
/// </summary>
public static class ReadingFile
{
    private static readonly string[] DateFormats = ["dd.MM.yyyy", "yyyy-MM-dd", "dd.MM.yy"];

    public static (IReadOnlyList<ReadingRow> Rows, IReadOnlyList<LegacyError> Errors) Read(string fileName, byte[] content, ReadingFileProfile profile) =>
        fileName.EndsWith(".dbf", StringComparison.OrdinalIgnoreCase) ? ReadDbf(fileName, content, profile)
        : fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) ? ReadXlsx(fileName, content, profile)
        : ReadCsv(fileName, content, profile);

    /// <summary>The first sheet of a workbook, its columns by number from 0 (A = 0) as in CSV, <see cref="ReadingFileProfile.HeaderLines"/> skipped.</summary>
    private static (IReadOnlyList<ReadingRow>, IReadOnlyList<LegacyError>) ReadXlsx(string fileName, byte[] content, ReadingFileProfile p)
    {
        var rows = new List<ReadingRow>();
        var errors = new List<LegacyError>();
        List<IDictionary<string, object?>> sheet;
        try
        {
            using var stream = new MemoryStream(content);
            sheet = MiniExcelLibs.MiniExcel.Query(stream, useHeaderRow: false, excelType: MiniExcelLibs.ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException or System.Xml.XmlException)
        {
            return (rows, [new LegacyError(fileName, "Файл не читается как книга XLSX")]);
        }
        static string Column(int n) => n < 26 ? ((char)('A' + n)).ToString() : Column(n / 26 - 1) + (char)('A' + n % 26);
        for (int i = p.HeaderLines; i < sheet.Count; i++)
        {
            var r = sheet[i];
            string Field(int n) => r.TryGetValue(Column(n), out var v) ? v switch
            {
                null => "",
                DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "",
            } : "";
            if (r.Values.All(v => v is null or "")) continue;
            Add($"{fileName}: строка {i + 1}", Field(p.Account), Field(p.Meter), p.Zone is { } z ? Field(z) : "1", Field(p.Date), Field(p.Value), rows, errors);
        }
        return (rows, errors);
    }

    private static (IReadOnlyList<ReadingRow>, IReadOnlyList<LegacyError>) ReadCsv(string fileName, byte[] content, ReadingFileProfile p)
    {
        var rows = new List<ReadingRow>();
        var errors = new List<LegacyError>();
        bool utf8 = content.AsSpan().StartsWith(Encoding.UTF8.Preamble) || System.Text.Unicode.Utf8.IsValid(content);
        var lines = (utf8 ? Encoding.UTF8 : Encodings.Cp1251).GetString(content).TrimStart('\uFEFF').Split('\n');
        for (int i = p.HeaderLines; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var f = line.Split(p.Separator);
            string place = $"{fileName}: строка {i + 1}";
            string Field(int n) => n < f.Length ? f[n].Trim() : "";
            Add(place, Field(p.Account), Field(p.Meter), p.Zone is { } z ? Field(z) : "1", Field(p.Date), Field(p.Value), rows, errors);
        }
        return (rows, errors);
    }

    private static (IReadOnlyList<ReadingRow>, IReadOnlyList<LegacyError>) ReadDbf(string fileName, byte[] content, ReadingFileProfile p)
    {
        var encoding = p.CodePage?.ToLowerInvariant() switch { "cp866" or "866" => Encodings.Cp866, "cp1251" or "1251" => Encodings.Cp1251, _ => null };
        var table = DbfFile.Read(content, encoding);
        var errors = table.Errors.Select(e => new LegacyError($"{fileName}: {(e.Record is { } r ? $"запись {r}" : "файл")}", e.Reason)).ToList();
        var rows = new List<ReadingRow>();
        if (errors.Count > 0) return (rows, errors);
        static string Text(object? v) => v switch
        {
            null => "",
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "",
        };
        foreach (var r in table.Records)
            Add($"{fileName}: запись {r.Number}", Text(r[p.AccountField]), Text(r[p.MeterField]), p.ZoneField is { } z && r.Has(z) ? Text(r[z]) : "1",
                Text(r[p.DateField]), Text(r[p.ValueField]), rows, errors);
        return (rows, errors);
    }

    private static void Add(string place, string account, string meter, string zone, string date, string value, List<ReadingRow> rows, List<LegacyError> errors)
    {
        var reasons = new List<string>();
        if (account.Length == 0) reasons.Add("не указан лицевой счёт");
        if (meter.Length == 0) reasons.Add("не указан заводской номер прибора");
        if (!int.TryParse(zone.Length == 0 ? "1" : zone, NumberStyles.None, CultureInfo.InvariantCulture, out int z) || z is < 1 or > 3)
            reasons.Add($"зона «{zone}» — 1, 2 или 3");
        if (!DateOnly.TryParseExact(date, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
            reasons.Add($"дата «{date}» — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД");
        if (!decimal.TryParse(value.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v))
            reasons.Add($"показание «{value}» — не число");
        if (reasons.Count > 0) errors.Add(new(place, string.Join("; ", reasons)));
        else rows.Add(new ReadingRow(place, account, meter, z, on, v));
    }
}
