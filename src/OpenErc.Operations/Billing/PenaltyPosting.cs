using System.Globalization;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Penalties;
using OpenErc.Operations.Payments;
using OpenErc.Core.Payments;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

/// <summary>The debt chunk a payment is allocated to: one account × service × supplier × service month.</summary>
public readonly record struct PenaltyDebtKey(long AccountId, string ServiceCode, long SupplierId, BillingPeriod ServiceMonth);

/// <summary>One debt chunk of a penalty statement: its principal, payments and the day-by-day table.</summary>
/// <param name="PenaltiesPosted">Penalties already billed on the chunk, ₽.</param>
public sealed record PenaltyStatementChunk(string Service, string Supplier, BillingPeriod ServiceMonth, decimal Principal,
    IReadOnlyList<ChunkPayment> Payments, decimal PenaltiesPosted, PenaltyResult Result);

/// <summary>An account's penalties on a date (расчёт пени), chunk by chunk.</summary>
public sealed record PenaltyStatement(long AccountId, DateOnly CalculatedOn, IReadOnlyList<PenaltyStatementChunk> Chunks)
{
    public decimal Principal => Chunks.Sum(c => c.Principal);
    public decimal Total => Chunks.Sum(c => c.Result.Total.Amount);
}

/// <param name="Chunks">Debt chunks looked at (account × service × supplier × service month with lines).</param>
/// <param name="Lines">Penalty lines posted now.</param>
/// <param name="Accrued">Penalties accrued to the calculation date over all chunks, ₽.</param>
/// <param name="AlreadyPosted">Penalties posted before, ₽.</param>
/// <param name="Posted">Posted now = accrued − already posted, ₽.</param>
public sealed record PenaltyPostingReport(long RunId, BillingPeriod Month, DateOnly CalculatedOn, long Chunks, long Lines, decimal Accrued,
    decimal AlreadyPosted, decimal Posted);

