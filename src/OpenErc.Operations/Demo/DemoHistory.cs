using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;

namespace OpenErc.Operations.Demo;

/// <summary>What the demo region's history left: the months it lived, its ledger in figures, and where its time went (stages overlap).</summary>
public sealed record DemoHistoryReport(BillingPeriod FirstMonth, int Months, long ChargeLines, decimal Charged, long Payments, decimal Paid,
    long Receipts, long Transfers, TimeSpan Elapsed, IReadOnlyDictionary<string, TimeSpan> Stages);

/// <summary>
/// The demo region lives through the months before the current one (<see cref="DemoOptions.Months"/>) by the same
/// operations the centre's people, banks and citizens use: payments arrive every day from the banks' registries, the
/// Sberbank and OSMP online protocols, the cash desk's shifts and the cabinet's card payments; incidents and changes of
/// residents are registered through the registry (a late one queues a recalculation); suppliers' transfers are prepared,
/// sent and confirmed on working days; and at the end of each month the queue is recalculated, the month charged,
/// penalties posted, the month closed and its payment documents issued. The first month is opened with
/// <see cref="BillingPeriods.StartAsync(string, BillingPeriod, RegionClock, CancellationToken)"/>; the current month is left open and not charged.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> The history runs on clocks of its own (<see cref="Lane"/>) in the region's time zone, never on the
/// machine's. A month's bank registries come first (an import holds every account it lists and the bank's own lock); then
/// the other channels and the registry's events go through the month side by side, each on its own clock, because they
/// touch different accounts (a payer pays once a month, through one channel); then the month's transfers beside its end,
/// and its documents while the next month's payments arrive.</para>
/// <para><b>Determinism.</b> Every choice follows from the registry and one <see cref="Random"/> seeded from
/// <see cref="DemoOptions.Seed"/>, drawn before the lanes start, so the same seed and current month give the same ledger;
/// ids, receipt numbers and cabinet codes follow the order of work side by side, or are random by design.</para>
/// <para><b>Failure.</b> A failure stops the history where it is: the months lived so far stay, as in a live centre.</para>
/// </remarks>
internal sealed partial class DemoHistory
{
    public const string Stage = "История региона: платежи, события, начисления, квитанции";

    // Who does what, as the demo users of the web host are called.
    private const string Accountant = "raschet";
    private const string Financier = "finance";
    private const string Cashier = "cashier";
    private const string Manager = "manager";
    private const string Dispatcher = "dispatcher";

    private readonly string _cs;
    private readonly DemoOptions _options;
    private readonly Lane _main;
    private readonly Random _rng;
    private readonly Dictionary<string, TimeSpan> _stages = [];

    private DemoHistory(string connectionString, DemoOptions options)
    {
        // The history commits tens of thousands of small transactions; waiting for each one's WAL flush would be a good
        // part of its time. A crash loses only the last moments of a history that is then made again in a fresh database.
        // Its statements repeat thousands of times over a dozen monthly partitions, where planning costs more than
        // running: the connections prepare what they repeat, as the online gateway's do.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 };
        builder.Options = (builder.Options + " -c synchronous_commit=off").Trim();
        _cs = builder.ConnectionString;
        _options = options;
        _main = new Lane(options.Zone);
        // The registry's generator draws from Random(seed); the history's draws are another sequence of the same seed.
        _rng = new Random(unchecked(options.Seed * 7919 + 104_729));
    }

    /// <summary>Lives the history into a database that holds the demo region's registry and has never opened a billing month.</summary>
    public static async Task<DemoHistoryReport> LiveAsync(string connectionString, DemoOptions options, IProgress<DemoProgress>? progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var history = new DemoHistory(connectionString, options);
        await history.LoadAsync(ct);
        var first = options.FirstMonth;
        history._main.At(first.FirstDay, 8, 0);
        var open = await BillingPeriods.StartAsync(history._cs, first, history._main.Clock, ct);
        if (open != first)
            throw new InvalidOperationException($"История демонстрационного региона начинается с месяца {first.Name()}, а в базе уже открыт {open.Name()}");
        long days = 0, totalDays = Enumerable.Range(0, options.Months).Sum(i => BillingPeriod.Of(first.FirstDay.AddMonths(i)).Days);
        Task receipts = Task.CompletedTask;
        for (int i = 0; i < options.Months; i++)
        {
            var month = BillingPeriod.Of(first.FirstDay.AddMonths(i));
            await history.LiveMonthAsync(month, i, ct);
            await receipts; // the documents of the month before, issued while this month's payments arrived
            await Task.WhenAll(history.TransfersAsync(month, ct), history.CloseMonthAsync(month, ct));
            receipts = history.IssueReceiptsAsync(month, ct);
            progress?.Report(new DemoProgress(Stage, days += month.Days, totalDays));
        }
        await receipts;
        return await history.ReportAsync(first, watch.Elapsed, ct);
    }

