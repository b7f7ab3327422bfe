using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Meters;
using OpenErc.Storage;

namespace OpenErc.Web.Components.Shared;

/// <summary>A registry row with the name of what it refers to (a person, a service, an organisation).</summary>
public sealed record Named<T>(T Item, string Name);

/// <summary>A meter as the cards show it: where it is, and its latest readings (every zone of the last reading day).</summary>
public sealed record MeterRow(Meter Meter, string? PremiseNumber, IReadOnlyList<MeterReading> Latest, IReadOnlyList<MeterReading> Readings)
{
    public DateOnly? LatestOn => Latest.Count == 0 ? null : Latest[0].ReadOn;

    public string LatestText => Latest.Count switch
    {
        0 => Fmt.Empty,
        1 => Fmt.Number(Latest[0].Value),
        _ => string.Join("; ", Latest.Select(r => $"Т{r.Zone}: {Fmt.Number(r.Value)}")),
    };

    /// <summary>Loads the meters of <paramref name="meters"/> with their latest readings, and every reading when asked.</summary>
    public static async Task<List<MeterRow>> LoadAsync(OpenErcDbContext db, IQueryable<Meter> meters, bool withReadings, CancellationToken ct = default)
    {
        var list = await meters.AsNoTracking()
            .OrderBy(m => m.RemovedOn != null).ThenBy(m => m.Kind).ThenBy(m => m.Resource).ThenBy(m => m.SerialNumber)
            .ToListAsync(ct);
        var ids = list.Select(m => m.Id).ToList();
        var premiseIds = list.Where(m => m.PremiseId is not null).Select(m => m.PremiseId!.Value).Distinct().ToList();
        var premises = await db.Premises.Where(p => premiseIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Number, ct);
        // A group meter's premises, listed in its «Помещение» column.
        var groupIds = list.Where(m => m.Kind == MeterKind.Group).Select(m => m.Id).ToList();
        var groups = groupIds.Count == 0 ? [] : (await (
                from g in db.GroupMeterPremises.Where(g => groupIds.Contains(g.MeterId))
                join p in db.Premises on g.PremiseId equals p.Id
                select new { g.MeterId, p.Number }).ToListAsync(ct))
            .GroupBy(x => x.MeterId)
            .ToDictionary(g => g.Key, g => "группа: " + string.Join(", ", g.Select(x => x.Number).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal)));

        var readings = withReadings
            ? await db.MeterReadings.AsNoTracking().Where(r => ids.Contains(r.MeterId)).ToListAsync(ct)
            : await db.MeterReadings.AsNoTracking()
                .Where(r => ids.Contains(r.MeterId) && r.ReadOn == db.MeterReadings.Where(x => x.MeterId == r.MeterId).Max(x => x.ReadOn))
                .ToListAsync(ct);
        var byMeter = readings.GroupBy(r => r.MeterId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.ReadOn).ThenBy(r => r.Zone).ToList());

        return list.Select(m =>
        {
            var all = byMeter.GetValueOrDefault(m.Id) ?? [];
            var latest = all.Count == 0 ? [] : all.Where(r => r.ReadOn == all[0].ReadOn).ToList();
            return new MeterRow(m, m.PremiseId is { } p ? premises.GetValueOrDefault(p) : groups.GetValueOrDefault(m.Id), latest, withReadings ? all : []);
        }).ToList();
    }
}
