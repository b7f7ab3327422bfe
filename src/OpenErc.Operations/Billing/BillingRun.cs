using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>Which buildings a run charges.</summary>
public sealed record BillingScope
{
    private BillingScope(string key, string description, string filter, long[] ids)
    {
        Key = key;
        Description = description;
        Filter = filter;
        Ids = ids;
    }

    /// <summary>Stable text of the scope: a restarted run resumes only the unfinished run of the same key.</summary>
    public string Key { get; }
    public string Description { get; }
    internal string Filter { get; }
    internal long[] Ids { get; }

    public static BillingScope All { get; } = new("all", "все дома", "true", []);

    public static BillingScope Municipality(long id) =>
        new($"municipality:{id}", $"муниципальное образование {id}", "b.municipality_id = ANY(@scope)", [id]);

    /// <summary>Buildings managed by the organisation on any day of the month.</summary>
    public static BillingScope ManagementCompany(long organisationId) =>
        new($"manager:{organisationId}", $"управляющая организация {organisationId}",
            "EXISTS (SELECT 1 FROM building_managements m WHERE m.building_id = b.id AND m.organisation_id = ANY(@scope) AND m.valid_from < @to AND (m.valid_to IS NULL OR m.valid_to > @from))",
            [organisationId]);

    public static BillingScope Buildings(IEnumerable<long> ids)
    {
        var sorted = ids.Distinct().Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("Укажите хотя бы один дом", nameof(ids));
        var list = string.Join(',', sorted.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return new($"buildings:{list}", $"дома {list}", "b.id = ANY(@scope)", sorted);
    }
}

/// <param name="BatchSize">Buildings per batch (one transaction each).</param>
/// <param name="Parallelism">Batches computed and written at once.</param>
/// <param name="DryRun">Compute and compare with what is posted; write no lines.</param>
/// <param name="StartedBy">Who starts the run.</param>
/// <param name="Clock">The region's clock: when the run starts and ends.</param>
public sealed record BillingRunOptions(RegionClock Clock, int BatchSize = 50, int Parallelism = 2, bool DryRun = false, string StartedBy = "система")
{
    public ChargeSettings Settings { get; init; } = new();
}

/// <summary>Progress of a run: buildings finished (done or failed) of the buildings to do in this call.</summary>
public sealed record BillingProgress(int Buildings, int TotalBuildings, long Lines);

/// <summary>A run's lines of one service and supplier: the service by its code and its name as people read it.</summary>
public sealed record ServiceSupplierTotal(string ServiceCode, string Service, long SupplierId, string Supplier, long Lines, decimal Amount);

public sealed record BuildingFailure(long BuildingId, string Address, string Error);

/// <summary>A dry run's comparison with the posted lines of the month (by account × service × supplier × zone × kind).</summary>
/// <param name="New">Computed keys with nothing posted.</param>
/// <param name="Changed">Keys posted with another amount.</param>
/// <param name="Unchanged">Keys posted with the same amount.</param>
/// <param name="Missing">Keys posted but not computed now.</param>
/// <param name="Posted">Amount posted for the buildings of the run, ₽.</param>
/// <param name="Difference">Computed minus posted, ₽.</param>
public sealed record DryRunDifference(long New, long Changed, long Unchanged, long Missing, decimal Posted, decimal Difference);

/// <summary>The report of a run (for a resumed run: of the whole run, all its calls).</summary>
public sealed record BillingRunReport(
    long RunId, BillingPeriod Month, string Scope, bool DryRun, bool Resumed,
    int BuildingsInScope, int BuildingsAlreadyPosted, int BuildingsDone, int BuildingsFailed,
    long Accounts, long Lines, decimal Total,
    IReadOnlyList<ServiceSupplierTotal> ByServiceAndSupplier, IReadOnlyList<BuildingFailure> Failures, DryRunDifference? Difference)
{
    /// <summary>Where this call spent its time, summed over the parallel workers.</summary>
    public BillingTimings Timings { get; init; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}

/// <summary>Time spent by all workers together: reading snapshots, calculating, posting (COPY, insert, log, commit).</summary>
public sealed record BillingTimings(TimeSpan Load, TimeSpan Calculate, TimeSpan Write);

/// <summary>The run cannot start or go on (a closed month, another run in progress); the message is for people.</summary>
public sealed class BillingException(string message) : Exception(message);

/// <summary>
/// The monthly charge run (ARCHITECTURE.md §6): buildings in batches, computed in parallel, each batch posted in ONE
/// transaction together with its rows of the restart log <c>billing_run_buildings</c>.
/// </summary>
/// <remarks>
/// <para><b>Restart.</b> A run that did not finish (a crash, Ctrl+C) stays <c>running</c>; calling
/// <see cref="RunAsync"/> again for the same month and scope resumes it and charges only the buildings it has no
/// log row for. A batch that was cut off rolled back whole, and a replayed batch conflicts on the lines' keys, so no
/// line is posted twice and the totals equal an uninterrupted run. An unfinished run of another scope is marked
/// failed (its finished batches stay posted) and a new run starts.</para>
/// <para><b>Re-runs.</b> The regular charge of a building for a month is posted once: a building already
/// <c>done</c> in any (non-dry) run of the month is skipped and counted as already posted, so re-running a completed
/// month posts nothing. A failed building is charged by the next run that includes it (e.g. a run for just that
/// building). Changing what was posted is a recalculation: the difference between a fresh calculation and the posted
/// lines, booked in the open month with the corrected service month — the dry run reports that difference, and
/// <see cref="Recalculations.RecalculateAsync"/> posts it for past months.</para>
/// <para><b>One run per month at a time</b>: an advisory lock on the month, held for the run; closing the month takes
/// the same lock, and each batch re-checks in its transaction that the month is still open.</para>
/// </remarks>
public static class BillingRun
{
    internal static long LockKey(BillingPeriod month) => 0x4F45_0000_0000L + month.Year * 100 + month.Month;

    public static async Task<BillingRunReport> RunAsync(string connectionString, BillingPeriod month, BillingScope scope, BillingRunOptions options,
        IProgress<BillingProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1);
        await using var control = new NpgsqlConnection(connectionString);
        await control.OpenAsync(ct);
        await LockAsync(control, month, $"Расчёт или закрытие месяца {month} уже выполняется", ct);
        try
        {
            return await RunLockedAsync(control, connectionString, month, scope, options, progress, ct);
        }
        finally
        {
            await UnlockAsync(control, month);
        }
    }

    /// <summary>
    /// Takes the month's session-level advisory lock or refuses. It is released explicitly: a pooled connection's
    /// reset (which would release it) runs only when the connection is next used.
    /// </summary>
    internal static async Task LockAsync(NpgsqlConnection conn, BillingPeriod month, string refusal, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("k", LockKey(month)));
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) throw new BillingException(refusal);
    }

    internal static async Task UnlockAsync(NpgsqlConnection conn, BillingPeriod month)
    {
        if (conn.State != System.Data.ConnectionState.Open) return;
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("k", LockKey(month)));
        await cmd.ExecuteScalarAsync(CancellationToken.None);
    }

    private static async Task<BillingRunReport> RunLockedAsync(NpgsqlConnection control, string connectionString, BillingPeriod month, BillingScope scope,
        BillingRunOptions options, IProgress<BillingProgress>? progress, CancellationToken ct)
    {

        // Only the open month is charged; a database where no month was ever opened opens this one.
        await BillingPeriods.StartAsync(control, month, options.Clock, ct);
        await BillingPeriods.RequireOpenAsync(control, null, month, "начисления", ct);

        long runId = 0;
        bool resumed = false;
        if (!options.DryRun)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT id, scope_key FROM billing_runs WHERE month = @m AND state = 'running' AND NOT dry_run ORDER BY id", control);
            cmd.Parameters.Add(MonthParameter("m", month));
            var unfinished = new List<(long Id, string Key)>();
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) unfinished.Add((r.GetInt64(0), r.GetString(1)));
            foreach (var (id, key) in unfinished)
            {
                if (key == scope.Key && runId == 0)
                {
                    runId = id;
                    resumed = true;
                    continue;
                }
                await using var abandon = new NpgsqlCommand(
                    "UPDATE billing_runs SET state = 'failed', finished_at = @now, note = 'прерван; не продолжен: запущен расчёт с другим охватом' WHERE id = @id", control);
                abandon.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Clock.Now));
                abandon.Parameters.Add(new NpgsqlParameter<long>("id", id));
                await abandon.ExecuteNonQueryAsync(ct);
            }
            await ChargeLedger.EnsurePartitionAsync(control, month, ct);
        }
        if (runId == 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO billing_runs (month, scope, scope_key, dry_run, state, started_by, started_at)
                VALUES (@m, @scope, @key, @dry, 'running', @by, @now) RETURNING id
                """, control);
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(new NpgsqlParameter<string>("scope", scope.Description));
            cmd.Parameters.Add(new NpgsqlParameter<string>("key", scope.Key));
            cmd.Parameters.Add(new NpgsqlParameter<bool>("dry", options.DryRun));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", options.StartedBy));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Clock.Now));
            runId = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        // Buildings of the scope with an account open on any day of the month.
        var inScope = new List<long>();
        var posted = new HashSet<long>();
        var logged = new HashSet<long>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT b.id,
                   EXISTS (SELECT 1 FROM billing_run_buildings rb JOIN billing_runs r ON r.id = rb.run_id
                           WHERE rb.building_id = b.id AND rb.state = 'done' AND r.month = @from AND NOT r.dry_run),
                   EXISTS (SELECT 1 FROM billing_run_buildings rb WHERE rb.building_id = b.id AND rb.run_id = @run)
            FROM buildings b
            WHERE ({scope.Filter})
              AND EXISTS (SELECT 1 FROM premises p JOIN personal_accounts a ON a.premise_id = p.id
                          WHERE p.building_id = b.id AND a.opened_on < @to AND (a.closed_on IS NULL OR a.closed_on > @from))
            ORDER BY b.id
            """, control))
        {
            SnapshotLoader.AddMonth(cmd, month);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("scope", scope.Ids) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<long>("run", runId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                inScope.Add(r.GetInt64(0));
                if (r.GetBoolean(1)) posted.Add(r.GetInt64(0));
                if (r.GetBoolean(2)) logged.Add(r.GetInt64(0));
            }
        }
        // A dry run recomputes posted buildings too: that is what it compares.
        var todo = inScope.Where(id => options.DryRun || !posted.Contains(id) && !logged.Contains(id)).ToList();
        int alreadyPosted = options.DryRun ? 0 : inScope.Count(id => posted.Contains(id) && !logged.Contains(id));

        var reference = await BillingReference.LoadAsync(control, month, ct);
        var serviceIds = reference.ServiceIds;
        int finished = 0;
        long linesSoFar = 0, loadTicks = 0, calculateTicks = 0, writeTicks = 0;
        var dry = new DryRunAccumulator();
        var dryTotals = new Dictionary<(string, long), (long Lines, decimal Amount)>();
        var dryFailures = new List<(long, string)>();
        long dryAccounts = 0;

        var batches = todo.Chunk(options.BatchSize).ToList();
        try
        {
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
                async (batch, token) =>
                {
                    await using var conn = new NpgsqlConnection(connectionString);
                    await conn.OpenAsync(token);
                    // The run's workers already keep the cores busy: a parallel plan for a batch's reads only competes with
                    // them, and it makes the planner prefer a parallel scan of a whole table to the child's index.
                    await using (var serial = new NpgsqlCommand("SET max_parallel_workers_per_gather = 0", conn))
                        await serial.ExecuteNonQueryAsync(token);
                    long t0 = Stopwatch.GetTimestamp();
                    var loaded = await SnapshotLoader.LoadAsync(conn, reference, batch, month, token);
                    long t1 = Stopwatch.GetTimestamp();
                    var results = loaded.Select(b => Compute(b, month, options.Settings)).ToList();
                    long t2 = Stopwatch.GetTimestamp();
                    Interlocked.Add(ref loadTicks, t1 - t0);
                    Interlocked.Add(ref calculateTicks, t2 - t1);
                    var lines = results.SelectMany(r => r.Lines.Select(l => new PostedLine(r.BuildingId, ServiceId(serviceIds, l.ServiceCode), month, runId, l))).ToList();
                    if (options.DryRun)
                    {
                        var postedNow = await PostedAmountsAsync(conn, batch, month, token);
                        lock (dry)
                        {
                            dry.Add(lines, postedNow);
                            foreach (var l in lines)
                            {
                                var key = (l.Line.ServiceCode, l.Line.SupplierId);
                                var t = dryTotals.GetValueOrDefault(key);
                                dryTotals[key] = (t.Lines + 1, t.Amount + l.Line.Amount.Amount);
                            }
                            foreach (var r in results)
                                if (r.Error is not null) dryFailures.Add((r.BuildingId, r.Error));
                            dryAccounts += results.Where(r => r.Error is null).Sum(r => r.Accounts);
                        }
                    }
                    else
                    {
                        var encoded = ChargeLedger.Encode(lines);
                        await ChargeTraces.SaveTemplatesAsync(conn, encoded.Templates, token);
                        await using var tx = await conn.BeginTransactionAsync(token);
                        await using (var check = new NpgsqlCommand("SELECT state FROM billing_periods WHERE month = @m FOR SHARE", conn, tx))
                        {
                            check.Parameters.Add(MonthParameter("m", month));
                            if ((string?)await check.ExecuteScalarAsync(token) != "open")
                                throw new BillingException($"Месяц {month} закрыт: начисления в закрытый месяц не принимаются");
                        }
                        // A batch holds only buildings no run has posted, so every line is new: a key conflict (two lines
                        // with one key, a calculator bug) fails the COPY and rolls the batch back loudly.
                        long inserted = await ChargeLedger.AppendAsync(conn, month, encoded, token);
                        Invariant.Holds(inserted == lines.Count, $"run {runId}: {inserted} of {lines.Count} lines of buildings {string.Join(',', batch)} written");
                        await LogBuildingsAsync(conn, runId, results, options.Clock, token);
                        await tx.CommitAsync(token);
                        Interlocked.Add(ref writeTicks, Stopwatch.GetTimestamp() - t2);
                    }
                    int done = Interlocked.Add(ref finished, batch.Length);
                    long total = Interlocked.Add(ref linesSoFar, lines.Count);
                    progress?.Report(new BillingProgress(done, todo.Count, total));
                });
        }
        catch (Exception) when (options.DryRun)
        {
            // A dry run has nothing to resume: it is marked failed so that the status does not show it as unfinished.
            await using var failed = new NpgsqlCommand("UPDATE billing_runs SET state = 'failed', finished_at = @now, note = 'пробный расчёт прерван' WHERE id = @id", control);
            failed.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Clock.Now));
            failed.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await failed.ExecuteNonQueryAsync(CancellationToken.None);
            throw;
        }

        var report = options.DryRun
            ? await FinishDryRunAsync(control, runId, month, scope, inScope.Count, dry, dryTotals, dryFailures, dryAccounts, options.Clock, ct)
            : await FinishAsync(control, runId, month, scope, resumed, inScope.Count, alreadyPosted, options.Clock, ct);
        if (!options.DryRun && todo.Count > 0)
        {
            // The month's partition filled from nothing in minutes: until autovacuum samples it, the planner takes it for
            // a few pages and reads it whole where it should look an account up (a payment's debt book read 50 accounts
            // in 200–600 ms instead of 20 ms). Its statistics are taken now, from a sample (about a second at 13 M lines).
            await using var analyze = new NpgsqlCommand($"ANALYZE {ChargeLedger.PartitionName(month)}", control);
            await analyze.ExecuteNonQueryAsync(ct);
        }
        return report with
        {
            Timings = new BillingTimings(
                Stopwatch.GetElapsedTime(0, loadTicks), Stopwatch.GetElapsedTime(0, calculateTicks), Stopwatch.GetElapsedTime(0, writeTicks)),
        };
    }

    private sealed record BuildingResult(long BuildingId, IReadOnlyList<ChargeLine> Lines, int Accounts, string? Error);

    private static BuildingResult Compute(LoadedBuilding building, BillingPeriod month, ChargeSettings settings)
    {
        if (building.Snapshot is null) return new(building.BuildingId, [], 0, building.Error);
        try
        {
            return new(building.BuildingId, ChargeCalculator.Calculate(building.Snapshot, month, settings), building.Accounts, null);
        }
        catch (ChargeDataException e)
        {
            return new(building.BuildingId, [], 0, e.Message);
        }
#pragma warning disable CA1031 // A building that throws is recorded with its reason and skipped whole (ARCHITECTURE.md §6).
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new(building.BuildingId, [], 0, $"Ошибка расчёта ({e.GetType().Name}): {e.Message}");
        }
