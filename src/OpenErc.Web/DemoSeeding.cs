using Microsoft.EntityFrameworkCore;
using OpenErc.Operations.Demo;
using OpenErc.Storage;

namespace OpenErc.Web;

/// <summary>An empty database gets a demo region, so that a fresh <c>dotnet run</c> has something to show.</summary>
public static class DemoSeeding
{
    /// <summary>
    /// Whether this host plays the demo: on the embedded default database (no connection string configured), or when
    /// <c>OpenErc:Demo</c> asks for it. A configured database — a real centre's — never gets the demo region, its users and
    /// their published password, nor the test acquirer, whatever <c>OpenErc:DemoAccounts</c> says.
    /// </summary>
    public static bool Enabled(IConfiguration config, OpenErcDatabase database) =>
        config.GetValue<bool?>("OpenErc:Demo") ?? database.Local is not null;

    public static async Task SeedIfEmptyAsync(OpenErcDatabase database, IConfiguration config, ILogger log)
    {
        int accounts = config.GetValue("OpenErc:DemoAccounts", 2000);
        if (accounts <= 0 || !Enabled(config, database)) return;
        await using (var db = database.CreateContext())
            if (await db.Buildings.AnyAsync()) return;
        int months = config.GetValue("OpenErc:DemoMonths", 12);
        var options = new DemoOptions(accounts, config.GetValue("OpenErc:DemoSeed", 42), database.Clock.CurrentMonth, months) { Zone = database.Clock.Zone };
        log.LogInformation("The database is empty: generating a demo region of {Accounts} accounts with {Months} months of history before {Month}",
            accounts, months, options.CurrentMonth);
        var result = await DemoRegion.GenerateAsync(database.ConnectionString, options);
        log.LogInformation("Demo region ready in {Seconds:F1} s: {Accounts} accounts in {Buildings} buildings ({Registry:F1} s), {History}",
            result.Elapsed.TotalSeconds, result.Accounts, result.Buildings, result.RegistryElapsed.TotalSeconds, Describe(result.History));
    }

    private static string Describe(DemoHistoryReport? h) => h is null ? "no history" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{h.Months} months lived from {h.FirstMonth} in {h.Elapsed.TotalSeconds:F1} s ({string.Join(", ", h.Stages.Select(s => $"{s.Key} {s.Value.TotalSeconds:F1} s"))}): "
        + $"{h.ChargeLines} charge lines, {h.Payments} payments, {h.Receipts} receipts, {h.Transfers} transfers");
}
