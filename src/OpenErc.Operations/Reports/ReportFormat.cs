using System.Globalization;

namespace OpenErc.Operations.Reports;

/// <summary>
/// How a report's value reads as text — on the page, in the PDF and (without groups of thousands) in the CSV: from a fixed
/// Russian number format (decimal comma, groups by a no-break space), never the server's culture (reports.md §21.3).
/// </summary>
public static class ReportFormat
{
    public static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    private static readonly NumberFormatInfo Print = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "\u00A0", NegativeSign = "-" };
    private static readonly NumberFormatInfo Plain = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "", NegativeSign = "-" };

    /// <summary>The value as printed: money «1 234 567,89», volumes to three decimals, rates up to six, per cent with two, dates dd.MM.yyyy, months «ноябрь 2026».</summary>
    public static string Text(object? value, ReportCell cell) => Format(value, cell, Print, "#,##0");

    /// <summary>The value as a CSV field: the same, without groups of thousands, months as ММ.ГГГГ.</summary>
    public static string Csv(object? value, ReportCell cell) => value is DateOnly d && cell == ReportCell.Month
        ? d.ToString("MM.yyyy", CultureInfo.InvariantCulture)
        : Format(value, cell, Plain, "0");

    private static string Format(object? value, ReportCell cell, NumberFormatInfo numbers, string whole) => value switch
    {
        null => "",
        decimal m => cell switch
        {
            ReportCell.Volume => m.ToString(whole + ".000", numbers),
            ReportCell.Rate => m.ToString(whole + ".00####", numbers),
            ReportCell.Count => m.ToString(whole, numbers),
            _ => m.ToString(whole + ".00", numbers),
        },
        long n => n.ToString(whole, numbers),
        int n => n.ToString(whole, numbers),
        DateOnly d when cell == ReportCell.Month => d.ToString("MMMM yyyy", Ru),
        DateOnly d => d.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A share in per cent to two decimals, a ratio of sums (reports.md G1); null — printed «—» — when the denominator is zero.</summary>
    public static decimal? Percent(decimal numerator, decimal denominator) =>
        denominator == 0 ? null : Math.Round(100m * numerator / denominator, 2, MidpointRounding.AwayFromZero);

    /// <summary>Whether a column's values are figures (right-aligned, summed).</summary>
    public static bool IsNumber(ReportCell cell) => cell is ReportCell.Money or ReportCell.Volume or ReportCell.Count or ReportCell.Percent or ReportCell.Rate;
}
