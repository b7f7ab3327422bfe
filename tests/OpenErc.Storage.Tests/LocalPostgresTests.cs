using Npgsql;
using Shouldly;
using Xunit;

namespace OpenErc.Storage.Tests;

/// <summary>The embedded cluster: created on first start, reused on the next, adopted when already running, run as postgres under root.</summary>
public sealed class LocalPostgresTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openerc-launcher-" + Guid.NewGuid().ToString("N")[..8]);
    private string Data => Path.Combine(_root, "pg");

    [Fact]
    public async Task First_start_creates_a_cluster_that_answers()
    {
        await using var pg = await LocalPostgres.StartAsync(Data, ct: TestContext.Current.CancellationToken);
        File.Exists(Path.Combine(Data, "PG_VERSION")).ShouldBeTrue();
        (await ScalarAsync(pg.ConnectionString(), "SELECT current_database()")).ShouldBe("openerc");
        (await ScalarAsync(pg.ConnectionString(), "SHOW listen_addresses")).ShouldBe("127.0.0.1");
        pg.Owned.ShouldBeTrue();
    }

    [Fact]
    public async Task Server_runs_as_postgres_when_the_process_is_root()
    {
        await using var pg = await LocalPostgres.StartAsync(Data, ct: TestContext.Current.CancellationToken);
        var expected = Environment.UserName == "root" ? "postgres" : Environment.UserName;
        pg.ServerUser().ShouldBe(expected);
        if (expected == "postgres")
            File.ReadAllText("/proc/self/status").ShouldContain("Uid:\t0"); // the test itself runs as root
    }

    [Fact]
    public async Task Second_start_reuses_the_data()
    {
        var ct = TestContext.Current.CancellationToken;
        string password;
        await using (var first = await LocalPostgres.StartAsync(Data, ct: ct))
        {
            password = first.Password;
            await ExecuteAsync(first.ConnectionString(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('сохранено')");
        }
        await using var second = await LocalPostgres.StartAsync(Data, ct: ct);
        second.Password.ShouldBe(password);
        (await ScalarAsync(second.ConnectionString(), "SELECT v FROM kept")).ShouldBe("сохранено");
    }

    [Fact]
    public async Task A_running_cluster_is_adopted_and_left_running()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var owner = await LocalPostgres.StartAsync(Data, ct: ct);
        await using (var guest = await LocalPostgres.StartAsync(Data, ct: ct))
        {
            guest.Owned.ShouldBeFalse();
            guest.Port.ShouldBe(owner.Port);
        }
        (await ScalarAsync(owner.ConnectionString(), "SELECT 'всё ещё работает'")).ShouldBe("всё ещё работает");
    }

    [Fact]
    public async Task Stop_shuts_the_server_down()
    {
        var pg = await LocalPostgres.StartAsync(Data, ct: TestContext.Current.CancellationToken);
        var cs = pg.ConnectionString();
        await pg.StopAsync();
        File.Exists(Path.Combine(Data, "postmaster.pid")).ShouldBeFalse();
        await Should.ThrowAsync<NpgsqlException>(() => ScalarAsync(cs, "SELECT 1"));
    }

    private static async Task<object?> ScalarAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
