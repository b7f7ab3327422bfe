using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;

namespace OpenErc.Operations.Reports;

/// <summary>
/// The rules of the debtors register (reports.md §10). The reference product's rule: overdue principal of a service above
/// <c>k</c> monthly amounts (default 3 on the norm basis [uncertain]). ПП 354 п. 118 (limiting or suspending a service):
/// above <b>two</b> monthly amounts of the service computed <b>by the consumption norm</b> whether or not a meter exists, at
/// the tariff of the day, for the services that may be limited — hot water, electricity, gas, sewage (court practice
/// [recalled]; not heating, not cold water in an МКД). The norm amount is the calculator's
/// (<see cref="ChargeCalculator.MonthlyByNorm"/>) from the month's snapshot of the debtors' buildings, never a formula of
/// the report's own; where a service has no norm measure (heating, КР на СОИ, a missing tariff) the row falls back to the
/// month's charge and says so.
/// </summary>
public static class DebtorThresholds
{
    /// <summary>The resources of the communal services ПП 354 п. 118–119 lets a centre limit for debt.</summary>
    public static readonly IReadOnlySet<Resource> Limitable = new HashSet<Resource> { Resource.HotWater, Resource.Electricity, Resource.Gas, Resource.Sewage };

    /// <summary>The SQL condition on a service id of a limitable communal service.</summary>
    public static string LimitableSql(string serviceId) =>
        $"{serviceId} IN (SELECT id FROM services WHERE kind = {(int)ServiceKind.Communal} AND resource IN ({string.Join(", ", Limitable.Select(r => (int)r))}))";

    /// <summary>Whether the query asks for the norm basis (the basis itself, or the п. 118 rule that implies it).</summary>
    public static bool ByNorm(ReportSql q) => q["basis"] == "norm" || q["rule"] == "p118";

    /// <summary>
    /// Fills the session table <c>debtor_norms</c> with the monthly amount by the norm, on the report's day, of every overdue
    /// row of the closed month <c>@to</c> (only the limitable services' under п. 118); empty when the norm is not asked for.
    /// </summary>
    public static async Task PrepareAsync(NpgsqlConnection conn, ReportSql q, CancellationToken ct)
    {
        await using (var create = new NpgsqlCommand("""
            DROP TABLE IF EXISTS pg_temp.debtor_norms;
            CREATE TEMP TABLE debtor_norms (account_id bigint, service_id bigint, supplier_id bigint, monthly numeric(15,2),
                                            PRIMARY KEY (account_id, service_id, supplier_id));
            """, conn))
            await create.ExecuteNonQueryAsync(ct);
        if (!ByNorm(q)) return;

        var rows = new List<(long Building, long Account, long ServiceId, string Service, long Supplier)>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT p.building_id, o.account_id, o.service_id, s.code, o.supplier_id
            FROM closed_month_overdue o JOIN services s ON s.id = o.service_id
            JOIN personal_accounts a ON a.id = o.account_id JOIN premises p ON p.id = a.premise_id
            WHERE o.month = @m AND o.overdue > 0{(q["rule"] == "p118" ? " AND " + LimitableSql("o.service_id") : "")}
            """, conn))
        {
            cmd.Parameters.Add(SqlMonths.MonthParameter("m", q.To));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4)));
        }
        if (rows.Count == 0) return;

        var byBuilding = rows.ToLookup(x => x.Building);
        var serviceIds = rows.Select(x => (x.Service, x.ServiceId)).Distinct().ToDictionary(x => x.Service, x => x.ServiceId, StringComparer.Ordinal);
        var reference = await BillingReference.LoadAsync(conn, q.To, ct);
        var settings = new ChargeSettings();
        var found = new List<((long Account, string Service, long Supplier) Key, Core.Common.Money Amount)>(rows.Count);
        foreach (var chunk in byBuilding.Select(g => g.Key).Chunk(200))
            foreach (var b in await SnapshotLoader.LoadAsync(conn, reference, chunk, q.To, ct))
                if (b.Snapshot is { } snapshot)
                    foreach (var (key, amount) in ChargeCalculator.MonthlyByNorm(snapshot, q.To, settings, q.Date,
                                 byBuilding[b.BuildingId].Select(x => (x.Account, x.Service, x.Supplier))))
                        found.Add((key, amount));

        await using (var copy = await conn.BeginBinaryImportAsync("COPY debtor_norms (account_id, service_id, supplier_id, monthly) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var ((account, service, supplier), amount) in found)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(account, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(serviceIds[service], NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(supplier, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(amount.Amount, NpgsqlDbType.Numeric, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await using var analyse = new NpgsqlCommand("ANALYZE debtor_norms", conn);
        await analyse.ExecuteNonQueryAsync(ct);
    }
}
