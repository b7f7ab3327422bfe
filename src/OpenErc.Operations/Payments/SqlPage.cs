using Npgsql;
using OpenErc.Operations.Registry;

namespace OpenErc.Operations.Payments;

/// <summary>A page of a list: the rows with <c>LIMIT @limit OFFSET @offset</c> and the total.</summary>
internal static class SqlPage
{
    public static (int Page, int Size) Clamp(int page, int pageSize) => (Math.Max(page, 1), Math.Clamp(pageSize, 1, AccountSearch.MaxPageSize));

    /// <summary>Clamps the page and sets <c>@limit</c> and <c>@offset</c>.</summary>
    private static (int Page, int Size) Bind(NpgsqlCommand cmd, int page, int pageSize)
    {
        (page, pageSize) = Clamp(page, pageSize);
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", pageSize));
        cmd.Parameters.Add(new NpgsqlParameter<int>("offset", (page - 1) * pageSize));
        return (page, pageSize);
    }

    /// <summary>A page read by two statements: <c>SELECT count(*) …;</c> then the rows.</summary>
    public static async Task<Page<T>> ReadAsync<T>(NpgsqlCommand cmd, int page, int pageSize, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        (page, pageSize) = Bind(cmd, page, pageSize);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        int total = (int)r.GetInt64(0);
        await r.NextResultAsync(ct);
        var items = new List<T>();
        while (await r.ReadAsync(ct)) items.Add(read(r));
        return new Page<T>(items, total, page, pageSize);
    }

    /// <summary>
    /// A page from one statement whose rows carry the total in their last column, so what is counted is found once; a
    /// page past the end is a single row whose first column is null, with the total.
    /// </summary>
    public static async Task<Page<T>> ReadTotalledAsync<T>(NpgsqlCommand cmd, int page, int pageSize, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        (page, pageSize) = Bind(cmd, page, pageSize);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<T>();
        int total = 0;
        while (await r.ReadAsync(ct))
        {
            total = (int)r.GetInt64(r.FieldCount - 1);
            if (!r.IsDBNull(0)) items.Add(read(r));
        }
        return new Page<T>(items, total, page, pageSize);
    }
}
