using OpenErc.Core.Common;

namespace OpenErc.Operations.Demo;

/// <summary>What to generate: the number of personal accounts, the random seed, and the current month (readings cover the six months before it).</summary>
public sealed record DemoOptions(int Accounts, int Seed = 42, BillingPeriod? CurrentMonth = null);

public sealed record DemoProgress(string Stage, long Done, long Total);

public sealed record DemoResult(int Accounts, int Buildings, long Rows, TimeSpan Elapsed);

/// <summary>Deterministic, realistic demo region written with binary COPY.</summary>
public static partial class DemoRegion
{
    public static Task<DemoResult> GenerateAsync(string connectionString, DemoOptions options,
        IProgress<DemoProgress>? progress = null, CancellationToken ct = default) =>
        throw new NotImplementedException("The demo region generator is being written.");
}
