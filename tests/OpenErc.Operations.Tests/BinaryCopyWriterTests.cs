using Npgsql;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>Money and arrays encoded by the COPY writer read back in PostgreSQL as the values written.</summary>
public sealed class BinaryCopyWriterTests(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly decimal[] Amounts =
        [0m, 0.01m, 0.05m, 0.5m, 1m, 9999.99m, 10000m, 10000.01m, 12345.67m, 100000000m, 9999999999999.99m, -0.01m, -1500.5m, -10000m];

    [Fact]
    public async Task Money_and_arrays_read_back_as_written()
    {
        var cs = await cluster.CreateDatabaseAsync("copy_writer");
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        await using (var create = new NpgsqlCommand("""
            CREATE TABLE t (n int, amount numeric(15,2), amounts numeric(15,2)[], ids bigint[], days date[], kinds smallint[])
            """, conn))
            await create.ExecuteNonQueryAsync(Ct);
        long?[] ids = [1, null, long.MaxValue, -5];
        DateOnly?[] days = [new(2026, 11, 1), null, new(1999, 12, 31), new(2000, 1, 1)];
        short[] kinds = [0, 2, short.MaxValue];
        await using (var copy = await conn.BeginRawBinaryCopyAsync("COPY t (n, amount, amounts, ids, days, kinds) FROM STDIN (FORMAT BINARY)", Ct))
        {
            var writer = new BinaryCopyWriter(copy);
            for (int i = 0; i < Amounts.Length; i++)
            {
                writer.StartRow(6);
                writer.Put(i);
                writer.Put(Amounts[i]);
                writer.PutArray(Amounts, i, Amounts.Length - i, static a => a);
                writer.PutArray(ids, 0, i % 2 == 0 ? ids.Length : 1, static v => v);
                writer.PutArray(days, i % days.Length, days.Length - i % days.Length, static d => d);
                writer.PutArray(kinds, 0, kinds.Length, static k => k);
                await writer.FlushIfFullAsync(Ct);
            }
            await writer.FinishAsync(Ct);
        }

        await using var read = new NpgsqlCommand("SELECT n, amount, amounts, ids, days, kinds, amount::text FROM t ORDER BY n", conn);
        await using var r = await read.ExecuteReaderAsync(Ct);
        int rows = 0;
        while (await r.ReadAsync(Ct))
        {
            int i = r.GetInt32(0);
            r.GetDecimal(1).ShouldBe(Amounts[i]);
            r.GetString(6).ShouldBe(Amounts[i].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            r.GetFieldValue<decimal[]>(2).ShouldBe(Amounts[i..]);
            r.GetFieldValue<long?[]>(3).ShouldBe(i % 2 == 0 ? ids : ids[..1]);
            r.GetFieldValue<DateOnly?[]>(4).ShouldBe(days[(i % days.Length)..]);
            r.GetFieldValue<short[]>(5).ShouldBe(kinds);
            rows++;
        }
        rows.ShouldBe(Amounts.Length);
    }
}
