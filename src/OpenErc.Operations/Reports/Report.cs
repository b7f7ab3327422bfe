using OpenErc.Core.Common;

namespace OpenErc.Operations.Reports;

/// <summary>How a report's cell is written: the same kind decides the JSON value, the XLSX cell and format, the CSV and PDF text.</summary>
public enum ReportCell
{
    /// <summary>Words: an address, a name.</summary>
    Text,
    /// <summary>A code kept as text in every format (account numbers, ИНН, БИК, serials: leading zeros, more than 15 digits).</summary>
    Code,
    /// <summary>Roubles with kopecks.</summary>
    Money,
    /// <summary>A volume, to three decimals.</summary>
    Volume,
    /// <summary>A whole number.</summary>
    Count,
    /// <summary>A share in per cent, two decimals.</summary>
    Percent,
    /// <summary>A tariff, norm or area, up to six decimals.</summary>
    Rate,
    Date,
    /// <summary>A billing month, its first day.</summary>
    Month,
}

/// <summary>What a column's total is: nothing, the sum of the printed rows (G1), or a ratio of two summed columns in per cent.</summary>
public enum ReportTotal { None, Sum, Ratio }

/// <summary>
/// A column of a report: its key (in JSON and the query string), its Russian title, how it is written, its SQL expression
/// over the report's source, and its total. A <see cref="ReportTotal.Ratio"/> column is <c>100 × Σ numerator / Σ denominator</c>
/// of the two columns it names — a ratio of sums, never a mean of ratios — and «—» when the denominator is zero.
/// <see cref="Personal"/> columns (ФИО, birth dates) are left out for users without access to personal data (152-ФЗ).
/// </summary>
public sealed record ReportColumn(string Key, string Title, ReportCell Cell, string Sql, ReportTotal Total = ReportTotal.None,
    string? Numerator = null, string? Denominator = null, bool Personal = false, bool Hidden = false)
{
    public bool IsMeasure => Total != ReportTotal.None;

    public static ReportColumn Sum(string key, string title, string sql, ReportCell cell = ReportCell.Money) => new(key, title, cell, sql, ReportTotal.Sum);

    public static ReportColumn Ratio(string key, string title, string numerator, string denominator) =>
        new(key, title, ReportCell.Percent, "", ReportTotal.Ratio, numerator, denominator);
}

/// <summary>
/// A dimension by which reports are filtered and grouped (reports.md §0.4): its key, Russian title, the SQL of its value
/// over a report's source (<see cref="Id"/>), and of its label given that value (<see cref="Label"/>, <c>{0}</c> the value).
/// <see cref="Filter"/> is what a filter compares when it is not the value itself (an account is chosen by its number).
/// </summary>
public sealed record ReportDimension(string Key, string Title, string Id, string Label, ReportValue Values, string? Filter = null, ReportCell Cell = ReportCell.Text);

/// <summary>The type of a dimension's filter values.</summary>
public enum ReportValue { Id, Text, Small, Month }

/// <summary>
/// A report's own parameter (include penalties, debt threshold …): key, title, allowed values with their titles, default.
/// <see cref="Excludes"/> names, for a value, the dimensions a report so asked can neither be filtered nor grouped by.
/// </summary>
public sealed record ReportParameter(string Key, string Title, IReadOnlyList<(string Value, string Title)> Values, string Default)
{
    public IReadOnlyDictionary<string, string[]>? Excludes { get; init; }

    /// <summary>
    /// P6 «Дата атрибутов» of a monthly series (reports.md §0.4–0.5): a building's management company and a service's
    /// calculation method as on the last day of the range (default), or of each row's own month.
    /// </summary>
    public static readonly ReportParameter Attributes = new("attributes", "Дата атрибутов",
        [("end", "Конец периода"), ("month", "Каждый месяц")], "end");
}

/// <summary>What period a report asks for: a range of billing months, a date, or nothing (registers as they stand).</summary>
public enum ReportTime { Months, Date, MonthEnd }

/// <summary>Итоговый (one row per group), Развёрнутый (the report's own rows with subtotals) or Сводная (groups × a second dimension).</summary>
public enum ReportMode
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Итоговый")] Summary,
    [System.ComponentModel.DataAnnotations.Display(Name = "Развёрнутый")] Expanded,
    [System.ComponentModel.DataAnnotations.Display(Name = "Сводная таблица")] Pivot,
}

/// <summary>
/// A report: a definition read by <see cref="ReportEngine"/>, never a page of its own. <see cref="Source"/> is the SQL
/// after <c>FROM</c> (with the aliases its columns and dimensions use) for the query's period and parameters;
/// <see cref="Dimensions"/> are the filters and groupings it takes; <see cref="Columns"/> its rows' columns in the
/// expanded form, the measures of which are the summary's. A <see cref="Planning"/> report (the capital-repair programme)
/// may ask for months not yet open. A <see cref="SuppliersOnly"/> report has rows of suppliers and no buildings (the transfers):
/// a user scoped to buildings sees only his own organisation's rows as a supplier, none without one. A <see cref="ReadOnce"/>
/// report's rows cost much to find and are few (the debtors register): a page reads them once into a temporary table, and
/// its totals and its rows from there, as every report's summary does (its rows are its groups: a region's ОСВ by
/// municipality is four rows summed from 145 thousand of the snapshot, 1.3–1.9 s at 1.1 M accounts, which a page paid
/// twice); other reports' expanded rows are read by their query for each, which costs less than writing them down.
/// </summary>
public sealed record ReportDefinition(string Code, string Title, string Section, string Description, ReportTime Time,
    Func<ReportSql, string> Source, IReadOnlyList<string> Dimensions, IReadOnlyList<ReportColumn> Columns,
    IReadOnlyList<string> DefaultGroups, string Order, IReadOnlyList<ReportParameter>? Parameters = null, string? Where = null, ReportFast? Fast = null, bool Planning = false,
    bool SuppliersOnly = false, bool ReadOnce = false)
{
    /// <summary>The report's parameters; a monthly series (a report with the month among its dimensions) also takes P6.</summary>
    public IReadOnlyList<ReportParameter> Options => Dimensions.Contains("month") ? [.. Parameters ?? [], ReportParameter.Attributes] : Parameters ?? [];
    public IEnumerable<ReportColumn> Measures => Columns.Where(c => c.IsMeasure);
}

