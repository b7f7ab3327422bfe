using System.Collections.Concurrent;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Demo;

/// <summary>
/// One destination table of a bulk load: its binary COPY column list, how a row is written, the ids we hand out
/// (continuing after the rows already there) and the rows waiting for the current batch.
/// </summary>
internal abstract class CopyTable(string name, string columns)
{
    public const int BatchSize = 8192;

    public string Name { get; } = name;
    public string CopyCommand { get; } = $"COPY {name} ({columns}) FROM STDIN (FORMAT BINARY)";
    protected int Fields { get; } = columns.Split(',').Length;

    /// <summary>The largest id before the load; new ids continue from it.</summary>
    public long IdBase { get; private set; }
    protected long LastId;
    public long Rows { get; protected set; }

    /// <summary>Checks every added row with the registry's own validation (reference data and a sample of buildings).</summary>
    public bool ValidateRows { get; set; }

    /// <summary>Secondary indexes of a table that was empty: dropped for the load and built again at its end (name is quoted).</summary>
    public List<(string Name, string Definition)> DeferredIndexes { get; } = [];

    public long NextId() => ++LastId;

    public void StartIdsAfter(long maxId) => IdBase = LastId = maxId;

    public abstract int Pending { get; }

    /// <summary>Writes the pending rows into an open COPY (the sequential mode) and forgets them.</summary>
    public abstract void WritePending(BinaryCopyWriter writer);

    /// <summary>Starts a consumer that streams handed-off batches into <paramref name="writer"/> on its own thread.</summary>
    public abstract Task StartStreaming(BinaryCopyWriter writer, CancellationToken ct);

    /// <summary>Hands the last pending rows to the consumer and tells it that no more will come.</summary>
    public abstract void FinishStreaming();
}

