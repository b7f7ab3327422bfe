using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace OpenErc.Operations.Cabinet;

public enum RequestKind
{
    [Display(Name = "Жалоба")] Complaint = 1,
    [Display(Name = "Заявка")] Request = 2,
    [Display(Name = "Вопрос")] Question = 3,
    [Display(Name = "Заявление на перерасчёт")] Recalculation = 4,
}

public enum RequestStatus
{
    [Display(Name = "Новое")] New = 1,
    [Display(Name = "В работе")] InWork = 2,
    [Display(Name = "Выполнено")] Done = 3,
    [Display(Name = "Отказано")] Refused = 4,
}

public sealed record CitizenRequest(long Id, long AccountId, string AccountNumber, RequestKind Kind, string Text, RequestStatus Status, DateTimeOffset CreatedAt,
    string CreatedBy, string? Answer, DateTimeOffset? AnsweredAt, string? AnsweredBy);

/// <summary>
/// Complaints, requests and questions of citizens: sent from the cabinet, answered by the dispatcher, who sets the
/// status; the citizen sees the answer and status in the cabinet.
/// </summary>
public static class CitizenRequests
{
    public const int MaxLength = 4000;

    public static async Task<(long? Id, string? Error)> AddAsync(NpgsqlConnection conn, long accountId, long? userId, RequestKind? kind, string? text, string by,
        CancellationToken ct = default)
    {
        if (kind is not { } k || !Enum.IsDefined(k)) return (null, "Выберите вид обращения");
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return (null, "Опишите, что случилось");
        if (text.Length > MaxLength) return (null, $"Текст обращения длиннее {MaxLength} символов");
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO citizen_requests (account_id, user_id, kind, text, created_by) VALUES (@a, @u, @k, @t, @b) RETURNING id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("u", userId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<short>("k", (short)k));
        cmd.Parameters.Add(new NpgsqlParameter<string>("t", text));
        cmd.Parameters.Add(new NpgsqlParameter<string>("b", by));
        return ((long)(await cmd.ExecuteScalarAsync(ct))!, null);
    }

    /// <summary>The requests of the accounts (newest first), or of every account with <paramref name="status"/> when <paramref name="accounts"/> is null.</summary>
    public static async Task<List<CitizenRequest>> ListAsync(NpgsqlConnection conn, long[]? accounts, RequestStatus? status = null, int limit = 200,
        CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.id, r.account_id, a.number, r.kind, r.text, r.status, r.created_at, r.created_by, r.answer, r.answered_at, r.answered_by
            FROM citizen_requests r JOIN personal_accounts a ON a.id = r.account_id
            WHERE (@a IS NULL OR r.account_id = ANY(@a)) AND (@s IS NULL OR r.status = @s)
            ORDER BY r.id DESC LIMIT @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]?>("a", accounts) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<short?>("s", (short?)status) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        var list = new List<CitizenRequest>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), (RequestKind)r.GetInt16(3), r.GetString(4), (RequestStatus)r.GetInt16(5),
                r.GetFieldValue<DateTimeOffset>(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9), r.IsDBNull(10) ? null : r.GetString(10)));
        return list;
    }

    /// <summary>The dispatcher's answer and new status; returns the message of a refusal.</summary>
    public static async Task<string?> AnswerAsync(NpgsqlConnection conn, long id, RequestStatus? status, string? answer, string by, DateTimeOffset now,
        CancellationToken ct = default)
    {
        if (status is not { } s || !Enum.IsDefined(s) || s == RequestStatus.New) return "Укажите состояние: в работе, выполнено или отказано";
        answer = answer?.Trim();
        if (s is RequestStatus.Done or RequestStatus.Refused && string.IsNullOrEmpty(answer)) return "Напишите ответ гражданину";
        await using var cmd = new NpgsqlCommand(
            "UPDATE citizen_requests SET status = @s, answer = coalesce(@t, answer), answered_at = @now, answered_by = @b WHERE id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<short>("s", (short)s));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("t", string.IsNullOrEmpty(answer) ? null : answer) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string>("b", by));
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await cmd.ExecuteNonQueryAsync(ct) == 0 ? $"Обращение {id} не найдено" : null;
    }
}
