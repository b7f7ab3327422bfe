using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Core.Receipts;
using OpenErc.Exchange.Banks;
using OpenErc.Exchange.Registries;

namespace OpenErc.Operations.Payments;

/// <summary>The steps of a transfer: its totals fixed, the payment order sent to the bank, the bank's confirmation.</summary>
public enum TransferState
{
    [Display(Name = "Подготовлено")] Prepared,
    [Display(Name = "Отправлено")] Sent,
    [Display(Name = "Подтверждено")] Confirmed,
}

/// <summary>
/// What the centre owes a supplier for one day of receipts: <see cref="Amount"/> allocated to it, less its share of the
/// agents' commissions that recipients pay, is <see cref="Net"/>. <see cref="Id"/> and <see cref="State"/> are null until
/// the transfer is prepared; once prepared its figures are the ones fixed then.
/// </summary>
public sealed record SupplierTransfer(long? Id, DateOnly Day, long SupplierId, string Supplier, int Payments, decimal Amount, decimal Commission,
    TransferState? State = null, DateTimeOffset? PreparedAt = null, string? PreparedBy = null, DateTimeOffset? SentAt = null, string? SentBy = null,
    DateTimeOffset? ConfirmedAt = null, string? ConfirmedBy = null)
{
    public decimal Net => Amount - Commission;
}

/// <summary>The centre's account with a supplier: received for it, commissions kept, transferred (sent or confirmed) and what is still to transfer.</summary>
public sealed record SupplierBalance(long SupplierId, string Supplier, decimal Received, decimal Commission, decimal Transferred)
{
    public decimal ToTransfer => Received - Commission - Transferred;
}

/// <param name="Unassigned">Advances paid while an account had no charges to split them by: held by the centre until charges name their suppliers.</param>
public sealed record CentreBalance(IReadOnlyList<SupplierBalance> Suppliers, decimal Unassigned);

