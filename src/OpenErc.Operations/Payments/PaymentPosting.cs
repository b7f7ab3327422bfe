using System.ComponentModel.DataAnnotations;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Core.Penalties;

namespace OpenErc.Operations.Payments;

/// <summary>Where a payment came from.</summary>
public enum PaymentChannel : short
{
    [Display(Name = "Реестр платежей")] Registry = 1,
    [Display(Name = "Онлайн (протокол Сбербанка)")] Sber = 2,
    [Display(Name = "Онлайн (протокол ОСМП)")] Osmp = 3,
    [Display(Name = "Касса центра")] CashDesk = 4,
    [Display(Name = "Личный кабинет")] Cabinet = 5,
    [Display(Name = "Исправление")] Correction = 6,
}

/// <summary>
/// A payment as a channel received it. <see cref="AgentPaymentId"/> is the agent's own id of the operation (PAY_ID,
/// txn_id, the registry's operation number, the cash desk's receipt key): with <see cref="AgentId"/> it is the
/// idempotency key. <see cref="Commission"/> is the agent's commission when the channel states it (a registry line);
/// otherwise it follows the agent's terms. <see cref="Corrects"/>, <see cref="Correction"/> and <see cref="Reason"/> mark the
/// posting of a correction (<see cref="PaymentCorrections"/>): a move to another account or a suspense resolution.
/// </summary>
public sealed record PaymentIntake(long AgentId, string AgentPaymentId, PaymentChannel Channel, string AccountNumber, decimal Amount, DateTimeOffset PaidAt,
    BillingPeriod? Period = null, decimal? Commission = null, string? Payer = null, string? Address = null, long? RegistryId = null, int? LineNo = null,
    long? ShiftId = null, bool? CommissionByPayer = null, long? Corrects = null, string? Correction = null, string? Reason = null);

public enum PostingOutcome
{
    /// <summary>Posted and allocated now.</summary>
    Posted,
    /// <summary>Posted now to the suspense queue: the account number is unknown.</summary>
    Suspense,
    /// <summary>Posted before with the same content: the original payment.</summary>
    Repeated,
    /// <summary>The key was used before for a different payment: nothing posted.</summary>
    Conflict,
    /// <summary>The account number is unknown and the channel does not take such payments: nothing posted.</summary>
    UnknownAccount,
    /// <summary>The account is closed and the channel does not take payments to closed accounts: nothing posted.</summary>
    ClosedAccount,
    /// <summary>The payment is dated before its account was opened and the channel refuses such dates: nothing posted.</summary>
    PaidBeforeOpening,
}

/// <summary>The answer to an intake: for <see cref="PostingOutcome.Repeated"/> and <see cref="PostingOutcome.Conflict"/>, the original payment's id and time.</summary>
public sealed record PostingResult(PostingOutcome Outcome, long? PaymentId, long? AccountId, decimal Amount, DateTimeOffset? PostedAt, string? Message = null)
{
    public bool Accepted => Outcome is PostingOutcome.Posted or PostingOutcome.Suspense or PostingOutcome.Repeated;
}

/// <param name="AllowSuspense">Take payments to unknown accounts into the suspense queue (registries: the money is already collected) instead of refusing them (online checks).</param>
/// <param name="Clock">The region's clock: the moment of posting and the business day of a receipt.</param>
/// <param name="RefuseClosedAccounts">Refuse payments to accounts closed by today (online protocols answer "payments not accepted")
/// instead of posting them; a repeat of a payment posted before the closing still gets the original.</param>
/// <param name="RefuseBeforeOpening">Refuse payments whose payer's day is before their account was opened (online protocols
/// and registries: the date or the account is wrong) instead of posting them; a repeat still gets the original.</param>
/// <param name="Dates">The dates agents' payments may bear (<see cref="PaymentDates.Default"/> when not given).</param>
public sealed record PostingOptions(string PostedBy, RegionClock Clock, bool AllowSuspense = false, AllocationSettings? Allocation = null,
    bool RefuseClosedAccounts = false, bool RefuseBeforeOpening = false, PaymentDates? Dates = null)
{
    public PaymentDates Dates { get; init; } = Dates ?? PaymentDates.Default;

    public DateTimeOffset Now => Clock.Now;
    public DateOnly Today => Clock.Today;
    public DateOnly DateOf(DateTimeOffset moment) => Clock.DateOf(moment);
}

