using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

public sealed partial class ArchitectureTests
{
    /// <summary>
    /// Months cross into SQL and back in one place, <c>src/OpenErc.Operations/SqlMonths.cs</c> (MonthParameter, GetMonth,
    /// …): no parameter or COPY field is built from a month's <c>.FirstDay</c> and no month is read back with
    /// <c>BillingPeriod.Of(…GetFieldValue…)</c> anywhere else. A line-by-line grep: a date computed from the first day
    /// (<c>month.FirstDay.AddMonths(-12)</c>) is a date, not a month, and passes.
    /// </summary>
    [Fact]
    public void Months_cross_into_sql_only_through_SqlMonths()
    {
        var offenders = Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
                        && !f.Contains("/Migrations/", StringComparison.Ordinal) && Path.GetFileName(f) != "SqlMonths.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(x => HandWrittenMonth().IsMatch(x.Text))
            .Select(x => $"{Path.GetRelativePath(Root, x.File)}:{x.Line}: {x.Text.Trim()}")
            .ToList();
        offenders.ShouldBeEmpty();
    }

    [GeneratedRegex(@"NpgsqlParameter\b.*\.FirstDay\b(?!\.)|\.(Put|PutArray|Write)\(.*\.FirstDay\b(?!\.)" +
                    @"|BillingPeriod\.Of\(.*(GetFieldValue|GetDateTime|ExecuteScalar|\(DateOnly\))|is DateOnly \w+ \? BillingPeriod\.Of")]
    private static partial Regex HandWrittenMonth();
}
