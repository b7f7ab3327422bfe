using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Payments;

/// <summary>A payment operation refused for a reason the operator can act on; the message is in Russian.</summary>
public sealed class PaymentException(string message) : Exception(message);

/// <summary>What a correction posted: the reversal (сторно) and, for a move or a resolution, the new posting.</summary>
public sealed record CorrectionResult(long? ReversalId, long? PostingId, long? AccountId);

/// <summary>
/// Corrections of posted payments, never edits (payments.md §2): a reversal (сторно) is a new payment row of the negated
/// amount whose allocation lines negate the original's line by line (the same payer's dates, so that penalties see the
/// debt as never paid); a move to another account is that reversal plus a new posting of the amount on the right
/// account, allocated there; the resolution of a payment waiting in suspense posts it on the account the operator
/// found. Each is booked in the open month with today's receipt date (so the suppliers' next transfer corrects
/// itself) and made at most once: a second reversal of the same payment is refused by the database.
/// </summary>
public static class PaymentCorrections
{
    public static async Task<CorrectionResult> ReverseAsync(string connectionString, long paymentId, string reason, PostingOptions options, long? shiftId = null,
        CancellationToken ct = default)
    {
        Reason(reason);
        return await InTransactionAsync(connectionString, options, async conn =>
        {
            var original = await OriginalAsync(conn, paymentId, ct);
            Refuse(original, forSuspense: false);
            long reversal = await ReverseAsync(conn, original, reason, options, shiftId, ct);
            return new CorrectionResult(reversal, null, original.AccountId);
        }, ct);
    }

    public static async Task<CorrectionResult> MoveAsync(string connectionString, long paymentId, string accountNumber, string reason, PostingOptions options,
        CancellationToken ct = default)
    {
        Reason(reason);
        return await InTransactionAsync(connectionString, options, async conn =>
        {
            var original = await OriginalAsync(conn, paymentId, ct);
            Refuse(original, forSuspense: false);
            if (original.AccountNumber == accountNumber) throw new PaymentException("Платёж уже на этом лицевом счёте");
            long reversal = await ReverseAsync(conn, original, reason, options, null, ct);
            var posted = await RepostAsync(conn, original, accountNumber, "move", "/перенос", reason, options, ct);
            return new CorrectionResult(reversal, posted.PaymentId, posted.AccountId);
        }, ct);
    }

    public static async Task<CorrectionResult> ResolveAsync(string connectionString, long paymentId, string accountNumber, string reason, PostingOptions options,
        CancellationToken ct = default)
    {
        Reason(reason);
        return await InTransactionAsync(connectionString, options, async conn =>
        {
            var original = await OriginalAsync(conn, paymentId, ct);
            Refuse(original, forSuspense: true);
            var posted = await RepostAsync(conn, original, accountNumber, "resolution", "/разнесение", reason, options, ct);
            return new CorrectionResult(null, posted.PaymentId, posted.AccountId);
        }, ct);
    }

    private static void Reason(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new PaymentException("Укажите причину исправления");
    }

    private sealed record Original(long Id, long AgentId, string Key, PaymentChannel Channel, long? AccountId, string AccountNumber, decimal Amount,
        decimal Commission, bool ByPayer, DateTimeOffset PaidAt, BillingPeriod? Period, string? Correction, string? CorrectedBy);

    private static async Task<T> InTransactionAsync<T>(string connectionString, PostingOptions options, Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, BillingPeriod.Of(options.Today), ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        T result;
        try
        {
            result = await work(conn);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new PaymentException("Платёж уже исправлен другим пользователем: обновите страницу");
        }
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>The payment, locked, with the correction already made to it if any.</summary>
    private static async Task<Original> OriginalAsync(NpgsqlConnection conn, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT p.id, p.agent_id, p.agent_payment_id, p.channel, p.account_id, p.account_number, p.amount, p.commission, p.commission_by_payer, p.paid_at,
                   p.period, p.correction,
                   (SELECT string_agg(c.correction || ' №' || c.id, ', ') FROM payments c WHERE c.corrects = p.id)
            FROM payments p WHERE p.id = @id FOR UPDATE
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw new PaymentException($"Платёж №{id} не найден");
        return new Original(r.GetInt64(0), r.GetInt64(1), r.GetString(2), (PaymentChannel)r.GetInt16(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5),
            r.GetDecimal(6), r.GetDecimal(7), r.GetBoolean(8), r.GetFieldValue<DateTimeOffset>(9), r.GetMonthOrNull(10),
            r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12));
    }

