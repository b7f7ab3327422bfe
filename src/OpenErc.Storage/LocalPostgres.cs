using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenErc.Storage;

/// <summary>
/// A private PostgreSQL cluster started from the server binaries installed on the machine
/// (Debian's <c>postgresql</c> package): the embedded default when no connection string is configured.
/// The cluster lives in its own data folder, listens on a free loopback port (TCP only, password auth),
/// and is reused on the next start. PostgreSQL refuses to run as root, so as root every server command
/// runs as the <c>postgres</c> user, which must own the data folder and be able to reach it.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string User = "openerc";

    private readonly string _bin;
    private readonly bool _asPostgres;
    private readonly bool _throwaway;
    private readonly ILogger? _log;
    private readonly bool _owned;
    private bool _stopped;

    private LocalPostgres(string dataDirectory, string bin, bool asPostgres, bool throwaway, int port, string password, ILogger? log, bool owned = true)
    {
        _owned = owned;
        DataDirectory = dataDirectory;
        _bin = bin;
        _asPostgres = asPostgres;
        _throwaway = throwaway;
        Port = port;
        Password = password;
        _log = log;
    }

    /// <summary>The cluster's data folder (PGDATA).</summary>
    public string DataDirectory { get; }
    public int Port { get; }
    public string Password { get; }

    public string ConnectionString(string database = "openerc") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Password = Password,
        Database = database,
        // Bulk loads and region-scale runs hold connections for minutes.
        CommandTimeout = 0,
        MaxPoolSize = 50,
    }.ConnectionString;

    /// <summary>
    /// Starts (creating if needed) the cluster in <paramref name="dataDirectory"/>. A cluster that is already
    /// running there (left by a killed process) is adopted. <paramref name="throwaway"/> clusters skip fsync and
    /// are deleted when disposed: for tests only.
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(string dataDirectory, ILogger? log = null, bool throwaway = false, CancellationToken ct = default)
    {
        var bin = FindBinaries();
        bool asPostgres = geteuid() == 0;
        var data = Path.GetFullPath(dataDirectory);
        if (asPostgres && !PostgresCanReach(Path.GetDirectoryName(data)!))
        {
            var fallback = Path.Combine("/var/tmp", "openerc-pg-" + Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(data)))[..12].ToLowerInvariant());
            log?.LogWarning("The postgres user cannot reach {Data}; the cluster lives in {Fallback} instead", data, fallback);
            data = fallback;
        }

        var passwordFile = data + ".password";
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            await InitAsync(bin, data, password, asPostgres, log, ct);
            await File.WriteAllTextAsync(passwordFile, password, ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var pass = (await File.ReadAllTextAsync(passwordFile, ct)).Trim();

        if (RunningPort(bin, data, asPostgres) is { } running)
        {
            // Another process (a web host, a CLI command) runs it, or a killed one left it: use it, leave it running.
            log?.LogInformation("Using the PostgreSQL cluster already running in {Data} on port {Port}", data, running);
            return new LocalPostgres(data, bin, asPostgres, throwaway, running, pass, log, owned: false);
        }

        int port = await StartServerAsync(bin, data, asPostgres, throwaway, log, ct);
        log?.LogInformation("Started PostgreSQL in {Data} on 127.0.0.1:{Port}", data, port);

        var pg = new LocalPostgres(data, bin, asPostgres, throwaway, port, pass, log);
        await pg.EnsureDatabaseAsync("openerc", ct);
        return pg;
    }

    /// <summary>
    /// Starts the server on a free port. The port is free when chosen but another process may take it before the server
    /// binds it (test runs start several clusters at once): then the start is tried again on another port. Any other
    /// failure throws with the end of the server's log, which is where PostgreSQL says why.
    /// </summary>
    private static async Task<int> StartServerAsync(string bin, string data, bool asPostgres, bool throwaway, ILogger? log, CancellationToken ct)
    {
        var serverLog = Path.Combine(data, "server.log");
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            // No JIT: the centre's statements are index lookups and month-sized aggregates whose estimated cost passes JIT's
            // threshold while compiling takes longer than running (closing a 2,000-account month's unsplit advances: 795 ms
            // with JIT, 13 ms without). A random page costs little more than a sequential one: the cluster's files are on the
            // machine's own disk (SSD) and a region's registry stays in memory, and with the default (4) the planner read all
            // of a region's 1.1 M accounts to find a street's 17 thousand (186 ms against 33 ms through the index). A server
            // of one's own should be configured the same (README, "Configuration").
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_buffers=256MB -c max_wal_size=4GB -c jit=off"
                          + " -c random_page_cost=1.1"
                          // A test run's cluster serves many databases at once, each with its own connection pool.
                          + (throwaway ? " -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" : " -c max_connections=200");
            long logStart = File.Exists(serverLog) ? new FileInfo(serverLog).Length : 0;
            try
            {
                await RunAsync(bin, "pg_ctl", asPostgres, ct, "-D", data, "-l", serverLog, "-o", options, "-w", "-t", "120", "start");
                return port;
            }
            catch (InvalidOperationException e) when (!ct.IsCancellationRequested)
            {
                var said = LogSince(serverLog, logStart);
                if (attempt < 3 && said.Contains("could not bind", StringComparison.Ordinal))
                {
                    log?.LogWarning("Port {Port} was taken before PostgreSQL bound it; trying another", port);
                    continue;
                }
                throw new InvalidOperationException($"{e.Message}\nЖурнал сервера ({serverLog}):\n{said}", e);
            }
        }
    }

    /// <summary>What the server's log gained since <paramref name="offset"/>, at most its last 4,000 characters.</summary>
    private static string LogSince(string path, long offset)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            var text = new StreamReader(stream).ReadToEnd().Trim();
            return text.Length > 4000 ? text[^4000..] : text;
        }
        catch (IOException e)
        {
            return e.Message;
        }
        catch (UnauthorizedAccessException e)
        {
            return e.Message;
        }
    }

    /// <summary>Creates a database if it does not exist, optionally as a copy of a template.</summary>
    public async Task EnsureDatabaseAsync(string name, CancellationToken ct = default, string? template = null)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        exists.Parameters.AddWithValue("n", name);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        var sql = $"CREATE DATABASE \"{name}\"" + (template is null ? "" : $" TEMPLATE \"{template}\"");
        await using var create = new NpgsqlCommand(sql, conn);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>False when the cluster was already running and this process only connected to it.</summary>
    public bool Owned => _owned;

    /// <summary>Stops the cluster if this process started it.</summary>
    public async Task StopAsync()
    {
        if (_stopped || !_owned) return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        await RunAsync(_bin, "pg_ctl", _asPostgres, CancellationToken.None, "-D", DataDirectory, "-m", "fast", "-w", "stop");
        _log?.LogInformation("Stopped PostgreSQL in {Data}", DataDirectory);
        if (_throwaway)
        {
            Directory.Delete(DataDirectory, recursive: true);
            File.Delete(DataDirectory + ".password");
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Stops the cluster running in <paramref name="dataDirectory"/>, whoever started it; false when none runs there.</summary>
    public static async Task<bool> StopRunningAsync(string dataDirectory, CancellationToken ct = default)
    {
        var bin = FindBinaries();
        bool asPostgres = geteuid() == 0;
        var data = Path.GetFullPath(dataDirectory);
        if (RunningPort(bin, data, asPostgres) is null) return false;
        NpgsqlConnection.ClearAllPools();
        await RunAsync(bin, "pg_ctl", asPostgres, ct, "-D", data, "-m", "fast", "-w", "stop");
        return true;
    }

    /// <summary>The owner of the running server process, for diagnostics and tests.</summary>
    public string ServerUser()
    {
        var pid = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First().Trim();
        var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        return uid == "0" ? "root" : File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[2] == uid)[0];
    }

    private static async Task InitAsync(string bin, string data, string password, bool asPostgres, ILogger? log, CancellationToken ct)
    {
        Directory.CreateDirectory(data);
        var pwfile = Path.Combine(Path.GetDirectoryName(data)!, $".pwfile-{Environment.ProcessId}");
        await File.WriteAllTextAsync(pwfile, password, ct);
        try
        {
            if (asPostgres)
            {
                await RunAsync(bin, "/usr/bin/chown", false, ct, "postgres:postgres", data, pwfile);
            }
            log?.LogInformation("Creating a PostgreSQL cluster in {Data}", data);
            await RunAsync(bin, "initdb", asPostgres, ct, "-D", data, "-U", User, "--pwfile", pwfile,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    private static int? RunningPort(string bin, string data, bool asPostgres)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var status = Run(bin, "pg_ctl", asPostgres, "-D", data, "status");
        if (status.ExitCode != 0) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    /// <summary>The folder of the PostgreSQL programs: env <c>OPENERC_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    internal static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("OPENERC_PG_BIN");
        if (!string.IsNullOrEmpty(configured)) return configured;
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")))
                .OrderByDescending(x => x.Version).Select(x => x.Dir).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "Не найдены программы сервера PostgreSQL (/usr/lib/postgresql/*/bin). Установите пакет postgresql " +
            "(apt-get install postgresql) или укажите строку подключения ConnectionStrings:OpenErc / OPENERC_DB.");
    }

    /// <summary>True when the postgres user can traverse every parent of the folder and write into it.</summary>
    private static bool PostgresCanReach(string folder)
    {
        Directory.CreateDirectory(folder);
        if (OperatingSystem.IsWindows()) return true;
        for (var dir = new DirectoryInfo(folder); dir.Parent is not null; dir = dir.Parent)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute)) return false;
        }
        return true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsync(string bin, string tool, bool asPostgres, CancellationToken ct, params string[] args) =>
        RunAsync(bin, tool, asPostgres, null, ct, args);

    /// <summary>
    /// Runs a PostgreSQL program of <paramref name="bin"/> (or a rooted <paramref name="tool"/>) to its end, with
    /// <paramref name="environment"/> added to ours; throws with its output when it fails. Cancelling kills it.
    /// </summary>
    internal static async Task RunAsync(string bin, string tool, bool asPostgres, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct, params string[] args)
    {
        var result = await Task.Run(() => Run(bin, tool, asPostgres, environment, ct, args), ct);
        ct.ThrowIfCancellationRequested();
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} завершился с кодом {result.ExitCode}: {result.Output.Trim()}");
    }

    private static (int ExitCode, string Output) Run(string bin, string tool, bool asPostgres, params string[] args) =>
        Run(bin, tool, asPostgres, null, CancellationToken.None, args);

    private static (int ExitCode, string Output) Run(string bin, string tool, bool asPostgres, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct, params string[] args)
    {
        var exe = Path.IsPathRooted(tool) ? tool : Path.Combine(bin, tool);
        var psi = asPostgres && !Path.IsPathRooted(tool)
            ? new ProcessStartInfo("/usr/sbin/runuser") { ArgumentList = { "-u", "postgres", "--", exe } }
            : new ProcessStartInfo(exe);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        // The server must not inherit our working directory when it is unreachable for postgres.
        psi.WorkingDirectory = "/";
        using var p = Process.Start(psi)!;
        // Cancelling kills the program (pg_dump, pg_restore), not its children: a server that pg_ctl has started stays up.
        using var cancel = ct.Register(() =>
        {
            try { p.Kill(); } catch (InvalidOperationException) { /* it has exited */ }
        });
        // pg_ctl start leaves the server holding our pipes: read to the end only after the tool exits.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return (p.ExitCode, (stdout.IsCompleted ? stdout.Result : "") + (stderr.IsCompleted ? stderr.Result : ""));
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}
