using System.Globalization;
using System.Text;
using OpenErc.Exchange.Uszn;

namespace OpenErc.Testing;

/// <summary>УСЗН's subsidy decisions SUBDEC (OpenErc's layout, <see cref="SubdecFile"/>) written for tests: rows by column, the file with its trailer.</summary>
public static class SubdecSample
{
    /// <summary>
    /// A subsidy of 1250.50 ₽ a month on <paramref name="account"/> from 01.05.2026 to 31.10.2026, no applicant named;
    /// <paramref name="values"/> override by column.
    /// </summary>
    public static Dictionary<string, string> Row(string decisionId, string account, params (string Column, string Value)[] values) =>
        UsznSample.Row(SubdecFile.Columns,
        [
            ("DecisionId", decisionId), ("Action", "ADD"), ("AccountNumber", account), ("Amount", "1250.50"), ("ValidFrom", "01.05.2026"),
            ("ValidTo", "31.10.2026"), ("DecisionNo", "С-" + decisionId), ("DecisionDate", "20.04.2026"), .. values,
        ]);

    /// <summary>The file in UTF-8: header, rows, the trailer with their count and Σ Amount.</summary>
    public static byte[] File(params Dictionary<string, string>[] rows) => UsznSample.File(SubdecFile.Columns, "Amount", rows);
}

/// <summary>Exchange files of УСЗН written for tests in the common layout of benefits.md §6.</summary>
public static class UsznSample
{
    /// <summary>A row with every column of <paramref name="columns"/>, empty unless <paramref name="values"/> (later wins) fills it.</summary>
    public static Dictionary<string, string> Row(IReadOnlyList<string> columns, IEnumerable<(string Column, string Value)> values)
    {
        var row = columns.ToDictionary(c => c, _ => "");
        foreach (var (c, v) in values) row[c] = v;
        return row;
    }

    /// <summary>The text: header, rows, the trailer with their count and the sum of <paramref name="sumColumn"/>; CRLF.</summary>
    public static string Text(IReadOnlyList<string> columns, string sumColumn, IReadOnlyList<Dictionary<string, string>> rows)
    {
        var text = new StringBuilder(string.Join(';', columns) + "\r\n");
        foreach (var row in rows) text.Append(string.Join(';', columns.Select(c => row[c]))).Append("\r\n");
        var sum = rows.Sum(r => decimal.Parse(r[sumColumn], CultureInfo.InvariantCulture));
        text.Append(CultureInfo.InvariantCulture, $"#TRAILER;{rows.Count};{sum:0.00}\r\n");
        return text.ToString();
    }

    /// <summary>The file in UTF-8.</summary>
    public static byte[] File(IReadOnlyList<string> columns, string sumColumn, IReadOnlyList<Dictionary<string, string>> rows) =>
        Encoding.UTF8.GetBytes(Text(columns, sumColumn, rows));
}
