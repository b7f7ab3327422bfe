using System.Text.Json;
using OpenErc.Core.Common;
using OpenErc.Operations.Demo;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>A benchmark's own database: a throwaway embedded cluster in a temporary folder with a demo region, deleted afterwards.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly LocalPostgres _server;

    private BenchDatabase(string root, LocalPostgres server, string connectionString) => (Root, _server, ConnectionString) = (root, server, connectionString);

    public string Root { get; }
    public string ConnectionString { get; }

    /// <summary>CPU seconds the database server has used so far: the postmaster and its live backends (Linux).</summary>
    public decimal ServerCpuSeconds()
    {
        int postmaster = int.Parse(File.ReadLines(Path.Combine(_server.DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        return Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit))
            .Select(n => ProcStat(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)))
            .Where(s => s is { } stat && (stat.Pid == postmaster || stat.Parent == postmaster)).Sum(s => s!.Value.CpuSeconds);
    }

    /// <summary>A process's parent and CPU seconds (user + system) from <c>/proc/PID/stat</c>; null when it has gone.</summary>
    public static (int Pid, int Parent, decimal CpuSeconds)? ProcStat(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        // Fields after the command in parentheses: state, ppid, …, utime (14th field) and stime (15th), in clock ticks of 1/100 s.
        var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return (pid, int.Parse(f[1], inv), (long.Parse(f[11], inv) + long.Parse(f[12], inv)) / 100m);
    }

    public static async Task<BenchDatabase> CreateAsync(int accounts, BillingPeriod month, CancellationToken ct, int months = 0)
    {
        var root = Path.Combine(Path.GetTempPath(), "openerc-bench-" + Guid.NewGuid().ToString("N")[..8]);
        LocalPostgres? server = null;
        try
        {
            server = await LocalPostgres.StartAsync(Path.Combine(root, "pg"), CliDatabase.Logging.CreateLogger("bench"), throwaway: true, ct: ct);
            await server.EnsureDatabaseAsync("bench", ct);
            var cs = server.ConnectionString("bench");
            await using (var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), CliDatabase.Clock))
                await OpenErcDatabase.MigrateAsync(db, ct);

            AnsiConsole.MarkupLineInterpolated($"Демо-регион: {accounts:N0} лицевых счетов, месяцев истории: {months}…");
            var demo = await DemoRegion.GenerateAsync(cs, new DemoOptions(accounts, 42, month, Months: months), ct: ct);
            AnsiConsole.MarkupLineInterpolated($"  создан за {demo.Elapsed.TotalSeconds:F1} с: {demo.Buildings:N0} домов");
            return new BenchDatabase(root, server, cs);
        }
        catch
        {
            if (server is not null) await server.DisposeAsync();
            Delete(root);
            throw;
        }
    }

    /// <summary>Prints the figures and writes them to <paramref name="jsonPath"/> when given.</summary>
    public static async Task ReportAsync(IReadOnlyDictionary<string, object?> figures, string? jsonPath, CancellationToken ct)
    {
        var text = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        AnsiConsole.WriteLine(text);
        if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, text, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Delete(Root);
    }

    private static void Delete(string root)
    {
        if (Directory.Exists(root))
            try { Directory.Delete(root, recursive: true); }
            catch (IOException e) { AnsiConsole.MarkupLineInterpolated($"[yellow]Не удалось удалить {root}: {e.Message}[/]"); }
    }
}