/// <summary>
/// The same report read from the closed months' snapshot by building (<c>closed_month_buildings</c>): used when nothing asked
/// goes below a building — summary or pivot, filters and groups among <see cref="ReportFast.Dimensions"/>, every month
/// closed — with its own SQL for each measure (<see cref="Columns"/>, by key). At a million accounts this is what keeps a
/// region's summary within a second or two instead of reading a month's 13 M balances.
/// </summary>
public sealed record ReportFast(Func<ReportSql, string> Source, IReadOnlyDictionary<string, string> Columns, Func<ReportQuery, bool>? Applies = null)
{
    public static readonly IReadOnlySet<string> Dimensions = new HashSet<string> { "municipality", "manager", "street", "building", "supplier", "service", "serviceKind", "method" };
}

/// <summary>What the SQL of a source may depend on besides its parameters: the open month and the query's own values.</summary>
public sealed record ReportSql(BillingPeriod From, BillingPeriod To, BillingPeriod? Open, DateOnly Date, IReadOnlyDictionary<string, string> Parameters, string Zone,
    WorkCalendar Calendar)
{
    public string this[string key] => Parameters[key];

    /// <summary>
    /// A table <c>(day, due)</c> to join on a day: for every day from three months before the period to three after its
    /// end (or its day), the <paramref name="workingDays"/>-th working day after it by the region's calendar
    /// (<see cref="WorkCalendar.AddWorkingDays"/>) — written into the statement, since the calendar is configuration,
    /// not data. A day outside the window has no row.
    /// </summary>
    public string Deadlines(int workingDays)
    {
        static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (first, last) = (From.FirstDay.AddMonths(-3), (Date > To.End ? Date : To.End).AddMonths(3));
        var rows = new System.Text.StringBuilder("(VALUES ");
        for (var d = first; d <= last; d = d.AddDays(1))
            rows.Append(d == first ? "" : ", ").Append("('").Append(Iso(d)).Append("'::date, '").Append(Iso(Calendar.AddWorkingDays(d, workingDays))).Append("'::date)");
        return rows.Append(')').ToString();
    }
}

/// <summary>A report asked for: its period, filters, form, groupings and parameters, already checked (<see cref="ReportRequest"/>).</summary>
public sealed record ReportQuery(BillingPeriod From, BillingPeriod To, DateOnly Date, IReadOnlyDictionary<string, string[]> Filters, ReportMode Mode,
    IReadOnlyList<string> Groups, string? Across, string? Measure, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// Whose report it is: the buildings and services a management company's or supplier's user sees (<c>null</c> for all), the
/// supplier whose rows alone a supplier sees, whether personal data may be shown, and who forms it (printed in the title).
/// </summary>
public sealed record ReportScope(long[]? Buildings, long[]? Services, long? Supplier, bool PersonalData, string FormedBy)
{
    public static ReportScope Everything(string formedBy) => new(null, null, null, true, formedBy);
}

public enum ReportRowKind { Row, Subtotal, Total }

/// <summary>
/// A printed row: the row itself, «Итого по …» of a group (its <see cref="Level"/>, 1 or 2), or «Всего». A summary's row
/// carries its groups' values (<see cref="Keys"/>: codes, not labels), by which a page drills down into it.
/// </summary>
public sealed record ReportRow(ReportRowKind Kind, int Level, object?[] Values, object?[]? Keys = null);

/// <summary>The head of a formed report: what the title block prints, and the columns of its rows.</summary>
public sealed record ReportHead(string Code, string Title, string Organisation, string Period, string Selection, string Options,
    DateTimeOffset FormedAt, string FormedBy, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<string> Groups)
{
    /// <summary>The title block's last line: when (on the region's clock, with its offset) and by whom, and the moment of the data.</summary>
    public string Formed(TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(FormedAt, zone);
        var offset = local.Offset;
        var when = $"{local:dd.MM.yyyy HH:mm} (UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm})";
        return $"Сформирован: {when}, {FormedBy}; данные на {when}";
    }

    public string FileName(string extension, TimeZoneInfo zone, string period) =>
        $"{Code}_{period}_{TimeZoneInfo.ConvertTime(FormedAt, zone):yyyyMMdd-HHmm}.{extension}";
}

/// <summary>A page of a formed report: its rows with subtotals of the groups that end on it, and the grand total.</summary>
public sealed record ReportPage(ReportHead Head, IReadOnlyList<ReportRow> Rows, ReportRow Total, long Count, int Page, int PageSize);

/// <summary>A report request the engine refuses: the parameter's key and the Russian reason.</summary>
public sealed class ReportException(string key, string message) : Exception(message)
{
    public string Key { get; } = key;
}
