using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>The archive of changes of registry objects.</summary>
public static class History
{
    /// <summary>Every change of one object, newest first.</summary>
    public static Task<List<AuditEntry>> OfAsync<T>(OpenErcDbContext db, long id, CancellationToken ct = default) where T : IRegistryObject =>
        OfAsync(db, typeof(T).Name, id, ct);

    public static Task<List<AuditEntry>> OfAsync(OpenErcDbContext db, string entityType, long id, CancellationToken ct = default) =>
        db.AuditEntries.AsNoTracking()
            .Where(e => e.EntityType == entityType && e.EntityId == id)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .ToListAsync(ct);
}
