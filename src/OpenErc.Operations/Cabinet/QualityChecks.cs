using System.ComponentModel.DataAnnotations;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Cabinet;

public enum CheckResult
{
    [Display(Name = "Нарушение подтверждено")] Confirmed = 1,
    [Display(Name = "Нарушение не подтверждено")] NotConfirmed = 2,
}

/// <summary>An act of check (акт проверки, ПП 354 п. 109; passport-and-dispatch.md §7).</summary>
public sealed record QualityCheckAct(long Id, long? RequestId, long BuildingId, string Address, string? Premise, string Service, DateTimeOffset CheckedAt,
    string Participants, string Measurements, string? Instrument, CheckResult Result, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>
/// The check of a citizen's quality report and its act (ПП 354 п. 108–109): when, where, which service, who took part,
/// what was measured and with what instrument, and the result. A confirmed violation leaves the request to its incident — the
/// dispatcher opens or links the incident that the charge run turns into the reduction; an unconfirmed one answers the
/// request with the act's number, and the citizen sees it in the cabinet.
/// </summary>
public static class QualityChecks
{
    public const int MaxLength = 2000;

    public static async Task<(long? Id, Dictionary<string, string[]> Errors)> AddAsync(NpgsqlConnection conn, long? requestId, long? buildingId, long? premiseId,
        long? serviceId, DateTimeOffset? checkedAt, string? participants, string? measurements, string? instrument, CheckResult? result, string by,
        RegionClock clock, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        participants = participants?.Trim();
        measurements = measurements?.Trim();
        instrument = string.IsNullOrWhiteSpace(instrument) ? null : instrument.Trim();
        if (buildingId is null) errors["buildingId"] = ["Укажите дом"];
        if (serviceId is null) errors["serviceId"] = ["Укажите услугу"];
        if (checkedAt is null) errors["checkedAt"] = ["Укажите дату и время проверки"];
        else if (checkedAt > clock.Now) errors["checkedAt"] = ["Проверка ещё не проведена: время в будущем"];
        if (string.IsNullOrEmpty(participants)) errors["participants"] = ["Укажите участников проверки"];
        if (string.IsNullOrEmpty(measurements)) errors["measurements"] = ["Укажите, что измерено и с каким результатом"];
        foreach (var (field, text) in new[] { ("participants", participants), ("measurements", measurements), ("instrument", instrument) })
            if (text is { Length: > MaxLength }) errors[field] = [$"Текст длиннее {MaxLength} символов"];
        if (result is not { } r || !Enum.IsDefined(r)) errors["result"] = ["Укажите результат проверки"];
        if (errors.Count > 0) return (null, errors);

        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        try
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO quality_check_acts (request_id, building_id, premise_id, service_id, checked_at, participants, measurements, instrument, result,
                    created_at, created_by)
                VALUES (@request, @building, @premise, @service, @at, @participants, @measurements, @instrument, @result, @now, @by) RETURNING id
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter<long?>("request", requestId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<long>("building", buildingId!.Value));
            cmd.Parameters.Add(new NpgsqlParameter<long?>("premise", premiseId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<long>("service", serviceId!.Value));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", checkedAt!.Value.ToUniversalTime()));
            cmd.Parameters.Add(new NpgsqlParameter<string>("participants", participants!));
            cmd.Parameters.Add(new NpgsqlParameter<string>("measurements", measurements!));
            cmd.Parameters.Add(new NpgsqlParameter<string?>("instrument", instrument) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<short>("result", (short)result!.Value));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return (null, new() { [e.ConstraintName?.Contains("service") == true ? "serviceId" : e.ConstraintName?.Contains("request") == true ? "requestId"
                : e.ConstraintName?.Contains("premise") == true ? "premiseId" : "buildingId"] = ["Нет такого объекта"] });
        }
        // Not confirmed: the request is answered with the act (§8 «CheckScheduled → Answered»); confirmed: it waits for its
        // incident, which the dispatcher opens or links from the request.
        if (requestId is { } request && result == CheckResult.NotConfirmed)
            await CitizenRequests.MoveAsync(conn, request, RequestStatus.Answered,
                $"Проверка {clock.Local(checkedAt!.Value):dd.MM.yyyy HH:mm}: нарушение не подтверждено (акт проверки № {id}).", by, clock.Now, tx: tx, ct: ct);
        await tx.CommitAsync(ct);
        return (id, errors);
    }

    /// <summary>The acts of the requests (or all when <paramref name="requestIds"/> is null), newest first.</summary>
    public static async Task<List<QualityCheckAct>> ListAsync(NpgsqlConnection conn, long[]? requestIds, int limit = 500, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT q.id, q.request_id, q.building_id, b.address, p.number, s.name, q.checked_at, q.participants, q.measurements, q.instrument, q.result,
                   q.created_at, q.created_by
            FROM quality_check_acts q JOIN buildings b ON b.id = q.building_id JOIN services s ON s.id = q.service_id
            LEFT JOIN premises p ON p.id = q.premise_id
            WHERE @r::bigint[] IS NULL OR q.request_id = ANY(@r)
            ORDER BY q.id DESC LIMIT @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]?>("r", requestIds) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        var list = new List<QualityCheckAct>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new QualityCheckAct(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetString(5), r.GetFieldValue<DateTimeOffset>(6), r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                (CheckResult)r.GetInt16(10), r.GetFieldValue<DateTimeOffset>(11), r.GetString(12)));
        return list;
    }
}
