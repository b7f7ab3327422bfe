using System.Globalization;
using Npgsql;

namespace OpenErc.Operations.Billing;

/// <summary>A service of an account that has posted charges, with its supplier: what a manual correction can apply to.</summary>
public sealed record CorrectableService(string ServiceCode, string Service, long SupplierId, string Supplier)
{
    public string Title => $"{Service} — {Supplier}";
}

/// <summary>An account as the correction form shows it: its number, address and charged services.</summary>
public sealed record CorrectableAccount(long Id, string Number, string Address, IReadOnlyList<CorrectableService> Services);

/// <summary>
/// Looks up what an operator's correction (<see cref="Recalculations.PostCorrectionAsync"/>) can be posted to: the
/// account by its number (or id) and the service × supplier pairs it was charged for, so the form offers only real
/// pairs instead of free-typed codes and ids.
/// </summary>
public static class CorrectionTargets
{
    /// <summary>The account with this 10-digit number (or, failing that, this id); null when there is none.</summary>
    public static async Task<CorrectableAccount?> FindAsync(string connectionString, string numberOrId, CancellationToken ct = default)
    {
        var text = numberOrId.Trim();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT a.id, a.number, b.address || ', кв. ' || p.number FROM personal_accounts a
            JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            WHERE a.number = @text OR a.id = @id ORDER BY a.number = @text DESC LIMIT 1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("text", text));
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0));
        long accountId;
        string number, address;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            (accountId, number, address) = (r.GetInt64(0), r.GetString(1), r.GetString(2));
        }
        var services = new List<CorrectableService>();
        await using (var q = new NpgsqlCommand("""
            SELECT s.code, s.name, o.id, coalesce(o.short_name, o.name)
            FROM (SELECT DISTINCT service_id, supplier_id FROM charge_lines WHERE account_id = @a AND kind = 0) l
            JOIN services s ON s.id = l.service_id JOIN organisations o ON o.id = l.supplier_id
            ORDER BY s.sort_order, s.name, 4
            """, conn))
        {
            q.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
            await using var r = await q.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) services.Add(new CorrectableService(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3)));
        }
        return new CorrectableAccount(accountId, number, address, services);
    }
}
