using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;

namespace OpenErc.Exchange.Legacy;

/// <summary>An element inspection as a workbook gives it; the building by its code (id) in OpenErc or its address as OpenErc writes it.</summary>
public sealed record InspectionLine(string Place, string Building, BuildingElement Element, decimal Share, decimal Wear, DateOnly InspectedOn, string? Basis);

/// <summary>A work of the capital-repair programme as a workbook gives it.</summary>
public sealed record RepairWorkLine(string Place, string Building, BuildingElement Element, string Work, int PlanYear, decimal PlannedCost,
    CapitalRepairSource Source, CapitalRepairStatus Status, string? Contractor, string? ContractNumber, decimal? ContractPrice, DateOnly? StartedOn,
    DateOnly? AcceptedOn, decimal? AcceptedCost, decimal? PaidToContractor);

/// <summary>
/// The workbook of buildings' condition (reports.md §17–19): sheet «Обследования» — the elements' share and wear by
/// inspection date — and sheet «Программа КР» — the capital-repair programme's works with their execution, as the
/// regional operator's system or a БТИ survey gives them. Elements, sources and states by their Russian names (as the
/// template's note lists them); dates ДД.ММ.ГГГГ; every bad cell an error with its sheet, row and column.
/// </summary>
public static class BuildingConditionFile
{
    public const string Inspections = "Обследования", Works = "Программа КР";

    public static readonly IReadOnlyDictionary<string, string[]> Sheets = new Dictionary<string, string[]>
    {
        [Inspections] = ["Дом", "Элемент", "Удельный вес, %", "Износ, %", "Дата обследования", "Основание"],
        [Works] = ["Дом", "Элемент", "Вид работ", "Год", "Сметная стоимость", "Источник", "Состояние", "Подрядчик", "Номер договора", "Цена договора",
            "Начало работ", "Дата приёмки", "Принято", "Оплачено подрядчику"],
    };

    /// <summary>The empty workbook: the two sheets with their header rows, and «Справочник» with the names the columns take.</summary>
    public static byte[] Template()
    {
        var sheets = new Dictionary<string, object>();
        foreach (var (name, columns) in Sheets) sheets[name] = new[] { columns.ToDictionary(c => c, _ => (object?)null) };
        sheets["Справочник"] = Enum.GetValues<BuildingElement>().Select(e => new Dictionary<string, object?> { ["Элемент"] = e.Title() })
            .Concat(Enum.GetValues<CapitalRepairSource>().Select(e => new Dictionary<string, object?> { ["Источник"] = e.Title() }))
            .Concat(Enum.GetValues<CapitalRepairStatus>().Select(e => new Dictionary<string, object?> { ["Состояние"] = e.Title() }))
            .Select(d => new[] { "Элемент", "Источник", "Состояние" }.ToDictionary(k => k, k => d.GetValueOrDefault(k))).ToArray();
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    public static (List<InspectionLine> Inspections, List<RepairWorkLine> Works, List<LegacyError> Errors) Read(string fileName, byte[] content)
    {
        var errors = new List<LegacyError>();
        var inspections = new List<InspectionLine>();
        var works = new List<RepairWorkLine>();
        try
        {
            using var stream = new MemoryStream(content);
            var names = MiniExcel.GetSheetNames(stream);
            if (!names.Contains(Inspections) && !names.Contains(Works))
                return ([], [], [new(fileName, $"Нет ни листа «{Inspections}», ни листа «{Works}»: заполните шаблон")]);
            foreach (var sheet in Sheets.Keys.Where(names.Contains))
            {
                stream.Position = 0;
                int n = 1;
                foreach (IDictionary<string, object?> cells in MiniExcel.Query(stream, useHeaderRow: true, sheetName: sheet, excelType: ExcelType.XLSX))
                {
                    n++;
                    if (cells.Values.All(v => v is null || v is string { Length: 0 })) continue;
                    string place = $"{fileName}: {sheet}, строка {n}";
                    var row = new SheetRow(cells, errors, place);
                    var element = Named<BuildingElement>(row, "Элемент", required: true);
                    if (sheet == Inspections)
                        inspections.Add(new(place, row.Text("Дом", true), element ?? default, row.Number("Удельный вес, %", true) ?? 0,
                            row.Number("Износ, %", true) ?? 0, row.Day("Дата обследования", true) ?? default, Optional(row.Text("Основание"))));
                    else
                        works.Add(new(place, row.Text("Дом", true), element ?? default, row.Text("Вид работ", true), row.Int("Год") ?? 0,
                            row.Number("Сметная стоимость", true) ?? 0, Named<CapitalRepairSource>(row, "Источник") ?? CapitalRepairSource.Fund,
                            Named<CapitalRepairStatus>(row, "Состояние") ?? CapitalRepairStatus.Planned, Optional(row.Text("Подрядчик")),
                            Optional(row.Text("Номер договора")), row.Number("Цена договора"), row.Day("Начало работ"), row.Day("Дата приёмки"),
                            row.Number("Принято"), row.Number("Оплачено подрядчику")));
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException or System.Xml.XmlException)
        {
            return ([], [], [new(fileName, "Файл не читается как книга XLSX")]);
        }
        return (inspections, works, errors);
    }

    private static string? Optional(string text) => text.Length == 0 ? null : text;

    /// <summary>A value of <typeparamref name="T"/> by its Russian name, any case.</summary>
    private static T? Named<T>(SheetRow row, string column, bool required = false) where T : struct, Enum
    {
        var text = row.Text(column, required);
        if (text.Length == 0) return null;
        foreach (var v in Enum.GetValues<T>())
            if (string.Equals(v.Title(), text, StringComparison.OrdinalIgnoreCase)) return v;
        row.Fail(column, $"«{text}» — нет в справочнике (лист «Справочник» шаблона)");
        return null;
    }
}
