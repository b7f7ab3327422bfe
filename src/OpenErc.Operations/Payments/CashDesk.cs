using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Organisations;

namespace OpenErc.Operations.Payments;

/// <summary>A cashier's shift at a desk of the centre; <see cref="ClosedAt"/> is null while it is open.</summary>
public sealed record CashShift(long Id, string Cashier, string Desk, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt)
{
    public bool IsOpen => ClosedAt is null;
}

/// <summary>An account as the cashier sees it before taking the money.</summary>
public sealed record CashAccount(long Id, string Number, string? Payer, string Address, AccountBalance Balance);

/// <summary>
/// A payment at the desk. <see cref="Key"/> is made by the form when it opens (one per payment being entered): a second
/// click, a retry or a reloaded request under the same key gets the payment already taken instead of a second one.
/// </summary>
public sealed record CashPayment(string Key, string AccountNumber, decimal Amount, BillingPeriod? Period = null);

/// <summary>A payment of the shift with its cancellation, if any.</summary>
public sealed record ShiftPayment(long Id, DateTimeOffset PaidAt, string AccountNumber, string? Payer, string? Address, decimal Amount,
    long? CancelledBy, string? CancelReason);

/// <summary>One hour of the shift (local time of the region).</summary>
public sealed record ShiftHour(int Hour, int Count, decimal Total, int Cancellations, decimal Cancelled);

/// <summary>What a shift took: every payment, its cancellations and the totals; <see cref="Net"/> is what the cash box must hold.</summary>
public sealed record ShiftReport(CashShift Shift, IReadOnlyList<ShiftPayment> Payments, IReadOnlyList<ShiftHour> Hours)
{
    public int Count => Payments.Count;
    public decimal Total => Payments.Sum(p => p.Amount);
    public int Cancellations => Payments.Count(p => p.CancelledBy is not null);
    public decimal Cancelled => Payments.Where(p => p.CancelledBy is not null).Sum(p => p.Amount);
    public decimal Net => Total - Cancelled;
}

/// <summary>
/// The centre's own cash desk (Касса): a cashier opens a shift, takes payments by account number on behalf of the centre
/// (the organisation of kind <see cref="OrganisationKind.BillingCentre"/> is the agent, no commission), may cancel a
/// payment of the open shift with a reason (a reversal carrying the shift, so the shift's report nets it), and closes the
/// shift with its report. A closed shift takes nothing more and cancels nothing: a later correction is the financier's
/// reversal in the payment search.
/// </summary>
/// <remarks>
/// Fiscal receipts are a seam beyond this: under 54-ФЗ a cash payment from a person is registered by an online cash
/// register (ККТ) that sends the fiscal receipt to the tax service through an operator of fiscal data. The receipt this
/// desk prints is the centre's payment document, not a fiscal one; a ККТ driver would be called after
/// <see cref="PayAsync"/> commits and for each cancellation (a return receipt).
/// </remarks>
public static class CashDesk
{
    public static async Task<CashShift> OpenShiftAsync(string connectionString, string cashier, string desk, PostingOptions options, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(cashier)) throw new PaymentException("Укажите кассира");
        if (string.IsNullOrWhiteSpace(desk)) throw new PaymentException("Укажите кассу");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO cash_shifts (cashier, desk, opened_at) VALUES (@cashier, @desk, @now)
            ON CONFLICT (cashier) WHERE state = 'open' DO NOTHING RETURNING id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("cashier", cashier.Trim()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("desk", desk.Trim()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
        if (await cmd.ExecuteScalarAsync(ct) is long id) return (await ShiftAsync(conn, id, ct))!;
        var open = (await OpenShiftsAsync(conn, ct)).First(s => s.Cashier == cashier.Trim());
        throw new PaymentException($"У кассира {open.Cashier} уже открыта смена №{open.Id} ({open.Desk}): закройте её, прежде чем открыть новую");
    }

    public static async Task<IReadOnlyList<CashShift>> OpenShiftsAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await OpenShiftsAsync(conn, ct);
    }

    public static async Task<CashShift?> ShiftAsync(string connectionString, long shiftId, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await ShiftAsync(conn, shiftId, ct);
    }

    /// <summary>The account with this number, its payer, address and balance; refuses a malformed or unknown number.</summary>
    public static async Task<CashAccount> FindAccountAsync(string connectionString, string accountNumber, DateOnly today, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await FindAccountAsync(conn, accountNumber, today, ct);
    }