/// <param name="validated">What of a row the registry's validation checks, when the row is more than a registry object.</param>
internal sealed class CopyTable<T>(string name, string columns, Action<BinaryCopyWriter, T> write, Func<T, object>? validated = null)
    : CopyTable(name, columns) where T : IRegistryObject
{
    private List<T> _pending = new(BatchSize);
    private BlockingCollection<List<T>>? _queue;
    private CancellationToken _ct;

    public override int Pending => _pending.Count;

    /// <summary>Queues a complete row (it may be written at once by another thread: never change it afterwards).</summary>
    public T Add(T row)
    {
        if (ValidateRows)
        {
            var errors = RegistryValidation.Validate(validated?.Invoke(row) ?? row);
            Invariant.Holds(errors.Count == 0, $"demo row {Name}#{row.Id}: {string.Join("; ", errors.SelectMany(e => e.Value))}");
        }
        _pending.Add(row);
        Rows++;
        if (_queue is not null && _pending.Count >= BatchSize) HandOff();
        return row;
    }

    public override void WritePending(BinaryCopyWriter writer)
    {
        WriteRows(writer, _pending);
        _pending.Clear();
    }

    public override Task StartStreaming(BinaryCopyWriter writer, CancellationToken ct)
    {
        // A small bound keeps memory flat: the generator waits when the server falls behind.
        _queue = new BlockingCollection<List<T>>(boundedCapacity: 3);
        _ct = ct;
        return Task.Factory.StartNew(() =>
        {
            foreach (var batch in _queue.GetConsumingEnumerable(ct)) WriteRows(writer, batch);
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override void FinishStreaming()
    {
        if (_pending.Count > 0) HandOff();
        _queue!.CompleteAdding();
    }

    private void HandOff()
    {
        _queue!.Add(_pending, _ct);
        _pending = new List<T>(BatchSize);
    }

    private void WriteRows(BinaryCopyWriter writer, List<T> rows)
    {
        foreach (var row in rows)
        {
            writer.StartRow(Fields);
            write(writer, row);
        }
    }
}

/// <summary>
/// Where the generated rows go. Each table is loaded like pg_restore does it: in one transaction its secondary
/// indexes are dropped, the rows copied, the indexes built again by sorting (far cheaper than row by row, above all
/// for the trigram indexes), the identity moved past our ids and the statistics gathered; if anything fails or the
/// process dies, the transaction rolls back and the table is as it was, indexes included.
/// Streaming: every table has its own connection and COPY, open for the whole load and fed by its own thread, with
/// foreign-key triggers off (<c>session_replication_role = replica</c>, superuser only) because a child row may
/// arrive before its parent's COPY commits; the transactions commit one right after another once every table is
/// ready. Sequential (when that is not permitted): one connection and one transaction, every few thousand rows a
/// short COPY per table in foreign-key order.
/// </summary>
internal sealed class CopySession : IAsyncDisposable
{
    private const int SequentialBatchRows = 50_000;

    /// <summary>One connection with its transaction: a table's own (streaming) or every table's (sequential).</summary>
    private sealed class Lane(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<CopyTable> tables)
    {
        public NpgsqlConnection Connection { get; } = connection;
        public NpgsqlTransaction Transaction { get; } = transaction;
        public IReadOnlyList<CopyTable> Tables { get; } = tables;
        public NpgsqlRawCopyStream? Copy;
        public BinaryCopyWriter? Writer;
        public Task? Consumer;
    }

    private readonly IReadOnlyList<CopyTable> _tables;
    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<Lane> _lanes = [];
    private readonly CancellationTokenSource _cts;

    private CopySession(IReadOnlyList<CopyTable> tables, CancellationToken ct)
    {
        _tables = tables;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public bool Streaming { get; private set; }

    /// <summary>Cancelled when the caller cancels or a consumer fails: the generator stops at its next row.</summary>
    public CancellationToken Token => _cts.Token;

    private IEnumerable<Task> Consumers => _lanes.Where(l => l.Consumer is not null).Select(l => l.Consumer!);

    public static async Task<CopySession> OpenAsync(string connectionString, IReadOnlyList<CopyTable> tables, CancellationToken ct)
    {
        var session = new CopySession(tables, ct);
        try
        {
            var first = await session.ConnectAsync(connectionString, ct);
            session.Streaming = await TryExecuteAsync(first, "SET session_replication_role = replica", ct);
            if (!session.Streaming)
            {
                await session.StartLaneAsync(first, tables, ct);
                return session;
            }
            for (int i = 0; i < tables.Count; i++)
            {
                var conn = i == 0 ? first : await session.ConnectAsync(connectionString, ct);
                if (i > 0) await ExecuteAsync(conn, "SET session_replication_role = replica", ct);
                var lane = await session.StartLaneAsync(conn, [tables[i]], ct);
                lane.Copy = await conn.BeginRawBinaryCopyAsync(tables[i].CopyCommand, ct);
                lane.Writer = new BinaryCopyWriter(lane.Copy);
                lane.Consumer = tables[i].StartStreaming(lane.Writer, session._cts.Token).ContinueWith(t =>
                {
                    if (t.IsFaulted) session._cts.Cancel(); // unblock the generator; the fault is rethrown to the caller
                    return t;
                }, TaskScheduler.Default).Unwrap();
            }
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Called by the generator between buildings: in the sequential mode, a full batch is written now.</summary>
    public void EndOfBuilding()
    {
        if (!Streaming && _tables.Sum(t => t.Pending) >= SequentialBatchRows) FlushSequential();
    }

    /// <summary>
    /// Writes what is left, rebuilds the indexes, and commits every table. <paramref name="epilogue"/> runs before the commit
    /// on the connection that loaded its table: rows of a table without ids of ours, made from rows of that table.
    /// </summary>
    public async Task CompleteAsync(Action<CopyTable>? tableDone, CancellationToken ct, (CopyTable Table, string Sql)? epilogue = null)
    {
        if (Streaming)
        {
            foreach (var t in _tables) t.FinishStreaming();
            await Task.WhenAll(Consumers).WaitAsync(ct);
        }
        else
        {
            FlushSequential();
        }
        // The servers finish the tables side by side: index builds of the big tables overlap.
        await Task.WhenAll(_lanes.Select(async lane =>
        {
            if (lane.Copy is { } copy)
            {
                lane.Writer!.Finish();
                await copy.DisposeAsync(); // ends the COPY: the server has every row now
                lane.Copy = null;
            }
            foreach (var table in lane.Tables)
            {
                foreach (var index in table.DeferredIndexes)
                {
                    // A trigram index (names, addresses) is the longest build of the load; more memory shortens it
                    // by a sixth, while a B-tree gains nothing from it.
                    bool gin = index.Definition.Contains(" USING gin ", StringComparison.Ordinal);
                    await ExecuteAsync(lane.Connection, (gin ? "SET LOCAL maintenance_work_mem = '1GB'; " : "") + index.Definition, ct);
                }
                if (table.Rows > 0)
                {
                    await ExecuteAsync(lane.Connection,
                        $"SELECT setval(pg_get_serial_sequence('{table.Name}', 'id'), max(id)) FROM {table.Name}; ANALYZE {table.Name}", ct);
                }
                tableDone?.Invoke(table);
            }
            if (epilogue is { } e && lane.Tables.Contains(e.Table)) await ExecuteAsync(lane.Connection, e.Sql, ct);
        }));
        foreach (var lane in _lanes) await lane.Transaction.CommitAsync(ct);
    }

    /// <summary>When a consumer failed (and so cancelled the generator), throws its own error; returns otherwise.</summary>
    public async Task RethrowConsumerFailureAsync()
    {
        var all = Task.WhenAll(Consumers);
        try
        {
            await all; // the others stop at once: their token is cancelled
        }
        catch (OperationCanceledException) when (!all.IsFaulted)
        {
            // nobody failed: the cancellation was the caller's
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Before the commit, a COPY still open is cancelled and every transaction rolls back: nothing half-lands.
        _cts.Cancel();
        try
        {
            await Task.WhenAll(Consumers);
        }
        catch (Exception e) when (e is OperationCanceledException or NpgsqlException or InvalidOperationException)
        {
            // the load failed already, and its error is the one the caller sees
        }
        foreach (var lane in _lanes)
        {
            if (lane.Copy is not null)
            {
                try { await lane.Copy.CancelAsync(); }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException or IOException) { /* cancelling a broken COPY */ }
            }
            await lane.Transaction.DisposeAsync();
        }
        foreach (var conn in _connections) await conn.DisposeAsync();
        _cts.Dispose();
    }

    private async Task<Lane> StartLaneAsync(NpgsqlConnection conn, IReadOnlyList<CopyTable> tables, CancellationToken ct)
    {
        var lane = new Lane(conn, await conn.BeginTransactionAsync(ct), tables);
        _lanes.Add(lane);
        foreach (var index in tables.SelectMany(t => t.DeferredIndexes))
            await ExecuteAsync(conn, $"DROP INDEX {index.Name}", ct);
        return lane;
    }

    private void FlushSequential()
    {
        var conn = _lanes[0].Connection;
        foreach (var table in _tables.Where(t => t.Pending > 0))
        {
            using var copy = conn.BeginRawBinaryCopy(table.CopyCommand);
            var writer = new BinaryCopyWriter(copy);
            table.WritePending(writer);
            writer.Finish();
        }
    }

    private async Task<NpgsqlConnection> ConnectAsync(string connectionString, CancellationToken ct)
    {
        // One connection per table for one load: keeping them in the pool would only hold server slots.
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        _connections.Add(conn);
        await conn.OpenAsync(ct);
        // Demo rows can be generated again from the seed: no need to wait for the WAL flush of each commit.
        // Index builds of millions of rows sort in memory rather than on disk.
        await ExecuteAsync(conn, "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'", ct);
        return conn;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> TryExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(conn, sql, ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }
    }
}
