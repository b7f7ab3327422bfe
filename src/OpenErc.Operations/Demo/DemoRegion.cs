using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Demo;

/// <summary>
/// What to generate: the number of personal accounts, the random seed, the current month, and the months of history
/// the region lives through before it (<see cref="DemoHistory"/>; 0 = the registry alone, with six months of readings).
/// </summary>
public sealed record DemoOptions(int Accounts, int Seed, BillingPeriod CurrentMonth, int Months = 0)
{
    /// <summary>The most months of history: the recalculation horizon is 36, and two years show every yearly change.</summary>
    public const int MaxMonths = 24;

    /// <summary>The region's time zone, in which the history's payments, shifts and readings are dated.</summary>
    public TimeZoneInfo Zone { get; init; } = RegionClock.FindZone(null);

    /// <summary>The first month of the history (the current month when there is none).</summary>
    public BillingPeriod FirstMonth => BillingPeriod.Of(CurrentMonth.FirstDay.AddMonths(-Months));
}

public sealed record DemoProgress(string Stage, long Done, long Total);

/// <summary>What was generated: the registry's accounts, buildings and rows, the history when there is one, and the whole time taken.</summary>
public sealed record DemoResult(int Accounts, int Buildings, long Rows, TimeSpan Elapsed)
{
    /// <summary>Time of the registry alone (the binary COPY load).</summary>
    public TimeSpan RegistryElapsed { get; init; } = Elapsed;

    public DemoHistoryReport? History { get; init; }
}

/// <summary>Deterministic, realistic demo region written with binary COPY.</summary>
public static partial class DemoRegion
{
    public const string StageRegion = "Дома, лицевые счета и показания";
    public const string StageFinish = "Индексы, статистика и фиксация";

    /// <summary>The demo bank's login for the online payment protocols; its password is the same word.</summary>
    public const string BankLogin = DemoGenerator.DemoLogin;

    /// <summary>
    /// Fills an empty database (no buildings) with a region of exactly <see cref="DemoOptions.Accounts"/> personal
    /// accounts: municipalities, organisations with valid requisites, the services catalogue, tariffs and norms that
    /// change on 1 July, buildings and premises, accounts with owners, registrations and resident counts, meters and
    /// their readings (six months, or the history's months and the one before them); then, with
    /// <see cref="DemoOptions.Months"/> &gt; 0, lives that many months of the region's life before the current month
    /// (<see cref="DemoHistory"/>). The same accounts, seed and current month give the same rows. Reference tables that
    /// already hold rows are continued (new ids follow the existing ones; services, norms and key rates are only added
    /// when missing). Each table loads in one transaction that commits only when every table is ready, so a failure or
    /// a cancellation leaves the database as it was; the streaming mode commits the tables one right after another,
    /// not as one transaction (only a server failure within those milliseconds could leave some of them loaded).
    /// </summary>
    /// <exception cref="NonEmptyDatabaseException">The database already has buildings.</exception>
    /// <remarks>
    /// The same accounts, seed and <see cref="DemoOptions.CurrentMonth"/> give the same rows.
    /// The demo bank login is <c>demo-bank</c> with the password <c>demo-bank</c>.
    /// </remarks>
    public static async Task<DemoResult> GenerateAsync(string connectionString, DemoOptions options,
        IProgress<DemoProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Accounts is < 1 or > 999_999_999)
            throw new ArgumentOutOfRangeException(nameof(options), options.Accounts, "Число лицевых счетов должно быть от 1 до 999 999 999");
        if (options.Months is < 0 or > DemoOptions.MaxMonths)
            throw new ArgumentOutOfRangeException(nameof(options), options.Months, $"Число месяцев истории должно быть от 0 до {DemoOptions.MaxMonths}");
        var month = options.CurrentMonth;
        var clock = Stopwatch.StartNew();

        await using var admin = new NpgsqlConnection(connectionString);
        await admin.OpenAsync(ct);
        if (await ScalarAsync<bool>(admin, "SELECT EXISTS (SELECT 1 FROM buildings)", ct))
            throw new NonEmptyDatabaseException();
        if (options.Months > 0 && await ScalarAsync<bool>(admin, "SELECT EXISTS (SELECT 1 FROM billing_periods)", ct))
            throw new NonEmptyDatabaseException("В базе уже открыт расчётный месяц: историю демонстрационного региона можно прожить только в новой базе");
        var tables = new DemoTables();
        await tables.ReadCatalogAsync(admin, ct);
        var baseline = await ReadBaselineAsync(admin, ct);
        await admin.CloseAsync();

        await using (var session = await CopySession.OpenAsync(connectionString, tables.All, ct))
        {
            var generator = new DemoGenerator(tables, session, baseline, options.Seed, month, options.Months);
            try
            {
                await Task.Run(() => generator.Run(options.Accounts, progress, StageRegion), session.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await session.RethrowConsumerFailureAsync(); // the server refused a row: that is the error to report
                throw;
            }
            Invariant.Holds(tables.Accounts.Rows == options.Accounts, $"demo generated {tables.Accounts.Rows} accounts instead of {options.Accounts}");
            int finished = 0;
            await session.CompleteAsync(_ => progress?.Report(new DemoProgress(StageFinish, Interlocked.Increment(ref finished), tables.All.Count)), ct,
                (tables.Organisations, generator.AgentTermsSql));
        }
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await DemoCondition.WriteAsync(conn, month, ct);
        }
        var registry = clock.Elapsed;
        var history = options.Months > 0 ? await DemoHistory.LiveAsync(connectionString, options, progress, ct) : null;
        return new DemoResult(options.Accounts, checked((int)tables.Buildings.Rows), tables.TotalRows, clock.Elapsed)
        {
            RegistryElapsed = registry, History = history,
        };
    }

    private static async Task<DemoBaseline> ReadBaselineAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var services = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT code, id FROM services", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) services[reader.GetString(0)] = reader.GetInt64(1);
        return new DemoBaseline(services,
            HasKeyRates: await ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM key_rates)", ct),
            HasNorms: await ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM consumption_norms)", ct),
            HasDemoLogin: await ScalarAsync<bool>(conn, $"SELECT EXISTS (SELECT 1 FROM payment_agent_accesses WHERE login = '{DemoGenerator.DemoLogin}')", ct));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>The demo region is only generated into a database without buildings (and its history into one that never opened a month).</summary>
public sealed class NonEmptyDatabaseException(string message = "База данных уже содержит дома: демонстрационный регион создаётся только в пустой базе")
    : InvalidOperationException(message);
