using Npgsql;

namespace OpenErc.Operations.Payments;

/// <summary>
/// An account as those who take money for it see it: the address, the payer — in full for the centre's cashier, masked
/// for a payment agent (a bank shows it to its customer as a check, and must not learn the full name of whoever lives
/// there) — whether the account is closed, and what is owed today.
/// </summary>
public sealed record Payee(long AccountId, string Number, string Address, string? Payer, string? MaskedPayer, bool Closed, AccountBalance Balance);

public static class Payees
{
    /// <summary>The postal address of a premise (<c>p</c>) in its building (<c>b</c>): «…, д. 5, кв. 12».</summary>
    internal const string AddressSql = "b.address || CASE WHEN p.kind = 1 THEN ', кв. ' ELSE ', пом. ' END || p.number";

    /// <summary>The account with this number, or null when there is none.</summary>
    public static async Task<Payee?> FindAsync(string connectionString, string number, DateOnly today, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await FindAsync(conn, number, today, ct);
    }

    /// <inheritdoc cref="FindAsync(string, string, DateOnly, CancellationToken)"/>
    public static async Task<Payee?> FindAsync(NpgsqlConnection conn, string number, DateOnly today, CancellationToken ct = default)
    {
        long id;
        string address;
        string? payer, masked;
        bool closed;
        await using (var cmd = new NpgsqlCommand($"""
            SELECT a.id, {AddressSql},
                   pp.full_name, pp.last_name, pp.first_name, pp.middle_name, coalesce(a.closed_on <= @today, false)
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
            payer = r.IsDBNull(2) ? null : r.GetString(2);
            masked = r.IsDBNull(2) ? null : Mask(r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5));
            closed = r.GetBoolean(6);
        }
        return new Payee(id, number, address, payer, masked, closed, await PaymentSearch.BalanceAsync(conn, id, today, ct));
    }

    /// <summary>"Иванов Иван Иванович" → "И****в И. И.": the first and last letters of the surname and the initials.</summary>
    public static string Mask(string lastName, string firstName, string? middleName)
    {
        var surname = lastName.Length <= 2 ? lastName[..1] + "*" : lastName[0] + new string('*', lastName.Length - 2) + lastName[^1];
        var initials = string.Concat(new[] { firstName, middleName }.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => $" {n![0]}."));
        return surname + initials;
    }
}
