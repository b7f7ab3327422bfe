using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;

namespace OpenErc.Web;

/// <summary>One bulk print of a month's payment documents started from the workstation: its progress, report or error.</summary>
public sealed class PrintJob(BillingPeriod month, string scope, string startedBy, DateTimeOffset startedAt) : HostJob(startedBy, startedAt)
{
    public BillingPeriod Month { get; } = month;
    public string Scope { get; } = scope;
    public PrintProgress? Progress { get; internal set; }
    public PrintReport? Report { get; internal set; }
}

/// <summary>
/// Bulk printing of ЕПД in the background of the host (<see cref="HostJobs{TJob}"/>, as billing runs): a PDF per building
/// written to <see cref="Directory"/>/<c>YYYY-MM</c> and recorded in the print registry, so that an interrupted print
/// started again goes on where it stopped and each building's file is downloaded from the page.
/// </summary>
public sealed class PrintJobs(OpenErcDatabase database, RegionClock clock, ReceiptSettings settings, IConfiguration config, ILogger<PrintJobs> log)
    : HostJobs<PrintJob>(log)
{
    /// <summary>
    /// Where the prints are kept: <c>OpenErc:Receipts:PrintDirectory</c>, by default <c>prints</c> beside the embedded
    /// cluster's data folder.
    /// </summary>
    public string Directory { get; } = config["OpenErc:Receipts:PrintDirectory"] is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(Path.GetDirectoryName(OpenErcDatabase.ResolveDataDirectory(config["OpenErc:DataDirectory"]))!, "prints");

    /// <summary>The folder of a month's prints.</summary>
    public string MonthDirectory(BillingPeriod month) => Path.Combine(Directory, month.ToString());

    /// <summary>Starts printing a closed month in the background; a second print while one runs is refused (<see cref="ReceiptException"/>).</summary>
    public PrintJob Start(BillingPeriod month, PrintSelection selection, string scope, string startedBy)
    {
        var job = new PrintJob(month, scope, startedBy, clock.Now);
        var progress = Reporting<PrintProgress>(p => job.Progress = p);
        return Run(job, async () => job.Report = await ReceiptPrinting.PrintAsync(database.ConnectionString, month, MonthDirectory(month), settings,
            startedBy, clock.Today, selection, progress: progress));
    }

    protected override string? Refusal(Exception e) => e is ReceiptException ? e.Message : null;

    protected override string Interrupted(PrintJob job, Exception e) =>
        "Печать прервана из-за ошибки: " + e.Message + ". Её можно запустить снова — готовые дома не печатаются заново.";

    protected override Exception Busy(PrintJob running) => new ReceiptException($"Уже идёт печать за {running.Month}: дождитесь её окончания");
}
