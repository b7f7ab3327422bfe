using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Residents;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>Use cases of the account manager (менеджер ЛС) around the number of residents.</summary>
public static class Residency
{
    /// <summary>The number of residents the billing uses on a day, or null when none is recorded.</summary>
    public static async Task<int?> ResidentsOnAsync(OpenErcDbContext db, long accountId, DateOnly day, CancellationToken ct = default) =>
        (await db.ResidentCounts.AsNoTracking()
            .Where(r => r.AccountId == accountId && r.ValidFrom <= day && (r.ValidTo == null || r.ValidTo > day))
            .SingleOrDefaultAsync(ct))?.Count;

    /// <summary>
    /// Sets the number of residents from <paramref name="from"/> on: the record in force that day is closed
    /// the day before (or corrected, when it starts that very day) and a new one continues to its old end.
    /// Past months become recalculations when charged again; the history keeps both records.
    /// </summary>
    public static async Task<ResidentCount> SetResidentCountAsync(OpenErcDbContext db, long accountId, int count, DateOnly from,
        string? basis, CancellationToken ct = default)
    {
        var records = await db.ResidentCounts.Where(r => r.AccountId == accountId).ToListAsync(ct);
        var result = Set(db, records, accountId, count, from, basis);
        var errors = RegistryValidation.Validate(result);
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>
    /// The change of <see cref="SetResidentCountAsync"/> made to the account's tracked <paramref name="records"/> (all of
    /// them), not saved: several changes of one account are saved together.
    /// </summary>
    internal static ResidentCount Set(OpenErcDbContext db, List<ResidentCount> records, long accountId, int count, DateOnly from, string? basis)
    {
        var current = records.SingleOrDefault(r => r.ValidFrom <= from && (r.ValidTo == null || r.ValidTo > from));
        if (current is not null && current.ValidFrom == from)
        {
            current.Count = count;
            current.Basis = basis;
            return current;
        }
        var next = current is not null ? current.ValidTo : records.Where(r => r.ValidFrom > from).Min(r => (DateOnly?)r.ValidFrom);
        if (current is not null) current.ValidTo = from;
        var result = new ResidentCount { AccountId = accountId, Count = count, ValidFrom = from, ValidTo = next, Basis = basis };
        records.Add(result);
        db.ResidentCounts.Add(result);
        return result;
    }
}

/// <summary>Bad input to a use case: messages (Russian) by field; nothing was saved.</summary>
public sealed class RegistryValidationException(Dictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.SelectMany(e => e.Value)))
{
    public Dictionary<string, string[]> Errors { get; } = errors;
}
