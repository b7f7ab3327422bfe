using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;

namespace OpenErc.Operations.Payments;

/// <summary>
/// The charges and allocations of a set of accounts, read in one round trip, from which each account's
/// <see cref="DebtBook"/> is built; lines posted meanwhile are added so that the next payment sees them.
/// </summary>
internal sealed class DebtLedger
{
    private readonly Dictionary<long, List<ChargedChunk>> _charges = [];
    private readonly Dictionary<long, List<AllocatedLine>> _allocations = [];
    private readonly Dictionary<string, long> _serviceIds = new(StringComparer.Ordinal);

    public long ServiceId(string code) => _serviceIds[code];

    public AccountDebts Book(long accountId, DateOnly today) =>
        DebtBook.Open(_charges.GetValueOrDefault(accountId) ?? [], _allocations.GetValueOrDefault(accountId) ?? [], today, PaymentPosting.DueDate);

    public void Add(PaymentPosting.Line line) => Allocations(line.AccountId).Add(
        new AllocatedLine(line.ServiceId, line.SupplierId, line.ServiceMonth, line.Kind, line.Amount, line.PaidOn));

    private List<AllocatedLine> Allocations(long accountId)
    {
        if (!_allocations.TryGetValue(accountId, out var list)) _allocations[accountId] = list = [];
        return list;
    }

    /// <summary>
    /// Reads the accounts' books; with <paramref name="lockAccounts"/> first takes each account's transaction lock (its
    /// bucket's), in bucket order, so that no other posting allocates to them until this transaction ends. The charge
    /// lines are read through their primary key (booking month, account): the months come as an array, so the plan does
    /// not depend on statistics of <c>billing_runs</c> (never analysed while it has few rows; a join on it once chose a
    /// scan of the whole month's partition).
    /// </summary>
    public static async Task<DebtLedger> LoadAsync(NpgsqlConnection conn, long[] accountIds, bool lockAccounts, CancellationToken ct)
    {
        var ledger = new DebtLedger();
        await using var cmd = new NpgsqlCommand($"""
            {(lockAccounts ? "SELECT count(pg_advisory_xact_lock(@lockBase + b)) FROM (SELECT DISTINCT id % @buckets AS b FROM unnest(@ids) AS t(id) ORDER BY 1) k;" : "")}
            SELECT id, code FROM services;
            SELECT l.account_id, l.service_id, s.code, l.supplier_id, l.service_month, l.kind = @penalty, sum(l.amount)
            FROM charge_lines l
            JOIN services s ON s.id = l.service_id
            WHERE l.booking_month = ANY(ARRAY(SELECT DISTINCT month FROM billing_runs WHERE NOT dry_run)) AND l.account_id = ANY(@ids)
            GROUP BY 1, 2, 3, 4, 5, 6;
            SELECT account_id, service_id, supplier_id, service_month, kind, amount, paid_on FROM payment_allocations WHERE account_id = ANY(@ids);
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", accountIds));
        cmd.Parameters.Add(new NpgsqlParameter<long>("lockBase", AccountLockBase));
        cmd.Parameters.Add(new NpgsqlParameter<long>("buckets", AccountLockBuckets));
        cmd.Parameters.Add(new NpgsqlParameter<short>("penalty", (short)ChargeLineKind.Penalty));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (lockAccounts) await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) ledger._serviceIds[r.GetString(1)] = r.GetInt64(0);
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long account = r.GetInt64(0);
            if (!ledger._charges.TryGetValue(account, out var list)) ledger._charges[account] = list = [];
            list.Add(new ChargedChunk(r.GetInt64(1), r.GetString(2), r.GetInt64(3), BillingPeriod.Of(r.GetFieldValue<DateOnly>(4)), r.GetBoolean(5), r.GetDecimal(6)));
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) ledger.Allocations(r.GetInt64(0)).Add(AllocationOf(r));
        return ledger;
    }

    /// <summary>An allocation read as <c>account_id, service_id, supplier_id, service_month, kind, amount, paid_on</c> (the account in column 0 is the caller's).</summary>
    internal static AllocatedLine AllocationOf(NpgsqlDataReader r) =>
        new(r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2),
            r.IsDBNull(3) ? null : BillingPeriod.Of(r.GetFieldValue<DateOnly>(3)), (AllocationKind)r.GetInt16(4), r.GetDecimal(5), r.GetFieldValue<DateOnly>(6));

    /// <summary>Account locks live in their own range of advisory keys.</summary>
    public const long AccountLockBase = 0x4143_0000_0000_0000L;

    /// <summary>
    /// An account's lock is that of its bucket, <c>id % AccountLockBuckets</c>: a registry of a whole region posts
    /// every account in one transaction, and a lock per account would overflow PostgreSQL's lock table
    /// (max_locks_per_transaction × max_connections, 6,400 by default: "out of shared memory"). Accounts of one
    /// bucket wait for each other, which only matters while such a registry is being posted.
    /// </summary>
    public const long AccountLockBuckets = 1024;
}
