namespace OpenErc.Operations.Demo;

/// <summary>
/// The demo history's own time: the history sets it moment by moment as its days go by, and a
/// <see cref="Core.Common.RegionClock"/> over it gives every operation its "now" and "today", as the machine's time does
/// for the live centre.
/// </summary>
internal sealed class SimulatedTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
