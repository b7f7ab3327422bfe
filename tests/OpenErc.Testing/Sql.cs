using Npgsql;
using Xunit;

namespace OpenErc.Testing;

/// <summary>One-off SQL for test set-ups and checks, on a connection of its own.</summary>
public static class Sql
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    public static async Task ExecAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>
    /// The contents of the whole database: for every table its row count and the md5 of its rows in the order of their text,
    /// and the value of every sequence. Equal digests mean equal data, whatever the tables' physical order.
    /// </summary>
    public static async Task<SortedDictionary<string, string>> DigestsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(Ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", conn))
        await using (var r = await list.ExecuteReaderAsync(Ct))
            while (await r.ReadAsync(Ct)) tables.Add(r.GetString(0));
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand(
                $"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\"), '')) FROM \"{table}\" t", conn);
            digests[table] = (string)(await cmd.ExecuteScalarAsync(Ct))!;
        }
        await using (var sequences = new NpgsqlCommand("SELECT sequencename, coalesce(last_value::text, '-') FROM pg_sequences WHERE schemaname = 'public'", conn))
        await using (var r = await sequences.ExecuteReaderAsync(Ct))
            while (await r.ReadAsync(Ct)) digests["sequence " + r.GetString(0)] = r.GetString(1);
        return digests;
    }
}
