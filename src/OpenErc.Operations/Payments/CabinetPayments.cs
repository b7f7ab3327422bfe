using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;

namespace OpenErc.Operations.Payments;

public enum CabinetOrderState { Created, Paid, Cancelled }

/// <summary>A card payment the citizen started in the cabinet.</summary>
public sealed record CabinetOrder(Guid Id, string Acquirer, long AgentId, string AccountNumber, long AccountId, decimal Amount, BillingPeriod? Period,
    CabinetOrderState State, long? PaymentId, DateTimeOffset CreatedAt);

/// <summary>What an acquiring bank told us about an order: paid, or cancelled by the citizen.</summary>
public sealed record AcquirerNotice(Guid OrderId, bool Paid);

/// <summary>
/// The seam to the acquiring bank that takes card payments for the cabinet: it registers an order and gives the page
/// where the citizen pays; when the citizen has paid (or given up) it notifies us, and only a notice it vouches for
/// (its signature) is taken.
/// </summary>
public interface IAcquirer
{
    /// <summary>Stored with each order: which acquirer took it.</summary>
    string Name { get; }

    /// <summary>Registers the order with the bank; the address of the bank's payment page for it.</summary>
    Task<string> RegisterAsync(CabinetOrder order, CancellationToken ct);

    /// <summary>The notice in the fields of a callback, or null when it is not genuine (no or a wrong signature, unknown fields).</summary>
    AcquirerNotice? ReadNotice(IReadOnlyDictionary<string, string> fields);
}

/// <summary>
/// Card payments from the citizen cabinet: an order is created for an open account, the citizen pays on the acquirer's
/// page, and the acquirer's callback posts the payment (channel <see cref="PaymentChannel.Cabinet"/>, agent = the
/// acquiring bank, the agent's payment id = the order id) in the transaction that marks the order paid. A repeated or
/// concurrent callback finds the order paid and posts nothing again; a payment reported after a cancellation is still
/// posted (the money was taken).
/// </summary>
public static class CabinetPayments
{
    /// <summary>Creates an order for the account; the errors by field in Russian, and nothing created, when the request is wrong.</summary>
    /// <param name="orderId">The order's id when the caller makes it (the demo region's history makes it from its seed); otherwise a new version-7 GUID.</param>
    public static async Task<(CabinetOrder? Order, Dictionary<string, string[]> Errors)> CreateAsync(string connectionString, IAcquirer acquirer, long agentId,
        string? accountNumber, decimal? amount, BillingPeriod? period, PostingOptions options, CancellationToken ct = default, Guid? orderId = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (AccountNumber.Check(accountNumber) is { } badNumber) errors["accountNumber"] = [badNumber];
        if (amount is null) errors["amount"] = ["Укажите сумму платежа"];
        else if (PaymentAmount.Check(amount.Value).Message is { } badAmount) errors["amount"] = [badAmount];
        if (errors.Count > 0) return (null, errors);

        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO cabinet_orders (id, acquirer, agent_id, account_number, account_id, amount, period, created_at)
            SELECT @id, @acquirer, @agent, number, id, @amount, @period, @now FROM personal_accounts
            WHERE number = @number AND coalesce(closed_on > @today, true)
            RETURNING account_id
            """, conn);
        var order = new CabinetOrder(orderId ?? Guid.CreateVersion7(), acquirer.Name, agentId, accountNumber!, 0, amount!.Value, period, CabinetOrderState.Created, null, options.Now);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", order.Id));
        cmd.Parameters.Add(new NpgsqlParameter<string>("acquirer", order.Acquirer));
        cmd.Parameters.Add(new NpgsqlParameter<long>("agent", agentId));
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("amount", order.Amount));
        cmd.Parameters.Add(MonthParameter("period", period));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", order.CreatedAt));
        cmd.Parameters.Add(new NpgsqlParameter<string>("number", order.AccountNumber));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", options.Today));
        if (await cmd.ExecuteScalarAsync(ct) is not long accountId)
            return (null, new() { ["accountNumber"] = [$"Лицевой счёт {accountNumber} не найден или закрыт"] });
        return (order with { AccountId = accountId }, errors);
    }

    /// <summary>The order, or null when there is none with this id.</summary>
    public static async Task<CabinetOrder?> FindAsync(string connectionString, Guid id, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await ReadAsync(conn, id, forUpdate: false, ct);
    }

    /// <summary>
    /// Applies the acquirer's notice: a payment posts the order's payment (once, whatever the number of callbacks); a
    /// cancellation cancels an order not yet paid. Null when there is no such order.
    /// </summary>
    public static async Task<CabinetOrder?> ConfirmAsync(string connectionString, AcquirerNotice notice, PostingOptions options, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await PaymentPosting.EnsurePartitionsAsync(conn, BillingPeriod.Of(options.Today), ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The row lock makes concurrent callbacks of one order take turns: the second finds it paid.
        var order = await ReadAsync(conn, notice.OrderId, forUpdate: true, ct);
        if (order is null || order.State == CabinetOrderState.Paid || (!notice.Paid && order.State == CabinetOrderState.Cancelled)) return order;
        long? paymentId = null;
        if (notice.Paid)
        {
            var intake = new PaymentIntake(order.AgentId, order.Id.ToString("N"), PaymentChannel.Cabinet, order.AccountNumber, order.Amount, options.Now, order.Period);
            // The money is taken: it lands even if the account has been closed or renumbered since (suspense then).
            var posted = (await PaymentPosting.PostAsync(conn, [intake], options with { AllowSuspense = true, RefuseClosedAccounts = false }, ct))[0];
            Invariant.Holds(posted.Accepted && posted.PaymentId is not null, $"Платёж заказа {order.Id} не проведён: {posted.Message}");
            paymentId = posted.PaymentId;
        }
        await using (var cmd = new NpgsqlCommand(
            "UPDATE cabinet_orders SET state = @state, payment_id = @payment, finished_at = @now WHERE id = @id", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("state", notice.Paid ? "paid" : "cancelled"));
            cmd.Parameters.Add(new NpgsqlParameter("payment", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)paymentId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
            cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", order.Id));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return order with { State = notice.Paid ? CabinetOrderState.Paid : CabinetOrderState.Cancelled, PaymentId = paymentId };
    }

    private static async Task<CabinetOrder?> ReadAsync(NpgsqlConnection conn, Guid id, bool forUpdate, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT id, acquirer, agent_id, account_number, account_id, amount, period, state, payment_id, created_at
            FROM cabinet_orders WHERE id = @id {(forUpdate ? "FOR UPDATE" : "")}
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new CabinetOrder(r.GetGuid(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetDecimal(5),
            r.GetMonthOrNull(6), Enum.Parse<CabinetOrderState>(r.GetString(7), ignoreCase: true),
            r.IsDBNull(8) ? null : r.GetInt64(8), r.GetFieldValue<DateTimeOffset>(9));
    }
}
