using System.Globalization;
using MiniExcelLibs;
using OpenErc.Exchange.Legacy;

namespace OpenErc.Exchange.Gis;

/// <summary>An account as the state system's accounts template takes it (exchange.md §6.1–6.3).</summary>
public sealed record GisAccountRow(string Number, string AccountType, string Address, Guid? FiasHouseGuid, string Premise, decimal TotalArea, decimal Share,
    int? Residents, string? Payer, string? UnifiedNumber, string? ServiceId);

/// <summary>What the state system assigned to an account of ours: the ЕЛС and the ИЖКУ.</summary>
public sealed record GisIdentifiers(string Place, string Number, string? UnifiedNumber, string? ServiceId);

/// <summary>
/// The accounts file for ГИС ЖКХ (exchange.md §6.3 channel 2: the XLSX template uploaded in the state system's cabinet)
/// and the file of identifiers it gives back. Three column names are the state system's own, as a public importer
/// shows them: «Номер ЛС (иной идентификатор потребителя)», «Единый лицевой счет», «Идентификатор ЖКУ»; the rest of the
/// template is not in the spec and is ours (<see cref="Columns"/>): the template's current version must be checked
/// against the state system before a real upload. A settlement centre's accounts are of the type «ЛС РЦ»
/// (<c>isRCAccount</c>).
/// </summary>
public static class GisAccountsFile
{
    public const string NumberColumn = "Номер ЛС (иной идентификатор потребителя)", UnifiedColumn = "Единый лицевой счет", ServiceIdColumn = "Идентификатор ЖКУ";

    public static readonly string[] Columns =
    [
        NumberColumn, "Тип лицевого счета", "Адрес дома", "Глобальный уникальный идентификатор дома по ФИАС", "Номер помещения", "Общая площадь, кв. м",
        "Доля в помещении", "Количество проживающих", "ФИО плательщика", UnifiedColumn, ServiceIdColumn,
    ];

    public static byte[] Write(IEnumerable<GisAccountRow> rows)
    {
        var sheet = rows.Select(r => new Dictionary<string, object?>
        {
            [Columns[0]] = r.Number, [Columns[1]] = r.AccountType, [Columns[2]] = r.Address, [Columns[3]] = r.FiasHouseGuid?.ToString(),
            [Columns[4]] = r.Premise, [Columns[5]] = r.TotalArea, [Columns[6]] = r.Share, [Columns[7]] = r.Residents, [Columns[8]] = r.Payer,
            [Columns[9]] = r.UnifiedNumber, [Columns[10]] = r.ServiceId,
        }).ToList();
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheet, sheetName: "Лицевые счета", excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    /// <summary>The identifiers of a file the state system gave back (XLSX with a header row): by the three columns' names.</summary>
    public static (IReadOnlyList<GisIdentifiers> Rows, IReadOnlyList<LegacyError> Errors) ReadIdentifiers(string fileName, byte[] content)
    {
        var errors = new List<LegacyError>();
        var rows = new List<GisIdentifiers>();
        List<IDictionary<string, object?>> sheet;
        try
        {
            using var stream = new MemoryStream(content);
            sheet = MiniExcel.Query(stream, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException)
        {
            return (rows, [new LegacyError(fileName, "Файл не читается как книга XLSX")]);
        }
        if (sheet.Count > 0 && !sheet[0].ContainsKey(NumberColumn))
            return (rows, [new LegacyError(fileName, $"Нет столбца «{NumberColumn}»")]);
        for (int i = 0; i < sheet.Count; i++)
        {
            string place = $"{fileName}: строка {i + 2}";
            string? Cell(string column) => sheet[i].TryGetValue(column, out var v) && Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() is { Length: > 0 } t ? t : null;
            if (Cell(NumberColumn) is not { } number)
            {
                if (sheet[i].Values.Any(v => v is not null)) errors.Add(new(place, "Не указан номер лицевого счёта"));
                continue;
            }
            rows.Add(new GisIdentifiers(place, number, Cell(UnifiedColumn), Cell(ServiceIdColumn)));
        }
        return (rows, errors);
    }
}
