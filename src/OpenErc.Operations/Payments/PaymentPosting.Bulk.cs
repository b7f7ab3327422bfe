using Npgsql;
using System.Threading.Channels;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Payments;

public static partial class PaymentPosting
{
    /// <summary>Agents' locks live in their own range of advisory keys: a bulk posting holds its agent's exclusively, every other posting shared.</summary>
    public const long AgentLockBase = 0x4147_0000_0000_0000L;

    /// <summary>
    /// Posts the payments of one agent's registry, chunk by chunk, within the caller's transaction on
    /// <paramref name="conn"/> (the partitions of the current month must exist): the same outcomes as
    /// <see cref="PostAsync(NpgsqlConnection, IReadOnlyList{PaymentIntake}, PostingOptions, CancellationToken)"/> with
    /// <see cref="PostingOptions.AllowSuspense"/>, at the rate of a region's registries. It first takes the agent's lock
    /// exclusively (online postings of the agent wait for the commit; every posting takes it shared before it inserts)
    /// and every account lock (a registry of a region pays accounts of every lock bucket within its first chunk anyway).
    /// Three stages then run side by side, a chunk apart: on a second connection of <paramref name="connectionString"/>,
    /// each chunk's account numbers, the payments made before under its keys, ids drawn ahead for its new payments and
    /// its accounts' debt books are read — all committed data, which no one else can change while the locks are held;
    /// the chunk before it is allocated; and the one before that is written on <paramref name="conn"/> by binary COPY.
    /// A chunk must hold every payment of its accounts and each key once (<see cref="PaymentRegistries.ByAccount"/>): it
    /// never needs what an earlier chunk wrote. <paramref name="posted"/> is called with each chunk's results after the
    /// chunk is written, in order, and may use <paramref name="conn"/>.
    /// </summary>
    public static async Task PostRegistryAsync(NpgsqlConnection conn, string connectionString, long agentId, IEnumerable<IReadOnlyList<PaymentIntake>> chunks,
        PostingOptions options, Func<IReadOnlyList<PaymentIntake>, IReadOnlyList<PostingResult>, Task> posted, CancellationToken ct)
    {
        var now = options.Now;
        var today = options.Today;
        var agent = await AgentAsync(conn, agentId, today, ct);
        await using var reader = new NpgsqlConnection(connectionString);
        await reader.OpenAsync(ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var resolved = Channel.CreateBounded<Resolved>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var allocated = Channel.CreateBounded<(Resolved Chunk, List<Line> Lines)>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var reading = Stage(resolved.Writer, async () =>
        {
            var seen = new HashSet<long>();
            foreach (var intakes in chunks)
                await resolved.Writer.WriteAsync(await ResolveAsync(reader, agent, intakes, seen, options, stop.Token), stop.Token);
        });
        var allocating = Stage(allocated.Writer, async () =>
        {
            await foreach (var chunk in resolved.Reader.ReadAllAsync(stop.Token))
                await allocated.Writer.WriteAsync((chunk, Allocate(chunk.Ledger, chunk.New.Where(p => p.Row.AccountId is not null).ToList(), options, today)),
                    stop.Token);
        });
        try
        {
            await foreach (var (chunk, lines) in allocated.Reader.ReadAllAsync(ct))
            {
                await CopyPaymentsAsync(conn, agent, chunk.New, options, now, today, ct);
                await WriteAllocationsAsync(conn, lines, ct);
                await posted(chunk.Intakes, chunk.Results);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await allocating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Runs a stage of the pipeline on the thread pool; its output ends when it does, with its error if it fails.</summary>
    private static Task Stage<T>(ChannelWriter<T> output, Func<Task> body) => Task.Run(async () =>
    {
        try
        {
            await body();
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
        }
    });

    /// <summary>The agent's terms in force and the booking month, read once with the agent's lock and every account lock taken exclusively.</summary>
    private sealed record BulkAgent(long Id, decimal CommissionPercent, bool ByPayer, BillingPeriod BookingMonth);

    /// <summary>
    /// A chunk resolved: the results of those posted before (repeats, conflicts) or refused (dated before their account's
    /// opening), the new payments with their ids, and its accounts' books.
    /// </summary>
    private sealed record Resolved(IReadOnlyList<PaymentIntake> Intakes, PostingResult[] Results, List<(Inserted Row, PaymentIntake Intake)> New, DebtLedger Ledger);

    private static async Task<BulkAgent> AgentAsync(NpgsqlConnection conn, long agentId, DateOnly today, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock_shared(@lock), pg_advisory_xact_lock(@agentLock);
            SELECT count(pg_advisory_xact_lock(@lockBase + b)) FROM generate_series(0, @buckets - 1) b;
            WITH booking AS ({BookingMonthSql})
            SELECT (SELECT month FROM booking), t.commission_percent, t.commission_paid_by = 'payer'
            FROM (SELECT 1) one
            LEFT JOIN LATERAL (SELECT commission_percent, commission_paid_by FROM payment_agent_terms t
                               WHERE t.agent_id = @agent AND t.valid_from <= @today ORDER BY t.valid_from DESC LIMIT 1) t ON true;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("lock", BookingLockKey));
        cmd.Parameters.Add(new NpgsqlParameter<long>("agentLock", AgentLockBase + agentId));
        cmd.Parameters.Add(new NpgsqlParameter<long>("lockBase", DebtLedger.AccountLockBase));
        cmd.Parameters.Add(new NpgsqlParameter<long>("buckets", DebtLedger.AccountLockBuckets));
        cmd.Parameters.Add(new NpgsqlParameter<long>("agent", agentId));
        cmd.Parameters.Add(MonthParameter("month", BillingPeriod.Of(today)));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        return new BulkAgent(agentId, r.IsDBNull(1) ? 0 : r.GetDecimal(1), !r.IsDBNull(2) && r.GetBoolean(2), r.GetMonth(0));
    }

    /// <summary>
    /// Reads what the chunk needs from the database in one round trip — its account numbers' ids, the payments made
    /// before under its keys, ids for its new payments — decides each payment's outcome, then reads the books of the
    /// accounts it pays (locked by the caller's transaction).
    /// </summary>
    private static async Task<Resolved> ResolveAsync(NpgsqlConnection conn, BulkAgent agent, IReadOnlyList<PaymentIntake> intakes, HashSet<long> seen,
        PostingOptions options, CancellationToken ct)
    {
        foreach (var p in intakes)
            if (p.AgentId != agent.Id || p.Amount <= 0 || decimal.Round(p.Amount, 2) != p.Amount)
                throw new ArgumentException($"Платёж {p.AgentPaymentId}: другой агент или сумма не в копейках: {p.Amount}");
        var accounts = new Dictionary<string, (long Id, DateOnly OpenedOn)>(StringComparer.Ordinal);
        var existing = new Dictionary<string, Existing>(StringComparer.Ordinal);
        var ids = new List<long>(intakes.Count);
        await using (var cmd = new NpgsqlCommand("""
            SELECT number, id, opened_on FROM personal_accounts WHERE number = ANY(@numbers);
            -- A probe of the unique key per operation id: the payments written earlier in this transaction are not in
            -- the statistics, and with them the agent looks small enough to scan whole for every chunk.
            SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
            SELECT p.id, p.agent_payment_id, p.account_id, p.account_number, p.amount, p.posted_at
            FROM unnest(@keys) AS k(key) JOIN payments p ON p.agent_id = @agent AND p.agent_payment_id = k.key;
            SELECT set_config('enable_hashjoin', 'on', true), set_config('enable_mergejoin', 'on', true);
            SELECT nextval('payments_id_seq') FROM generate_series(1, @n);
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("numbers", intakes.Select(p => p.AccountNumber).Distinct().ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long>("agent", agent.Id));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("keys", intakes.Select(p => p.AgentPaymentId).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<int>("n", intakes.Count));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) accounts[r.GetString(0)] = (r.GetInt64(1), r.GetFieldValue<DateOnly>(2));
            await r.NextResultAsync(ct);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
                existing[r.GetString(1)] = new Existing(r.GetInt64(0), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3), r.GetDecimal(4),
                    r.GetFieldValue<DateTimeOffset>(5));
            await r.NextResultAsync(ct);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        }
        var now = options.Now;
        var results = new PostingResult[intakes.Count];
        var fresh = new List<(Inserted Row, PaymentIntake Intake)>(intakes.Count);
        for (int i = 0; i < intakes.Count; i++)
        {
            var p = intakes[i];
            if (existing.TryGetValue(p.AgentPaymentId, out var e))
            {
                results[i] = PostedBefore(e, p);
                continue;
            }
            long? account = accounts.TryGetValue(p.AccountNumber, out var a) ? a.Id : null;
            if (account is not null && options.RefuseBeforeOpening && RefusedBeforeOpening(p, a.OpenedOn, options) is { } early)
            {
                results[i] = early;
                continue;
            }
            var commission = p.Commission ?? Math.Round(p.Amount * agent.CommissionPercent / 100, 2, MidpointRounding.AwayFromZero);
            var row = new Inserted(ids[i], account, agent.BookingMonth, commission, p.CommissionByPayer ?? agent.ByPayer);
            fresh.Add((row, p));
            results[i] = account is null
                ? new PostingResult(PostingOutcome.Suspense, row.Id, null, p.Amount, now, "Лицевой счёт не найден: платёж в невыясненных")
                : new PostingResult(PostingOutcome.Posted, row.Id, account, p.Amount, now);
        }
        var paying = fresh.Where(f => f.Row.AccountId is not null).Select(f => f.Row.AccountId!.Value).Distinct().Order().ToArray();
        foreach (long account in paying)
            Invariant.Holds(seen.Add(account), $"account {account} is paid in two chunks of one bulk posting");
        var ledger = await DebtLedger.LoadAsync(conn, paying, lockAccounts: false, ct);
        return new Resolved(intakes, results, fresh, ledger);
    }

    /// <summary>Writes the chunk's new payments by binary COPY, with the ids drawn for them.</summary>
    private static async Task CopyPaymentsAsync(NpgsqlConnection conn, BulkAgent agent, List<(Inserted Row, PaymentIntake Intake)> payments, PostingOptions options,
        DateTimeOffset now, DateOnly today, CancellationToken ct)
    {
        if (payments.Count == 0) return;
        await using var copy = await conn.BeginRawBinaryCopyAsync("""
            COPY payments (id, agent_id, agent_payment_id, channel, account_number, account_id, amount, commission, commission_by_payer, paid_at,
                           received_on, booking_month, period, payer, address, registry_id, line_no, posted_by, posted_at)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        var writer = new BinaryCopyWriter(copy);
        foreach (var (row, p) in payments)
        {
            writer.StartRow(19);
            writer.Put(row.Id);
            writer.Put(agent.Id);
            writer.Put(p.AgentPaymentId);
            writer.Put((short)p.Channel);
            writer.Put(p.AccountNumber);
            writer.Put(row.AccountId);
            writer.Put(p.Amount);
            writer.Put(row.Commission);
            writer.Put(row.CommissionByPayer);
            writer.Put(p.PaidAt);
            writer.Put(today);
            writer.Put(row.BookingMonth);
            writer.Put(p.Period);
            writer.Put(p.Payer);
            writer.Put(p.Address);
            writer.Put(p.RegistryId);
            writer.Put(p.LineNo);
            writer.Put(options.PostedBy);
            writer.Put(now);
            await writer.FlushIfFullAsync(ct);
        }
        await writer.FinishAsync(ct);
    }
}
