using Npgsql;
using NpgsqlTypes;
using OpenErc.Operations.Registry;

namespace OpenErc.Operations.Payments;

/// <summary>A payment waiting in suspense (невыясненный платёж): its account number was not found.</summary>
public sealed record SuspensePayment(long Id, long AgentId, string Agent, string OperationId, PaymentChannel Channel, string AccountNumber, decimal Amount,
    DateTimeOffset PaidAt, DateOnly ReceivedOn, string? Payer, string? Address, long? RegistryId, int? LineNo);

/// <summary>
/// The suspense queue (невыясненные платежи): intake payments whose account number was not found and that no
/// resolution has posted yet, oldest first. An operator finds the account and resolves the payment with
/// <see cref="PaymentCorrections.ResolveAsync"/>.
/// </summary>
public static class SuspenseQueue
{
    /// <summary>Every word of <paramref name="search"/> must match the account number as sent, the payer or the address.</summary>
    public static async Task<Page<SuspensePayment>> ListAsync(string connectionString, string? search = null, int page = 1, int pageSize = 50,
        CancellationToken ct = default)
    {
        var words = AccountSearch.Words(search).Select(AccountSearch.Like).ToArray();
        const string where = """
            WHERE p.account_id IS NULL AND p.correction IS NULL
              AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.corrects = p.id)
              AND (SELECT bool_and(p.account_number ILIKE w OR p.payer ILIKE w OR p.address ILIKE w) FROM unnest(@words) w) IS NOT FALSE
            """;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT count(*) FROM payments p {where};
            SELECT p.id, p.agent_id, coalesce(o.short_name, o.name), p.agent_payment_id, p.channel, p.account_number, p.amount, p.paid_at, p.received_on,
                   p.payer, p.address, p.registry_id, p.line_no
            FROM payments p JOIN organisations o ON o.id = p.agent_id
            {where}
            ORDER BY p.received_on, p.id LIMIT @limit OFFSET @offset;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("words", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = words });
        return await SqlPage.ReadAsync(cmd, page, pageSize, r => new SuspensePayment(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), (PaymentChannel)r.GetInt16(4), r.GetString(5),
                r.GetDecimal(6), r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateOnly>(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetInt64(11), r.IsDBNull(12) ? null : r.GetInt32(12)), ct);
    }
}
