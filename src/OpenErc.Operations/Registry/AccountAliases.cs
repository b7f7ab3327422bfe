using Npgsql;
using OpenErc.Core.Accounts;

namespace OpenErc.Operations.Registry;

/// <summary>
/// An account's other numbers (<see cref="AccountAlias"/>): what a payer, a bank's registry or a citizen gives is
/// the account's own number when it is one, else the account whose other number it is.
/// </summary>
public static class AccountAliases
{
    /// <summary>The account's own number for <paramref name="number"/>, or null when it is neither an account's number nor another number of one.</summary>
    public static async Task<string?> MainNumberAsync(NpgsqlConnection conn, string? number, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(number) || number.Length > 64) return null;
        await using var cmd = new NpgsqlCommand("""
            (SELECT number FROM personal_accounts WHERE number = @n)
            UNION ALL
            (SELECT a.number FROM account_aliases x JOIN personal_accounts a ON a.id = x.account_id WHERE x.number = @alias)
            LIMIT 1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("n", number.Trim()));
        cmd.Parameters.Add(new NpgsqlParameter<string>("alias", AccountAlias.Normalize(number)));
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>The accounts' own numbers of those of <paramref name="numbers"/> that are other numbers of accounts (and not accounts' own numbers).</summary>
    public static async Task<Dictionary<string, string>> ResolveAsync(NpgsqlConnection conn, IReadOnlyCollection<string> numbers, CancellationToken ct = default)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (numbers.Count == 0) return found;
        await using var cmd = new NpgsqlCommand("""
            SELECT t.n, a.number FROM unnest(@numbers) AS t(n)
            JOIN account_aliases x ON x.number = upper(trim(t.n)) JOIN personal_accounts a ON a.id = x.account_id
            WHERE NOT EXISTS (SELECT 1 FROM personal_accounts m WHERE m.number = t.n)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("numbers", numbers.Distinct().ToArray()));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found[r.GetString(0)] = r.GetString(1);
        return found;
    }

    /// <summary>Whether some other number looks like an account's own (10 digits): only then must well-formed numbers be looked up too.</summary>
    public static async Task<bool> AnyLikeOwnAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(@"SELECT EXISTS (SELECT 1 FROM account_aliases WHERE number ~ '^\d{10}$')", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