/// <summary>
/// Posts payments: each once per (agent, agent's payment id), allocated over the account's open debts
/// (<see cref="PaymentAllocator"/> on the <see cref="DebtBook"/>), its commission shared among the suppliers — the
/// payment, its allocation lines and the split in one transaction. A repeat with the same account and amount gets the
/// original payment; different content under a used key is a conflict; concurrent repeats wait for the first and get
/// it (the unique key, never check-then-insert). Payments to one account are allocated one at a time (a transaction
/// advisory lock on the account), so concurrent payments never allocate the same debt twice.
/// </summary>
public static partial class PaymentPosting
{
    private static readonly PenaltyRules DueDates = new() { KeyRates = [] };
    private static readonly HashSet<(string, BillingPeriod)> Partitions = [];
    private static readonly Lock PartitionsLock = new();

    /// <summary>The due date of a service month's charges (penalties.md: the 10th, from March 2026 the 15th of the next month).</summary>
    public static DateOnly DueDate(BillingPeriod month) => DueDatesByMonth.GetOrAdd(month, static m => DueDates.DueDate(m));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BillingPeriod, DateOnly> DueDatesByMonth = new();

    /// <summary>Posts one payment in its own transaction; the answer is given only after the commit.</summary>
    public static async Task<PostingResult> PostAsync(string connectionString, PaymentIntake intake, PostingOptions options, CancellationToken ct = default) =>
        (await PostAsync(connectionString, [intake], options, ct))[0];

