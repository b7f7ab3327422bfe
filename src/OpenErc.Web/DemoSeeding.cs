using Microsoft.EntityFrameworkCore;
using OpenErc.Operations.Demo;
using OpenErc.Storage;

namespace OpenErc.Web;

/// <summary>An empty database gets a demo region, so that a fresh <c>dotnet run</c> has something to show.</summary>
public static class DemoSeeding
{
    public static async Task SeedIfEmptyAsync(OpenErcDatabase database, IConfiguration config, ILogger log)
    {
        int accounts = config.GetValue("OpenErc:DemoAccounts", 2000);
        if (accounts <= 0) return;
        await using (var db = database.CreateContext())
            if (await db.Buildings.AnyAsync()) return;
        log.LogInformation("The database is empty: generating a demo region of {Accounts} accounts", accounts);
        var result = await DemoRegion.GenerateAsync(database.ConnectionString, new DemoOptions(accounts, config.GetValue("OpenErc:DemoSeed", 42), database.Clock.CurrentMonth));
        log.LogInformation("Demo region ready: {Accounts} accounts in {Buildings} buildings, {Seconds:F1} s", result.Accounts, result.Buildings, result.Elapsed.TotalSeconds);
    }
}