    /// <summary>The month's days: every channel's payments and the registry's events, each a lane of its own, side by side.</summary>
    private async Task LiveMonthAsync(BillingPeriod month, int index, CancellationToken ct)
    {
        var payments = PlanPayments(month, firstMonth: index == 0);
        var events = PlanEvents(month, index);
        bool last = index == _options.Months - 1;
        // A bank's registry holds every account of it and the bank's own lock while it posts: the other channels come after.
        await Timed("платежи: реестры банков", RegistriesAsync(month, payments, last, ct));
        await Task.WhenAll(
            Timed("платежи: онлайн (Сбербанк, ОСМП)", OnlineAsync(month, payments, ct)),
            Timed("платежи: касса центра", CashDeskAsync(month, payments, ct)),
            Timed("платежи: личный кабинет", CabinetAsync(month, payments, ct)),
            Timed("события картотеки", EventsAsync(month, events, ct)));
    }

    /// <summary>
    /// The month's end, on its last evening: the recalculation queue (retroactive changes), the month's charge run,
    /// penalties to the last day, and the closing with its balances.
    /// </summary>
    private async Task CloseMonthAsync(BillingPeriod month, CancellationToken ct)
    {
        var lastDay = month.End.AddDays(-1);
        var clock = _main.Clock;
        _main.At(lastDay, 23, 40);
        await Timed("перерасчёты по очереди", Recalculations.ProcessQueueAsync(_cs, month, Accountant, clock, ct: ct));
        var run = await Timed("расчёт месяца", BillingRun.RunAsync(_cs, month, BillingScope.All, new BillingRunOptions(clock, StartedBy: Accountant), ct: ct));
        if (run.Failures.Count > 0)
            throw new InvalidOperationException(
                $"Демонстрационный регион: за {month.Name()} не рассчитаны дома ({run.Failures.Count}), первый — {run.Failures[0].Address}: {run.Failures[0].Error}");
        _main.At(lastDay, 23, 50);
        await Timed("пени", PenaltyPosting.PostAsync(_cs, month, lastDay, clock, Accountant, ct: ct));
        _main.At(lastDay, 23, 55);
        await Timed("закрытие месяца", BillingPeriods.CloseAsync(_cs, month, clock, Accountant, ct));
        await ReadToPayAsync(month, ct);
    }

    /// <summary>The closed month's payment documents, issued (not rendered) for every account with balances.</summary>
    private Task IssueReceiptsAsync(BillingPeriod month, CancellationToken ct) =>
        Timed("платёжные документы", ReceiptIssuing.IssueMonthAsync(_cs, month, new ReceiptSettings(), Accountant, month.End.AddDays(-1), ct: ct));

    private async Task Timed(string stage, Task work)
    {
        var watch = Stopwatch.StartNew();
        await work;
        Add(stage, watch.Elapsed);
    }

    private async Task<T> Timed<T>(string stage, Task<T> work)
    {
        var watch = Stopwatch.StartNew();
        var result = await work;
        Add(stage, watch.Elapsed);
        return result;
    }

    private void Add(string stage, TimeSpan time)
    {
        lock (_stages) _stages[stage] = _stages.GetValueOrDefault(stage) + time;
    }

    /// <summary>
    /// A line of the history's work with a clock of its own in the region's time zone: the lanes of a month go through its
    /// days side by side, each at its own time of day, and every operation of a lane takes its clock.
    /// </summary>
    private sealed class Lane
    {
        private readonly SimulatedTime _time = new(DateTimeOffset.UnixEpoch);

        public Lane(TimeZoneInfo zone) => Clock = new RegionClock(_time, zone);

        public RegionClock Clock { get; }

        public void At(DateOnly day, TimeOnly time) => _time.Now = Clock.FromLocal(day.ToDateTime(time));

        public void At(DateOnly day, int hour, int minute) => At(day, new TimeOnly(hour, minute));

        /// <summary>Posting options of a person or a channel on this lane's clock.</summary>
        public PostingOptions As(string who) => new(who, Clock);
    }

    private async Task<DemoHistoryReport> ReportAsync(BillingPeriod first, TimeSpan elapsed, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM charge_lines), (SELECT coalesce(sum(kopecks), 0) * 0.01 FROM charge_lines),
                   (SELECT count(*) FROM payments WHERE corrects IS NULL), (SELECT coalesce(sum(amount), 0) FROM payments),
                   (SELECT count(*) FROM receipts), (SELECT count(*) FROM supplier_transfers)
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new DemoHistoryReport(first, _options.Months, r.GetInt64(0), r.GetDecimal(1), r.GetInt64(2), r.GetDecimal(3), r.GetInt64(4), r.GetInt64(5),
            elapsed, new Dictionary<string, TimeSpan>(_stages));
    }

    /// <summary>The organisations that take the region's payments.</summary>
    private sealed record Agents(long Centre, long Bank, long PaymentAgent);

    private Agents _agents = null!;

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand("""
            SELECT (SELECT min(id) FROM organisations WHERE kind = @centre), (SELECT min(id) FROM organisations WHERE kind = @bank),
                   (SELECT min(id) FROM organisations WHERE kind = @agent)
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int>("centre", (int)OrganisationKind.BillingCentre));
            cmd.Parameters.Add(new NpgsqlParameter<int>("bank", (int)OrganisationKind.Bank));
            cmd.Parameters.Add(new NpgsqlParameter<int>("agent", (int)OrganisationKind.PaymentAgent));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            _agents = new Agents(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
        }
        await LoadAccountsAsync(conn, ct);
        await LoadBuildingsAsync(conn, ct);
        await LoadBenefitCandidatesAsync(conn, ct);
    }
}
