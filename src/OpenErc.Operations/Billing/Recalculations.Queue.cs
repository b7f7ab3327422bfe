using System.Globalization;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>A building waiting for its automatic recalculation.</summary>
/// <param name="FromMonth">The earliest month the queued changes touch.</param>
public sealed record QueuedRecalculation(long BuildingId, string Address, BillingPeriod FromMonth, string Reason, DateTimeOffset QueuedAt, string QueuedBy);

/// <summary>The queue as the open month sees it.</summary>
/// <param name="Due">Buildings to recalculate now (changes dated before the open month).</param>
/// <param name="Deferred">Buildings whose change touches only the open month, already charged: recalculated once the next month is open.</param>
public sealed record RecalculationQueueStatus(int Due, int Deferred);

/// <summary>What one processing of the queue did.</summary>
/// <param name="Buildings">Queued buildings recalculated.</param>
/// <param name="Kept">Of them, left in the queue: failed ones, ones changed again meanwhile, and ones whose open month is already
/// charged (kept from the open month).</param>
/// <param name="Recalculation">The recalculation posted; null when the queue had nothing due.</param>
public sealed record RecalculationQueueReport(int Buildings, int Kept, RecalculationReport? Recalculation)
{
    public long Lines => Recalculation?.Lines ?? 0;
    public decimal Total => Recalculation?.Total ?? 0m;
}

public static partial class Recalculations
{
    /// <summary>
    /// Recalculates the buildings queued by retroactive registry changes (<c>recalculation_queue</c>, written by the
    /// registry's save in the change's own transaction) for their months before <paramref name="openMonth"/>, posts the
    /// differences with the queued reasons, and removes the processed rows in the transaction of the posting. The
    /// billing run of the open month calls it first (from the CLI and the workstation), so a month is never charged while
    /// a past one is known to be wrong.
    /// </summary>
    /// <remarks>
    /// A retry never posts twice: a recalculation posts fresh minus everything already posted, and a row leaves the
    /// queue only with the lines that settle it. A row changed while this runs (its version moved on) stays for the next
    /// processing; so do the buildings that failed to load or compute. A building whose regular charge of the open month
    /// is already posted keeps its row from the open month on: that charge was computed before the change and is
    /// recalculated once the next month is open. An empty queue posts nothing and records no run.
    /// </remarks>
    public static async Task<RecalculationQueueReport> ProcessQueueAsync(string connectionString, BillingPeriod openMonth, string startedBy,
        RegionClock clock, RecalculationOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RecalculationOptions();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await BillingRun.LockAsync(conn, openMonth, $"Расчёт или закрытие месяца {openMonth} уже выполняется", ct);
        try
        {
            // As the run that follows it: a database where no month was ever opened opens this one.
            await BillingPeriods.StartAsync(conn, openMonth, clock, ct);
            await EnsureOpenAsync(conn, null, openMonth, "перерасчёты", ct);
            var rows = new List<(long Building, BillingPeriod From, string Reason, long Version)>();
            await using (var cmd = new NpgsqlCommand(
                "SELECT building_id, from_month, reason, version FROM recalculation_queue WHERE from_month < @open ORDER BY building_id", conn))
            {
                cmd.Parameters.Add(MonthParameter("open", openMonth));
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) rows.Add((r.GetInt64(0), r.GetMonth(1), r.GetString(2), r.GetInt64(3)));
            }
            if (rows.Count == 0) return new RecalculationQueueReport(0, 0, null);

            await ChargeLedger.EnsurePartitionAsync(conn, openMonth, ct);
            var scope = BillingScope.Buildings(rows.Select(q => q.Building));
            var reasons = rows.ToDictionary(q => q.Building, q => q.Reason);
            var months = await PostedMonthsAsync(conn, openMonth, scope, options, rows.ToDictionary(q => q.Building, q => q.From), ct);
            string count = rows.Count.ToString(CultureInfo.InvariantCulture);
            string note = string.Join("; ", rows.Select(q => q.Reason).Distinct());
            if (note.Length > 2000) note = note[..1999] + "…";
            var run = new RecalculationRun($"перерасчёт по изменениям задним числом: домов {count}", "recalc:queue",
                $"изменения задним числом, домов {count}", note, b => reasons[b]);
            int kept = 0;
            var report = await RecalculateLockedAsync(conn, openMonth, months, run, startedBy, clock, options, async (tx, failed) =>
            {
                var done = rows.Where(q => !failed.Contains(q.Building)).ToList();
                await using var cmd = new NpgsqlCommand("""
                    WITH seen AS (
                        SELECT s.building_id, s.version,
                               EXISTS (SELECT 1 FROM billing_run_buildings rb JOIN billing_runs r ON r.id = rb.run_id
                                       WHERE rb.building_id = s.building_id AND rb.state = 'done' AND NOT r.dry_run AND r.month = @open) AS open_charged
                        FROM unnest(@buildings, @versions) AS s(building_id, version)),
                    deleted AS (
                        DELETE FROM recalculation_queue q USING seen
                        WHERE q.building_id = seen.building_id AND q.version = seen.version AND NOT seen.open_charged RETURNING 1),
                    moved AS (
                        UPDATE recalculation_queue q SET from_month = @open FROM seen
                        WHERE q.building_id = seen.building_id AND q.version = seen.version AND seen.open_charged RETURNING 1)
                    SELECT (SELECT count(*) FROM deleted)
                    """, conn, tx);
                cmd.Parameters.Add(MonthParameter("open", openMonth));
                cmd.Parameters.Add(new NpgsqlParameter<long[]>("buildings", done.Select(q => q.Building).ToArray()));
                cmd.Parameters.Add(new NpgsqlParameter<long[]>("versions", done.Select(q => q.Version).ToArray()));
                kept = rows.Count - (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
            }, ct);
            return new RecalculationQueueReport(rows.Count, kept, report);
        }
        finally
        {
            await BillingRun.UnlockAsync(conn, openMonth);
        }
    }

    /// <summary>How many buildings wait in the queue for the open month.</summary>
    public static async Task<RecalculationQueueStatus> QueueStatusAsync(string connectionString, BillingPeriod openMonth, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE from_month < @open), count(*) FILTER (WHERE from_month >= @open) FROM recalculation_queue", conn);
        cmd.Parameters.Add(MonthParameter("open", openMonth));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new RecalculationQueueStatus((int)r.GetInt64(0), (int)r.GetInt64(1));
    }

    /// <summary>The queue, oldest month first.</summary>
    public static async Task<IReadOnlyList<QueuedRecalculation>> QueueAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT q.building_id, b.address, q.from_month, q.reason, q.queued_at, q.queued_by
            FROM recalculation_queue q JOIN buildings b ON b.id = q.building_id ORDER BY q.from_month, q.building_id
            """, conn);
        var list = new List<QueuedRecalculation>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new QueuedRecalculation(r.GetInt64(0), r.GetString(1), r.GetMonth(2), r.GetString(3),
                r.GetFieldValue<DateTimeOffset>(4), r.GetString(5)));
        return list;
    }
}
