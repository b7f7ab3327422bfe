using System.Globalization;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Mail;

namespace OpenErc.Operations.Cabinet;

public sealed record OutageNotice(long Id, string Service, string Text, DateTimeOffset StartsAt, DateTimeOffset EndsAt, int Buildings, int Letters, int Sent,
    int Failed, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>
/// Notices of planned interruptions (passport-and-dispatch.md §11; ПП 354 п. 117 «б»): the service, the buildings, the
/// planned start and end, the reason and the dispatch service's phone. One notice reaches the buildings' people three
/// ways: an announcement of each building (<c>announcements</c>, until the end's day) that the cabinets show and the
/// receipts print in their message area, and a letter to every e-mail of the buildings' open accounts — their cabinet
/// users' and their payers' — de-duplicated, through the outbox <c>outage_notice_letters</c> with each letter's state
/// (the evidence of notice). Consent to mailings is not recorded by the registry yet: every known address is written to.
/// </summary>
public static class OutageNotices
{
    public const int MaxBuildings = 5000;
    public const int MaxAttempts = 5;
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public static async Task<(long? Id, Dictionary<string, string[]> Errors)> AddAsync(NpgsqlConnection conn, long? serviceId, IReadOnlyCollection<long> buildingIds,
        DateTimeOffset? startsAt, DateTimeOffset? endsAt, string? reason, string? phone, string by, RegionClock clock, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        reason = reason?.Trim();
        phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        if (serviceId is null) errors["serviceId"] = ["Укажите услугу"];
        if (buildingIds.Count == 0) errors["buildingIds"] = ["Выберите дома"];
        else if (buildingIds.Count > MaxBuildings) errors["buildingIds"] = [$"Не более {MaxBuildings} домов в одном уведомлении"];
        if (startsAt is null) errors["startsAt"] = ["Укажите начало отключения"];
        if (endsAt is null) errors["endsAt"] = ["Укажите окончание отключения"];
        else if (startsAt is { } s && endsAt <= s) errors["endsAt"] = ["Окончание должно быть позже начала"];
        else if (endsAt <= clock.Now) errors["endsAt"] = ["Отключение уже закончилось"];
        if (string.IsNullOrEmpty(reason)) errors["reason"] = ["Укажите причину отключения"];
        else if (reason.Length > 500) errors["reason"] = ["Причина длиннее 500 символов"];
        if (phone is { Length: > 50 }) errors["phone"] = ["Телефон длиннее 50 символов"];
        if (errors.Count > 0) return (null, errors);

        string? service;
        await using (var cmd = new NpgsqlCommand("SELECT name FROM services WHERE id = @id", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", serviceId!.Value));
            service = await cmd.ExecuteScalarAsync(ct) as string;
        }
        var ids = buildingIds.Distinct().ToArray();
        await using (var cmd = new NpgsqlCommand("SELECT count(*) FROM buildings WHERE id = ANY(@ids)", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
            if ((long)(await cmd.ExecuteScalarAsync(ct))! != ids.Length) errors["buildingIds"] = ["Среди выбранных есть несуществующий дом"];
        }
        if (service is null) errors["serviceId"] = [$"Нет услуги №{serviceId}"];
        if (errors.Count > 0) return (null, errors);

        var start = clock.Local(startsAt!.Value);
        var end = clock.Local(endsAt!.Value);
        string text = $"Плановое отключение: {service!.ToLower(Ru)} с {start.ToString("dd.MM.yyyy HH:mm", Ru)} до {end.ToString("dd.MM.yyyy HH:mm", Ru)}. " +
                      $"Причина: {reason}." + (phone is null ? "" : $" Телефон диспетчерской службы: {phone}.");
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO outage_notices (service_id, starts_at, ends_at, reason, phone, text, created_at, created_by)
            VALUES (@service, @start, @end, @reason, @phone, @text, @now, @by) RETURNING id
            """, conn, tx);
        insert.Parameters.Add(new NpgsqlParameter<long>("service", serviceId.Value));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("start", startsAt.Value.ToUniversalTime()));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("end", endsAt.Value.ToUniversalTime()));
        insert.Parameters.Add(new NpgsqlParameter<string>("reason", reason!));
        insert.Parameters.Add(new NpgsqlParameter<string?>("phone", phone) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<string>("text", text));
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        insert.Parameters.Add(new NpgsqlParameter<string>("by", by));
        long id = (long)(await insert.ExecuteScalarAsync(ct))!;
        // The buildings, their announcements until the end's day, and the letters to the people of their open accounts.
        await using var spread = new NpgsqlCommand("""
            INSERT INTO outage_notice_buildings (notice_id, building_id) SELECT @id, unnest(@ids);
            INSERT INTO announcements (building_id, valid_from, valid_to, text, created_by, created_at)
            SELECT unnest(@ids), @today, @until, @text, @by, @now;
            INSERT INTO outage_notice_letters (notice_id, email, queued_at)
            SELECT DISTINCT @id, lower(e.email), @now FROM (
                SELECT u.email FROM personal_accounts a JOIN premises p ON p.id = a.premise_id
                JOIN cabinet_accounts c ON c.account_id = a.id JOIN users u ON u.id = c.user_id
                WHERE p.building_id = ANY(@ids) AND a.closed_on IS NULL AND u.email IS NOT NULL
                UNION
                SELECT pp.email FROM personal_accounts a JOIN premises p ON p.id = a.premise_id JOIN people pp ON pp.id = a.payer_person_id
                WHERE p.building_id = ANY(@ids) AND a.closed_on IS NULL AND pp.email IS NOT NULL) e
            WHERE e.email LIKE '%_@_%';
            """, conn, tx);
        spread.Parameters.Add(new NpgsqlParameter<long>("id", id));
        spread.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
        spread.Parameters.Add(new NpgsqlParameter<DateOnly>("today", clock.Today));
        spread.Parameters.Add(new NpgsqlParameter<DateOnly>("until", DateOnly.FromDateTime(end.DateTime).AddDays(1)));
        spread.Parameters.Add(new NpgsqlParameter<string>("text", text));
        spread.Parameters.Add(new NpgsqlParameter<string>("by", by));
        spread.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        await spread.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return (id, errors);
    }

    /// <summary>The notices, newest first, with their buildings and letters counted.</summary>
    public static async Task<List<OutageNotice>> ListAsync(NpgsqlConnection conn, int limit = 200, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT n.id, s.name, n.text, n.starts_at, n.ends_at,
                   (SELECT count(*) FROM outage_notice_buildings b WHERE b.notice_id = n.id),
                   (SELECT count(*) FROM outage_notice_letters l WHERE l.notice_id = n.id),
                   (SELECT count(*) FROM outage_notice_letters l WHERE l.notice_id = n.id AND l.state = 'sent'),
                   (SELECT count(*) FROM outage_notice_letters l WHERE l.notice_id = n.id AND l.state = 'failed'),
                   n.created_at, n.created_by
            FROM outage_notices n JOIN services s ON s.id = n.service_id
            ORDER BY n.id DESC LIMIT @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        var list = new List<OutageNotice>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new OutageNotice(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4),
                (int)r.GetInt64(5), (int)r.GetInt64(6), (int)r.GetInt64(7), (int)r.GetInt64(8), r.GetFieldValue<DateTimeOffset>(9), r.GetString(10)));
        return list;
    }

    /// <summary>Sends the queued letters (up to <paramref name="limit"/>) and returns how many went out.</summary>
    public static async Task<int> SendQueuedAsync(string connectionString, IMailSender sender, string from, RegionClock clock, int limit = 200,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var queued = new List<(long Id, string Email, string Text)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT l.id, l.email, n.text FROM outage_notice_letters l JOIN outage_notices n ON n.id = l.notice_id
            WHERE l.state = 'queued' ORDER BY l.queued_at, l.id LIMIT @limit
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) queued.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        }
        return await Letters.SendOutboxAsync(conn, "outage_notice_letters",
            queued.Select(q => (q.Id, (Func<MimeKit.MimeMessage>)(() => Letters.Compose(from, q.Email, "Плановое отключение коммунальной услуги",
                $"Здравствуйте!\n\n{q.Text}\n\nПриносим извинения за временные неудобства.", clock.Now)))),
            sender, clock.Now, MaxAttempts, ct);
    }
}
