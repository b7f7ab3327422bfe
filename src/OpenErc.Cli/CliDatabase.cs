using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenErc.Core.Common;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>How a command finds its database: <c>--connection</c>, env <c>OPENERC_DB</c>, else the embedded cluster in <c>--data</c>.</summary>
public static class CliDatabase
{
    public static readonly Option<string?> ConnectionOption = new("--connection")
    {
        Description = "Строка подключения к PostgreSQL (по умолчанию OPENERC_DB или встроенный кластер)",
        Recursive = true,
    };

    public static readonly Option<string> DataOption = new("--data")
    {
        Description = "Папка данных встроенного кластера PostgreSQL",
        DefaultValueFactory = _ => OpenErcDatabase.DefaultDataDirectory,
        Recursive = true,
    };

    public static readonly ILoggerFactory Logging = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));

    /// <summary>
    /// The region's clock of the command line: the machine's time in the zone of env <c>OpenErc__TimeZone</c> (the same
    /// setting as the web host's <c>OpenErc:TimeZone</c>), Moscow by default.
    /// </summary>
    public static RegionClock Clock { get; } = RegionClock.Machine(Environment.GetEnvironmentVariable("OpenErc__TimeZone"));

    public static async Task<OpenErcDatabase> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        var configured = parse.GetValue(ConnectionOption) ?? Environment.GetEnvironmentVariable("OPENERC_DB");
        var db = await OpenErcDatabase.OpenAsync(configured, parse.GetValue(DataOption), Clock, Logging.CreateLogger("openerc"), ct);
        if (db.Local is { } local)
            AnsiConsole.MarkupLineInterpolated($"[grey]Встроенный PostgreSQL: {local.DataDirectory}, порт {local.Port}[/]");
        return db;
    }
}
