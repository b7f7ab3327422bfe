using System.Globalization;
using System.IO.Compression;
using System.Text;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The whole-run comparison: every line the calculator gives for the demo year's buildings, in each of its thirteen
/// months — amount, unrounded amount, volume, rate, coefficient, day factor, source, kind and the whole trace (formula,
/// law, inputs, note, segments) — is the line of the calculator as it stood before its speed work (the file
/// <c>Golden/demo-year-charges.txt.gz</c>, written by that calculator from the same region). A change that moves one
/// kopeck or one word of a trace fails here with the first line that differs; a deliberate change of the output writes
/// the file again: <c>OPENERC_WRITE_GOLDEN=1 dotnet test …</c>, and the diff of the file is reviewed with it.
/// </summary>
public sealed class ChargeGoldenTests(DemoYear year) : IClassFixture<DemoYear>
{
    private const string File = "Golden/demo-year-charges.txt.gz";

    [Fact]
    public async Task Every_line_of_the_demo_year_is_the_line_of_the_calculator_before_its_speed_work()
    {
        var ct = TestContext.Current.CancellationToken;
        var text = await DumpAsync(year.ConnectionString, ct);
        text.Length.ShouldBeGreaterThan(100_000);
        if (Environment.GetEnvironmentVariable("OPENERC_WRITE_GOLDEN") == "1")
        {
            string path = Path.Combine(SourceDirectory(), File);
            await using var file = System.IO.File.Create(path);
            await using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            return;
        }
        string expected;
        await using (var file = System.IO.File.OpenRead(Path.Combine(AppContext.BaseDirectory, File)))
        await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip, Encoding.UTF8))
            expected = await reader.ReadToEndAsync(ct);
        var (actualLines, expectedLines) = (text.Split('\n'), expected.Split('\n'));
        for (int i = 0; i < Math.Min(actualLines.Length, expectedLines.Length); i++)
            actualLines[i].ShouldBe(expectedLines[i], $"line {i + 1} of {File}");
        actualLines.Length.ShouldBe(expectedLines.Length);
    }

    /// <summary>Every month's lines of every building, in the calculator's order, one text line each.</summary>
    private static async Task<string> DumpAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        var ids = new List<long>();
        await using (var cmd = new NpgsqlCommand("SELECT id FROM buildings ORDER BY id", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        var text = new StringBuilder();
        var settings = new ChargeSettings();
        foreach (var month in DemoYear.Closed.Append(DemoYear.Current))
        {
            var reference = await BillingReference.LoadAsync(conn, month, ct);
            foreach (var building in await SnapshotLoader.LoadAsync(conn, reference, ids, month, ct))
            {
                if (building.Snapshot is null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{month} {building.BuildingId}: {building.Error}\n");
                    continue;
                }
                IReadOnlyList<ChargeLine> lines;
                try
                {
                    lines = ChargeCalculator.Calculate(building.Snapshot, month, settings);
                }
                catch (ChargeDataException e)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{month} {building.BuildingId}: {e.Message}\n");
                    continue;
                }
                foreach (var l in lines)
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $"{month} {building.BuildingId} {l.AccountId} {l.ServiceCode} {l.SupplierId} {l.Zone} {l.Kind} {l.Volume} {l.Unit} {l.Rate} {l.Coefficient} {l.DayFactor} {l.Source} {l.Unrounded} {l.Amount.Amount}");
                    text.Append(CultureInfo.InvariantCulture, $" | {l.Trace.Formula} | {l.Trace.LegalReference} | {l.Trace.Note}");
                    foreach (var input in l.Trace.Inputs) text.Append(CultureInfo.InvariantCulture, $" | {input.Name}={input.Value} {input.Unit}");
                    foreach (var s in l.Trace.Segments)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" || {s.From:yyyy-MM-dd}..{s.To:yyyy-MM-dd} {s.DayFactor} {s.Volume} {s.Unrounded}");
                        foreach (var input in s.Inputs) text.Append(CultureInfo.InvariantCulture, $" | {input.Name}={input.Value} {input.Unit}");
                    }
                    text.Append('\n');
                }
            }
        }
        return text.ToString();
    }

    /// <summary>The test project's own folder, where the file is kept (the tests run from bin/…).</summary>
    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