/// <summary>
/// Transfers to suppliers (перечисления), one per supplier per day of receipt: the money allocated to the supplier that
/// day less its share of recipient-paid agent commissions (the shares were split by the largest remainder at posting,
/// so they add up to each payment's commission). ПП 253: the money is passed on not later than the working day after it
/// was received, so a day is prepared only once it is over — its receipts are final (every posting and correction is
/// received on the day it is made). Prepared, then sent, then confirmed, each step once and in order, with who and when.
/// </summary>
public static class SupplierTransfers
{
    /// <summary>Every supplier's receipts per day in <c>[from, through]</c>, with the transfer's state where one was prepared; newest day first.</summary>
    public static async Task<IReadOnlyList<SupplierTransfer>> ListAsync(string connectionString, DateOnly from, DateOnly through, long? supplierId = null,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH received AS (
                SELECT received_on AS day, supplier_id, count(DISTINCT payment_id)::int AS payments, sum(amount) AS amount, sum(commission) AS commission
                FROM payment_allocations
                WHERE received_on BETWEEN @from AND @through AND supplier_id IS NOT NULL AND (@supplier::bigint IS NULL OR supplier_id = @supplier)
                GROUP BY 1, 2),
            prepared AS (
                SELECT * FROM supplier_transfers WHERE day BETWEEN @from AND @through AND (@supplier::bigint IS NULL OR supplier_id = @supplier))
            SELECT t.id, coalesce(t.day, r.day), o.id, coalesce(o.short_name, o.name), coalesce(t.payments, r.payments), coalesce(t.amount, r.amount),
                   coalesce(t.commission, r.commission), t.state, t.prepared_at, t.prepared_by, t.sent_at, t.sent_by, t.confirmed_at, t.confirmed_by
            FROM received r FULL JOIN prepared t ON t.day = r.day AND t.supplier_id = r.supplier_id
            JOIN organisations o ON o.id = coalesce(t.supplier_id, r.supplier_id)
            ORDER BY 2 DESC, 4
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("from", from));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("through", through));
        cmd.Parameters.Add(new NpgsqlParameter("supplier", NpgsqlDbType.Bigint) { Value = (object?)supplierId ?? DBNull.Value });
        var list = new List<SupplierTransfer>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new SupplierTransfer(r.IsDBNull(0) ? null : r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetInt64(2), r.GetString(3), r.GetInt32(4),
                r.GetDecimal(5), r.GetDecimal(6), r.IsDBNull(7) ? null : State(r.GetString(7)), Moment(r, 8), Text(r, 9), Moment(r, 10), Text(r, 11),
                Moment(r, 12), Text(r, 13)));
        return list;
    }

    /// <summary>
    /// Fixes the transfers of <paramref name="day"/> for every supplier that received money that day (or for one), those
    /// not prepared yet; refuses today and later days, and a day with nothing left to prepare.
    /// </summary>
    public static async Task<IReadOnlyList<SupplierTransfer>> PrepareAsync(string connectionString, DateOnly day, PostingOptions options, long? supplierId = null,
        CancellationToken ct = default)
    {
        if (day >= options.Today)
            throw new PaymentException($"Перечисление за {day:dd.MM.yyyy} готовится только после окончания этого дня: платежи дня ещё поступают " +
                                       "(ПП № 253 — не позднее рабочего дня, следующего за днём поступления)");
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO supplier_transfers (supplier_id, day, payments, amount, commission, net, state, prepared_at, prepared_by)
                SELECT supplier_id, @day, count(DISTINCT payment_id), sum(amount), sum(commission), sum(amount) - sum(commission), 'prepared', @now, @by
                FROM payment_allocations
                WHERE received_on = @day AND supplier_id IS NOT NULL AND (@supplier::bigint IS NULL OR supplier_id = @supplier)
                GROUP BY supplier_id
                ON CONFLICT (supplier_id, day) DO NOTHING
                RETURNING id
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("day", day));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
            cmd.Parameters.Add(new NpgsqlParameter<string>("by", options.PostedBy));
            cmd.Parameters.Add(new NpgsqlParameter("supplier", NpgsqlDbType.Bigint) { Value = (object?)supplierId ?? DBNull.Value });
            var ids = new HashSet<long>();
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
            if (ids.Count > 0) return (await ListAsync(connectionString, day, day, supplierId, ct)).Where(t => ids.Contains(t.Id!.Value)).ToList();
        }
        bool any = (await ListAsync(connectionString, day, day, supplierId, ct)).Count > 0;
        throw new PaymentException(any ? $"Перечисления за {day:dd.MM.yyyy} уже подготовлены" : $"За {day:dd.MM.yyyy} нет поступлений для перечисления");
    }

    /// <summary>
    /// The payment orders of a day's prepared transfers as a 1C client-bank exchange file (exchange.md §2.4), from the
    /// centre's collecting account (<paramref name="centre"/>) to each supplier's account, numbered on from the year's
    /// last order; the transfers are marked sent in the same transaction. Refused whole, in Russian, when there is
    /// nothing prepared or a supplier lacks its bank requisites.
    /// </summary>
    public static async Task<(string FileName, byte[] Content, int Orders)> PaymentOrdersAsync(string connectionString, DateOnly day, ReceiptParty centre,
        PostingOptions options, CancellationToken ct = default)
    {
        if (centre is not { SettlementAccount: { } ours, Bic: { } bic, CorrespondentAccount: { } corr })
            throw new PaymentException("У расчётного центра не указаны банковские реквизиты: расчётный счёт, БИК, корреспондентский счёт");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT t.id, t.net, t.payments, o.name, o.inn, o.kpp, o.settlement_account, o.bank_name, o.bik, o.correspondent_account,
                   (SELECT coalesce(max(x.order_number), 0) FROM supplier_transfers x WHERE date_part('year', x.day) = date_part('year', @day::date))
            FROM supplier_transfers t JOIN organisations o ON o.id = t.supplier_id
            WHERE t.day = @day AND t.state = 'prepared' AND t.net > 0
            ORDER BY o.name, t.id
            FOR UPDATE OF t
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("day", day));
        var rows = new List<(long Id, decimal Net, int Payments, string Name, string Inn, string? Kpp, string? Account, string? Bank, string? Bik, string? Corr, int Last)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetInt64(0), r.GetDecimal(1), r.GetInt32(2), r.GetString(3), r.GetString(4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8), Text(r, 9),
                    r.GetInt32(10)));
        if (rows.Count == 0) throw new PaymentException($"За {day:dd.MM.yyyy} нет подготовленных перечислений: подготовьте их на странице «Перечисления»");
        var lacking = rows.Where(x => x.Account is null || x.Bik is null || x.Corr is null).Select(x => x.Name).ToList();
        if (lacking.Count > 0)
            throw new PaymentException($"Нет банковских реквизитов (расчётный счёт, БИК, корр. счёт) у поставщиков: {string.Join(", ", lacking)}");

        var payer = new BankParty(centre.Name, centre.Inn, centre.Kpp, ours, centre.BankName ?? "", null, bic, corr);
        var orders = rows.Select((x, i) => new PaymentOrder(x.Last + i + 1, options.Today, x.Net, payer,
            new BankParty(x.Name, x.Inn, x.Kpp, x.Account!, x.Bank ?? "", null, x.Bik!, x.Corr!),
            $"Перечисление платежей населения за ЖКУ, принятых {day:dd.MM.yyyy} ({x.Payments} плат.), за вычетом вознаграждения. НДС не облагается")).ToList();
        await using (var sent = new NpgsqlCommand("""
            UPDATE supplier_transfers t SET state = 'sent', sent_at = @now, sent_by = @by, order_number = n.number
            FROM unnest(@ids, @numbers) AS n(id, number) WHERE t.id = n.id
            """, conn, tx))
        {
            sent.Parameters.Add(new NpgsqlParameter<long[]>("ids", rows.Select(x => x.Id).ToArray()));
            sent.Parameters.Add(new NpgsqlParameter<int[]>("numbers", orders.Select(o => o.Number).ToArray()));
            sent.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
            sent.Parameters.Add(new NpgsqlParameter<string>("by", options.PostedBy));
            await sent.ExecuteNonQueryAsync(ct);
        }
        var content = ClientBankExchange.Write(ours, options.Clock.LocalNow.DateTime, orders);
        await tx.CommitAsync(ct);
        return (string.Create(CultureInfo.InvariantCulture, $"platezhnye_porucheniya_{day:yyyy-MM-dd}.txt"), content, orders.Count);
    }

    /// <summary>Marks a prepared transfer as sent to the bank.</summary>
    public static Task<SupplierTransfer> SendAsync(string connectionString, long transferId, PostingOptions options, CancellationToken ct = default) =>
        StepAsync(connectionString, transferId, TransferState.Prepared, TransferState.Sent, options, ct);

    /// <summary>Marks a sent transfer as confirmed by the bank.</summary>
    public static Task<SupplierTransfer> ConfirmAsync(string connectionString, long transferId, PostingOptions options, CancellationToken ct = default) =>
        StepAsync(connectionString, transferId, TransferState.Sent, TransferState.Confirmed, options, ct);

    /// <summary>Marks prepared transfers as sent to the bank in one go (a day's payment orders): all of them, or — when one is refused — none.</summary>
    public static Task SendAsync(string connectionString, IReadOnlyCollection<long> transferIds, PostingOptions options, CancellationToken ct = default) =>
        StepAllAsync(connectionString, transferIds, TransferState.Prepared, TransferState.Sent, options, ct);

    /// <summary>Marks sent transfers as confirmed by the bank's statement in one go: all of them, or — when one is refused — none.</summary>
    public static Task ConfirmAsync(string connectionString, IReadOnlyCollection<long> transferIds, PostingOptions options, CancellationToken ct = default) =>
        StepAllAsync(connectionString, transferIds, TransferState.Sent, TransferState.Confirmed, options, ct);

    private static async Task<SupplierTransfer> StepAsync(string connectionString, long id, TransferState from, TransferState to, PostingOptions options,
        CancellationToken ct)
    {
        var (day, supplier) = (await StepAllAsync(connectionString, [id], from, to, options, ct))[0];
        return (await ListAsync(connectionString, day, day, supplier, ct)).Single();
    }

    /// <summary>Moves the transfers from <paramref name="from"/> to <paramref name="to"/> in one transaction; their days and suppliers in the order given.</summary>
    private static async Task<List<(DateOnly Day, long Supplier)>> StepAllAsync(string connectionString, IReadOnlyCollection<long> ids, TransferState from,
        TransferState to, PostingOptions options, CancellationToken ct)
    {
        string column = to == TransferState.Sent ? "sent" : "confirmed";
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            WITH changed AS (
                UPDATE supplier_transfers SET state = @to, {column}_at = @now, {column}_by = @by WHERE id = ANY(@ids) AND state = @from RETURNING id)
            SELECT t.id, t.state, t.day, t.supplier_id, t.id IN (SELECT id FROM changed) FROM supplier_transfers t WHERE t.id = ANY(@ids)
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids.ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("from", Name(from)));
        cmd.Parameters.Add(new NpgsqlParameter<string>("to", Name(to)));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", options.Now));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", options.PostedBy));
        var found = new Dictionary<long, (TransferState State, DateOnly Day, long Supplier, bool Changed)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                // The snapshot of the statement sees the row as it was before the update: its state tells why a refusal.
                found[r.GetInt64(0)] = (State(r.GetString(1)), r.GetFieldValue<DateOnly>(2), r.GetInt64(3), r.GetBoolean(4));
        foreach (var id in ids)
        {
            if (!found.TryGetValue(id, out var t)) throw new PaymentException($"Перечисление №{id} не найдено");
            if (!t.Changed)
                throw new PaymentException(t.State switch
                {
                    TransferState.Prepared => $"Перечисление №{id} ещё не отправлено: сначала отметьте отправку",
                    TransferState.Sent when to == TransferState.Sent => $"Перечисление №{id} уже отправлено",
                    _ => $"Перечисление №{id} уже подтверждено",
                });
        }
        await tx.CommitAsync(ct);
        return ids.Select(id => (found[id].Day, found[id].Supplier)).ToList();
    }

    /// <summary>The centre's balance with each supplier over all receipts so far.</summary>
    public static async Task<CentreBalance> BalanceAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH received AS (
                SELECT supplier_id, sum(amount) AS amount, sum(commission) AS commission FROM payment_allocations GROUP BY supplier_id),
            transferred AS (
                SELECT supplier_id, sum(net) AS net FROM supplier_transfers WHERE state IN ('sent', 'confirmed') GROUP BY supplier_id)
            SELECT o.id, coalesce(o.short_name, o.name), coalesce(r.amount, 0), coalesce(r.commission, 0), coalesce(t.net, 0)
            FROM received r FULL JOIN transferred t ON t.supplier_id = r.supplier_id
            JOIN organisations o ON o.id = coalesce(r.supplier_id, t.supplier_id)
            ORDER BY 2;
            SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE supplier_id IS NULL;
            """, conn);
        var suppliers = new List<SupplierBalance>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) suppliers.Add(new SupplierBalance(r.GetInt64(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4)));
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        return new CentreBalance(suppliers, r.GetDecimal(0));
    }

    /// <summary>The allocation lines received for the supplier on the day, in payment order; null for an unknown supplier.</summary>
    public static async Task<TransferRegistry?> RegistryAsync(string connectionString, long supplierId, DateOnly day, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce(short_name, name), inn FROM organisations WHERE id = @supplier;
            SELECT a.payment_id, a.paid_on, p.account_number, p.payer, p.address, s.name, a.service_month, a.kind, a.amount, a.commission
            FROM payment_allocations a
            JOIN payments p ON p.id = a.payment_id
            LEFT JOIN services s ON s.id = a.service_id
            WHERE a.received_on = @day AND a.supplier_id = @supplier
            ORDER BY a.payment_id, a.line
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("supplier", supplierId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("day", day));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var (name, inn) = (r.GetString(0), r.GetString(1));
        await r.NextResultAsync(ct);
        var lines = new List<TransferRegistryLine>();
        while (await r.ReadAsync(ct))
            lines.Add(new TransferRegistryLine(r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), Text(r, 3), Text(r, 4), Text(r, 5),
                r.GetMonthOrNull(6), (AllocationKind)r.GetInt16(7), r.GetDecimal(8), r.GetDecimal(9)));
        return new TransferRegistry(supplierId, name, inn, day, lines);
    }

    private static string Name(TransferState state) => state.ToString().ToLowerInvariant();

    private static TransferState State(string name) => Enum.Parse<TransferState>(name, ignoreCase: true);

    private static DateTimeOffset? Moment(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
