using System.ComponentModel.DataAnnotations;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Cabinet;

/// <summary>A work order's state (passport-and-dispatch.md §8); overdue is computed, not a state.</summary>
public enum WorkOrderState
{
    [Display(Name = "Выдан")] Assigned = 1,
    [Display(Name = "В работе")] InProgress = 2,
    [Display(Name = "Выполнен")] Done = 3,
    [Display(Name = "Принят")] Closed = 4,
    [Display(Name = "Возвращён на доработку")] Returned = 5,
    [Display(Name = "Отменён")] Cancelled = 6,
}

public sealed record WorkOrder(long Id, long? RequestId, long BuildingId, string Address, string? Premise, long ExecutorId, string Executor, string Work,
    DateTimeOffset DueAt, WorkOrderState State, string? Result, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? DoneAt)
{
    /// <summary>The states of an order still to be done.</summary>
    public static readonly WorkOrderState[] OpenStates = [WorkOrderState.Assigned, WorkOrderState.InProgress, WorkOrderState.Returned];

    public bool IsOpen => OpenStates.Contains(State);

    /// <summary>Not done by its deadline.</summary>
    public bool OverdueAt(DateTimeOffset now) => IsOpen && now > DueAt;
}

/// <summary>
/// Work orders (наряд-заказ) the dispatcher gives an executing organisation for a request or of its own accord: the
/// building (and premise), the work, the deadline; the executor takes it, reports it done with the result, the
/// dispatcher accepts it or returns it for rework; any open order may be cancelled with the reason. An order not done
/// by its deadline is overdue (§8).
/// </summary>
public static class WorkOrders
{
    public const int MaxLength = 2000;

    private static readonly Dictionary<WorkOrderState, WorkOrderState[]> Allowed = new()
    {
        [WorkOrderState.InProgress] = [WorkOrderState.Assigned, WorkOrderState.Returned],
        [WorkOrderState.Done] = WorkOrder.OpenStates,
        [WorkOrderState.Closed] = [WorkOrderState.Done],
        [WorkOrderState.Returned] = [WorkOrderState.Done],
        [WorkOrderState.Cancelled] = WorkOrder.OpenStates,
    };

