using System.Text.RegularExpressions;
using System.Xml.Linq;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests;

/// <summary>Rules of the solution's shape that a reviewer could miss.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Core_references_nothing()
    {
        var project = XDocument.Load(Path.Combine(Root, "src/OpenErc.Core/OpenErc.Core.csproj"));
        project.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference")
            .Select(e => e.Attribute("Include")?.Value).ShouldBeEmpty();
        typeof(Common.Money).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!).Where(n => !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard" && n != "mscorlib")
            .ShouldBeEmpty();
    }

    [Fact]
    public void References_point_inwards()
    {
        string[] order = ["OpenErc.Core", "OpenErc.Exchange", "OpenErc.Storage", "OpenErc.Operations", "OpenErc.Web", "OpenErc.Cli"];
        foreach (var csproj in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var name = Path.GetFileNameWithoutExtension(csproj);
            int level = Array.IndexOf(order, name);
            foreach (var reference in XDocument.Load(csproj).Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))))
            {
                int target = Array.IndexOf(order, reference);
                (target >= 0 && (target < level || level < 0)).ShouldBeTrue($"{name} → {reference} points outwards");
                (reference is "OpenErc.Web" or "OpenErc.Cli").ShouldBeFalse($"{name} references a host");
            }
        }
    }

    /// <summary>
    /// Money, areas, volumes and rates are decimal: binary floating point may appear only in drawing code — a line marked
    /// «drawing-only», or a file whose first line is a «// drawing-only:» comment (the PDF renderer's coordinates).
    /// </summary>
    [Fact]
    public void No_binary_floating_point_in_the_sources()
    {
        var offenders = Directory.GetFiles(Path.Combine(Root, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                        && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
                        && !f.Contains("/Migrations/", StringComparison.Ordinal)
                        && !File.ReadLines(f).First().StartsWith("// drawing-only:", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(x => FloatingPoint().IsMatch(x.Text) && !x.Text.Contains("drawing-only", StringComparison.Ordinal))
            .Select(x => $"{Path.GetRelativePath(Root, x.File)}:{x.Line}: {x.Text.Trim()}")
            .ToList();
        offenders.ShouldBeEmpty();
    }

    [GeneratedRegex(@"\b(double|float)\b")]
    private static partial Regex FloatingPoint();

    /// <summary>
    /// Time is data (ARCHITECTURE.md §7): nothing reads the machine's clock but <see cref="Common.RegionClock"/> — no
    /// <c>DateTime.Now/Today/UtcNow</c>, <c>DateTimeOffset.Now/UtcNow</c> or <c>TimeProvider.System</c> in the sources or
    /// the tests, and no SQL <c>now()</c>, <c>current_date</c> or <c>current_timestamp</c> in their queries (the
    /// database's clock is the machine's too). Elapsed time is measured with <see cref="System.Diagnostics.Stopwatch"/>.
    /// </summary>
    [Fact]
    public void Only_the_region_clock_reads_the_machine_clock()
    {
        var offenders = Directory.GetFiles(Root, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                        && (f.Contains("/src/", StringComparison.Ordinal) || f.Contains("/tests/", StringComparison.Ordinal))
                        && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
                        && !f.Contains("/Migrations/", StringComparison.Ordinal)
                        && Path.GetFileName(f) is not ("RegionClock.cs" or "ArchitectureTests.cs"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(x => MachineClock().IsMatch(x.Text))
            .Select(x => $"{Path.GetRelativePath(Root, x.File)}:{x.Line}: {x.Text.Trim()}")
            .ToList();
        offenders.ShouldBeEmpty();
    }

    [GeneratedRegex(@"\bDateTime\.(Now|Today|UtcNow)\b|\bDateTimeOffset\.(Now|UtcNow)\b|\bTimeProvider\.System\b|\bnow\(\)|\bcurrent_(date|timestamp)\b|\blocaltimestamp\b|\bclock_timestamp\(", RegexOptions.IgnoreCase)]
    private static partial Regex MachineClock();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenErc.slnx"))) return dir.FullName;
        throw new InvalidOperationException("OpenErc.slnx not found above " + AppContext.BaseDirectory);
    }
}
