using System.ComponentModel.DataAnnotations;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Cabinet;

public enum RequestKind
{
    [Display(Name = "Жалоба")] Complaint = 1,
    [Display(Name = "Заявка")] Request = 2,
    [Display(Name = "Вопрос")] Question = 3,
    [Display(Name = "Заявление на перерасчёт")] Recalculation = 4,
}

/// <summary>A request's state (passport-and-dispatch.md §8); a check past its agreed time is overdue — computed, not a state.</summary>
public enum RequestStatus
{
    [Display(Name = "Зарегистрировано")] Registered = 1,
    [Display(Name = "В работе")] InWork = 2,
    [Display(Name = "Дан ответ")] Answered = 3,
    [Display(Name = "Отклонено")] Rejected = 4,
    [Display(Name = "Назначена проверка")] CheckScheduled = 5,
    [Display(Name = "Связано с нарушением")] LinkedToIncident = 6,
    [Display(Name = "Закрыто")] Closed = 7,
}

public sealed record CitizenRequest(long Id, long AccountId, string AccountNumber, RequestKind Kind, string Text, RequestStatus Status, DateTimeOffset CreatedAt,
    string CreatedBy, string? Answer, DateTimeOffset? AnsweredAt, string? AnsweredBy, DateTimeOffset? CheckDueAt, long? IncidentId)
{
    /// <summary>States the dispatcher still has to act on.</summary>
    public static readonly RequestStatus[] OpenStates =
        [RequestStatus.Registered, RequestStatus.CheckScheduled, RequestStatus.InWork, RequestStatus.LinkedToIncident];

    public bool IsOpen => OpenStates.Contains(Status);

    /// <summary>The agreed check has not happened by its time (§8 «CheckOverdue»).</summary>
    public bool CheckOverdueAt(DateTimeOffset now) => Status == RequestStatus.CheckScheduled && now > CheckDueAt;
}

/// <summary>One step of a request's history: the state it came to, when, by whom, with what answer or note.</summary>
public sealed record CitizenRequestEvent(long RequestId, DateTimeOffset At, string By, RequestStatus Status, string? Note);

/// <summary>
/// Citizens' requests and their state machine (passport-and-dispatch.md §8): registered from the cabinet or by the
/// dispatcher; a check agreed (by default within 2 hours, п. 108), linked to an incident, put in work by a work order,
/// answered or rejected with the answer; the citizen closes the answer or disputes it within the window, which reopens
/// the request. Every move is checked against <see cref="Allowed"/> in <see cref="MoveAsync"/> and written to the
/// request's insert-only history.
/// </summary>
public static class CitizenRequests
{
    public const int MaxLength = 4000;

    /// <summary>For each state, the states a request may come to it from.</summary>
    private static readonly Dictionary<RequestStatus, RequestStatus[]> Allowed = new()
    {
        [RequestStatus.CheckScheduled] = [RequestStatus.Registered],
        [RequestStatus.InWork] = [RequestStatus.Registered, RequestStatus.CheckScheduled],
        [RequestStatus.LinkedToIncident] = [RequestStatus.Registered, RequestStatus.CheckScheduled, RequestStatus.InWork],
        [RequestStatus.Answered] = [.. CitizenRequest.OpenStates],
        [RequestStatus.Rejected] = [RequestStatus.Registered, RequestStatus.CheckScheduled],
        [RequestStatus.Closed] = [RequestStatus.Answered, RequestStatus.Rejected],
        [RequestStatus.Registered] = [RequestStatus.Answered, RequestStatus.Rejected, RequestStatus.Closed],
    };

