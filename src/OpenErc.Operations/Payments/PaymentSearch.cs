using System.ComponentModel.DataAnnotations;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Operations.Registry;

namespace OpenErc.Operations.Payments;

/// <summary>Where a payment stands, derived from the corrections that point at it (payments are never edited).</summary>
public enum PaymentStatus
{
    [Display(Name = "Проведён")] Posted,
    [Display(Name = "Невыясненный")] Suspense,
    [Display(Name = "Разнесён")] Resolved,
    [Display(Name = "Сторнирован")] Reversed,
    [Display(Name = "Перенесён")] Moved,
    [Display(Name = "Сторно")] Reversal,
}

/// <summary>
/// What to find; every field is optional. <paramref name="From"/> and <paramref name="Through"/> bound the centre's
/// business day of receipt, both inclusive (as the financier says "с … по …"); <paramref name="Amount"/> matches the
/// absolute amount, so a reversal is found with its payment.
/// </summary>
public sealed record PaymentFilter(string? AccountNumber = null, long? AgentId = null, PaymentChannel? Channel = null, DateOnly? From = null,
    DateOnly? Through = null, decimal? Amount = null, long? PaymentId = null, long? AccountId = null, long? ShiftId = null);

/// <summary>A payment row as lists show it: amounts signed (a reversal is negative).</summary>
public sealed record PaymentRow(long Id, DateOnly ReceivedOn, DateTimeOffset PaidAt, PaymentChannel Channel, long AgentId, string Agent, string AccountNumber,
    long? AccountId, decimal Amount, decimal Commission, string? Payer, string? Address, long? Corrects, string? Correction, long? ShiftId, PaymentStatus Status);

/// <summary>One allocation line of a payment: to whom and for what the money went; <see cref="Net"/> is what the supplier gets.</summary>
public sealed record PaymentLine(short Line, string? Service, long? SupplierId, string? Supplier, BillingPeriod? ServiceMonth, AllocationKind Kind,
    decimal Amount, decimal Commission)
{
    public decimal Net => Amount - Commission;
}

/// <summary>A payment with everything that explains it: its lines, the corrections made to it, its shift when taken at the cash desk.</summary>
public sealed record PaymentDetail(PaymentRow Payment, string AgentPaymentId, BillingPeriod BookingMonth, BillingPeriod? Period, bool CommissionByPayer,
    long? RegistryId, int? LineNo, string? Reason, string PostedBy, DateTimeOffset PostedAt, string? Cashier, string? Desk,
    IReadOnlyList<PaymentRow> Corrections, IReadOnlyList<PaymentLine> Lines);

/// <summary>An account's debt (what its open chunks still lack, penalties billed included) and its advance, from the debt book.</summary>
public sealed record AccountBalance(decimal Debt, decimal Advance)
{
    /// <summary>What the payer is asked for: the debt less the advance, never below zero.</summary>
    public decimal ToPay => Math.Max(0m, Debt - Advance);
}

/// <summary>Finds payments and reads one with its allocation lines and corrections; reads an account's balance from the debt book.</summary>
public static class PaymentSearch
{
    private const string Columns = """
        p.id, p.received_on, p.paid_at, p.channel, p.agent_id, coalesce(ag.short_name, ag.name), p.account_number, p.account_id, p.amount,
        p.commission, p.payer, p.address, p.corrects, p.correction, p.shift_id,
        (SELECT string_agg(c.correction, ',') FROM payments c WHERE c.corrects = p.id)
        """;

    private const string Where = """
        (@number::text IS NULL OR p.account_number = @number)
        AND (@account::bigint IS NULL OR p.account_id = @account)
        AND (@agent::bigint IS NULL OR p.agent_id = @agent)
        AND (@channel::smallint IS NULL OR p.channel = @channel)
        AND (@from::date IS NULL OR p.received_on >= @from)
        AND (@through::date IS NULL OR p.received_on <= @through)
        AND (@amount::numeric IS NULL OR abs(p.amount) = @amount)
        AND (@id::bigint IS NULL OR p.id = @id)
        AND (@shift::bigint IS NULL OR p.shift_id = @shift)
        """;

