using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Registry;

/// <summary>A past charge of an earlier system as it stood there (read-only history).</summary>
public sealed record LegacyChargeRow(string Source, BillingPeriod Month, string Service, string? Method, string? Zone, decimal? Rate, decimal? Volume,
    decimal Amount, decimal Recalculation, decimal Benefit);

/// <summary>A past payment of an earlier system as it stood there (read-only history).</summary>
public sealed record LegacyPaymentRow(string Source, DateOnly PaidOn, decimal Amount, BillingPeriod? Month, string? Number, string? Agent, string? Comment);

/// <summary>An account's history from the systems the region moved from, newest first.</summary>
public sealed record LegacyHistoryView(IReadOnlyList<LegacyChargeRow> Charges, IReadOnlyList<LegacyPaymentRow> Payments);

/// <summary>
/// Reads the past charges and payments an import brought (<see cref="LegacyImport"/>): history shown on the account card,
/// never part of a balance. Each list is bounded (<see cref="MaxRows"/>, the newest).
/// </summary>
public static class LegacyHistory
{
    public const int MaxRows = 1000;

    /// <summary>Whether the account has any history from an earlier system (the card shows its tab only then).</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection conn, long accountId, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM legacy_charges WHERE account_id = @a) OR EXISTS (SELECT 1 FROM legacy_payments WHERE account_id = @a)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<LegacyHistoryView> LoadAsync(string connectionString, long accountId, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var charges = new List<LegacyChargeRow>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT source, month, service, method, zone, rate, volume, amount, recalculation, benefit FROM legacy_charges
            WHERE account_id = @a ORDER BY month DESC, service, legacy_id LIMIT @limit
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", MaxRows));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                charges.Add(new LegacyChargeRow(r.GetString(0), r.GetMonth(1), r.GetString(2), Text(r, 3), Text(r, 4), Number(r, 5), Number(r, 6), r.GetDecimal(7),
                    r.GetDecimal(8), r.GetDecimal(9)));
        }
        var payments = new List<LegacyPaymentRow>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT source, paid_on, amount, month, number, agent, comment FROM legacy_payments
            WHERE account_id = @a ORDER BY paid_on DESC, legacy_id LIMIT @limit
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", MaxRows));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                payments.Add(new LegacyPaymentRow(r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetDecimal(2), r.GetMonthOrNull(3), Text(r, 4), Text(r, 5), Text(r, 6)));
        }
        return new LegacyHistoryView(charges, payments);
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static decimal? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
}