    /// <summary>Posts the payments in one transaction: all land or none.</summary>
    public static async Task<IReadOnlyList<PostingResult>> PostAsync(string connectionString, IReadOnlyList<PaymentIntake> intakes, PostingOptions options,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var month = BillingPeriod.Of(options.Today);
        await EnsurePartitionsAsync(conn, month, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var results = await PostAsync(conn, intakes, options, ct);
        await tx.CommitAsync(ct);
        return results;
    }

    /// <summary>
    /// Creates the allocation partitions of the month and the next (a closed month books into the next one), in a
    /// transaction of its own (call it outside one): the lock is held until the new partition is committed, so that a
    /// concurrent first posting of the month finds it instead of creating it again.
    /// </summary>
    public static async Task EnsurePartitionsAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        var key = ($"{conn.Host}:{conn.Port}/{conn.Database}", month);
        lock (PartitionsLock)
            if (Partitions.Contains(key)) return;
        // Concurrent first postings of a month: one creates the partitions, the others wait for its commit.
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(7461);
            SELECT ensure_payment_allocations_partition(@m), ensure_payment_allocations_partition(@next);
            """, conn, tx);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(MonthParameter("next", month.Next()));
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        lock (PartitionsLock) Partitions.Add(key);
    }

    /// <summary>
    /// Posts the payments within the caller's transaction (the partitions of the current month must exist:
    /// <see cref="EnsurePartitionsAsync"/>). Results come in the order of <paramref name="intakes"/>.
    /// </summary>
    public static async Task<IReadOnlyList<PostingResult>> PostAsync(NpgsqlConnection conn, IReadOnlyList<PaymentIntake> intakes, PostingOptions options,
        CancellationToken ct)
    {
        foreach (var p in intakes)
            if (p.Amount <= 0 || decimal.Round(p.Amount, 2) != p.Amount)
                throw new ArgumentException($"Сумма платежа должна быть положительной и в копейках: {p.Amount}");
        var now = options.Now;
        var today = options.Today;
        var inserted = await InsertAsync(conn, intakes, options, now, today, ct);
        var results = new PostingResult?[intakes.Count];
        var toAllocate = new List<(int Index, Inserted Row)>();
        for (int i = 0; i < intakes.Count; i++)
        {
            if (!inserted.TryGetValue(i, out var row)) continue;
            if (row.AccountId is null) results[i] = new PostingResult(PostingOutcome.Suspense, row.Id, null, intakes[i].Amount, now, "Лицевой счёт не найден: платёж в невыясненных");
            else toAllocate.Add((i, row));
        }
        if (toAllocate.Count > 0)
        {
            var payments = toAllocate.Select(t => (t.Row, intakes[t.Index])).ToList();
            var ledger = await DebtLedger.LoadAsync(conn, payments.Select(p => p.Row.AccountId!.Value).Distinct().Order().ToArray(), lockAccounts: true, ct);
            await WriteAllocationsAsync(conn, Allocate(ledger, payments, options, today), ct);
            foreach (var (i, row) in toAllocate) results[i] = new PostingResult(PostingOutcome.Posted, row.Id, row.AccountId, intakes[i].Amount, now);
        }
        var missing = Enumerable.Range(0, intakes.Count).Where(i => results[i] is null).ToList();
        if (missing.Count > 0)
        {
            var existing = await ExistingAsync(conn, missing.Select(i => intakes[i]).ToList(), ct);
            var accounts = options.RefuseClosedAccounts || options.RefuseBeforeOpening
                ? await AccountDatesAsync(conn, missing.Select(i => intakes[i].AccountNumber).ToArray(), ct) : [];
            foreach (int i in missing)
            {
                var p = intakes[i];
                // The order of Sberbank's protocol (exchange.md §1.1): a used key first, then the account.
                if (existing.TryGetValue((p.AgentId, p.AgentPaymentId), out var e))
                    results[i] = PostedBefore(e, p);
                else
                    results[i] = (accounts.GetValueOrDefault(p.AccountNumber) is { } a ? Refused(p, a, options, today) : null)
                        ?? new PostingResult(PostingOutcome.UnknownAccount, null, null, p.Amount, null, $"Лицевой счёт {p.AccountNumber} не найден");
            }
        }
        return results!;
    }

    private sealed record Inserted(long Id, long? AccountId, BillingPeriod BookingMonth, decimal Commission, bool CommissionByPayer);

    private sealed record Existing(long Id, long? AccountId, string AccountNumber, decimal Amount, DateTimeOffset PostedAt);

    /// <summary>Why a payment to an existing account was not inserted: the account closed, or the payment dated before its opening.</summary>
    private static PostingResult? Refused(PaymentIntake p, AccountDates account, PostingOptions options, DateOnly today) =>
        options.RefuseClosedAccounts && account.ClosedOn <= today
            ? new PostingResult(PostingOutcome.ClosedAccount, null, null, p.Amount, null, $"Лицевой счёт {p.AccountNumber} закрыт: платежи не принимаются")
            : options.RefuseBeforeOpening ? RefusedBeforeOpening(p, account.OpenedOn, options) : null;

    /// <summary>The refusal of a payment whose payer's day is before its account's <paramref name="openedOn"/>, or null.</summary>
    private static PostingResult? RefusedBeforeOpening(PaymentIntake p, DateOnly openedOn, PostingOptions options) =>
        options.DateOf(p.PaidAt) is var paidOn && paidOn < openedOn
            ? new PostingResult(PostingOutcome.PaidBeforeOpening, null, null, p.Amount, null, PaymentDates.BeforeOpening(p.AccountNumber, paidOn, openedOn))
            : null;

    /// <summary>The answer to a payment whose key was used before: the original when the account and amount are the same, else a conflict.</summary>
    private static PostingResult PostedBefore(Existing e, PaymentIntake p) =>
        e.AccountNumber == p.AccountNumber && e.Amount == p.Amount
            ? new PostingResult(PostingOutcome.Repeated, e.Id, e.AccountId, e.Amount, e.PostedAt, "Платёж уже принят")
            : new PostingResult(PostingOutcome.Conflict, e.Id, e.AccountId, e.Amount, e.PostedAt,
                $"Платёж с номером {p.AgentPaymentId} уже принят на другой счёт или сумму: ЛС {e.AccountNumber}, {e.Amount:0.00} ₽");

    /// <summary>
    /// Inserts the payments new by their key, resolving account numbers and the agent's commission terms; booked in the
    /// month of receipt, or the first open month after it when that month is closed (a shared lock on the month keeps
    /// its closing out until the posting commits, and one on each agent keeps out a registry of the agent being posted
    /// by <see cref="PostRegistryAsync"/>). Returns the inserted rows by intake index.
    /// </summary>
    private static async Task<Dictionary<int, Inserted>> InsertAsync(NpgsqlConnection conn, IReadOnlyList<PaymentIntake> intakes, PostingOptions options,
        DateTimeOffset now, DateOnly today, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock_shared(@lock);
            SELECT count(pg_advisory_xact_lock_shared(@agentLockBase + a)) FROM (SELECT DISTINCT a FROM unnest(@agent) AS t(a) ORDER BY 1) k;
            WITH input AS (
                SELECT * FROM unnest(@idx, @agent, @key, @channel, @number, @amount, @paid, @period, @commission, @payer, @address, @registry, @line, @shift,
                                     @byPayer, @corrects, @correction, @reason, @paidOn)
                    AS t(idx, agent_id, agent_payment_id, channel, account_number, amount, paid_at, period, commission, payer, address, registry_id, line_no, shift_id,
                         by_payer_given, corrects, correction, reason, paid_on)),
            booking AS ({BookingMonthSql}),
            resolved AS (
                SELECT i.*, a.id AS account_id, terms.commission_percent, coalesce(terms.commission_paid_by = 'payer', false) AS by_payer
                FROM input i
                LEFT JOIN personal_accounts a ON a.number = i.account_number
                LEFT JOIN LATERAL (SELECT commission_percent, commission_paid_by FROM payment_agent_terms t
                                   WHERE t.agent_id = i.agent_id AND t.valid_from <= @today ORDER BY t.valid_from DESC LIMIT 1) terms ON true
                WHERE (a.id IS NOT NULL OR @suspense) AND NOT (@refuseClosed AND coalesce(a.closed_on <= @today, false))
                  AND NOT (@refuseEarly AND coalesce(a.opened_on > i.paid_on, false)))
            INSERT INTO payments (agent_id, agent_payment_id, channel, account_number, account_id, amount, commission, commission_by_payer, paid_at,
                                  received_on, booking_month, period, payer, address, registry_id, line_no, shift_id, corrects, correction, reason, posted_by, posted_at)
            SELECT agent_id, agent_payment_id, channel, account_number, account_id, amount,
                   coalesce(commission, round(amount * coalesce(commission_percent, 0) / 100, 2)), coalesce(by_payer_given, by_payer), paid_at,
                   @today, (SELECT month FROM booking), period, payer, address, registry_id, line_no, shift_id, corrects, correction, reason, @by, @now
            FROM resolved ORDER BY idx
            ON CONFLICT (agent_id, agent_payment_id) DO NOTHING
            RETURNING id, agent_id, agent_payment_id, account_id, booking_month, commission, commission_by_payer
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("lock", BookingLockKey));
        cmd.Parameters.Add(new NpgsqlParameter<long>("agentLockBase", AgentLockBase));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("idx", Enumerable.Range(0, intakes.Count).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("agent", intakes.Select(p => p.AgentId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("key", intakes.Select(p => p.AgentPaymentId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("channel", intakes.Select(p => (short)p.Channel).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("number", intakes.Select(p => p.AccountNumber).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("amount", intakes.Select(p => p.Amount).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("paid", intakes.Select(p => p.PaidAt.ToUniversalTime()).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]>("paidOn", intakes.Select(p => options.DateOf(p.PaidAt)).ToArray()));
        cmd.Parameters.Add(MonthsParameter("period", intakes.Select(p => p.Period)));
        cmd.Parameters.Add(new NpgsqlParameter("commission", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = intakes.Select(p => (object?)p.Commission ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("payer", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = intakes.Select(p => (object?)p.Payer ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("address", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = intakes.Select(p => (object?)p.Address ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("registry", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = intakes.Select(p => (object?)p.RegistryId ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("line", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = intakes.Select(p => (object?)p.LineNo ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("shift", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = intakes.Select(p => (object?)p.ShiftId ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("byPayer", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { Value = intakes.Select(p => (object?)p.CommissionByPayer ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("corrects", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = intakes.Select(p => (object?)p.Corrects ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("correction", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = intakes.Select(p => (object?)p.Correction ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = intakes.Select(p => (object?)p.Reason ?? DBNull.Value).ToArray() });
        cmd.Parameters.Add(MonthParameter("month", BillingPeriod.Of(today)));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("suspense", options.AllowSuspense));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("refuseClosed", options.RefuseClosedAccounts));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("refuseEarly", options.RefuseBeforeOpening));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", options.PostedBy));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        var byKey = new Dictionary<(long, string), int>();
        for (int i = 0; i < intakes.Count; i++) byKey.TryAdd((intakes[i].AgentId, intakes[i].AgentPaymentId), i);
        var rows = new Dictionary<int, Inserted>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
            rows[byKey[(r.GetInt64(1), r.GetString(2))]] = new Inserted(r.GetInt64(0), r.IsDBNull(3) ? null : r.GetInt64(3),
                r.GetMonth(4), r.GetDecimal(5), r.GetBoolean(6));
        return rows;
    }

    /// <summary>
    /// The booking month of a payment: the centre's open month, whatever the day of the receipt (a payment received on
    /// 2 December while November is still open is booked in November; one received after November's closing, in
    /// December); <c>@month</c>, the month of the receipt, only while no month was ever opened.
    /// </summary>
    internal const string BookingMonthSql = """
        SELECT coalesce((SELECT month FROM billing_periods WHERE state = 'open'), @month::date) AS month
        """;

    /// <summary>
    /// The lock a month's closing takes exclusively and every posting shared: a posting reads the open month only after
    /// a closing in flight has committed (and opened the next month), so nothing is booked into a month being closed.
    /// </summary>
    public const long BookingLockKey = 0x5041_0000_0000L;

    private static async Task<Dictionary<(long, string), Existing>> ExistingAsync(NpgsqlConnection conn, IReadOnlyList<PaymentIntake> intakes, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT p.id, p.agent_id, p.agent_payment_id, p.account_id, p.account_number, p.amount, p.posted_at
            FROM unnest(@agent, @key) AS k(agent_id, agent_payment_id)
            JOIN payments p USING (agent_id, agent_payment_id)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("agent", intakes.Select(p => p.AgentId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("key", intakes.Select(p => p.AgentPaymentId).ToArray()));
        var found = new Dictionary<(long, string), Existing>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            found[(r.GetInt64(1), r.GetString(2))] = new Existing(r.GetInt64(0), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4), r.GetDecimal(5),
                r.GetFieldValue<DateTimeOffset>(6));
        return found;
    }

    private sealed record AccountDates(DateOnly OpenedOn, DateOnly? ClosedOn);

    /// <summary>The opening and closing days of those numbers that are accounts: asked only for payments that were neither posted nor repeats.</summary>
    private static async Task<Dictionary<string, AccountDates>> AccountDatesAsync(NpgsqlConnection conn, string[] numbers, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT number, opened_on, closed_on FROM personal_accounts WHERE number = ANY(@n)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("n", numbers));
        var found = new Dictionary<string, AccountDates>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            found[r.GetString(0)] = new AccountDates(r.GetFieldValue<DateOnly>(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateOnly>(2));
        return found;
    }

    /// <summary>One allocation line to write.</summary>
    internal sealed record Line(BillingPeriod BookingMonth, long PaymentId, short LineNo, long AccountId, long? ServiceId, long? SupplierId,
        BillingPeriod? ServiceMonth, AllocationKind Kind, decimal Amount, decimal Commission, DateOnly PaidOn, DateOnly ReceivedOn);

    /// <summary>
    /// Allocates each payment in turn over its account's book in <paramref name="ledger"/> (read with the accounts
    /// locked), each seeing the ones before it; the commission a recipient pays is split over the lines by the largest
    /// remainder. Pure computation: the lines to write.
    /// </summary>
    private static List<Line> Allocate(DebtLedger ledger, IReadOnlyList<(Inserted Row, PaymentIntake Intake)> payments, PostingOptions options, DateOnly today)
    {
        var lines = new List<Line>(payments.Count * 16);
        foreach (var (row, intake) in payments)
        {
            long accountId = row.AccountId!.Value;
            var book = ledger.Book(accountId, today);
            var designation = intake.Period is { } period ? new PaymentDesignation(period) : null;
            var paidOn = options.DateOf(intake.PaidAt);
            var allocations = PaymentAllocator.Allocate(intake.Amount, paidOn, book.Positions(DueDate), designation, book.AdvanceWeights, options.Allocation);
            var commission = row.CommissionByPayer || row.Commission == 0
                ? new decimal[allocations.Count]
                : LargestRemainder.Split(Math.Min(row.Commission, intake.Amount), Amounts(allocations));
            for (int i = 0; i < allocations.Count; i++)
            {
                var a = allocations[i];
                var line = new Line(row.BookingMonth, row.Id, (short)(i + 1), accountId, a.ServiceCode is null ? null : ledger.ServiceId(a.ServiceCode),
                    a.SupplierId, a.Month, a.Kind, a.Amount, commission[i], paidOn, today);
                lines.Add(line);
                ledger.Add(line);
            }
        }
        return lines;
    }

    private static decimal[] Amounts(IReadOnlyList<Allocation> allocations)
    {
        var amounts = new decimal[allocations.Count];
        for (int i = 0; i < amounts.Length; i++) amounts[i] = allocations[i].Amount;
        return amounts;
    }

    /// <summary>
    /// Writes the lines as allocation sets (<c>payment_allocation_sets</c>: one row per payment's consecutive lines of one
    /// booking month and days, the lines as arrays), by binary COPY when there are many.
    /// </summary>
    internal static async Task WriteAllocationsAsync(NpgsqlConnection conn, IReadOnlyList<Line> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return;
        if (lines.Count > 2000)
        {
            await using var copy = await conn.BeginRawBinaryCopyAsync("""
                COPY payment_allocation_sets (booking_month, payment_id, first_line, account_id, paid_on, received_on,
                                              service_ids, supplier_ids, service_months, kinds, amounts, commissions)
                FROM STDIN (FORMAT BINARY)
                """, ct);
            var writer = new BinaryCopyWriter(copy);
            foreach (var (start, end) in Sets(lines))
            {
                var first = lines[start];
                int n = end - start;
                writer.StartRow(12);
                writer.Put(first.BookingMonth);
                writer.Put(first.PaymentId);
                writer.Put(first.LineNo);
                writer.Put(first.AccountId);
                writer.Put(first.PaidOn);
                writer.Put(first.ReceivedOn);
                writer.PutArray(lines, start, n, static l => l.ServiceId);
                writer.PutArray(lines, start, n, static l => l.SupplierId);
                writer.PutArray(lines, start, n, static l => l.ServiceMonth);
                writer.PutArray(lines, start, n, static l => (short)l.Kind);
                writer.PutArray(lines, start, n, static l => l.Amount);
                writer.PutArray(lines, start, n, static l => l.Commission);
                await writer.FlushIfFullAsync(ct);
            }
            await writer.FinishAsync(ct);
            return;
        }
        // Few lines (an online payment, a correction): the lines as flat arrays and each set as a slice of them.
        var sets = Sets(lines);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO payment_allocation_sets (booking_month, payment_id, first_line, account_id, paid_on, received_on,
                                                 service_ids, supplier_ids, service_months, kinds, amounts, commissions)
            SELECT bm, pid, line, acc, paid, received, (@svc)[f:l], (@sup)[f:l], (@sm)[f:l], (@kind)[f:l], (@amount)[f:l], (@commission)[f:l]
            FROM unnest(@bm, @pid, @line, @acc, @paid, @received, @from, @to) AS t(bm, pid, line, acc, paid, received, f, l)
            """, conn);
        cmd.Parameters.Add(MonthsParameter("bm", sets.Select(x => lines[x.Start].BookingMonth)));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("pid", sets.Select(x => lines[x.Start].PaymentId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("line", sets.Select(x => lines[x.Start].LineNo).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("acc", sets.Select(x => lines[x.Start].AccountId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]>("paid", sets.Select(x => lines[x.Start].PaidOn).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]>("received", sets.Select(x => lines[x.Start].ReceivedOn).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("from", sets.Select(x => x.Start + 1).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("to", sets.Select(x => x.End).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long?[]>("svc", lines.Select(l => l.ServiceId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long?[]>("sup", lines.Select(l => l.SupplierId).ToArray()));
        cmd.Parameters.Add(MonthsParameter("sm", lines.Select(l => l.ServiceMonth)));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("kind", lines.Select(l => (short)l.Kind).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("amount", lines.Select(l => l.Amount).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("commission", lines.Select(l => l.Commission).ToArray()));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The lines' sets, as index ranges <c>[Start, End)</c>: runs of consecutive lines of one payment, booking month and
    /// days, numbered one after another.
    /// </summary>
    private static List<(int Start, int End)> Sets(IReadOnlyList<Line> lines)
    {
        var sets = new List<(int, int)>();
        for (int start = 0; start < lines.Count;)
        {
            var first = lines[start];
            int end = start + 1;
            while (end < lines.Count && SameSet(first, lines[end]) && lines[end].LineNo == first.LineNo + (end - start)) end++;
            sets.Add((start, end));
            start = end;
        }
        return sets;
    }

    /// <summary>Whether <paramref name="next"/> continues <paramref name="first"/>'s set: the same payment, booking month and days, the next line numbers.</summary>
    private static bool SameSet(Line first, Line next) =>
        next.PaymentId == first.PaymentId && next.BookingMonth == first.BookingMonth && next.PaidOn == first.PaidOn && next.ReceivedOn == first.ReceivedOn;

    /// <summary>
    /// Splits the advances paid before an account had any charges (lines without a service) by the charges of
    /// <paramref name="month"/>, so that the money reaches the suppliers: for each such payment, a line taking the
    /// unsplit amount back and advance lines to each service × supplier in proportion to the month's charges (largest
    /// remainder), booked in the month and received today (the next transfers carry them). A reversed payment is left
    /// alone: its reversal already took its unsplit amount back. Within the caller's
    /// transaction; returns the number of payments split.
    /// </summary>
    public static async Task<int> SpreadUnsplitAdvancesAsync(NpgsqlConnection conn, BillingPeriod month, DateOnly today, CancellationToken ct)
    {
        var rows = new List<(long Payment, long Account, decimal Amount, DateOnly PaidOn, short LastLine, long Service, long Supplier, decimal Charged)>();
        await using (var cmd = new NpgsqlCommand("""
            WITH unsplit AS (
                SELECT payment_id, account_id, sum(amount) AS amount, max(paid_on) AS paid_on FROM payment_allocations a
                WHERE service_id IS NULL
                  AND payment_id IN (SELECT payment_id FROM payment_allocation_sets WHERE array_position(service_ids, NULL) IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.corrects = a.payment_id AND c.correction = 'reversal')
                GROUP BY payment_id, account_id HAVING sum(amount) > 0)
            SELECT u.payment_id, u.account_id, u.amount, u.paid_on, (SELECT max(line) FROM payment_allocations a WHERE a.payment_id = u.payment_id),
                   c.service_id, c.supplier_id, c.charged
            FROM unsplit u
            JOIN LATERAL (SELECT service_id, supplier_id, sum(kopecks) * 0.01 AS charged FROM charge_lines
                          WHERE booking_month = @m AND account_id = u.account_id AND kind = 0 GROUP BY 1, 2 HAVING sum(kopecks) > 0) c ON true
            ORDER BY u.payment_id, c.service_id, c.supplier_id
            """, conn))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetDecimal(2), r.GetFieldValue<DateOnly>(3), r.GetInt16(4), r.GetInt64(5), r.GetInt64(6), r.GetDecimal(7)));
        }
        var lines = new List<Line>();
        foreach (var payment in rows.GroupBy(r => r.Payment))
        {
            var first = payment.First();
            short line = first.LastLine;
            lines.Add(new Line(month, first.Payment, ++line, first.Account, null, null, null, AllocationKind.Advance, -first.Amount, 0m, first.PaidOn, today));
            var parts = LargestRemainder.Split(first.Amount, payment.Select(p => p.Charged).ToList());
            foreach (var (p, part) in payment.Zip(parts).Where(x => x.Second > 0))
                lines.Add(new Line(month, first.Payment, ++line, first.Account, p.Service, p.Supplier, null, AllocationKind.Advance, part, 0m, first.PaidOn, today));
        }
        await WriteAllocationsAsync(conn, lines, ct);
        return rows.Select(r => r.Payment).Distinct().Count();
    }
}

