using System.ComponentModel.DataAnnotations;
using Npgsql;
using OpenErc.Core.Common;
using NpgsqlTypes;

namespace OpenErc.Operations.Payments;

/// <summary>
/// One agent's day: what its accepted registries listed (each payment once, however many registries listed it) and
/// what was posted from the agent with that payment day through any channel (intake payments, not corrections).
/// </summary>
public sealed record ReconciliationDay(long AgentId, string Agent, DateOnly Day, int ListedCount, decimal ListedSum, int PostedCount, decimal PostedSum,
    int Differences)
{
    public decimal Difference => PostedSum - ListedSum;
}

public enum DifferenceKind
{
    /// <summary>Posted from the agent for the day (an online payment, the cash desk of the agent), but no registry listed it for that day.</summary>
    [Display(Name = "Принят, но не в реестре за этот день")] NotListed,
    /// <summary>A registry listed it for the day, but the payment it is was posted with another day.</summary>
    [Display(Name = "В реестре, но принят другим днём")] NotPosted,
}

/// <summary>A payment on which an agent's registries and the postings disagree for a day.</summary>
public sealed record ReconciliationDifference(DifferenceKind Kind, long PaymentId, string OperationId, string AccountNumber, PaymentChannel Channel,
    DateTimeOffset PaidAt, decimal? ListedAmount, decimal? PostedAmount, long? RegistryId, int? LineNo);

/// <summary>
/// Reconciliation with banks and agents (сверка): per agent and payment day, the registries' lines against the payments
/// posted. An accepted registry posts or confirms every line it lists (a line whose operation id was posted with another
/// account or amount rejects the registry), so differences are payments the agent took online but never listed, or
/// listed under another day.
/// </summary>
public static class PaymentReconciliation
{
    /// <summary>The lines of registries (one per payment), on the registry's day, and the intake payments on the payer's day, matched by payment.</summary>
    private const string MatchedSql = """
        WITH listed AS (
            SELECT DISTINCT ON (l.payment_id) l.agent_id, l.day, l.payment_id, l.amount, l.registry_id, l.line_no
            FROM (SELECT p.agent_id, (p.paid_at AT TIME ZONE @zone)::date AS day, p.id AS payment_id, p.amount, p.registry_id, p.line_no
                  FROM payments p
                  WHERE p.registry_id IS NOT NULL AND p.paid_at >= @fromAt AND p.paid_at < @toAt AND (@agent::bigint IS NULL OR p.agent_id = @agent)
                  UNION ALL
                  SELECT l.agent_id, l.paid_on, l.payment_id, l.amount, l.registry_id, l.line_no
                  FROM payment_registry_lines l
                  WHERE l.paid_on >= @from AND l.paid_on < @to AND (@agent::bigint IS NULL OR l.agent_id = @agent)) l
            ORDER BY l.payment_id, l.registry_id),
        posted AS (
            SELECT p.agent_id, (p.paid_at AT TIME ZONE @zone)::date AS day, p.id, p.amount
            FROM payments p
            WHERE p.correction IS NULL AND p.paid_at >= @fromAt AND p.paid_at < @toAt AND (@agent::bigint IS NULL OR p.agent_id = @agent)),
        matched AS (
            SELECT coalesce(l.agent_id, p.agent_id) AS agent_id, coalesce(l.day, p.day) AS day, coalesce(l.payment_id, p.id) AS payment_id,
                   l.amount AS listed, p.amount AS posted, l.registry_id, l.line_no
            FROM listed l FULL JOIN posted p ON p.id = l.payment_id AND p.day = l.day)
        """;

    public static async Task<IReadOnlyList<ReconciliationDay>> DaysAsync(string connectionString, DateOnly from, DateOnly to, RegionClock clock,
        long? agentId = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = Command(conn, $"""
            {MatchedSql}
            SELECT m.agent_id, coalesce(o.short_name, o.name), m.day, count(m.listed), coalesce(sum(m.listed), 0), count(m.posted), coalesce(sum(m.posted), 0),
                   count(*) FILTER (WHERE m.listed IS NULL OR m.posted IS NULL)
            FROM matched m JOIN organisations o ON o.id = m.agent_id
            GROUP BY m.agent_id, o.short_name, o.name, m.day
            ORDER BY m.day, 2
            """, from, to, agentId, clock);
        var days = new List<ReconciliationDay>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            days.Add(new ReconciliationDay(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateOnly>(2), (int)r.GetInt64(3), r.GetDecimal(4), (int)r.GetInt64(5),
                r.GetDecimal(6), (int)r.GetInt64(7)));
        return days;
    }

    /// <summary>The payments of one agent's day on which the registries and the postings disagree.</summary>
    public static async Task<IReadOnlyList<ReconciliationDifference>> DifferencesAsync(string connectionString, long agentId, DateOnly day,
        RegionClock clock, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = Command(conn, $"""
            {MatchedSql}
            SELECT m.listed, m.posted, p.id, p.agent_payment_id, p.account_number, p.channel, p.paid_at, m.registry_id, m.line_no
            FROM matched m JOIN payments p ON p.id = m.payment_id
            WHERE m.listed IS NULL OR m.posted IS NULL
            ORDER BY p.paid_at, p.id
            """, day, day.AddDays(1), agentId, clock);
        var differences = new List<ReconciliationDifference>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            decimal? listed = r.IsDBNull(0) ? null : r.GetDecimal(0), posted = r.IsDBNull(1) ? null : r.GetDecimal(1);
            var kind = listed is null ? DifferenceKind.NotListed : DifferenceKind.NotPosted;
            differences.Add(new ReconciliationDifference(kind, r.GetInt64(2), r.GetString(3), r.GetString(4), (PaymentChannel)r.GetInt16(5),
                r.GetFieldValue<DateTimeOffset>(6), listed, posted, r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt32(8)));
        }
        return differences;
    }

    /// <summary>Days <c>[from, to)</c>; the payments' moments are compared in the region's time zone.</summary>
    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, DateOnly from, DateOnly to, long? agentId, RegionClock clock)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("from", from));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("to", to));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("fromAt", clock.StartOf(from).ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("toAt", clock.StartOf(to).ToUniversalTime()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("zone", clock.Zone.Id));
        cmd.Parameters.Add(new NpgsqlParameter("agent", NpgsqlDbType.Bigint) { Value = (object?)agentId ?? DBNull.Value });
        return cmd;
    }
}