    /// <summary>
    /// Takes a payment in the open shift (it is locked against closing until the payment commits). A repeat of the
    /// same <see cref="CashPayment.Key"/> answers with the payment already taken (<see cref="PostingOutcome.Repeated"/>).
    /// </summary>
    public static async Task<PostingResult> PayAsync(string connectionString, long shiftId, CashPayment payment, PostingOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(payment.Key);
        if (payment.Amount <= 0 || decimal.Round(payment.Amount, 2) != payment.Amount)
            throw new PaymentException("Сумма платежа должна быть больше нуля и в рублях с копейками, например 1 250,50");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, BillingPeriod.Of(options.Today), ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT state FROM cash_shifts WHERE id = @id FOR SHARE", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", shiftId));
            var state = await cmd.ExecuteScalarAsync(ct) as string ?? throw new PaymentException($"Смена №{shiftId} не найдена");
            if (state != "open") throw new PaymentException($"Смена №{shiftId} закрыта: платежи принимаются только в открытой смене");
        }
        long centre = await CentreAsync(conn, ct);
        var account = await FindAccountAsync(conn, payment.AccountNumber, options.Today, ct);
        var intake = new PaymentIntake(centre, payment.Key, PaymentChannel.CashDesk, account.Number, payment.Amount, options.Now, payment.Period,
            Commission: 0m, Payer: account.Payer, Address: account.Address, ShiftId: shiftId, CommissionByPayer: false);
        var result = (await PaymentPosting.PostAsync(conn, [intake], options with { AllowSuspense = false }, ct))[0];
        if (!result.Accepted) throw new PaymentException(result.Message ?? "Платёж не принят");
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Cancels a payment taken in this shift while the shift is open: a reversal with the reason, carrying the shift.
    /// (A shift closed between the check and the reversal still nets it in its report: the reversal carries its id.)
    /// </summary>
    public static async Task<CorrectionResult> CancelAsync(string connectionString, long shiftId, long paymentId, string reason, PostingOptions options,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new PaymentException("Укажите причину отмены платежа");
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            var shift = await ShiftAsync(conn, shiftId, ct) ?? throw new PaymentException($"Смена №{shiftId} не найдена");
            if (!shift.IsOpen)
                throw new PaymentException($"Смена №{shiftId} закрыта: отменить платёж можно только в открытой смене, теперь — только сторно в поиске платежей");
            await using var cmd = new NpgsqlCommand("SELECT shift_id IS NOT DISTINCT FROM @shift AND correction IS NULL FROM payments WHERE id = @id", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long>("shift", shiftId));
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", paymentId));
            var ofShift = await cmd.ExecuteScalarAsync(ct) as bool? ?? throw new PaymentException($"Платёж №{paymentId} не найден");
            if (!ofShift) throw new PaymentException($"Платёж №{paymentId} принят не в смене №{shiftId}: в этой смене его отменить нельзя");
        }
        return await PaymentCorrections.ReverseAsync(connectionString, paymentId, reason.Trim(), options, shiftId, ct);
    }

    /// <summary>Closes the shift and returns its report; a closed shift is refused.</summary>
    public static async Task<ShiftReport> CloseShiftAsync(string connectionString, long shiftId, PostingOptions options, CancellationToken ct = default)
    {
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("""
                UPDATE cash_shifts SET state = 'closed', closed_at = @now WHERE id = @id AND state = 'open' RETURNING id
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", shiftId));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
            if (await cmd.ExecuteScalarAsync(ct) is null)
                throw new PaymentException(await ShiftAsync(conn, shiftId, ct) is null ? $"Смена №{shiftId} не найдена" : $"Смена №{shiftId} уже закрыта");
        }
        return (await ReportAsync(connectionString, shiftId, options.Clock, ct))!;
    }

    /// <summary>The shift's payments (each with its cancellation) and totals, by hour in the region's time; null for an unknown shift.</summary>
    public static async Task<ShiftReport?> ReportAsync(string connectionString, long shiftId, RegionClock clock, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        if (await ShiftAsync(conn, shiftId, ct) is not { } shift) return null;
        await using var cmd = new NpgsqlCommand("""
            SELECT p.id, p.paid_at, p.account_number, p.payer, p.address, p.amount, c.id, c.reason
            FROM payments p
            LEFT JOIN payments c ON c.corrects = p.id AND c.correction = 'reversal' AND c.shift_id = p.shift_id
            WHERE p.shift_id = @id AND p.correction IS NULL
            ORDER BY p.paid_at, p.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", shiftId));
        var payments = new List<ShiftPayment>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                payments.Add(new ShiftPayment(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.GetDecimal(5), r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7)));
        var hours = payments.GroupBy(p => clock.Local(p.PaidAt).Hour).OrderBy(g => g.Key)
            .Select(g => new ShiftHour(g.Key, g.Count(), g.Sum(p => p.Amount), g.Count(p => p.CancelledBy is not null),
                g.Where(p => p.CancelledBy is not null).Sum(p => p.Amount)))
            .ToList();
        return new ShiftReport(shift, payments, hours);
    }

    /// <summary>The centre's own organisation: the agent of every cash-desk payment and the name on its receipts.</summary>
    public static async Task<(long Id, string Name, string Inn)?> CentreAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT id, name, inn FROM organisations WHERE kind = @kind ORDER BY id LIMIT 1", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("kind", (int)OrganisationKind.BillingCentre));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetString(1), r.GetString(2)) : null;
    }

    private static async Task<long> CentreAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT min(id) FROM organisations WHERE kind = @kind", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("kind", (int)OrganisationKind.BillingCentre));
        return await cmd.ExecuteScalarAsync(ct) as long?
            ?? throw new PaymentException("В справочнике организаций нет расчётного центра: касса принимает платежи от его имени");
    }

    private static async Task<CashAccount> FindAccountAsync(NpgsqlConnection conn, string accountNumber, DateOnly today, CancellationToken ct)
    {
        var number = (accountNumber ?? "").Trim();
        if (Core.Accounts.AccountNumber.Check(number) is { } bad) throw new PaymentException(bad);
        var payee = await Payees.FindAsync(conn, number, today, ct) ?? throw new PaymentException($"Лицевой счёт {number} не найден");
        return new CashAccount(payee.AccountId, payee.Number, payee.Payer, payee.Address, payee.Balance);
    }

    private static async Task<List<CashShift>> OpenShiftsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await ShiftsAsync(conn, "state = 'open' ORDER BY opened_at", null, ct);

    private static async Task<CashShift?> ShiftAsync(NpgsqlConnection conn, long id, CancellationToken ct) =>
        (await ShiftsAsync(conn, "id = @id", id, ct)).SingleOrDefault();

    private static async Task<List<CashShift>> ShiftsAsync(NpgsqlConnection conn, string where, long? id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT id, cashier, desk, opened_at, closed_at FROM cash_shifts WHERE {where}", conn);
        if (id is { } value) cmd.Parameters.Add(new NpgsqlParameter<long>("id", value));
        var shifts = new List<CashShift>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            shifts.Add(new CashShift(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4)));
        return shifts;
    }
}
