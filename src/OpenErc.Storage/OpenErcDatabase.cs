using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using OpenErc.Core.Common;
using Microsoft.Extensions.Logging;

namespace OpenErc.Storage;

/// <summary>
/// The database the process works with: the configured server, or — when no connection string is
/// configured — the private local cluster in <c>.openerc/pg</c>, started here and stopped on dispose.
/// </summary>
public sealed class OpenErcDatabase : IAsyncDisposable
{
    private OpenErcDatabase(string connectionString, LocalPostgres? local, RegionClock clock)
    {
        ConnectionString = connectionString;
        Local = local;
        Clock = clock;
    }

    public string ConnectionString { get; }

    /// <summary>The region's clock that the contexts made here archive changes by.</summary>
    public RegionClock Clock { get; }

    /// <summary>The embedded cluster when this process started one; null for a configured server.</summary>
    public LocalPostgres? Local { get; }

    public const string DefaultDataDirectory = ".openerc/pg";

    public static async Task<OpenErcDatabase> OpenAsync(string? configuredConnectionString, string? dataDirectory, RegionClock clock, ILogger? log,
        CancellationToken ct = default)
    {
        if (!string.IsNullOrWhiteSpace(configuredConnectionString))
            return new OpenErcDatabase(configuredConnectionString, null, clock);
        var local = await LocalPostgres.StartAsync(ResolveDataDirectory(dataDirectory), log, ct: ct);
        return new OpenErcDatabase(local.ConnectionString(), local, clock);
    }

    /// <summary>
    /// A relative data folder is taken from the root of the source tree (the folder with <c>OpenErc.slnx</c>) when the
    /// process runs inside one, so that the web host and the CLI started with <c>dotnet run --project …</c> share one
    /// cluster; elsewhere (a published build) from the working directory.
    /// </summary>
    public static string ResolveDataDirectory(string? configured)
    {
        var folder = string.IsNullOrWhiteSpace(configured) ? DefaultDataDirectory : configured;
        if (Path.IsPathRooted(folder)) return folder;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenErc.slnx"))) return Path.Combine(dir.FullName, folder);
        return Path.GetFullPath(folder);
    }

    public OpenErcDbContext CreateContext() => new(Options(ConnectionString), Clock);

    public static DbContextOptions<OpenErcDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<OpenErcDbContext>();
        Configure(builder, connectionString);
        return builder.Options;
    }

    public static void Configure(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString).UseSnakeCaseNamingConvention();

    /// <summary>Applies pending EF Core migrations.</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var db = CreateContext();
        await MigrateAsync(db, ct);
    }

    /// <summary>
    /// Applies pending migrations without a command timeout: a migration that rewrites a region's ledger takes as long as
    /// its data (minutes for a year of a large region), and a timeout would only roll it back to be started again.
    /// </summary>
    public static async Task MigrateAsync(OpenErcDbContext db, CancellationToken ct)
    {
        db.Database.SetCommandTimeout(0);
        await db.Database.MigrateAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Local is not null) await Local.DisposeAsync();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<OpenErcDbContext>
{
    public OpenErcDbContext CreateDbContext(string[] args) =>
        new(OpenErcDatabase.Options("Host=127.0.0.1;Database=openerc;Username=openerc"), RegionClock.Machine());
}
