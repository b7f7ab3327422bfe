using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Exchange.Gis;
using OpenErc.Exchange.Legacy;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>
/// The accounts the centre places in ГИС ЖКХ (exchange.md §6.1: a settlement centre's «ЛС РЦ») and the identifiers the
/// state system assigns back: the ЕЛС and ИЖКУ become the accounts' other numbers (<see cref="AccountAlias"/>), which the
/// gateways, registries, the cabinet and search accept; they are validated and kept, never generated (§6.2).
/// </summary>
public static class GisAccounts
{
    /// <summary>The open accounts (of a building, or all) as rows of the state system's accounts template.</summary>
    public static async Task<IReadOnlyList<GisAccountRow>> RowsAsync(NpgsqlConnection conn, long? buildingId, DateOnly today, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.number, b.address, b.fias_guid, p.number, p.total_area, a.share,
                   (SELECT c.count FROM resident_counts c WHERE c.account_id = a.id AND c.valid_from <= @today AND (c.valid_to IS NULL OR c.valid_to > @today)
                    ORDER BY c.valid_from DESC LIMIT 1),
                   pp.full_name,
                   (SELECT x.number FROM account_aliases x WHERE x.account_id = a.id AND x.kind = @unified ORDER BY x.id DESC LIMIT 1),
                   (SELECT x.number FROM account_aliases x WHERE x.account_id = a.id AND x.kind = @service ORDER BY x.id DESC LIMIT 1)
            FROM personal_accounts a JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            LEFT JOIN people pp ON pp.id = a.payer_person_id
            WHERE (a.closed_on IS NULL OR a.closed_on > @today) AND (@building::bigint IS NULL OR b.id = @building)
            ORDER BY b.address, a.number
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("building", buildingId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("unified", (int)AliasKind.Unified));
        cmd.Parameters.Add(new NpgsqlParameter<int>("service", (int)AliasKind.ServiceId));
        var rows = new List<GisAccountRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new GisAccountRow(r.GetString(0), "ЛС РЦ", r.GetString(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetDecimal(4), r.GetDecimal(5),
                r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)));
        return rows;
    }

    /// <summary>
    /// The ЕЛС and ИЖКУ the state system assigned, as the accounts' other numbers — all rows, or on any refusal (an
    /// unknown account, an identifier not of its pattern or another account's) none. Returns the numbers set and the refusals.
    /// With <paramref name="ownTransaction"/> false it runs inside the caller's transaction (the answer of a ГИС package).
    /// </summary>
    public static async Task<(int Set, IReadOnlyList<LegacyError> Errors)> ImportIdentifiersAsync(OpenErcDbContext db, IReadOnlyList<GisIdentifiers> rows,
        string by, CancellationToken ct = default, bool ownTransaction = true)
    {
        var errors = new List<LegacyError>();
        int set = 0;
        await using var tx = ownTransaction ? await db.Database.BeginTransactionAsync(ct) : null;
        db.Actor = by;
        db.Reason = "Идентификаторы ГИС ЖКХ";
        foreach (var row in rows)
        {
            var account = await db.Accounts.AsNoTracking().Where(a => a.Number == row.Number).Select(a => (long?)a.Id).SingleOrDefaultAsync(ct);
            if (account is not { } id)
            {
                errors.Add(new(row.Place, $"Лицевой счёт {row.Number} не найден"));
                continue;
            }
            foreach (var (kind, number) in new[] { (AliasKind.Unified, row.UnifiedNumber), (AliasKind.ServiceId, row.ServiceId) })
            {
                if (number is null) continue;
                string normal = AccountAlias.Normalize(number);
                var other = await db.AccountAliases.FirstOrDefaultAsync(x => x.Number == normal, ct);
                if (other is not null && other.AccountId != id)
                {
                    errors.Add(new(row.Place, $"Номер «{normal}» уже принадлежит другому лицевому счёту"));
                    continue;
                }
                if (other is not null) continue;
                var alias = await db.AccountAliases.FirstOrDefaultAsync(x => x.AccountId == id && x.Kind == kind, ct);
                if (alias is null) db.AccountAliases.Add(alias = new AccountAlias { AccountId = id, Kind = kind, Source = "ГИС ЖКХ" });
                alias.Number = normal;
                foreach (var (_, messages) in RegistryValidation.Validate(alias)) errors.Add(new(row.Place, string.Join(" ", messages)));
                set++;
            }
        }
        if (errors.Count > 0) return (0, errors);
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return (set, errors);
    }
}
