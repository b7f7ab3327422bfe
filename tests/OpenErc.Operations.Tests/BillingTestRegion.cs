using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>The set-up of the recalculation tests: a small demo region with October charged and closed, November open.</summary>
internal static class BillingTestRegion
{
    /// <summary>The region's clock of these tests.</summary>
    internal static readonly RegionClock Clock = TestClock.On(2026, 11, 5);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    public static readonly BillingPeriod October = new(2026, 10);
    public static readonly BillingPeriod November = new(2026, 11);

    public static async Task<string> WithClosedOctoberAsync(PostgresCluster cluster, string name)
    {
        var cs = await cluster.CreateDatabaseAsync(name);
        await DemoRegion.GenerateAsync(cs, new DemoOptions(120, 42, November), ct: Ct);
        (await BillingRun.RunAsync(cs, October, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        await BillingPeriods.CloseAsync(cs, October, Clock, "тест", Ct);
        return cs;
    }

    /// <summary>The month of the building computed now, with today's registry data, independently of any recalculation.</summary>
    public static async Task<decimal> FreshAsync(string cs, long building, BillingPeriod month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var reference = await BillingReference.LoadAsync(conn, month, Ct);
        var loaded = (await SnapshotLoader.LoadAsync(conn, reference, [building], month, Ct)).ShouldHaveSingleItem();
        return ChargeCalculator.Calculate(loaded.Snapshot.ShouldNotBeNull(), month, new ChargeSettings()).Sum(l => l.Amount.Amount);
    }
}
