using System.Globalization;
using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;

namespace OpenErc.Exchange.Registries;

/// <summary>One allocation line in a supplier's transfer registry.</summary>
public sealed record TransferRegistryLine(long PaymentId, DateOnly PaidOn, string AccountNumber, string? Payer, string? Address, string? Service,
    BillingPeriod? ServiceMonth, AllocationKind Kind, decimal Amount, decimal Commission)
{
    public decimal Net => Amount - Commission;
}

/// <summary>The lines behind a supplier's transfer for a day of receipts, with their totals.</summary>
public sealed record TransferRegistry(long SupplierId, string Supplier, string SupplierInn, DateOnly Day, IReadOnlyList<TransferRegistryLine> Lines)
{
    public decimal Amount => Lines.Sum(l => l.Amount);
    public decimal Commission => Lines.Sum(l => l.Commission);
    public decimal Net => Amount - Commission;
}

/// <summary>
/// A supplier's transfer registry as a file: one row per allocation line (date of payment, account, payer, address,
/// service, service month, amount, commission, net) and a totals row «Итого». CSV is written by <see cref="CsvFile"/>
/// (UTF-8 with a BOM, <c>;</c>, decimal commas); XLSX has real numbers.
/// </summary>
public static class TransferRegistryFile
{
    public static readonly string[] Columns =
        ["Дата платежа", "Лицевой счёт", "Плательщик", "Адрес", "Услуга", "За месяц", "Сумма", "Комиссия", "К перечислению"];

    /// <summary>The file name: the supplier's ИНН and the day, e.g. <c>perechislenie_6612345678_2026-06-02.csv</c>.</summary>
    public static string FileName(TransferRegistry registry, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"perechislenie_{registry.SupplierInn}_{registry.Day:yyyy-MM-dd}.{extension}");

    public static byte[] Csv(TransferRegistry registry) => CsvFile.Write(Columns, Rows(registry));

    public static byte[] Xlsx(TransferRegistry registry)
    {
        var sheet = Rows(registry).Select(row =>
        {
            var cells = new Dictionary<string, object?>();
            for (int i = 0; i < Columns.Length; i++) cells[Columns[i]] = row[i];
            return cells;
        }).ToList();
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheet, sheetName: "Реестр", excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    private static IEnumerable<object?[]> Rows(TransferRegistry registry)
    {
        foreach (var l in registry.Lines)
            yield return [l.PaidOn.ToDateTime(TimeOnly.MinValue), l.AccountNumber, l.Payer, l.Address, l.Service ?? "Аванс (без услуги)",
                l.ServiceMonth?.ToString(), l.Amount, l.Commission, l.Net];
        yield return ["Итого", null, null, null, null, null, registry.Amount, registry.Commission, registry.Net];
    }
}