#pragma warning restore CA1031
    }

    private static long ServiceId(IReadOnlyDictionary<string, long> ids, string code) =>
        ids.TryGetValue(code, out var id) ? id : throw new InvariantViolationException($"line of an unknown service {code}");

    private static async Task LogBuildingsAsync(NpgsqlConnection conn, long runId, List<BuildingResult> results, RegionClock clock, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO billing_run_buildings (run_id, building_id, state, error, accounts, lines, total, finished_at)
            SELECT @run, x.building_id, CASE WHEN x.error IS NULL THEN 'done' ELSE 'failed' END, x.error, x.accounts, x.lines, x.total, @now
            FROM unnest(@ids, @errors, @accounts, @lines, @totals) AS x(building_id, error, accounts, lines, total)
            ON CONFLICT DO NOTHING
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("run", runId));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", results.Select(r => r.BuildingId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("errors", results.Select(r => r.Error).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("accounts", results.Select(r => r.Accounts).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("lines", results.Select(r => r.Lines.Count).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("totals", results.Select(r => r.Lines.Sum(l => l.Amount.Amount)).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Posted amounts of the month's service by line key (all runs, all booking months) for the buildings.</summary>
    private static async Task<Dictionary<LineKey, decimal>> PostedAmountsAsync(NpgsqlConnection conn, long[] buildings, BillingPeriod month, CancellationToken ct)
    {
        var map = new Dictionary<LineKey, decimal>();
        await using var cmd = new NpgsqlCommand("""
            SELECT account_id, service_id, supplier_id, zone, kind, sum(kopecks) * 0.01 FROM charge_lines
            WHERE building_id = ANY(@ids) AND service_month = @m AND booking_month >= @m
            GROUP BY 1, 2, 3, 4, 5
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", buildings));
        cmd.Parameters.Add(MonthParameter("m", month));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            map[new LineKey(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt16(3), r.GetInt16(4))] = r.GetDecimal(5);
        return map;
    }

    private readonly record struct LineKey(long Account, long Service, long Supplier, short Zone, short Kind);

    private sealed class DryRunAccumulator
    {
        public long New, Changed, Unchanged, Missing;
        public decimal Posted, Computed;

        public void Add(List<PostedLine> lines, Dictionary<LineKey, decimal> posted)
        {
            var computed = new Dictionary<LineKey, decimal>();
            foreach (var p in lines)
            {
                var key = new LineKey(p.Line.AccountId, p.ServiceId, p.Line.SupplierId, (short)p.Line.Zone, (short)p.Line.Kind);
                computed[key] = computed.GetValueOrDefault(key) + p.Line.Amount.Amount;
            }
            foreach (var (key, amount) in computed)
            {
                Computed += amount;
                if (!posted.TryGetValue(key, out var was)) New++;
                else if (was == amount) Unchanged++;
                else Changed++;
            }
            foreach (var (key, amount) in posted)
            {
                Posted += amount;
                if (!computed.ContainsKey(key)) Missing++;
            }
        }
    }

    private static async Task<BillingRunReport> FinishDryRunAsync(NpgsqlConnection control, long runId, BillingPeriod month, BillingScope scope, int inScope,
        DryRunAccumulator dry, Dictionary<(string, long), (long Lines, decimal Amount)> totals, List<(long, string)> failures, long accounts, RegionClock clock, CancellationToken ct)
    {
        var names = await SupplierNamesAsync(control, ct);
        var services = await ServiceNamesAsync(control, ct);
        var addresses = await AddressesAsync(control, failures.Select(f => f.Item1).ToArray(), ct);
        long lines = totals.Values.Sum(t => t.Lines);
        decimal total = totals.Values.Sum(t => t.Amount);
        await using (var cmd = new NpgsqlCommand("""
            UPDATE billing_runs SET state = 'completed', finished_at = @now, buildings = @b, buildings_done = @done, buildings_failed = @failed,
                accounts = @accounts, lines = @lines, total = @total,
                note = 'пробный расчёт: строки не записаны; разница с начисленным ' || @diff::text || ' ₽' WHERE id = @id
            """, control))
        {
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            cmd.Parameters.Add(new NpgsqlParameter<int>("b", inScope));
            cmd.Parameters.Add(new NpgsqlParameter<int>("done", inScope - failures.Count));
            cmd.Parameters.Add(new NpgsqlParameter<int>("failed", failures.Count));
            cmd.Parameters.Add(new NpgsqlParameter<int>("accounts", (int)accounts));
            cmd.Parameters.Add(new NpgsqlParameter<long>("lines", lines));
            cmd.Parameters.Add(new NpgsqlParameter<decimal>("total", total));
            cmd.Parameters.Add(new NpgsqlParameter<decimal>("diff", dry.Computed - dry.Posted));
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new BillingRunReport(runId, month, scope.Description, true, false, inScope, 0, inScope - failures.Count, failures.Count, accounts, lines, total,
            totals.OrderBy(t => t.Key.Item1, StringComparer.Ordinal).ThenBy(t => t.Key.Item2)
                .Select(t => new ServiceSupplierTotal(t.Key.Item1, services.GetValueOrDefault(t.Key.Item1, t.Key.Item1), t.Key.Item2,
                    names.GetValueOrDefault(t.Key.Item2, ""), t.Value.Lines, t.Value.Amount)).ToList(),
            failures.OrderBy(f => f.Item1).Select(f => new BuildingFailure(f.Item1, addresses.GetValueOrDefault(f.Item1, ""), f.Item2)).ToList(),
            new DryRunDifference(dry.New, dry.Changed, dry.Unchanged, dry.Missing, dry.Posted, dry.Computed - dry.Posted));
    }

    private static async Task<BillingRunReport> FinishAsync(NpgsqlConnection control, long runId, BillingPeriod month, BillingScope scope, bool resumed,
        int inScope, int alreadyPosted, RegionClock clock, CancellationToken ct)
    {
        // The totals of the log (summed from the computed lines per building) must equal the ledger's lines of the run.
        int done = 0, failed = 0;
        long accounts = 0, logLines = 0;
        decimal logTotal = 0;
        await using (var cmd = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'failed'),
                   coalesce(sum(accounts), 0), coalesce(sum(lines), 0), coalesce(sum(total), 0)
            FROM billing_run_buildings WHERE run_id = @id
            """, control))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            (done, failed, accounts, logLines, logTotal) = ((int)r.GetInt64(0), (int)r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetDecimal(4));
        }
        var byService = new List<ServiceSupplierTotal>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT s.code, s.name, l.supplier_id, coalesce(o.short_name, o.name), count(*), sum(l.kopecks) * 0.01
            FROM charge_lines l JOIN services s ON s.id = l.service_id LEFT JOIN organisations o ON o.id = l.supplier_id
            WHERE l.booking_month = @m AND l.run_id = @id
            GROUP BY s.code, s.name, s.sort_order, l.supplier_id, o.short_name, o.name ORDER BY s.sort_order, s.code, l.supplier_id
            """, control))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                byService.Add(new ServiceSupplierTotal(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? "" : r.GetString(3), r.GetInt64(4), r.GetDecimal(5)));
        }
        long lines = byService.Sum(s => s.Lines);
        decimal total = byService.Sum(s => s.Amount);
        Invariant.Holds(lines == logLines && total == logTotal,
            $"run {runId}: the ledger holds {lines} lines for {total} ₽, the run log {logLines} lines for {logTotal} ₽");

        var failures = new List<BuildingFailure>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT rb.building_id, b.address, rb.error FROM billing_run_buildings rb JOIN buildings b ON b.id = rb.building_id
            WHERE rb.run_id = @id AND rb.state = 'failed' ORDER BY rb.building_id
            """, control))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) failures.Add(new BuildingFailure(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2)));
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE billing_runs SET state = 'completed', finished_at = @now, buildings = @b, buildings_done = @done, buildings_failed = @failed,
                accounts = @accounts, lines = @lines, total = @total,
                note = CASE WHEN @posted > 0 THEN 'уже начислено ранее: домов ' || @posted::text END
            WHERE id = @id
            """, control))
        {
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            cmd.Parameters.Add(new NpgsqlParameter<int>("b", inScope));
            cmd.Parameters.Add(new NpgsqlParameter<int>("done", done));
            cmd.Parameters.Add(new NpgsqlParameter<int>("failed", failed));
            cmd.Parameters.Add(new NpgsqlParameter<int>("accounts", (int)accounts));
            cmd.Parameters.Add(new NpgsqlParameter<long>("lines", lines));
            cmd.Parameters.Add(new NpgsqlParameter<decimal>("total", total));
            cmd.Parameters.Add(new NpgsqlParameter<int>("posted", alreadyPosted));
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", runId));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new BillingRunReport(runId, month, scope.Description, false, resumed, inScope, alreadyPosted, done, failed, accounts, lines, total,
            byService, failures, null);
    }

    internal static async Task<Dictionary<long, string>> SupplierNamesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var map = new Dictionary<long, string>();
        await using var cmd = new NpgsqlCommand("SELECT id, coalesce(short_name, name) FROM organisations", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }

    private static async Task<Dictionary<string, string>> ServiceNamesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT code, name FROM services", conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetString(0)] = r.GetString(1);
        return map;
    }

    private static async Task<Dictionary<long, string>> AddressesAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        var map = new Dictionary<long, string>();
        await using var cmd = new NpgsqlCommand("SELECT id, address FROM buildings WHERE id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }
}
