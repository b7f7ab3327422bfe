using System.Security.Cryptography;
using Npgsql;

namespace OpenErc.Operations.Security;

/// <summary>
/// Registration codes for the citizen cabinet: one per account, printed on its ЕПД; with the account number it lets
/// the person who receives the bills register. Ten characters from an alphabet without look-alikes (no 0/O, 1/I)
/// in two groups, «7KQ2M-XH4PA»: 32¹⁰ ≈ 10¹⁵ codes, drawn by a cryptographic generator.
/// </summary>
public static class CabinetCodes
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>The codes of the accounts, made for those that have none yet.</summary>
    public static async Task<Dictionary<long, string>> EnsureAsync(NpgsqlConnection conn, long[] accounts, CancellationToken ct = default)
    {
        var codes = await ReadAsync(conn, accounts, ct);
        // A second round only if a new code collided with another account's (or a concurrent issue made the account's).
        for (int round = 0; round < 3 && codes.Count < accounts.Length; round++)
        {
            var missing = accounts.Where(a => !codes.ContainsKey(a)).ToArray();
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO cabinet_codes (account_id, code) SELECT * FROM unnest(@a, @c) ON CONFLICT DO NOTHING", conn))
            {
                insert.Parameters.Add(new NpgsqlParameter<long[]>("a", missing));
                insert.Parameters.Add(new NpgsqlParameter<string[]>("c", missing.Select(_ => New()).ToArray()));
                await insert.ExecuteNonQueryAsync(ct);
            }
            foreach (var (account, code) in await ReadAsync(conn, missing, ct)) codes[account] = code;
        }
        if (codes.Count < accounts.Length) throw new InvalidOperationException("Не удалось выдать коды регистрации в личном кабинете");
        return codes;
    }

    /// <summary>A new random code.</summary>
    public static string New()
    {
        Span<char> code = stackalloc char[11];
        for (int i = 0; i < code.Length; i++)
            code[i] = i == 5 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(code);
    }

    private static async Task<Dictionary<long, string>> ReadAsync(NpgsqlConnection conn, long[] accounts, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT account_id, code FROM cabinet_codes WHERE account_id = ANY (@a)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("a", accounts));
        var codes = new Dictionary<long, string>(accounts.Length);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) codes[r.GetInt64(0)] = r.GetString(1);
        return codes;
    }
}
