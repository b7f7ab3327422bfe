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
/// <para><b>Payments seam.</b> Payments do not exist yet: the caller may pass the payments allocated to each chunk
/// (<paramref name="payments"/> of <see cref="PostAsync"/>, date and amount); without it every chunk is unpaid. The
/// payments issue replaces that argument with the allocations read from its tables (payments.md §3: oldest due date
/// first), keyed the same way.</para>
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
        CancellationToken ct = default)
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
            var all = await ChunksAsync(conn, openMonth, null, ct);
            payments ??= await PaymentsAsync(conn, all, null, calculatedOn, ct);
            foreach (var c in all)
            {
                chunks++;
                var paid = Paid(payments, c);
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

            await using var tx = await conn.BeginTransactionAsync(ct);
            await Recalculations.EnsureOpenAsync(conn, tx, openMonth, "пени", ct);
            decimal posted = lines.Sum(l => l.Line.Amount.Amount);
            Invariant.Holds(posted == accruedTotal - postedBefore, $"penalties: posted {posted} ≠ accrued {accruedTotal} − before {postedBefore}");
            long runId = await Recalculations.NewRunAsync(conn, tx, openMonth, $"пени на {calculatedOn.ToString("dd.MM.yyyy", Inv)}", "penalties",
                startedBy, lines.Count, posted, null, clock, ct);
            var stamped = lines.Select(l => l with { RunId = runId }).ToList();
            long inserted = await ChargeLedger.PostAsync(conn, stamped, ct);
            Invariant.Holds(inserted == stamped.Count, $"penalty run {runId}: {stamped.Count - inserted} of {stamped.Count} lines conflict");
            await tx.CommitAsync(ct);
            return new PenaltyPostingReport(runId, openMonth, calculatedOn, chunks, lines.Count, accruedTotal, postedBefore, posted);
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
        var services = new Dictionary<long, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, name FROM services", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) services[r.GetInt64(0)] = r.GetString(1);
        var chunks = new List<PenaltyStatementChunk>();
        var all = await ChunksAsync(conn, BillingPeriod.Of(calculatedOn), accountId, ct);
        payments ??= await PaymentsAsync(conn, all, accountId, calculatedOn, ct);
        foreach (var c in all)
        {
            var paid = Paid(payments, c);
            chunks.Add(new PenaltyStatementChunk(services.GetValueOrDefault(c.ServiceId, c.ServiceCode), names.GetValueOrDefault(c.SupplierId, ""),
                c.ServiceMonth, c.Principal, paid, c.PenaltiesPosted, Calculate(c, paid, calculatedOn, rules)));
        }
        return new PenaltyStatement(accountId, calculatedOn, chunks);
    }

    /// <summary>A debt chunk of the ledger: account × service × supplier × service month, with its principal and the penalties posted on it.</summary>
    private sealed record Chunk(long AccountId, long ServiceId, string ServiceCode, long SupplierId, BillingPeriod ServiceMonth, long BuildingId,
        decimal Principal, decimal PenaltiesPosted)
    {
        public PenaltySchedule Schedule => ServiceCode == "capital_repair" ? PenaltySchedule.CapitalRepair : PenaltySchedule.Housing;
    }

    /// <summary>The chunks of every line booked up to <paramref name="open"/> for service months up to it, of one account or all.</summary>
    private static async Task<List<Chunk>> ChunksAsync(NpgsqlConnection conn, BillingPeriod open, long? accountId, CancellationToken ct)
    {
        var chunks = new List<Chunk>();
        await using var cmd = new NpgsqlCommand($"""
            SELECT l.account_id, l.service_id, s.code, l.supplier_id, l.service_month, min(l.building_id),
                   coalesce(sum(l.kopecks) FILTER (WHERE l.kind <> @penalty), 0) * 0.01,
                   coalesce(sum(l.kopecks) FILTER (WHERE l.kind = @penalty), 0) * 0.01
            FROM charge_lines l JOIN services s ON s.id = l.service_id
            WHERE l.booking_month <= @open AND l.service_month <= @open {(accountId is null ? "" : "AND l.account_id = @account")}
            GROUP BY l.account_id, l.service_id, s.code, s.sort_order, l.supplier_id, l.service_month
            ORDER BY l.account_id, l.service_month, s.sort_order, l.service_id, l.supplier_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<short>("penalty", (short)ChargeLineKind.Penalty));
        cmd.Parameters.Add(MonthParameter("open", open));
        if (accountId is { } id) cmd.Parameters.Add(new NpgsqlParameter<long>("account", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            chunks.Add(new Chunk(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetMonth(4),
                r.GetInt64(5), r.GetDecimal(6), r.GetDecimal(7)));
        return chunks;
    }

    /// <summary>
    /// The payments each chunk received, dated by the payer's day: the allocation lines read into each account's
    /// <see cref="DebtBook"/> over the chunks, which also dates the advances the chunks consumed.
    /// </summary>
    private static async Task<IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>> PaymentsAsync(NpgsqlConnection conn, List<Chunk> chunks,
        long? accountId, DateOnly calculatedOn, CancellationToken ct)
    {
        var allocations = new Dictionary<long, List<AllocatedLine>>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT account_id, service_id, supplier_id, service_month, kind, sum(amount), paid_on FROM payment_allocations
            {(accountId is null ? "" : "WHERE account_id = @account")}
            GROUP BY 1, 2, 3, 4, 5, 7
            """, conn))
        {
            if (accountId is { } id) cmd.Parameters.Add(new NpgsqlParameter<long>("account", id));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (!allocations.TryGetValue(r.GetInt64(0), out var list)) allocations[r.GetInt64(0)] = list = [];
                list.Add(DebtLedger.AllocationOf(r));
            }
        }
        var paid = new Dictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>();
        foreach (var account in chunks.GroupBy(c => c.AccountId))
        {
            if (!allocations.TryGetValue(account.Key, out var lines)) continue;
            var charged = account.SelectMany(c => new[]
            {
                new ChargedChunk(c.ServiceId, c.ServiceCode, c.SupplierId, c.ServiceMonth, false, c.Principal),
                new ChargedChunk(c.ServiceId, c.ServiceCode, c.SupplierId, c.ServiceMonth, true, c.PenaltiesPosted),
            }).ToList();
            foreach (var b in DebtBook.Open(charged, lines, calculatedOn, PaymentPosting.DueDate).Chunks.Where(b => !b.IsPenalty && b.Payments.Count > 0))
                paid[new PenaltyDebtKey(account.Key, b.ServiceCode, b.SupplierId, b.Month)] = b.Payments;
        }
        return paid;
    }

    private static IReadOnlyList<ChunkPayment> Paid(IReadOnlyDictionary<PenaltyDebtKey, IReadOnlyList<ChunkPayment>>? payments, Chunk c) =>
        payments?.GetValueOrDefault(new PenaltyDebtKey(c.AccountId, c.ServiceCode, c.SupplierId, c.ServiceMonth)) ?? [];

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