    private static void Refuse(Original p, bool forSuspense)
    {
        if (p.Correction == "reversal") throw new PaymentException($"Платёж №{p.Id} — это сторно: его нельзя исправить");
        if (p.CorrectedBy is { } by)
            throw new PaymentException(by.StartsWith("reversal", StringComparison.Ordinal) || by.StartsWith("move", StringComparison.Ordinal)
                ? $"Платёж №{p.Id} уже исправлен ({Describe(by)})"
                : $"Платёж №{p.Id} уже разнесён ({Describe(by)}): исправляйте разнесённый платёж");
        if (forSuspense && p.AccountId is not null) throw new PaymentException($"Платёж №{p.Id} не в невыясненных: он уже на лицевом счёте {p.AccountNumber}");
        if (!forSuspense && p.AccountId is null) throw new PaymentException($"Платёж №{p.Id} в невыясненных: сначала разнесите его на лицевой счёт");
    }

    private static string Describe(string corrections) => corrections
        .Replace("reversal", "сторно", StringComparison.Ordinal)
        .Replace("move", "перенос", StringComparison.Ordinal)
        .Replace("resolution", "разнесение", StringComparison.Ordinal);

    /// <summary>Posts the reversal row and its negated lines; returns its id.</summary>
    private static async Task<long> ReverseAsync(NpgsqlConnection conn, Original p, string reason, PostingOptions options, long? shiftId, CancellationToken ct)
    {
        var today = options.Today;
        await using var cmd = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock_shared(@lock);
            SELECT pg_advisory_xact_lock(@lockBase + @account % @buckets);
            WITH booking AS ({PaymentPosting.BookingMonthSql}),
            reversal AS (
                INSERT INTO payments (agent_id, agent_payment_id, channel, account_number, account_id, amount, commission, commission_by_payer, paid_at,
                                      received_on, booking_month, period, shift_id, corrects, correction, reason, posted_by, posted_at)
                SELECT agent_id, agent_payment_id || '/сторно', @channel, account_number, account_id, -amount, -commission, commission_by_payer, paid_at,
                       @today, (SELECT month FROM booking), period, @shift, id, 'reversal', @reason, @by, @now
                FROM payments WHERE id = @id
                RETURNING id, booking_month)
            INSERT INTO payment_allocation_sets (booking_month, payment_id, first_line, account_id, paid_on, received_on,
                                                 service_ids, supplier_ids, service_months, kinds, amounts, commissions)
            SELECT r.booking_month, r.id, s.first_line, s.account_id, s.paid_on, @today, s.service_ids, s.supplier_ids, s.service_months, s.kinds,
                   ARRAY(SELECT -x FROM unnest(s.amounts) WITH ORDINALITY AS u(x, n) ORDER BY n),
                   ARRAY(SELECT -x FROM unnest(s.commissions) WITH ORDINALITY AS u(x, n) ORDER BY n)
            FROM reversal r, payment_allocation_sets s WHERE s.payment_id = @id
            RETURNING payment_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("lock", PaymentPosting.BookingLockKey));
        cmd.Parameters.Add(new NpgsqlParameter<long>("lockBase", DebtLedger.AccountLockBase));
        cmd.Parameters.Add(new NpgsqlParameter<long>("buckets", DebtLedger.AccountLockBuckets));
        cmd.Parameters.Add(new NpgsqlParameter<long>("account", p.AccountId!.Value));
        cmd.Parameters.Add(MonthParameter("month", BillingPeriod.Of(today)));
        cmd.Parameters.Add(new NpgsqlParameter<short>("channel", (short)PaymentChannel.Correction));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        cmd.Parameters.Add(new NpgsqlParameter("shift", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)shiftId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<string>("reason", reason));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", options.PostedBy));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", p.Id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        await r.NextResultAsync(ct);
        // Every posted payment on an account is allocated in full: no lines to negate would be a bug.
        Invariant.Holds(await r.ReadAsync(ct), $"payment {p.Id} has no allocation lines to reverse");
        return r.GetInt64(0);
    }

    private static async Task<PostingResult> RepostAsync(NpgsqlConnection conn, Original p, string accountNumber, string correction, string suffix, string reason,
        PostingOptions options, CancellationToken ct)
    {
        if (Core.Accounts.AccountNumber.Check(accountNumber) is { } bad) throw new PaymentException(bad);
        var intake = new PaymentIntake(p.AgentId, p.Key + suffix, PaymentChannel.Correction, accountNumber, p.Amount, p.PaidAt,
            p.Period, p.Commission, CommissionByPayer: p.ByPayer, Corrects: p.Id, Correction: correction, Reason: reason);
        var result = (await PaymentPosting.PostAsync(conn, [intake], options with { AllowSuspense = false }, ct))[0];
        return result.Outcome switch
        {
            PostingOutcome.Posted => result,
            PostingOutcome.UnknownAccount => throw new PaymentException($"Лицевой счёт {accountNumber} не найден"),
            _ => throw new PaymentException($"Платёж №{p.Id} уже исправлен"),
        };
    }
}
