using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests.Legacy;

/// <summary>The round trip: a demo region exported as OpenErc's workbook, loaded into an empty database, charges the next month to the same lines.</summary>
public sealed class RegistryWorkbookTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly RegionClock Clock = TestClock.On(2026, 11, 20);
    private static readonly BillingPeriod November = new(2026, 11);

    private static OpenErcDbContext Context(string cs) => new(OpenErcDatabase.Options(cs), Clock);

    /// <summary>The month's regular lines: account, service, supplier, zone and amount in kopecks, in one order.</summary>
    private static async Task<List<string>> LinesAsync(string cs)
    {
        var lines = new List<string>();
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT a.number || ' ' || s.code || ' ' || l.supplier_id || ' ' || l.zone || ' ' || l.kopecks FROM charge_lines l
            JOIN personal_accounts a ON a.id = l.account_id JOIN services s ON s.id = l.service_id
            WHERE l.booking_month = '2026-11-01' AND l.kind = 0 ORDER BY 1
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) lines.Add(r.GetString(0));
        return lines;
    }

    [Fact]
    public async Task A_demo_region_exported_and_imported_into_an_empty_database_charges_the_next_month_to_the_same_lines()
    {
        var source = await cluster.CreateDatabaseAsync("round_trip_source");
        await DemoRegion.GenerateAsync(source, new DemoOptions(40, 5, November, Months: 2), ct: Ct);
        byte[] book;
        await using (var db = Context(source)) book = await RegistryWorkbook.ExportAsync(db, Ct);

        var target = await cluster.CreateDatabaseAsync("round_trip_target");
        await using (var db = Context(target))
        {
            var dry = await RegistryWorkbook.ImportAsync(db, "region.xlsx", book, Clock, dryRun: true, ct: Ct);
            (dry.Applied, dry.Errors.Count).ShouldBe((false, 0));
        }
        (await Sql.ScalarAsync<long>(target, "SELECT count(*) FROM buildings")).ShouldBe(0);
        await using (var db = Context(target))
        {
            var report = await RegistryWorkbook.ImportAsync(db, "region.xlsx", book, Clock, ct: Ct);
            report.Errors.ShouldBeEmpty();
            report.Applied.ShouldBeTrue();
            report.Created["accounts"].ShouldBe(40);
        }
        foreach (var table in new[] { "buildings", "premises", "personal_accounts", "people", "meters", "meter_readings", "tariffs", "consumption_norms" })
            (await Sql.ScalarAsync<long>(target, $"SELECT count(*) FROM {table}")).ShouldBe(await Sql.ScalarAsync<long>(source, $"SELECT count(*) FROM {table}"), table);
        // The balances: October's closing balances open November there.
        (await Sql.ScalarAsync<decimal>(target, "SELECT coalesce(sum(kopecks), 0) * 0.01 FROM charge_lines WHERE kind = 7"))
            .ShouldBe(await Sql.ScalarAsync<decimal>(source, "SELECT sum(closing) FROM account_balances WHERE month = '2026-10-01'"));
        (await BillingPeriods.OpenMonthAsync(target, Ct)).ShouldBe(November);

        // The CSV form (a region too large for a workbook) into another empty database, by COPY.
        string folder = Path.Combine(Path.GetTempPath(), $"openerc-region-{Guid.NewGuid():N}");
        await using (var db = Context(source)) await RegistryWorkbook.ExportCsvAsync(db, folder, Ct);
        var fromCsv = await cluster.CreateDatabaseAsync("round_trip_csv");
        await using (var db = Context(fromCsv))
        {
            var report = await RegistryWorkbook.ImportCsvAsync(db, folder, Clock, ct: Ct);
            report.Errors.ShouldBeEmpty();
            (report.Applied, report.Created["accounts"]).ShouldBe((true, 40));
        }
        // A value the table refuses: nothing of the region is loaded, and the refusal names the file and its line.
        var premises = File.ReadAllLines(Path.Combine(folder, "premises.csv"));
        var original = premises.ToArray();
        premises[3] = premises[3].Replace(premises[3].Split(',')[0] + ",", premises[3].Split(',')[0] + ",много_", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(folder, "premises.csv"), premises);
        var broken = await cluster.CreateDatabaseAsync("round_trip_broken");
        await using (var db = Context(broken))
        {
            var refused = await RegistryWorkbook.ImportCsvAsync(db, folder, Clock, ct: Ct);
            (refused.Applied, refused.Errors.Single().Place).ShouldBe((false, "premises.csv, строка 4"));
        }
        (await Sql.ScalarAsync<long>(broken, "SELECT count(*) FROM buildings")).ShouldBe(0);
        // A reading of a meter the region does not have: the references, checked once all is in, refuse it.
        File.WriteAllLines(Path.Combine(folder, "premises.csv"), original);
        var readings = File.ReadAllLines(Path.Combine(folder, "meter-readings.csv"));
        var cells = readings[1].Split(',');
        cells[Array.IndexOf(readings[0].Split(','), "meter_id")] = "999999999";
        readings[1] = string.Join(",", cells);
        File.WriteAllLines(Path.Combine(folder, "meter-readings.csv"), readings);
        await using (var db = Context(broken))
        {
            var refused = await RegistryWorkbook.ImportCsvAsync(db, folder, Clock, ct: Ct);
            refused.Errors.Single().ToString().ShouldStartWith("meter-readings.csv: Не загружено: ссылка на несуществующую запись");
        }
        (await Sql.ScalarAsync<long>(broken, "SELECT count(*) FROM meter_readings")).ShouldBe(0);
        Directory.Delete(folder, recursive: true);

        foreach (var cs in new[] { source, target, fromCsv })
            (await BillingRun.RunAsync(cs, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var lines = await LinesAsync(source);
        lines.Count.ShouldBeGreaterThan(100);
        (await LinesAsync(target)).ShouldBe(lines);
        (await LinesAsync(fromCsv)).ShouldBe(lines);

        // Into a database that has a region already: refused, nothing changes.
        await using (var db = Context(source))
        {
            var refused = await RegistryWorkbook.ImportAsync(db, "region.xlsx", book, Clock, ct: Ct);
            refused.Errors.Single().Reason.ShouldStartWith("Выгрузка OpenErc загружается только в пустую базу");
        }
        await using (var db = Context(target))
            (await RegistryWorkbook.ImportAsync(db, "region.xlsx", "не книга"u8.ToArray(), Clock, ct: Ct)).Errors.Single().Reason.ShouldBe("Файл не читается как книга XLSX");
    }
}
