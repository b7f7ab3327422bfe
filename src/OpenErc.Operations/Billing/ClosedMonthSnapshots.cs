using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Reports;
using static OpenErc.Operations.SqlMonths;

namespace OpenErc.Operations.Billing;

/// <summary>
/// A closed month's snapshot by building (<c>closed_month_buildings</c>, <c>closed_month_building_accounts</c>): written by
/// the month's closing, read by the region's analytics and by reports that stay above the building. A month closed before
/// the snapshot existed gets it the first time the analytics asks (<see cref="EnsureAsync"/>).
/// </summary>
public static class ClosedMonthSnapshots
{
    /// <summary>Writes the snapshot of <paramref name="month"/>, whose balances and debt book are written (with its bills unless told).</summary>
    internal static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, BillingPeriod month, CancellationToken ct, bool bills = true)
    {
        // The overdue rows take the debt of service months before the closed one as overdue on its last day: what the age
        // buckets say whenever every bill falls due within the month after its own.
        Invariant.Holds(DebtAge.Bounds(month.LastDay)[0] == month.Previous(), $"bills of {month.Previous()} are not all overdue on {month.LastDay}");
        await using var cmd = new NpgsqlCommand("SELECT write_closed_month_buildings(@m, @bounds)" +
            (bills ? ", write_closed_month_bills(@m), write_closed_month_overdue(@m, @limitation), write_closed_month_commissions(@m)" : ""), conn, tx)
        {
            CommandTimeout = 0,
        };
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(MonthsParameter("bounds", DebtAge.Bounds(month.LastDay)));
        if (bills) cmd.Parameters.Add(MonthParameter("limitation", DebtAge.LimitationBound(month.LastDay)));
        await cmd.ExecuteNonQueryAsync(ct);
        if (bills) await DebtorThresholds.WriteAsync(conn, tx!, month, ct);
    }

    /// <summary>Writes the snapshots missing among the closed months (their bills, overdue rows and commissions were written by the migrations that brought them), one month at a time, under a lock so that two callers do not both write one.</summary>
    public static async Task EnsureAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var missing = new List<BillingPeriod>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT month FROM billing_periods p WHERE state = 'closed'
              AND NOT EXISTS (SELECT 1 FROM closed_month_building_accounts s WHERE s.month = p.month) ORDER BY month
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) missing.Add(r.GetMonth(0));
        foreach (var month in missing)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('closed_month_buildings'))", conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM closed_month_building_accounts WHERE month = @m)", conn, tx))
            {
                cmd.Parameters.Add(MonthParameter("m", month));
                if ((bool)(await cmd.ExecuteScalarAsync(ct))!) continue;
            }
            await WriteAsync(conn, tx, month, ct, bills: false);
            await tx.CommitAsync(ct);
        }
    }
}
