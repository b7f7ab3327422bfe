using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Storage;

namespace OpenErc.Web;

/// <summary>One billing run started from the workstation, with its live progress and, at the end, its report or error.</summary>
public sealed class BillingJob(BillingPeriod month, string scope, bool dryRun, string startedBy, DateTimeOffset startedAt)
{
    public BillingPeriod Month { get; } = month;
    public string Scope { get; } = scope;
    public bool DryRun { get; } = dryRun;
    public string StartedBy { get; } = startedBy;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public BillingProgress? Progress { get; internal set; }
    public BillingRunReport? Report { get; internal set; }
    /// <summary>The recalculation of the queued retroactive changes made before the run (not for a dry run).</summary>
    public RecalculationQueueReport? Queue { get; internal set; }
    public string? Error { get; internal set; }
    public bool Finished { get; internal set; }
}

/// <summary>
/// Runs billing in the background of the host, not of one browser tab: leaving the page does not stop a run, and
/// every operator sees the same progress. A crash of the host leaves the run resumable (the run is restartable).
/// </summary>
public sealed class BillingJobs(OpenErcDatabase database, RegionClock clock, ILogger<BillingJobs> log)
{
    private readonly Lock _gate = new();

    public BillingJob? Current { get; private set; }

    /// <summary>Raised on progress and at the end, from a background thread.</summary>
    public event Action? Changed;

    /// <summary>Starts a run of the open month in the background; any other month is refused at once (<see cref="BillingException"/>).</summary>
    public async Task<BillingJob> StartAsync(BillingPeriod month, BillingScope scope, bool dryRun, string startedBy)
    {
        await BillingPeriods.RequireOpenAsync(database.ConnectionString, month, "начисления");
        BillingJob job;
        lock (_gate)
        {
            if (Current is { Finished: false })
                throw new BillingException($"Уже выполняется расчёт за {Current.Month}: дождитесь его окончания");
            job = Current = new BillingJob(month, scope.Description, dryRun, startedBy, clock.Now);
        }
        var progress = new Progress<BillingProgress>(p =>
        {
            job.Progress = p;
            Changed?.Invoke();
        });
        _ = Task.Run(async () =>
        {
            try
            {
                // Past months known to be wrong are recalculated before the month is charged.
                if (!dryRun) job.Queue = await Recalculations.ProcessQueueAsync(database.ConnectionString, month, startedBy, clock);
                job.Report = await BillingRun.RunAsync(database.ConnectionString, month, scope,
                    new BillingRunOptions(clock, DryRun: dryRun, StartedBy: startedBy), progress);
            }
            catch (BillingException e)
            {
                job.Error = e.Message;
            }
            catch (Exception e)
            {
                log.LogError(e, "Billing run for {Month} failed", month);
                job.Error = "Расчёт прерван из-за ошибки: " + e.Message + ". Его можно запустить снова — готовые дома не пересчитываются.";
            }
            finally
            {
                job.Finished = true;
                Changed?.Invoke();
            }
        });
        return job;
    }
}