    public static async Task<(long? Id, string? Error)> AddAsync(NpgsqlConnection conn, long accountId, long? userId, RequestKind? kind, string? text, string by,
        DateTimeOffset now, CancellationToken ct = default)
    {
        if (kind is not { } k || !Enum.IsDefined(k)) return (null, "Выберите вид обращения");
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return (null, "Опишите, что случилось");
        if (text.Length > MaxLength) return (null, $"Текст обращения длиннее {MaxLength} символов");
        await using var cmd = new NpgsqlCommand("""
            WITH r AS (INSERT INTO citizen_requests (account_id, user_id, kind, text, created_at, created_by) VALUES (@a, @u, @k, @t, @now, @b) RETURNING id)
            INSERT INTO citizen_request_events (request_id, at, by, status) SELECT id, @now, @b, 1 FROM r RETURNING request_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("u", userId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<short>("k", (short)k));
        cmd.Parameters.Add(new NpgsqlParameter<string>("t", text));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("b", by));
        return ((long)(await cmd.ExecuteScalarAsync(ct))!, null);
    }

    /// <summary>The requests of the accounts (newest first), or of every account in <paramref name="states"/> when <paramref name="accounts"/> is null.</summary>
    public static async Task<List<CitizenRequest>> ListAsync(NpgsqlConnection conn, long[]? accounts, RequestStatus[]? states = null, int limit = 200,
        CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.id, r.account_id, a.number, r.kind, r.text, r.status, r.created_at, r.created_by, r.answer, r.answered_at, r.answered_by,
                   r.check_due_at, r.incident_id
            FROM citizen_requests r JOIN personal_accounts a ON a.id = r.account_id
            WHERE (@a IS NULL OR r.account_id = ANY(@a)) AND (@s IS NULL OR r.status = ANY(@s))
            ORDER BY r.id DESC LIMIT @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]?>("a", accounts) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<short[]?>("s", states?.Select(s => (short)s).ToArray())
            { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Smallint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        var list = new List<CitizenRequest>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), (RequestKind)r.GetInt16(3), r.GetString(4), (RequestStatus)r.GetInt16(5),
                r.GetFieldValue<DateTimeOffset>(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9), r.IsDBNull(10) ? null : r.GetString(10),
                r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : r.GetInt64(12)));
        return list;
    }

    /// <summary>The histories of the requests, oldest step first.</summary>
    public static async Task<ILookup<long, CitizenRequestEvent>> HistoryAsync(NpgsqlConnection conn, long[] requests, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT request_id, at, by, status, note FROM citizen_request_events WHERE request_id = ANY(@r) ORDER BY id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("r", requests));
        var list = new List<CitizenRequestEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), (RequestStatus)r.GetInt16(3), r.IsDBNull(4) ? null : r.GetString(4)));
        return list.ToLookup(e => e.RequestId);
    }

    /// <summary>
    /// Moves a request to <paramref name="to"/> when the state machine allows it from its present state, with the
    /// answer (required for «дан ответ» and «отклонено», and kept as the request's answer) or a note (the reason of a
    /// reopening, required); <paramref name="checkDueAt"/> for a check, <paramref name="incidentId"/> for a link.
    /// Returns the refusal's message; nothing changes then.
    /// </summary>
    public static async Task<string?> MoveAsync(NpgsqlConnection conn, long id, RequestStatus? to, string? text, string by, DateTimeOffset now,
        DateTimeOffset? checkDueAt = null, long? incidentId = null, NpgsqlTransaction? tx = null, CancellationToken ct = default)
    {
        if (to is not { } s || !Allowed.TryGetValue(s, out var from)) return "Укажите новое состояние обращения";
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) text = null;
        if (text is { Length: > MaxLength }) return $"Текст длиннее {MaxLength} символов";
        if (s is RequestStatus.Answered or RequestStatus.Rejected && text is null) return "Напишите ответ гражданину";
        if (s is RequestStatus.Registered && text is null) return "Напишите, с чем вы не согласны";
        if (s is RequestStatus.CheckScheduled && checkDueAt is null) return "Укажите согласованное время проверки";
        if (s is RequestStatus.LinkedToIncident && incidentId is null) return "Укажите нарушение";
        bool answer = s is RequestStatus.Answered or RequestStatus.Rejected;
        await using var cmd = new NpgsqlCommand("""
            WITH r AS (
                UPDATE citizen_requests SET status = @s,
                    answer = CASE WHEN @answer THEN @t WHEN @s = 1 THEN NULL ELSE answer END,
                    answered_at = CASE WHEN @answer THEN @now WHEN @s = 1 THEN NULL ELSE answered_at END,
                    answered_by = CASE WHEN @answer THEN @by WHEN @s = 1 THEN NULL ELSE answered_by END,
                    check_due_at = coalesce(@due, check_due_at), incident_id = coalesce(@incident, incident_id)
                WHERE id = @id AND status = ANY(@from) RETURNING id)
            INSERT INTO citizen_request_events (request_id, at, by, status, note) SELECT id, @now, @by, @s, @t FROM r RETURNING request_id
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<short>("s", (short)s));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("answer", answer));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("t", text) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now.ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("due", checkDueAt?.ToUniversalTime()) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<long?>("incident", incidentId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("from", from.Select(f => (short)f).ToArray()));
        try
        {
            if (await cmd.ExecuteScalarAsync(ct) is not null) return null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return $"Нет нарушения №{incidentId}";
        }
        await using var current = new NpgsqlCommand("SELECT status FROM citizen_requests WHERE id = @id", conn, tx);
        current.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await current.ExecuteScalarAsync(ct) is short now0
            ? $"Обращение №{id} в состоянии «{((RequestStatus)now0).Title()}»: «{s.Title()}» невозможно"
            : $"Обращение №{id} не найдено";
    }

    /// <summary>
    /// The citizen's reply to an answer: «ответ получен» closes the request; a disagreement within
    /// <see cref="RequestDeadlines.DisputeDays"/> of the answer reopens it with his reason.
    /// </summary>
    public static async Task<string?> ReplyAsync(NpgsqlConnection conn, CitizenRequest request, bool agree, string? objection, string by, RequestDeadlines deadlines,
        DateTimeOffset now, CancellationToken ct = default)
    {
        if (agree) return await MoveAsync(conn, request.Id, RequestStatus.Closed, null, by, now, ct: ct);
        if (request.AnsweredAt is { } answered && now > answered.AddDays(deadlines.DisputeDays))
            return $"Ответ можно оспорить в течение {deadlines.DisputeDays} дней; подайте новое обращение";
        return await MoveAsync(conn, request.Id, RequestStatus.Registered, objection, by, now, ct: ct);
    }
}
