using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Storage;

namespace OpenErc.Web;

/// <summary>One billing run started from the workstation, with its live progress and, at the end, its report or error.</summary>
public sealed class BillingJob(BillingPeriod month, string scope, bool dryRun, string startedBy, DateTimeOffset startedAt) : HostJob(startedBy, startedAt)
{
    public BillingPeriod Month { get; } = month;
    public string Scope { get; } = scope;
    public bool DryRun { get; } = dryRun;
    public BillingProgress? Progress { get; internal set; }
    public BillingRunReport? Report { get; internal set; }
    /// <summary>The recalculation of the queued retroactive changes made before the run (not for a dry run).</summary>
    public RecalculationQueueReport? Queue { get; internal set; }
}

/// <summary>
/// Runs billing in the background of the host (<see cref="HostJobs{TJob}"/>). A crash of the host leaves the run
/// resumable (the run is restartable).
/// </summary>
public sealed class BillingJobs(OpenErcDatabase database, RegionClock clock, ILogger<BillingJobs> log) : HostJobs<BillingJob>(log)
{
    /// <summary>Starts a run of the open month in the background; any other month is refused at once (<see cref="BillingException"/>).</summary>
    public async Task<BillingJob> StartAsync(BillingPeriod month, BillingScope scope, bool dryRun, string startedBy)
    {
        await BillingPeriods.RequireOpenAsync(database.ConnectionString, month, "начисления");
        var job = new BillingJob(month, scope.Description, dryRun, startedBy, clock.Now);
        var progress = Reporting<BillingProgress>(p => job.Progress = p);
        return Run(job, async () =>
        {
            // Past months known to be wrong are recalculated before the month is charged.
            if (!dryRun) job.Queue = await Recalculations.ProcessQueueAsync(database.ConnectionString, month, startedBy, clock);
            job.Report = await BillingRun.RunAsync(database.ConnectionString, month, scope,
                new BillingRunOptions(clock, DryRun: dryRun, StartedBy: startedBy), progress);
        });
    }

    protected override string? Refusal(Exception e) => e is BillingException ? e.Message : null;

    protected override string Interrupted(BillingJob job, Exception e) =>
        "Расчёт прерван из-за ошибки: " + e.Message + ". Его можно запустить снова — готовые дома не пересчитываются.";

    protected override Exception Busy(BillingJob running) =>
        new BillingException($"Уже выполняется расчёт за {running.Month}: дождитесь его окончания");
}
