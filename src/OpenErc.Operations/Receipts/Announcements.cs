using Npgsql;

namespace OpenErc.Operations.Receipts;

public sealed record Announcement(long Id, string Text, long? BuildingId, long? OrganisationId, DateOnly ValidFrom, DateOnly? ValidTo, string CreatedBy);

/// <summary>
/// Notices of the managing organisations printed in the «Объявления» block of the documents: for one building, for all
/// the buildings of an organisation, or for all, over <c>[ValidFrom, ValidTo)</c>. Insert-only: a document once issued
/// keeps the announcements it was issued with.
/// </summary>
public static class Announcements
{
    public const int MaxLength = 1000;

    public static async Task<(long? Id, Dictionary<string, string[]> Errors)> AddAsync(NpgsqlConnection conn, string? text, long? buildingId, long? organisationId,
        DateOnly? validFrom, DateOnly? validTo, string createdBy, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) errors["text"] = ["Введите текст объявления"];
        else if (text.Length > MaxLength) errors["text"] = [$"Объявление длиннее {MaxLength} символов"];
        if (validFrom is null) errors["validFrom"] = ["Укажите, с какого дня печатать объявление"];
        else if (validTo is { } to && to <= validFrom) errors["validTo"] = ["Дата окончания должна быть позже даты начала"];
        if (buildingId is { } b && !await ExistsAsync(conn, "SELECT 1 FROM buildings WHERE id = @id", b, ct)) errors["buildingId"] = [$"Нет дома №{b}"];
        if (organisationId is { } o && !await ExistsAsync(conn, "SELECT 1 FROM organisations WHERE id = @id", o, ct)) errors["organisationId"] = [$"Нет организации №{o}"];
        if (errors.Count > 0) return (null, errors);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO announcements (organisation_id, building_id, valid_from, valid_to, text, created_by)
            VALUES (@o, @b, @from, @to, @text, @by) RETURNING id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("o", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)organisationId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)buildingId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("from", validFrom!.Value));
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.Date) { Value = (object?)validTo ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<string>("text", text!));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", createdBy));
        return ((long)(await cmd.ExecuteScalarAsync(ct))!, errors);
    }

    public static async Task<IReadOnlyList<Announcement>> ListAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT id, text, building_id, organisation_id, valid_from, valid_to, created_by FROM announcements ORDER BY valid_from DESC, id DESC", conn);
        var list = new List<Announcement>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Announcement(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                r.GetFieldValue<DateOnly>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5), r.GetString(6)));
        return list;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection conn, string sql, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }
}