    /// <summary>The payments that match, newest first.</summary>
    public static async Task<Page<PaymentRow>> FindAsync(string connectionString, PaymentFilter filter, int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        void Bind(NpgsqlCommand cmd)
        {
            cmd.Parameters.Add(new NpgsqlParameter("number", NpgsqlDbType.Text) { Value = (object?)filter.AccountNumber?.Trim() ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("account", NpgsqlDbType.Bigint) { Value = (object?)filter.AccountId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("agent", NpgsqlDbType.Bigint) { Value = (object?)filter.AgentId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Smallint) { Value = filter.Channel is { } c ? (short)c : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Date) { Value = (object?)filter.From ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("through", NpgsqlDbType.Date) { Value = (object?)filter.Through ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("amount", NpgsqlDbType.Numeric) { Value = (object?)filter.Amount ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Bigint) { Value = (object?)filter.PaymentId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("shift", NpgsqlDbType.Bigint) { Value = (object?)filter.ShiftId ?? DBNull.Value });
        }
        int total;
        await using (var cmd = new NpgsqlCommand($"SELECT count(*) FROM payments p WHERE {Where}", conn))
        {
            Bind(cmd);
            total = (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await using (var cmd = new NpgsqlCommand($"""
            SELECT {Columns} FROM payments p JOIN organisations ag ON ag.id = p.agent_id
            WHERE {Where} ORDER BY p.id DESC LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", pageSize));
            cmd.Parameters.Add(new NpgsqlParameter<int>("offset", (page - 1) * pageSize));
            return new Page<PaymentRow>(await ReadRowsAsync(cmd, ct), total, page, pageSize);
        }
    }

    /// <summary>One payment with its lines and corrections; null when there is none.</summary>
    public static async Task<PaymentDetail?> DetailAsync(string connectionString, long paymentId, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT {Columns}, p.agent_payment_id, p.booking_month, p.period, p.commission_by_payer, p.registry_id, p.line_no, p.reason, p.posted_by,
                   p.posted_at, s.cashier, s.desk
            FROM payments p JOIN organisations ag ON ag.id = p.agent_id LEFT JOIN cash_shifts s ON s.id = p.shift_id
            WHERE p.id = @id;
            SELECT {Columns} FROM payments p JOIN organisations ag ON ag.id = p.agent_id WHERE p.corrects = @id ORDER BY p.id;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", paymentId));
        PaymentDetail detail;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            var row = Row(r);
            detail = new PaymentDetail(row, r.GetString(16), r.GetMonth(17),
                r.GetMonthOrNull(18), r.GetBoolean(19), r.IsDBNull(20) ? null : r.GetInt64(20),
                r.IsDBNull(21) ? null : r.GetInt32(21), r.IsDBNull(22) ? null : r.GetString(22), r.GetString(23), r.GetFieldValue<DateTimeOffset>(24),
                r.IsDBNull(25) ? null : r.GetString(25), r.IsDBNull(26) ? null : r.GetString(26), [], []);
            await r.NextResultAsync(ct);
            var corrections = new List<PaymentRow>();
            while (await r.ReadAsync(ct)) corrections.Add(Row(r));
            detail = detail with { Corrections = corrections };
        }
        var lines = await LinesAsync(conn, [paymentId], ct);
        return detail with { Lines = lines.GetValueOrDefault(paymentId) ?? [] };
    }

    /// <summary>The allocation lines of the payments, by payment.</summary>
    public static async Task<Dictionary<long, List<PaymentLine>>> LinesAsync(NpgsqlConnection conn, long[] paymentIds, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.payment_id, a.line, s.name, a.supplier_id, coalesce(o.short_name, o.name), a.service_month, a.kind, a.amount, a.commission
            FROM payment_allocations a
            LEFT JOIN services s ON s.id = a.service_id
            LEFT JOIN organisations o ON o.id = a.supplier_id
            WHERE a.payment_id = ANY(@ids)
            ORDER BY a.payment_id, a.line
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", paymentIds));
        var lines = new Dictionary<long, List<PaymentLine>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long id = r.GetInt64(0);
            if (!lines.TryGetValue(id, out var list)) lines[id] = list = [];
            list.Add(new PaymentLine(r.GetInt16(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetMonthOrNull(5), (AllocationKind)r.GetInt16(6), r.GetDecimal(7), r.GetDecimal(8)));
        }
        return lines;
    }

    /// <summary>The account's debt and advance on <paramref name="today"/>, read from the same debt book that allocates payments.</summary>
    public static async Task<AccountBalance> BalanceAsync(NpgsqlConnection conn, long accountId, DateOnly today, CancellationToken ct = default)
    {
        var book = (await DebtLedger.LoadAsync(conn, [accountId], lockAccounts: false, ct)).Book(accountId, today);
        return new AccountBalance(book.Debt, book.Advance);
    }

    /// <inheritdoc cref="BalanceAsync(NpgsqlConnection, long, DateOnly, CancellationToken)"/>
    public static async Task<AccountBalance> BalanceAsync(string connectionString, long accountId, DateOnly today, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await BalanceAsync(conn, accountId, today, ct);
    }

    private static async Task<List<PaymentRow>> ReadRowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<PaymentRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rows.Add(Row(r));
        return rows;
    }

    private static PaymentRow Row(NpgsqlDataReader r)
    {
        string? correction = r.IsDBNull(13) ? null : r.GetString(13);
        long? accountId = r.IsDBNull(7) ? null : r.GetInt64(7);
        var correctedBy = r.IsDBNull(15) ? [] : r.GetString(15).Split(',');
        var status = correction == "reversal" ? PaymentStatus.Reversal
            : correctedBy.Contains("move") ? PaymentStatus.Moved
            : correctedBy.Contains("reversal") ? PaymentStatus.Reversed
            : correctedBy.Contains("resolution") ? PaymentStatus.Resolved
            : accountId is null ? PaymentStatus.Suspense
            : PaymentStatus.Posted;
        return new PaymentRow(r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetFieldValue<DateTimeOffset>(2), (PaymentChannel)r.GetInt16(3), r.GetInt64(4),
            r.GetString(5), r.GetString(6), accountId, r.GetDecimal(8), r.GetDecimal(9), r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetInt64(12), correction, r.IsDBNull(14) ? null : r.GetInt64(14), status);
    }
}
