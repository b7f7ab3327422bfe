using OpenErc.Core.Common;
using OpenErc.Operations.Reports;

namespace OpenErc.Operations.Tests;

/// <summary>A formed report page as the tests read it: a column's index, the rows, a total, a cell by column key.</summary>
internal sealed record ReportResult(ReportPage Page)
{
    public int Index(string key) => Page.Head.Columns.ToList().FindIndex(c => c.Key == key) is var i and >= 0 ? i : throw new KeyNotFoundException(key);
    public IEnumerable<object?[]> Rows => Page.Rows.Where(r => r.Kind == ReportRowKind.Row).Select(r => r.Values);
    public decimal Total(string key) => Convert.ToDecimal(Page.Total.Values[Index(key)]!, System.Globalization.CultureInfo.InvariantCulture);
    public decimal[] Totals(params string[] keys) => [.. keys.Select(Total)];
    public decimal Sum(string key) => Rows.Sum(r => (decimal?)r[Index(key)] ?? 0m);
    public decimal Value(object?[] row, string key) => row[Index(key)] is { } v ? Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture) : 0m;
    public decimal[] Figures(object?[] row, params string[] keys) => [.. keys.Select(k => Value(row, k))];
    public string Text(object?[] row, string key) => (string?)row[Index(key)] ?? "";
    public object?[] Row(string key, string text) => Rows.Single(r => Text(r, key) == text);

    /// <summary>The report's first page (up to 10,000 rows) on a database, the query checked as the page checks it.</summary>
    public static async Task<ReportResult> FormAsync(string cs, string code, Dictionary<string, string?> query, BillingPeriod latest, BillingPeriod? open,
        RegionClock clock, CancellationToken ct, ReportScope? scope = null)
    {
        var report = ReportCatalog.Find(code) ?? throw new KeyNotFoundException(code);
        var q = ReportRequest.Parse(report, query, latest, open, clock.Today);
        return new ReportResult(await ReportEngine.PageAsync(cs, report, q, scope ?? ReportScope.Everything("тест"), clock, 1, 10_000, ct));
    }
}
