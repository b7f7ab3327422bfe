using Npgsql;

namespace OpenErc.Operations.Payments;

/// <summary>
/// What a payment agent may learn about an account before taking a payment for it: the address, the payer's name
/// masked (a bank shows it to its customer as a check, and must not learn the full name of whoever lives there), whether
/// the account is closed, and what is owed today.
/// </summary>
/// <param name="Debt">Outstanding charges (principal and penalties), roubles.</param>
/// <param name="Advance">Money paid ahead, roubles.</param>
public sealed record Payee(long AccountId, string Number, string Address, string? MaskedPayer, bool Closed, decimal Debt, decimal Advance)
{
    /// <summary>What to pay to owe nothing: the debt less the advance, never below zero.</summary>
    public decimal ToPay => Math.Max(0m, Debt - Advance);
}

public static class Payees
{
    /// <summary>The account with this number, or null when there is none.</summary>
    public static async Task<Payee?> FindAsync(string connectionString, string number, DateOnly today, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        long id;
        string address;
        string? payer;
        bool closed;
        await using (var cmd = new NpgsqlCommand("""
            SELECT a.id, b.address || ', кв. ' || p.number, pp.last_name, pp.first_name, pp.middle_name, coalesce(a.closed_on <= @today, false)
            FROM personal_accounts a
            JOIN premises p ON p.id = a.premise_id
            JOIN buildings b ON b.id = p.building_id
            LEFT JOIN people pp ON pp.id = a.payer_person_id
            WHERE a.number = @number
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("number", number));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            id = r.GetInt64(0);
            address = r.GetString(1);
            payer = r.IsDBNull(2) ? null : Mask(r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4));
            closed = r.GetBoolean(5);
        }
        var book = (await DebtLedger.LoadAsync(conn, [id], lockAccounts: false, ct)).Book(id, today);
        return new Payee(id, number, address, payer, closed, book.Debt, book.Advance);
    }

    /// <summary>"Иванов Иван Иванович" → "И****в И. И.": the first and last letters of the surname and the initials.</summary>
    public static string Mask(string lastName, string firstName, string? middleName)
    {
        var surname = lastName.Length <= 2 ? lastName[..1] + "*" : lastName[0] + new string('*', lastName.Length - 2) + lastName[^1];
        var initials = string.Concat(new[] { firstName, middleName }.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => $" {n![0]}."));
        return surname + initials;
    }
}
