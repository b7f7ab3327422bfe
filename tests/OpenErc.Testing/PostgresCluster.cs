using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Storage;
using Xunit;

namespace OpenErc.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster per test run (an assembly fixture), started by the same launcher as the app.
/// The schema is migrated once into a template; each test class gets a fresh copy of it.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string Template = "openerc_template";
    private string _root = "";
    private int _databases;

    public LocalPostgres Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "openerc-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Server = await LocalPostgres.StartAsync(Path.Combine(_root, "pg"), throwaway: true);
        await Server.EnsureDatabaseAsync(Template);
        await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(Server.ConnectionString(Template)), TestClock.On(2026, 1, 1)))
            await db.Database.MigrateAsync();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A new database with the current schema and no data; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}";
        await Server.EnsureDatabaseAsync(name, template: Template);
        return Server.ConnectionString(name);
    }

    /// <summary>
    /// A copy of a database with its data, for a test that changes a shared fixture's region: the source's pooled
    /// connections are closed first (PostgreSQL copies only a database nobody is connected to).
    /// </summary>
    public async Task<string> CopyDatabaseAsync(string connectionString, string prefix)
    {
        NpgsqlConnection.ClearAllPools(); // connections in use are not touched: they close when returned
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using (var conn = new NpgsqlConnection(Server.ConnectionString("postgres")))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND state = 'idle' AND pid <> pg_backend_pid()", conn);
            cmd.Parameters.AddWithValue("db", database!);
            await cmd.ExecuteScalarAsync();
        }
        var name = $"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}";
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await Server.EnsureDatabaseAsync(name, template: database);
                return Server.ConnectionString(name);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                await Task.Delay(100); // a terminated server process is still ending
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}

/// <summary>A fresh database for one test class.</summary>
public class TestDatabase(PostgresCluster cluster) : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public virtual async ValueTask InitializeAsync() => ConnectionString = await cluster.CreateDatabaseAsync("test");

    /// <summary>The test's day: the region's clock of the class stands at noon of it until a test moves it.</summary>
    public virtual DateOnly Today => new(2026, 11, 20);

    /// <summary>The region's clock of the class.</summary>
    public RegionClock Clock => _clock ??= TestClock.On(Today);
    private RegionClock? _clock;

    public OpenErcDbContext CreateContext() => new(OpenErcDatabase.Options(ConnectionString), Clock);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
