using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Quality;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Cabinet;

/// <summary>
/// The incident's life in the dispatcher centre (passport-and-dispatch.md §7–8): opened from a request (its start by
/// default the moment the report was registered, ПП 354 п. 111 «б») or linked to one already open for the building —
/// a report about a building with an open incident is linked, not duplicated; restored when its end is fixed, which
/// answers every request linked to it (the citizen sees the outcome in the cabinet) and lets the run reduce the charge —
/// or queue the recalculation when the month is charged; verified by the executor's responsible person; cancelled when
/// not confirmed, which answers the linked requests with the reason. Changes go through the audited registry, so the
/// history and the recalculation queue see them; bad input throws <see cref="RegistryValidationException"/>.
/// </summary>
public static class DispatchIncidents
{
    /// <summary>
    /// A new open incident for the request: its building (and premise, when the report is about one flat, the
    /// dispatcher chooses), starting when the report was registered (ПП 354 п. 111 «б»), the request as its basis.
    /// </summary>
    public static async Task<Incident> DraftForRequestAsync(OpenErcDbContext db, long requestId, RegionClock clock, CancellationToken ct = default)
    {
        var (building, registered) = await RequestPlaceAsync(db, requestId, ct);
        var start = clock.Local(registered).DateTime;
        return new Incident
        {
            BuildingId = building, StartedAt = start.AddTicks(-(start.Ticks % TimeSpan.TicksPerMinute)), Document = $"Обращение №{requestId}",
        };
    }

    /// <summary>Registers <paramref name="incident"/> for the request and links the request to it, in one transaction.</summary>
    public static async Task<long> OpenForRequestAsync(OpenErcDbContext db, long requestId, Incident incident, string actor, DateTimeOffset now,
        CancellationToken ct = default)
    {
        var errors = RegistryValidation.Validate(incident);
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        var (building, _) = await RequestPlaceAsync(db, requestId, ct);
        if (incident.BuildingId != building) throw Invalid("BuildingId", "Нарушение должно быть в доме заявителя");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = actor;
        db.Reason = $"По обращению №{requestId}";
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        await LinkOrThrowAsync(db, requestId, incident.Id, actor, now, ct);
        await tx.CommitAsync(ct);
        return incident.Id;
    }

