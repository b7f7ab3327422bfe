using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

public static partial class SnapshotLoader
{
    /// <summary>The events of a batch of buildings for a month, read in one round trip.</summary>
    private sealed class BuildingEvents
    {
        public Dictionary<long, List<ServiceIncident>> Incidents { get; } = [];
        public Dictionary<long, HashSet<Resource>> Impossible { get; } = [];
        public Dictionary<long, decimal> HeatingAverage { get; } = [];
    }

    /// <summary>
    /// Adds to the snapshots what happened in the buildings besides the stock and the people: service incidents
    /// overlapping the month (reductions, recalculations.md §2), acts of technical impossibility of a meter in force on
    /// any day of the month (п. 86 and the increasing coefficient) and the evenly-method
    /// heating average in force on the month's first day (п. 42(1)). (Meter failure and refused-access days and two power
    /// sources are columns of the meters and buildings the main reads already load.)
    /// </summary>
    private static async Task<IReadOnlyList<LoadedBuilding>> WithEventsAsync(NpgsqlConnection conn, IReadOnlyList<LoadedBuilding> loaded,
        BillingPeriod month, CancellationToken ct)
    {
        var ids = loaded.Where(b => b.Snapshot is not null).Select(b => b.BuildingId).ToArray();
        if (ids.Length == 0) return loaded;
        var events = await ReadEventsAsync(conn, ids, month, ct);
        return loaded.Select(b => b.Snapshot is { } s ? b with { Snapshot = Apply(s, events) } : b).ToList();
    }

    private static async Task<BuildingEvents> ReadEventsAsync(NpgsqlConnection conn, long[] ids, BillingPeriod month, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn);
        string[] queries =
        [
            """
            SELECT i.building_id, s.code, i.kind, i.started_at, i.ended_at, i.premise_id, i.deviation_degrees, i.deviation_percent, i.temperature
            FROM incidents i JOIN services s ON s.id = i.service_id
            WHERE i.building_id = ANY(@ids) AND i.started_at < @to::timestamp AND i.ended_at > @from::timestamp AND NOT i.cancelled
            ORDER BY i.id
            """,
            """
            SELECT a.premise_id, a.resource FROM meter_impossibility_acts a JOIN premises p ON p.id = a.premise_id
            WHERE p.building_id = ANY(@ids) AND a.valid_from < @to AND (a.valid_to IS NULL OR a.valid_to > @from)
            """,
            """
            SELECT DISTINCT ON (building_id) building_id, volume FROM heating_average_volumes
            WHERE building_id = ANY(@ids) AND valid_from <= @from AND (valid_to IS NULL OR valid_to > @from)
            ORDER BY building_id, valid_from DESC
            """,
        ];
        foreach (var sql in queries)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            cmd.Parameters.AddMonthDays(month);
            batch.BatchCommands.Add(cmd);
        }

        var events = new BuildingEvents();
        await using var r = await batch.ExecuteReaderAsync(ct);
        static decimal? M(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
        while (await r.ReadAsync(ct))
            Add(events.Incidents, r.GetInt64(0), new ServiceIncident(r.GetString(1), (IncidentKind)r.GetInt32(2), r.GetDateTime(3), r.GetDateTime(4),
                r.IsDBNull(5) ? null : new HashSet<long> { r.GetInt64(5) }, M(r, 6), M(r, 7)) { Temperature = M(r, 8) });
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long premise = r.GetInt64(0);
            if (!events.Impossible.TryGetValue(premise, out var set)) events.Impossible[premise] = set = [];
            set.Add((Resource)r.GetInt32(1));
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) events.HeatingAverage[r.GetInt64(0)] = r.GetDecimal(1);
        return events;
    }

    /// <summary>The snapshot with its events; the records are copied only where an event touches them (most have none).</summary>
    private static BuildingSnapshot Apply(BuildingSnapshot s, BuildingEvents events)
    {
        var premises = s.Premises;
        if (s.Premises.Any(p => events.Impossible.ContainsKey(p.PremiseId)))
            premises = s.Premises.Select(p => events.Impossible.TryGetValue(p.PremiseId, out var set) ? p with { MeterTechnicallyImpossible = set } : p).ToList();
        bool incidents = events.Incidents.TryGetValue(s.BuildingId, out var list);
        bool average = events.HeatingAverage.TryGetValue(s.BuildingId, out var volume);
        if (ReferenceEquals(premises, s.Premises) && !incidents && !average) return s;
        return s with
        {
            Premises = premises,
            Incidents = incidents ? list! : s.Incidents,
            HeatingAverageMonthlyVolume = average ? volume : s.HeatingAverageMonthlyVolume,
        };
    }
}
