using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Payments;

/// <summary>An account's debt and advance with one supplier (<see cref="SupplierId"/> null: an advance not yet split by supplier).</summary>
public sealed record AccountSupplierBalance(long? SupplierId, string Supplier, decimal Debt, decimal Advance);

/// <summary>The account's last payment that stands (neither a reversal nor reversed or moved away).</summary>
public sealed record LastPayment(long Id, DateOnly ReceivedOn, decimal Amount, PaymentChannel Channel, string Agent);

/// <summary>The account's latest payment document of a month.</summary>
public sealed record LastReceipt(BillingPeriod Month, DateOnly IssuedOn, decimal ToPay);

/// <summary>
/// What the head of an account card shows an operator first: the balance on the day — debt and advance in total and by
/// supplier, from the same debt book that allocates payments — the last payment and the last payment document.
/// </summary>
public sealed record AccountHeadline(AccountBalance Balance, IReadOnlyList<AccountSupplierBalance> BySupplier, LastPayment? Payment, LastReceipt? Receipt)
{
    public static async Task<AccountHeadline> LoadAsync(NpgsqlConnection conn, long accountId, DateOnly today, CancellationToken ct = default)
    {
        var book = (await DebtLedger.LoadAsync(conn, [accountId], lockAccounts: false, ct)).Book(accountId, today);
        var debts = book.Chunks.GroupBy(c => c.SupplierId).ToDictionary(g => g.Key, g => g.Sum(c => c.Outstanding));
        var advances = book.Advances.GroupBy(a => a.SupplierId ?? 0).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        var suppliers = debts.Keys.Union(advances.Keys).ToList();

        var names = new Dictionary<long, string>();
        LastPayment? payment = null;
        LastReceipt? receipt = null;
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, coalesce(short_name, name) FROM organisations WHERE id = ANY(@suppliers);
            SELECT p.id, p.received_on, p.amount, p.channel, coalesce(ag.short_name, ag.name)
            FROM payments p JOIN organisations ag ON ag.id = p.agent_id
            WHERE p.account_id = @account AND p.corrects IS NULL AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.corrects = p.id)
            ORDER BY p.received_on DESC, p.id DESC LIMIT 1;
            SELECT month, issued_on, to_pay FROM receipts WHERE account_id = @account AND kind IN (1, 3) ORDER BY month DESC LIMIT 1;
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("suppliers", suppliers.ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long>("account", accountId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) names[r.GetInt64(0)] = r.GetString(1);
            await r.NextResultAsync(ct);
            if (await r.ReadAsync(ct))
                payment = new LastPayment(r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetDecimal(2), (PaymentChannel)r.GetInt16(3), r.GetString(4));
            await r.NextResultAsync(ct);
            if (await r.ReadAsync(ct))
                receipt = new LastReceipt(r.GetMonth(0), r.GetFieldValue<DateOnly>(1), r.GetDecimal(2));
        }
        var bySupplier = suppliers
            .Select(s => new AccountSupplierBalance(s == 0 ? null : s, s == 0 ? "Аванс, не распределённый по поставщикам" : names.GetValueOrDefault(s, $"Поставщик {s}"),
                debts.GetValueOrDefault(s), advances.GetValueOrDefault(s)))
            .Where(s => s.Debt != 0 || s.Advance != 0)
            .OrderBy(s => s.SupplierId is null).ThenByDescending(s => s.Debt).ThenBy(s => s.Supplier, StringComparer.Ordinal)
            .ToList();
        return new AccountHeadline(new AccountBalance(book.Debt, book.Advance), bySupplier, payment, receipt);
    }
}
