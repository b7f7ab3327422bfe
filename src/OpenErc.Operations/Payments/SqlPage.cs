using Npgsql;
using OpenErc.Operations.Registry;

namespace OpenErc.Operations.Payments;

/// <summary>A page of a list read by two statements: <c>SELECT count(*) …;</c> then the rows with <c>LIMIT @limit OFFSET @offset</c>.</summary>
internal static class SqlPage
{
    public static (int Page, int Size) Clamp(int page, int pageSize) => (Math.Max(page, 1), Math.Clamp(pageSize, 1, AccountSearch.MaxPageSize));

    public static async Task<Page<T>> ReadAsync<T>(NpgsqlCommand cmd, int page, int pageSize, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        (page, pageSize) = Clamp(page, pageSize);
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", pageSize));
        cmd.Parameters.Add(new NpgsqlParameter<int>("offset", (page - 1) * pageSize));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        int total = (int)r.GetInt64(0);
        await r.NextResultAsync(ct);
        var items = new List<T>();
        while (await r.ReadAsync(ct)) items.Add(read(r));
        return new Page<T>(items, total, page, pageSize);
    }
}