    /// <summary>Links the request to an incident of its building that is not cancelled.</summary>
    public static async Task LinkAsync(OpenErcDbContext db, long requestId, long incidentId, string actor, DateTimeOffset now, CancellationToken ct = default)
    {
        var (building, _) = await RequestPlaceAsync(db, requestId, ct);
        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == incidentId, ct)
                       ?? throw Invalid("incidentId", $"Нет нарушения №{incidentId}");
        if (incident.BuildingId != building) throw Invalid("incidentId", "Нарушение относится к другому дому");
        if (incident.Cancelled) throw Invalid("incidentId", "Нарушение отменено");
        await LinkOrThrowAsync(db, requestId, incidentId, actor, now, ct);
    }

    /// <summary>Fixes the end of an open incident and answers the requests linked to it.</summary>
    public static async Task RestoreAsync(OpenErcDbContext db, long incidentId, DateTime? endedAt, string actor, RegionClock clock, CancellationToken ct = default)
    {
        var incident = await FindAsync(db, incidentId, ct);
        if (incident.Status != IncidentStatus.Open) throw Invalid("EndedAt", $"Нарушение в состоянии «{incident.Status.Title()}»: его окончание уже указано");
        if (endedAt is not { } end) throw Invalid("EndedAt", "Укажите время восстановления");
        if (clock.FromLocal(end) > clock.Now) throw Invalid("EndedAt", "Время восстановления ещё не наступило");
        incident.EndedAt = end;
        var errors = RegistryValidation.Validate(incident);
        if (errors.Count > 0)
        {
            // Leave the tracked incident as stored: a later save in this context must not carry the refused end.
            incident.EndedAt = null;
            throw new RegistryValidationException(errors);
        }
        string service = await db.Services.Where(s => s.Id == incident.ServiceId).Select(s => s.Name).SingleAsync(ct);
        await SaveAndAnswerAsync(db, incident, actor, "Восстановление: услуга предоставляется надлежащим образом",
            $"Нарушение ({service.ToLowerInvariant()}, с {incident.StartedAt:dd.MM.yyyy HH:mm}) устранено {end:dd.MM.yyyy HH:mm}. "
            + "Плата за время нарушения снижается по приложению 1 к ПП 354 (в расчёте месяца или перерасчётом).", clock.Now, ct);
    }

    /// <summary>The executor's responsible person has checked a restored incident's scope, times and measurements.</summary>
    public static async Task VerifyAsync(OpenErcDbContext db, long incidentId, string actor, CancellationToken ct = default)
    {
        var incident = await FindAsync(db, incidentId, ct);
        if (incident.Status != IncidentStatus.Restored) throw Invalid("Verified", $"Проверить можно устранённое нарушение; это — «{incident.Status.Title()}»");
        incident.Verified = true;
        db.Actor = actor;
        db.Reason = "Нарушение проверено ответственным лицом исполнителя";
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Cancels an incident not confirmed (or a duplicate): the run ignores it, the linked requests are answered with the reason.</summary>
    public static async Task CancelAsync(OpenErcDbContext db, long incidentId, string? reason, string actor, DateTimeOffset now, CancellationToken ct = default)
    {
        var incident = await FindAsync(db, incidentId, ct);
        if (incident.Cancelled) throw Invalid("Cancelled", "Нарушение уже отменено");
        if (string.IsNullOrWhiteSpace(reason)) throw Invalid("Cancelled", "Укажите причину отмены");
        incident.Cancelled = true;
        await SaveAndAnswerAsync(db, incident, actor, $"Отмена: {reason.Trim()}", $"Нарушение не подтверждено: {reason.Trim()}.", now, ct);
    }

    private static async Task SaveAndAnswerAsync(OpenErcDbContext db, Incident incident, string actor, string reason, string answer, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = actor;
        db.Reason = reason;
        await db.SaveChangesAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var npgsqlTx = (NpgsqlTransaction)tx.GetDbTransaction();
        await using var linked = new NpgsqlCommand("SELECT id FROM citizen_requests WHERE incident_id = @i AND status = @s ORDER BY id", conn, npgsqlTx);
        linked.Parameters.Add(new NpgsqlParameter<long>("i", incident.Id));
        linked.Parameters.Add(new NpgsqlParameter<short>("s", (short)RequestStatus.LinkedToIncident));
        var requests = new List<long>();
        await using (var r = await linked.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) requests.Add(r.GetInt64(0));
        foreach (long request in requests)
            await CitizenRequests.MoveAsync(conn, request, RequestStatus.Answered, answer, actor, now, tx: npgsqlTx, ct: ct);
        await tx.CommitAsync(ct);
    }

    private static async Task LinkOrThrowAsync(OpenErcDbContext db, long requestId, long incidentId, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var tx = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        if (await CitizenRequests.MoveAsync(conn, requestId, RequestStatus.LinkedToIncident, $"Нарушение №{incidentId}", actor, now, incidentId: incidentId,
                tx: tx, ct: ct) is { } refused)
            throw Invalid("requestId", refused);
    }

    private static async Task<(long Building, DateTimeOffset Registered)> RequestPlaceAsync(OpenErcDbContext db, long requestId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var cmd = new NpgsqlCommand("""
            SELECT p.building_id, r.created_at FROM citizen_requests r JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id WHERE r.id = @r
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("r", requestId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1)) : throw Invalid("requestId", $"Обращение №{requestId} не найдено");
    }

    private static async Task<Incident> FindAsync(OpenErcDbContext db, long id, CancellationToken ct) =>
        await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw Invalid("incidentId", $"Нет нарушения №{id}");

    private static RegistryValidationException Invalid(string field, string message) => new(new() { [field] = [message] });
}