/// <summary>
/// Posts penalties (пени) to the ledger (penalties.md §5): for every account × service × supplier × service month,
/// the penalty accrued up to the calculation date, recomputed from scratch with <see cref="PenaltyCalculator"/>,
/// minus the penalty lines already posted for that chunk; the difference is a line of kind
/// <see cref="ChargeLineKind.Penalty"/> booked in the open month with the chunk's service month. A second posting on
/// the same date posts nothing.
/// </summary>
/// <remarks>
/// <para><b>Chunks.</b> The principal of a chunk is every non-penalty line for its service month booked up to the open
/// month (the regular charge, reductions, recalculations, manual corrections), minus payments; the due date is
/// <see cref="PenaltyRules.DueDate"/> of the service month; the schedule is <see cref="PenaltySchedule.CapitalRepair"/>
/// for <c>capital_repair</c>, <see cref="PenaltySchedule.Housing"/> otherwise. Simplification: a recalculation booked
/// later is part of its service month's chunk and so shares its due date [to revisit with the payments issue: the
/// increase is arguably due only after the ЕПД that billed it]. No penalty is charged on penalties.</para>
/// <para><b>Payments.</b> The payments of a chunk are its allocations dated by the payer's day, as each account's
/// <see cref="DebtBook"/> reads them (payments.md §3–4), advances consumed included. A caller may pass payments of its
/// own instead (<c>payments</c> of <see cref="PostAsync"/>, keyed by chunk), as the worked examples do; such a run reads all history.</para>
/// <para><b>What a run reads.</b> The closed month's debt books plus what was booked since (see <c>ChunksAsync</c> and the
/// README's «Penalties»): the cost follows the open debts, not the years of history.</para>
/// <para><b>Key rates.</b> From the <c>key_rates</c> registry table; the built-in <see cref="KeyRateHistory"/> when it
/// is empty; a day before the table takes its first rate, so that no stored date (a payment dated years back) ever
/// fails a statement or a posting. Moratoria, caps and due days are <see cref="PenaltyRules"/>' defaults unless rules are
/// passed.</para>
/// </remarks>
public static class PenaltyPosting
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<PenaltyPostingReport> PostAsync(string connectionString, BillingPeriod openMonth, DateOnly calculatedOn,
        RegionClock clock, string startedBy = "система", IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>? payments = null, PenaltyRules? rules = null,
        CancellationToken ct = default) =>
        (await RunAsync(connectionString, openMonth, calculatedOn, clock, startedBy, payments, rules, allHistory: false, dryRun: false, ct)).Report;

    /// <summary>
    /// The penalty run: with <paramref name="dryRun"/> only computed (the lines it would post, nothing written); with
    /// <paramref name="allHistory"/> from every line and allocation ever booked rather than from the closed month's books
    /// (the test that both give the same lines).
    /// </summary>
    internal static async Task<(PenaltyPostingReport Report, IReadOnlyList<PostedLine> Lines)> RunAsync(string connectionString, BillingPeriod openMonth,
        DateOnly calculatedOn, RegionClock clock, string startedBy, IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>? payments,
        PenaltyRules? rules, bool allHistory, bool dryRun, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await BillingRun.LockAsync(conn, openMonth, $"Расчёт или закрытие месяца {openMonth} уже выполняется", ct);
        try
        {
            await Recalculations.EnsureOpenAsync(conn, null, openMonth, "пени", ct);
            await ChargeLedger.EnsurePartitionAsync(conn, openMonth, ct);
            rules ??= await RulesAsync(conn, ct);

            var lines = new List<PostedLine>();
            long chunks = 0;
            decimal accruedTotal = 0m, postedBefore = 0m;
            string fingerprint = rules.Fingerprint();
            var since = payments is null && !allHistory ? await SinceAsync(conn, fingerprint, ct) : null;
            var services = await ServicesAsync(conn, ct);
            foreach (var (lo, hi) in await BatchesAsync(conn, ct))
                foreach (var (c, paid) in await ChunksAsync(conn, services, openMonth, since, lo, hi, calculatedOn, payments, ct))
                {
                    chunks++;
                    var result = Calculate(c, paid, calculatedOn, rules);
                    decimal accrued = result.Total.Amount;
                    accruedTotal += accrued;
                    postedBefore += c.PenaltiesPosted;
                    decimal diff = accrued - c.PenaltiesPosted;
                    if (diff == 0m) continue;
                    var line = new ChargeLine(c.AccountId, c.ServiceCode, c.SupplierId, c.ServiceMonth, TariffZone.Single, c.Principal, "₽",
                        result.Portions.Count > 0 ? result.Portions[^1].RatePercent : 0m, 1m, 1m, VolumeSource.Correction, diff, Money.Exact(diff),
                        Trace(result, c.Schedule, c.Principal, paid.Where(p => p.Date <= calculatedOn).Sum(p => p.Amount), accrued, c.PenaltiesPosted))
                    { Kind = ChargeLineKind.Penalty };
                    lines.Add(new PostedLine(c.BuildingId, c.ServiceId, openMonth, 0, line, $"Пени на {calculatedOn.ToString("dd.MM.yyyy", Inv)}", startedBy));
                }
            if (dryRun) return (new PenaltyPostingReport(0, openMonth, calculatedOn, chunks, lines.Count, accruedTotal, postedBefore, accruedTotal - postedBefore), lines);

            await using var tx = await conn.BeginTransactionAsync(ct);
            await Recalculations.EnsureOpenAsync(conn, tx, openMonth, "пени", ct);
            decimal posted = lines.Sum(l => l.Line.Amount.Amount);
            Invariant.Holds(posted == accruedTotal - postedBefore, $"penalties: posted {posted} ≠ accrued {accruedTotal} − before {postedBefore}");
            long runId = await Recalculations.NewRunAsync(conn, tx, openMonth, $"пени на {calculatedOn.ToString("dd.MM.yyyy", Inv)}", "penalties",
                startedBy, lines.Count, posted, null, clock, ct);
            var stamped = lines.Select(l => l with { RunId = runId }).ToList();
            long inserted = await ChargeLedger.PostAsync(conn, stamped, ct);
            Invariant.Holds(inserted == stamped.Count, $"penalty run {runId}: {stamped.Count - inserted} of {stamped.Count} lines conflict");
            await using (var run = new NpgsqlCommand("INSERT INTO penalty_runs (run_id, rules) VALUES (@run, @rules)", conn, tx))
            {
                run.Parameters.Add(new NpgsqlParameter<long>("run", runId));
                run.Parameters.Add(new NpgsqlParameter<string>("rules", fingerprint));
                await run.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            return (new PenaltyPostingReport(runId, openMonth, calculatedOn, chunks, lines.Count, accruedTotal, postedBefore, posted), stamped);
        }
        finally
        {
            await BillingRun.UnlockAsync(conn, openMonth);
        }
    }

    /// <summary>
    /// The day-by-day calculation of an account's penalties on a date, chunk by chunk, for the operator to print for a
    /// court claim: exactly what <see cref="PostAsync"/> would accrue for the account on that date (every line booked
    /// up to the date's month).
    /// </summary>
    public static async Task<PenaltyStatement> StatementAsync(string connectionString, long accountId, DateOnly calculatedOn,
        IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>? payments = null, PenaltyRules? rules = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        rules ??= await RulesAsync(conn, ct);
        var names = await BillingRun.SupplierNamesAsync(conn, ct);
        var services = await ServicesAsync(conn, ct);
        var chunks = new List<PenaltyStatementChunk>();
        foreach (var (c, paid) in await ChunksAsync(conn, services, BillingPeriod.Of(calculatedOn), null, accountId, accountId, calculatedOn, payments, ct))
            chunks.Add(new PenaltyStatementChunk(services[c.ServiceId].Name, names.GetValueOrDefault(c.SupplierId, ""),
                c.ServiceMonth, c.Principal, paid, c.PenaltiesPosted, Calculate(c, paid, calculatedOn, rules)));
        return new PenaltyStatement(accountId, calculatedOn, chunks);
    }

    private sealed record Service(string Code, string Name, int SortOrder);

    private static async Task<Dictionary<long, Service>> ServicesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var services = new Dictionary<long, Service>();
        await using var cmd = new NpgsqlCommand("SELECT id, code, name, sort_order FROM services", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) services[r.GetInt64(0)] = new Service(r.GetString(1), r.GetString(2), r.GetInt32(3));
        return services;
    }

    /// <summary>
    /// The closed month whose debt books a run starts from: the latest closed before the month of the previous penalty run,
    /// when that run had the same rules; null (all history) for the first run, after a change of rules (a key rate entered
    /// or corrected changes every penalty ever accrued) or without books. Every line or allocation booked after that
    /// month is read, so a chunk paid off after the previous run (its last part of penalty not yet posted) is looked at
    /// once more, whichever month it left the books in.
    /// </summary>
    private static async Task<BillingPeriod?> SinceAsync(NpgsqlConnection conn, string fingerprint, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT max(month) FROM debt_books WHERE month < r.month)
            FROM penalty_runs p JOIN billing_runs r ON r.id = p.run_id
            WHERE p.run_id = (SELECT max(run_id) FROM penalty_runs) AND p.rules = @rules
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("rules", fingerprint));
        return await cmd.ExecuteScalarAsync(ct) is DateOnly day ? SqlMonths.Month(day) : null;
    }

    /// <summary>The accounts in ranges of ids of at most <see cref="BatchAccounts"/> accounts, each read in one round trip.</summary>
    private static async Task<List<(long Lo, long Hi)>> BatchesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var ids = new List<long>();
        await using (var cmd = new NpgsqlCommand("SELECT id FROM personal_accounts ORDER BY id", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        var batches = new List<(long, long)>();
        for (int i = 0; i < ids.Count; i += BatchAccounts) batches.Add((ids[i], ids[Math.Min(i + BatchAccounts, ids.Count) - 1]));
        return batches;
    }

    private const int BatchAccounts = 20_000;

    /// <summary>A debt chunk of the ledger: account × service × supplier × service month, with its principal and the penalties posted on it.</summary>
    private sealed record Chunk(long AccountId, long ServiceId, string ServiceCode, long SupplierId, BillingPeriod ServiceMonth, long BuildingId,
        decimal Principal, decimal PenaltiesPosted)
    {
        public PenaltySchedule Schedule => ServiceCode == "capital_repair" ? PenaltySchedule.CapitalRepair : PenaltySchedule.Housing;
    }

    /// <summary>
    /// The chunks of the accounts <paramref name="lo"/>…<paramref name="hi"/> for service months up to <paramref name="open"/>,
    /// each with the payments it received, dated by the payer's day (each account's <see cref="DebtBook"/>, which also
    /// dates the advances a chunk consumed), in the order of accounts, months and services. Read from the debt books of
    /// <paramref name="since"/> (written by its closing: the open chunks, each payment day of theirs, the advances) plus
    /// every line and allocation booked after it; an account whose chunk left those books settled and was booked to
    /// again (a payment reversed, a recalculation of that month) is read from all its history, as is every account when
    /// <paramref name="since"/> is null. The explicit <paramref name="payments"/> of a caller replace the book's.
    /// </summary>
    private static async Task<List<(Chunk Chunk, IReadOnlyList<ChunkPayment> Paid)>> ChunksAsync(NpgsqlConnection conn, Dictionary<long, Service> services,
        BillingPeriod open, BillingPeriod? since, long lo, long hi, DateOnly calculatedOn, IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>? payments,
        CancellationToken ct)
    {
        long[] reopened = [];
        if (since is not null)
        {
            await using var touched = new NpgsqlCommand("""
                WITH touched AS (
                    SELECT account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, service_month FROM charge_lines
                    WHERE account_id BETWEEN @lo AND @hi AND booking_month > @since AND booking_month <= @open AND service_month <= @since
                    UNION
                    SELECT account_id, service_id, supplier_id, service_month FROM payment_allocations
                    WHERE account_id BETWEEN @lo AND @hi AND booking_month > @since AND kind IN (0, 1) AND service_month <= @since)
                SELECT coalesce(array_agg(DISTINCT t.account_id), '{}') FROM touched t
                WHERE NOT EXISTS (SELECT 1 FROM debt_books d WHERE d.month = @since AND d.account_id = t.account_id AND d.service_id = t.service_id
                                  AND d.supplier_id = t.supplier_id AND d.service_month = t.service_month AND d.kind IN (0, 1))
                """, conn);
            Bind(touched);
            reopened = (long[])(await touched.ExecuteScalarAsync(ct))!;
        }

        var charged = new Dictionary<long, Dictionary<(long, long, BillingPeriod, bool), decimal>>();
        var allocated = new Dictionary<long, Dictionary<(long?, long?, BillingPeriod?, AllocationKind, DateOnly), decimal>>();
        var buildings = new Dictionary<long, long>();
        // Each source with its own bounds, so that a month's partitions are pruned: the books (read once: a row's charged
        // sum beside its first allocation, as write_debt_book reads them), what was booked since, and the earlier history
        // of the accounts read whole. Sums are added up here (a key's day may come from two sources).
        string after = since is null ? "" : "AND booking_month > @since";
        string history = reopened.Length == 0 ? "" : """
            UNION ALL
            SELECT account_id, service_id, supplier_id, service_month, (kind = @penalty)::int::smallint, sum(kopecks) * 0.01, NULL, NULL FROM charge_lines
            WHERE account_id = ANY(@reopened) AND booking_month <= @since GROUP BY 1, 2, 3, 4, 5
            UNION ALL
            SELECT account_id, service_id, supplier_id, service_month, kind, NULL, sum(amount), paid_on FROM payment_allocations
            WHERE account_id = ANY(@reopened) AND booking_month <= @since GROUP BY 1, 2, 3, 4, 5, 8
            """;
        await using (var cmd = new NpgsqlCommand($"""
            SELECT d.account_id, d.service_id, d.supplier_id, d.service_month, d.kind, CASE WHEN coalesce(a.n, 1) = 1 THEN d.charged END,
                   a.amount, a.day
            FROM debt_books d LEFT JOIN LATERAL unnest(d.paid_days, d.paid_amounts) WITH ORDINALITY AS a(day, amount, n) ON true
            WHERE d.month = @since AND d.account_id BETWEEN @lo AND @hi AND d.account_id <> ALL(@reopened)
            UNION ALL
            SELECT account_id, service_id, supplier_id, service_month, (kind = @penalty)::int::smallint, sum(kopecks) * 0.01, NULL, NULL FROM charge_lines
            WHERE account_id BETWEEN @lo AND @hi AND booking_month <= @open AND service_month <= @open {after}
            GROUP BY 1, 2, 3, 4, 5
            UNION ALL
            SELECT account_id, service_id, supplier_id, service_month, kind, NULL, sum(amount), paid_on FROM payment_allocations
            WHERE account_id BETWEEN @lo AND @hi {after}
            GROUP BY 1, 2, 3, 4, 5, 8
            {history};
            SELECT a.id, p.building_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id BETWEEN @lo AND @hi;
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("reopened", reopened));
            cmd.Parameters.Add(new NpgsqlParameter<short>("penalty", (short)ChargeLineKind.Penalty));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                long account = r.GetInt64(0);
                if (!r.IsDBNull(5))
                {
                    if (!charged.TryGetValue(account, out var book)) charged[account] = book = [];
                    var key = (r.GetInt64(1), r.GetInt64(2), r.GetMonth(3), r.GetInt16(4) == 1);
                    book[key] = book.GetValueOrDefault(key) + r.GetDecimal(5);
                }
                if (!r.IsDBNull(6))
                {
                    if (!allocated.TryGetValue(account, out var lines)) allocated[account] = lines = [];
                    var key = (r.IsDBNull(1) ? (long?)null : r.GetInt64(1), r.IsDBNull(2) ? (long?)null : r.GetInt64(2), r.GetMonthOrNull(3),
                        (AllocationKind)r.GetInt16(4), r.GetFieldValue<DateOnly>(7));
                    lines[key] = lines.GetValueOrDefault(key) + r.GetDecimal(6);
                }
            }
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) buildings[r.GetInt64(0)] = r.GetInt64(1);
        }

        var result = new List<(Chunk, IReadOnlyList<ChunkPayment>)>();
        foreach (long account in charged.Keys.Order())
        {
            var book = charged[account];
            var chunks = new Dictionary<(long Service, long Supplier, BillingPeriod Month), (decimal Principal, decimal Penalties)>();
            foreach (var ((service, supplier, month, penalty), amount) in book)
            {
                var was = chunks.GetValueOrDefault((service, supplier, month));
                chunks[(service, supplier, month)] = penalty ? (was.Principal, was.Penalties + amount) : (was.Principal + amount, was.Penalties);
            }
            Dictionary<(long, long, BillingPeriod), IReadOnlyList<ChunkPayment>>? paidByChunk = null;
            if (payments is null)
            {
                var debts = DebtBook.Open(book.Select(x => new ChargedChunk(x.Key.Item1, services[x.Key.Item1].Code, x.Key.Item2, x.Key.Item3, x.Key.Item4, x.Value)).ToList(),
                    allocated.TryGetValue(account, out var lines)
                        ? lines.Select(x => new AllocatedLine(x.Key.Item1, x.Key.Item2, x.Key.Item3, x.Key.Item4, x.Value, x.Key.Item5)).ToList()
                        : [], calculatedOn, PaymentPosting.DueDate);
                paidByChunk = [];
                foreach (var b in debts.Chunks)
                    if (!b.IsPenalty && b.Payments.Count > 0) paidByChunk[(b.ServiceId, b.SupplierId, b.Month)] = b.Payments;
            }
            var ordered = chunks.Keys.ToList();
            ordered.Sort((x, y) =>
            {
                int c = x.Month.CompareTo(y.Month);
                if (c == 0) c = services[x.Service].SortOrder.CompareTo(services[y.Service].SortOrder);
                if (c == 0) c = x.Service.CompareTo(y.Service);
                return c != 0 ? c : x.Supplier.CompareTo(y.Supplier);
            });
            foreach (var key in ordered)
            {
                var (principal, penalties) = chunks[key];
                string code = services[key.Service].Code;
                var paid = paidByChunk is not null
                    ? paidByChunk.GetValueOrDefault(key) ?? []
                    : payments!.GetValueOrDefault(new PenaltyDebtKey(account, code, key.Supplier, key.Month)) ?? [];
                result.Add((new Chunk(account, key.Service, code, key.Supplier, key.Month, buildings[account], principal, penalties), paid));
            }
        }
        return result;

        void Bind(NpgsqlCommand command)
        {
            command.Parameters.Add(new NpgsqlParameter<long>("lo", lo));
            command.Parameters.Add(new NpgsqlParameter<long>("hi", hi));
            command.Parameters.Add(MonthParameter("open", open));
            command.Parameters.Add(MonthParameter("since", since));
        }
    }

    private static PenaltyResult Calculate(Chunk c, IReadOnlyList<ChunkPayment> paid, DateOnly calculatedOn, PenaltyRules rules) =>
        PenaltyCalculator.Calculate(new DebtChunk(c.Principal, rules.DueDate(c.ServiceMonth), c.Schedule, $"{c.ServiceCode} {c.ServiceMonth}"), paid, calculatedOn, rules);

    /// <summary>
    /// The ledger's rules: the registry's key rates, the first of them standing for earlier days — whatever dates are
    /// stored (a payment dated years back, history older than the table), a statement and the month's penalties are
    /// computed, never refused (<see cref="PenaltyRules.FirstRateForEarlierDays"/>).
    /// </summary>
    private static async Task<PenaltyRules> RulesAsync(NpgsqlConnection conn, CancellationToken ct) =>
        new() { KeyRates = await KeyRatesAsync(conn, ct), FirstRateForEarlierDays = true };

    /// <summary>The key rates of the registry table, or the built-in history when the table is empty.</summary>
    public static async Task<IReadOnlyList<KeyRatePoint>> KeyRatesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rates = new List<KeyRatePoint>();
        await using var cmd = new NpgsqlCommand("SELECT valid_from, rate_percent FROM key_rates ORDER BY valid_from", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rates.Add(new KeyRatePoint(r.GetFieldValue<DateOnly>(0), r.GetDecimal(1)));
        return rates.Count > 0 ? rates : KeyRateHistory.BankOfRussia;
    }

    private static ChargeTrace Trace(PenaltyResult result, PenaltySchedule schedule, decimal principal, decimal paid, decimal accrued, decimal already)
    {
        var segments = result.Portions.SelectMany(p => p.Rows).Where(row => row.Divisor != 0)
            .Select(row => new TraceSegment(row.From, row.To.AddDays(1), 1m, row.Days,
                [new TraceInput("Долг", row.Debt, "₽"), new TraceInput("Ставка", row.RatePercent, "%"), new TraceInput("Доля ставки 1/", row.Divisor, ""),
                 new TraceInput("Первый день просрочки", row.FirstDayOfDelay, "")], row.Amount))
            .ToList();
        return new ChargeTrace(
            schedule == PenaltySchedule.CapitalRepair ? "П = Σ Д × С × 1/300 × дн." : "П = Σ Д × С × 1/300 (с 91-го дня 1/130) × дн., первые 30 дней 0",
            schedule == PenaltySchedule.CapitalRepair ? "ЖК РФ ст. 155 ч. 14.1" : "ЖК РФ ст. 155 ч. 14",
            [
                new TraceInput("Задолженность", principal, "₽"), new TraceInput("Оплачено", paid, "₽"),
                new TraceInput("Пени на дату расчёта", accrued, "₽"), new TraceInput("Ранее начислено пени", already, "₽"),
            ],
            $"Пени на {result.CalculatedOn.ToString("dd.MM.yyyy", Inv)}, срок оплаты {result.Chunk.DueDate.ToString("dd.MM.yyyy", Inv)}: " +
            $"всего {accrued.ToString("0.00", Inv)} ₽, ранее начислено {already.ToString("0.00", Inv)} ₽")
        { Segments = segments };
    }
}