    public static async Task<(long? Id, Dictionary<string, string[]> Errors)> AddAsync(NpgsqlConnection conn, long? requestId, long? buildingId, long? premiseId,
        long? executorId, string? work, DateTimeOffset? dueAt, string by, DateTimeOffset now, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        work = work?.Trim();
        if (buildingId is null) errors["buildingId"] = ["Укажите дом"];
        if (executorId is null) errors["executorId"] = ["Укажите исполнителя"];
        if (string.IsNullOrEmpty(work)) errors["work"] = ["Опишите работу"];
        else if (work.Length > MaxLength) errors["work"] = [$"Описание длиннее {MaxLength} символов"];
        if (dueAt is null) errors["dueAt"] = ["Укажите срок выполнения"];
        else if (dueAt <= now) errors["dueAt"] = ["Срок выполнения уже прошёл"];
        if (errors.Count > 0) return (null, errors);
        await using var check = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM buildings WHERE id = @b), (SELECT count(*) FROM organisations WHERE id = @e),
                   (SELECT count(*) FROM premises WHERE id = @p AND building_id = @b), (SELECT count(*) FROM citizen_requests WHERE id = @r)
            """, conn);
        check.Parameters.Add(new NpgsqlParameter<long>("b", buildingId!.Value));
        check.Parameters.Add(new NpgsqlParameter<long>("e", executorId!.Value));
        check.Parameters.Add(new NpgsqlParameter<long>("p", premiseId ?? 0));
        check.Parameters.Add(new NpgsqlParameter<long>("r", requestId ?? 0));
        await using (var r = await check.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            if (r.GetInt64(0) == 0) errors["buildingId"] = [$"Нет дома №{buildingId}"];
            if (r.GetInt64(1) == 0) errors["executorId"] = [$"Нет организации №{executorId}"];
            if (premiseId is not null && r.GetInt64(2) == 0) errors["premiseId"] = ["Помещение не относится к этому дому"];
            if (requestId is not null && r.GetInt64(3) == 0) errors["requestId"] = [$"Нет обращения №{requestId}"];
        }
        if (errors.Count > 0) return (null, errors);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO work_orders (request_id, building_id, premise_id, executor_id, work, due_at, created_at, created_by)
            VALUES (@r, @b, @p, @e, @w, @due, @now, @by) RETURNING id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long?>("r", requestId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId.Value));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("p", premiseId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<long>("e", executorId.Value));
        cmd.Parameters.Add(new NpgsqlParameter<string>("w", work!));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("due", dueAt!.Value.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
        long id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        // A request a work order is given for is in work (unless it already is, or is linked to an incident).
        if (requestId is { } request) await CitizenRequests.MoveAsync(conn, request, RequestStatus.InWork, $"Наряд №{id}", by, now, ct: ct);
        return (id, errors);
    }

    /// <summary>Moves an order to <paramref name="state"/>; a result is required when it is done or cancelled. Returns a refusal's message.</summary>
    public static async Task<string?> MoveAsync(NpgsqlConnection conn, long id, WorkOrderState state, string? result, string by, DateTimeOffset now,
        CancellationToken ct = default)
    {
        if (!Allowed.TryGetValue(state, out var from)) return "Неизвестное состояние наряда";
        result = result?.Trim();
        if (state is WorkOrderState.Done && string.IsNullOrEmpty(result)) return "Опишите результат выполнения";
        if (state is WorkOrderState.Cancelled or WorkOrderState.Returned && string.IsNullOrEmpty(result)) return "Укажите причину";
        if (result is { Length: > MaxLength }) return $"Текст длиннее {MaxLength} символов";
        await using var cmd = new NpgsqlCommand("""
            UPDATE work_orders SET state = @s, result = coalesce(@t, result), done_at = CASE WHEN @s = 3 THEN @now ELSE done_at END, updated_by = @by
            WHERE id = @id AND state = ANY(@from)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<short>("s", (short)state));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("t", string.IsNullOrEmpty(result) ? null : result) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("from", from.Select(s => (short)s).ToArray()));
        if (await cmd.ExecuteNonQueryAsync(ct) > 0)
        {
            if (state == WorkOrderState.Closed) await AnswerRequestAsync(conn, id, by, now, ct);
            return null;
        }
        await using var current = new NpgsqlCommand("SELECT state FROM work_orders WHERE id = @id", conn);
        current.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await current.ExecuteScalarAsync(ct) is short s
            ? $"Наряд №{id} в состоянии «{((WorkOrderState)s).Title()}»: «{state.Title()}» невозможно"
            : $"Наряд №{id} не найден";
    }

    /// <summary>An accepted order answers the request it was given for, while that is in work, with the order's result (§8 «InWork → Answered»).</summary>
    private static async Task AnswerRequestAsync(NpgsqlConnection conn, long id, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT w.request_id, w.result FROM work_orders w JOIN citizen_requests r ON r.id = w.request_id WHERE w.id = @id AND r.status = @inWork
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<short>("inWork", (short)RequestStatus.InWork));
        long request;
        string result;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return;
            (request, result) = (r.GetInt64(0), r.GetString(1));
        }
        await CitizenRequests.MoveAsync(conn, request, RequestStatus.Answered, $"Работы по наряду №{id} выполнены: {result}", by, now, ct: ct);
    }

    /// <summary>Open orders (and the closed ones with <paramref name="all"/>), the overdue and the nearest deadlines first.</summary>
    public static async Task<List<WorkOrder>> ListAsync(NpgsqlConnection conn, bool all = false, long? requestId = null, int limit = 500, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT w.id, w.request_id, w.building_id, b.address, p.number, w.executor_id, coalesce(o.short_name, o.name), w.work, w.due_at, w.state, w.result,
                   w.created_at, w.created_by, w.done_at
            FROM work_orders w JOIN buildings b ON b.id = w.building_id JOIN organisations o ON o.id = w.executor_id
            LEFT JOIN premises p ON p.id = w.premise_id
            WHERE (@all OR w.state = ANY(@open)) AND (@r::bigint IS NULL OR w.request_id = @r)
            ORDER BY w.state = ANY(@open) DESC, w.due_at, w.id
            LIMIT @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<bool>("all", all));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("open", WorkOrder.OpenStates.Select(s => (short)s).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("r", requestId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        var list = new List<WorkOrder>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new WorkOrder(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetInt64(5), r.GetString(6), r.GetString(7), r.GetFieldValue<DateTimeOffset>(8), (WorkOrderState)r.GetInt16(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetFieldValue<DateTimeOffset>(11), r.GetString(12),
                r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13)));
        return list;
    }
}

/// <summary>
/// How long a request of each kind may wait for its answer (passport-and-dispatch.md §10, section
/// <c>OpenErc:Dispatch:Deadlines</c>): a complaint 3 working days (ПП 354 п. 31 [recalled]), a recalculation application
/// 5, a question 10 (ПП 416 [recalled]), a request (заявка) 2 hours (the quality check of п. 108); and how long the
/// citizen may dispute an answer (§8, the window is not in the rules: 30 days by default). Working days are those of
/// the region's work calendar (<see cref="RegionClock.Calendar"/>).
/// </summary>
public sealed record RequestDeadlines
{
    public int ComplaintWorkingDays { get; init; } = 3;
    public int RecalculationWorkingDays { get; init; } = 5;
    public int QuestionWorkingDays { get; init; } = 10;
    public int RequestHours { get; init; } = 2;
    public int DisputeDays { get; init; } = 30;

    /// <summary>The moment a request registered at <paramref name="created"/> is due, in the region's time.</summary>
    public DateTimeOffset DueAt(RequestKind kind, DateTimeOffset created, RegionClock clock)
    {
        if (kind == RequestKind.Request) return created.AddHours(RequestHours);
        int days = kind switch
        {
            RequestKind.Complaint => ComplaintWorkingDays,
            RequestKind.Recalculation => RecalculationWorkingDays,
            _ => QuestionWorkingDays,
        };
        var day = clock.Calendar.AddWorkingDays(clock.DateOf(created), days);
        // The end of that working day.
        return clock.StartOf(day.AddDays(1));
    }
}
