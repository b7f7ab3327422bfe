namespace OpenErc.Web;

/// <summary>A long task the host runs in its own background for the workstation: who started it, when, and how it ended.</summary>
public abstract class HostJob(string startedBy, DateTimeOffset startedAt)
{
    public string StartedBy { get; } = startedBy;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public string? Error { get; internal set; }
    public bool Finished { get; internal set; }
}

/// <summary>
/// Runs one job of a kind at a time in the background of the host, not of one browser tab: leaving the page does not stop
/// it, and every operator sees the same progress (<see cref="Changed"/>). An expected refusal ends the job with its
/// message; any other error is logged and ends it with <see cref="Interrupted"/>.
/// </summary>
public abstract class HostJobs<TJob>(ILogger log) where TJob : HostJob
{
    private readonly Lock _gate = new();

    public TJob? Current { get; private set; }

    /// <summary>Raised on progress and at the end, from a background thread.</summary>
    public event Action? Changed;

    /// <summary>What a job that a refusal of <paramref name="e"/>'s kind ended says (null: not a refusal).</summary>
    protected abstract string? Refusal(Exception e);

    /// <summary>What a job that an unexpected error ended says, with the way to go on.</summary>
    protected abstract string Interrupted(TJob job, Exception e);

    /// <summary>What a second job started while <paramref name="running"/> runs is refused with.</summary>
    protected abstract Exception Busy(TJob running);

    /// <summary>Makes <paramref name="job"/> the current one and runs <paramref name="work"/> in the background.</summary>
    protected TJob Run(TJob job, Func<Task> work)
    {
        lock (_gate)
        {
            if (Current is { Finished: false } running) throw Busy(running);
            Current = job;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception e) when (Refusal(e) is { } message)
            {
                job.Error = message;
            }
            catch (Exception e)
            {
                log.LogError(e, "{Job} failed", typeof(TJob).Name);
                job.Error = Interrupted(job, e);
            }
            finally
            {
                job.Finished = true;
                Notify();
            }
        });
        return job;
    }

    /// <summary>Tells the pages that the current job moved on.</summary>
    protected void Notify() => Changed?.Invoke();

    /// <summary>A progress that records the value on the job and tells the pages.</summary>
    protected Progress<T> Reporting<T>(Action<T> record) => new(p =>
    {
        record(p);
        Notify();
    });
}
