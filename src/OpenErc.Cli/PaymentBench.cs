using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Payments;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench payments --payments N --concurrency C --json FILE</c>: online payments as a bank sends them. A fresh
/// embedded database with a demo region charged for the current month (so that every payment is allocated over real
/// debts and split among suppliers), the real web host started as a process of its own on a loopback port, and
/// <c>C</c> concurrent clients sending Sberbank-protocol <c>payment</c> requests to <c>/gateway/sber</c>, some of them
/// deliberate repeats of a PAY_ID already sent. Then the database is checked against the answers: every acknowledged
/// payment is there once, with its allocation adding up to its amount and the id the bank was told.
/// </summary>
internal static class PaymentBench
{
    private sealed record Planned(string PayId, string Account, decimal Amount, bool Repeat);

    /// <summary>An answer of the gateway; 8 acknowledges a repeat of a PAY_ID with the original payment's EXT_ID (exchange.md §1.1).</summary>
    private sealed record Answer(int Code, long? ExtId, TimeSpan Latency)
    {
        public bool Acknowledged => Code is 0 or 8;
    }

    public static Command Create()
    {
        var payments = new Option<int>("--payments") { Description = "Число разных платежей", DefaultValueFactory = _ => 20_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Одновременных клиентов", DefaultValueFactory = _ => 32 };
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 5_000 };
        var repeats = new Option<int>("--repeats") { Description = "Повторов PAY_ID, % от числа платежей", DefaultValueFactory = _ => 5 };
        var warm = new Option<int>("--warm-up") { Description = "Платежей для прогрева перед замером", DefaultValueFactory = _ => 20_000 };
        var web = new Option<string?>("--web") { Description = "Путь к OpenErc.Web.dll (по умолчанию — сборка из дерева исходников)" };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var registryLines = new Option<int>("--registry-lines") { Description = "Строк реестра платежей для замера импорта (0 — без замера)", DefaultValueFactory = _ => 1_000_000 };
        var command = new Command("payments", "Онлайн-платежи по протоколу Сбербанка через настоящий веб-сервер: скорость, задержки, потери и дубли")
        {
            payments, concurrency, accounts, repeats, warm, web, json, registryLines,
        };
        command.SetAction(async (parse, ct) =>
        {
            int n = parse.GetValue(payments), c = parse.GetValue(concurrency);
            if (n < 1 || c < 1) throw new ArgumentException("--payments и --concurrency должны быть больше нуля");
            var month = CliDatabase.Clock.CurrentMonth;
            var dll = Path.GetFullPath(parse.GetValue(web) ?? await BuildWebAsync(ct));
            if (!File.Exists(dll)) throw new FileNotFoundException($"Нет файла веб-сервера {dll}");

            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), month, ct);
            var cs = bench.ConnectionString;
            var charged = await BillingRun.RunAsync(cs, month, BillingScope.All, new BillingRunOptions(CliDatabase.Clock, StartedBy: "bench"), ct: ct);
            AnsiConsole.MarkupLineInterpolated($"Начисления за {month}: {charged.Lines:N0} строк по {charged.Accounts:N0} счетам");
            // The region was loaded and charged a moment ago: its tables are vacuumed and analysed now, untimed, rather
            // than by autovacuum in the middle of the measurements (a centre's intake does not follow a bulk load).
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", conn);
                await vacuum.ExecuteNonQueryAsync(ct);
            }
            var numbers = await ChargedAccountsAsync(cs, ct);
            var plan = Plan(n, parse.GetValue(repeats), numbers, firstId: 1);

            using var host = await StartHostAsync(dll, cs, ct);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = c, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = host.Address,
                DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
                    $"{DemoRegion.BankLogin}:{DemoRegion.BankLogin}"))) },
            };
            // Warm-up, untimed: the sign-in's one PBKDF2, the connection pools, and the JIT — a server that has just started
            // compiles its hot paths again, optimised, for some seconds, and a running one has long done so. Its payments
            // (PAY_IDs from 10^12 on, the protocol's digits) are checked with the others.
            await RunAsync(c, c * 10, async _ => await SendAsync(http, $"ACTION=check&ACCOUNT={numbers[0]}", ct));
            var warmUp = Plan(parse.GetValue(warm), 0, numbers, firstId: 1_000_000_000_000);
            var warmAnswers = new Answer[warmUp.Count];
            await RunAsync(c, warmUp.Count, async i => warmAnswers[i] = await PayAsync(http, warmUp[i], ct));

            AnsiConsole.MarkupLineInterpolated($"Платежей: {n:N0} и повторов {plan.Count - n:N0}, клиентов {c}…");
            var answers = new Answer[plan.Count];
            var cpu = (Client: Process.GetCurrentProcess().TotalProcessorTime, Web: host.CpuSeconds(), Database: bench.ServerCpuSeconds());
            var watch = Stopwatch.StartNew();
            await RunAsync(c, plan.Count, async i =>
            {
                answers[i] = await PayAsync(http, plan[i], ct);
            });
            var seconds = BenchCommands.Seconds(watch.Elapsed);
            var cpuClient = BenchCommands.Seconds(Process.GetCurrentProcess().TotalProcessorTime - cpu.Client);
            var (cpuWeb, cpuDatabase) = (host.CpuSeconds() - cpu.Web, bench.ServerCpuSeconds() - cpu.Database);
            host.Stop();
            foreach (var refused in answers.Where(a => !a.Acknowledged).GroupBy(a => a.Code))
                AnsiConsole.MarkupLineInterpolated($"[yellow]Отказов с кодом {refused.Key}: {refused.Count():N0}[/]");
            if (answers.Any(a => !a.Acknowledged) && host.Output.Length > 0)
                AnsiConsole.WriteLine("Журнал веб-сервера:\n" + host.Output[^Math.Min(host.Output.Length, 4000)..]);

            var check = await CheckAsync(cs, [.. warmUp, .. plan], [.. warmAnswers, .. answers], ct);
            var latencies = answers.Select(a => a.Latency).Order().ToArray();
            var figures = new Dictionary<string, object?>
            {
                ["payments"] = n,
                ["repeats"] = plan.Count - n,
                ["concurrency"] = c,
                ["accounts"] = numbers.Length,
                ["seconds"] = Math.Round(seconds, 2),
                ["payments_per_second"] = Math.Round(n / seconds),
                ["requests_per_second"] = Math.Round(plan.Count / seconds),
                ["p50_ms"] = Milliseconds(latencies, 50),
                ["p99_ms"] = Milliseconds(latencies, 99),
                ["max_ms"] = Milliseconds(latencies, 100),
                ["warm_up_payments"] = warmUp.Count,
                ["refused"] = answers.Count(a => !a.Acknowledged),
                ["lost"] = check.Lost,
                ["duplicated"] = check.Duplicated,
                ["allocation_lines"] = check.Lines,
                ["commits"] = check.Commits,
                // Where the time went: CPU seconds of the load generator, the web host and the database server (2 cores = 2 s a second).
                ["client_cpu_seconds"] = Math.Round(cpuClient, 1),
                ["web_cpu_seconds"] = Math.Round(cpuWeb, 1),
                ["database_cpu_seconds"] = Math.Round(cpuDatabase, 1),
            };
            if (parse.GetValue(registryLines) is > 0 and int lines)
            {
                var registry = await RegistryAsync(cs, lines, ct);
                figures["registry_lines"] = lines;
                figures["registry_seconds"] = Math.Round(registry.Seconds, 2);
                figures["registry_lines_per_second"] = Math.Round(lines / registry.Seconds);
                figures["registry_state"] = registry.State;
            }
            await BenchDatabase.ReportAsync(figures, parse.GetValue(json), ct);
            return check.Lost == 0 && check.Duplicated == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// Imports a registry of <paramref name="lines"/> lines from the demo bank over the charged accounts (Windows-1251,
    /// the sample generator of the registry import), timed from the file's bytes to the commit.
    /// </summary>
    private static async Task<(decimal Seconds, string State)> RegistryAsync(string cs, int lines, CancellationToken ct)
    {
        using var file = new MemoryStream();
        await PaymentRegistries.GenerateSampleAsync(cs, file, lines, CliDatabase.Clock.Today.AddDays(-1), prefix: "BR", ct: ct);
        var agent = await PaymentRegistries.FindAgentAsync(cs, DemoRegion.BankLogin, ct) ?? throw new InvalidOperationException("no demo bank");
        AnsiConsole.MarkupLineInterpolated($"Реестр платежей: {lines:N0} строк, {file.Length / 1048576m:N1} МБ…");
        var watch = Stopwatch.StartNew();
        var report = await PaymentRegistries.ImportAsync(cs, agent, "bench.txt", file.ToArray(), new PostingOptions("bench", CliDatabase.Clock), ct);
        var seconds = BenchCommands.Seconds(watch.Elapsed);
        AnsiConsole.MarkupLineInterpolated($"Реестр импортирован за {seconds:N1} с: {(report.Accepted ? "принят" : "отклонён")}");
        return (seconds, report.Registry.State.ToString());
    }

    /// <summary>
    /// The payments in sending order: each PAY_ID once (digits, as the protocol has them, from <paramref name="firstId"/>
    /// on), and <paramref name="repeatPercent"/> % more that repeat an earlier one exactly.
    /// </summary>
    private static List<Planned> Plan(int payments, int repeatPercent, string[] accounts, long firstId)
    {
        var random = new Random(payments);
        var plan = new List<Planned>(payments + payments * repeatPercent / 100 + 1);
        var originals = new List<Planned>(payments);
        for (int i = 0; i < payments; i++)
        {
            var p = new Planned((firstId + i).ToString(CultureInfo.InvariantCulture), accounts[random.Next(accounts.Length)], random.Next(100, 500_000) / 100m, Repeat: false);
            originals.Add(p);
            plan.Add(p);
            if (random.Next(100) < repeatPercent) plan.Add(originals[random.Next(originals.Count)] with { Repeat = true });
        }
        return plan;
    }

    /// <summary>Runs <paramref name="count"/> items on <paramref name="workers"/> concurrent workers.</summary>
    private static Task RunAsync(int workers, int count, Func<int, Task> item)
    {
        int next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < count;) await item(i);
        })));
    }

    private static async Task<Answer> SendAsync(HttpClient http, string query, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        var text = await http.GetStringAsync("/gateway/sber?" + query, ct);
        var latency = Stopwatch.GetElapsedTime(start);
        var xml = XElement.Parse(text);
        return new Answer(int.Parse(xml.Element("CODE")!.Value, CultureInfo.InvariantCulture),
            xml.Element("EXT_ID") is { } id ? long.Parse(id.Value, CultureInfo.InvariantCulture) : null, latency);
    }

    private static Task<Answer> PayAsync(HttpClient http, Planned p, CancellationToken ct) => SendAsync(http, string.Create(CultureInfo.InvariantCulture,
        $"ACTION=payment&ACCOUNT={p.Account}&AMOUNT={p.Amount:0.00}&PAY_ID={p.PayId}&PAY_DATE={CliDatabase.Clock.LocalNow:dd.MM.yyyy_HH:mm:ss}"), ct);

    private static decimal Milliseconds(TimeSpan[] sorted, int percentile) =>
        Math.Round(sorted[(sorted.Length - 1) * percentile / 100].Ticks / (decimal)TimeSpan.TicksPerMillisecond, 1);

    private static async Task<string[]> ChargedAccountsAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT number FROM personal_accounts a WHERE closed_on IS NULL AND EXISTS (SELECT 1 FROM charge_lines c WHERE c.account_id = a.id) ORDER BY number", conn);
        var numbers = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) numbers.Add(r.GetString(0));
        return [.. numbers];
    }

    private sealed record Check(int Lost, int Duplicated, long Lines, long Commits);

    /// <summary>
    /// Lost: acknowledged (code 0, or 8 for a repeat) but not in <c>payments</c>. Duplicated: more than one row per PAY_ID, an allocation
    /// that does not add up to its payment, or an answer naming another payment or amount than the one stored.
    /// </summary>
    private static async Task<Check> CheckAsync(string cs, List<Planned> plan, Answer[] answers, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        var stored = new Dictionary<string, (long Id, decimal Amount, string Account, decimal Allocated)>();
        int duplicated = 0;
        await using (var cmd = new NpgsqlCommand("""
            SELECT p.agent_payment_id, p.id, p.amount, p.account_number, coalesce(a.allocated, 0)
            FROM payments p JOIN payment_agent_accesses g ON g.organisation_id = p.agent_id AND g.login = @login
            LEFT JOIN (SELECT payment_id, sum(amount) AS allocated FROM payment_allocations GROUP BY payment_id) a ON a.payment_id = p.id
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("login", DemoRegion.BankLogin));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                if (!stored.TryAdd(r.GetString(0), (r.GetInt64(1), r.GetDecimal(2), r.GetString(3), r.GetDecimal(4)))) duplicated++;
        }
        duplicated += stored.Values.Count(s => s.Allocated != s.Amount);
        int lost = 0;
        for (int i = 0; i < plan.Count; i++)
        {
            if (!answers[i].Acknowledged) continue;
            if (!stored.TryGetValue(plan[i].PayId, out var s)) lost++;
            else if (s.Id != answers[i].ExtId || s.Amount != plan[i].Amount || s.Account != plan[i].Account) duplicated++;
        }
        await using var counts = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM payment_allocations), (SELECT count(DISTINCT posted_at) FROM payments)", conn);
        await using var c = await counts.ExecuteReaderAsync(ct);
        await c.ReadAsync(ct);
        return new Check(lost, duplicated, c.GetInt64(0), c.GetInt64(1));
    }

    /// <summary>Builds the web host of the source tree in the CLI's own configuration; the path of its dll.</summary>
    private static async Task<string> BuildWebAsync(CancellationToken ct)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OpenErc.slnx"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("Дерево исходников не найдено: укажите --web путь к OpenErc.Web.dll");
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var project = Path.Combine(root.FullName, "src", "OpenErc.Web");
        AnsiConsole.MarkupLineInterpolated($"Сборка веб-сервера ({configuration})…");
        var psi = new ProcessStartInfo("dotnet") { ArgumentList = { "build", project, "-c", configuration, "--nologo", "-v", "q" }, RedirectStandardOutput = true };
        using var build = Process.Start(psi)!;
        var output = await build.StandardOutput.ReadToEndAsync(ct);
        await build.WaitForExitAsync(ct);
        if (build.ExitCode != 0) throw new InvalidOperationException("Веб-сервер не собрался:\n" + output);
        return Path.Combine(project, "bin", configuration, "net10.0", "OpenErc.Web.dll");
    }

    /// <summary>The web host as a process of its own on a free loopback port, over the bench database.</summary>
    private sealed class WebProcess(Process process, Uri address, ConcurrentQueue<string> output) : IDisposable
    {
        public Uri Address => address;
        public decimal CpuSeconds() => BenchDatabase.ProcStat(process.Id)?.CpuSeconds ?? 0;
        public string Output => string.Join('\n', output);

        /// <summary>Stops the host; every request was answered, so there is nothing left for it to finish.</summary>
        public void Stop()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        public void Dispose()
        {
            Stop();
            process.Dispose();
        }
    }

    private static async Task<WebProcess> StartHostAsync(string dll, string cs, CancellationToken ct)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var address = new Uri($"http://127.0.0.1:{port}");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", address.ToString(), "--OpenErc:DemoAccounts=0", "--Logging:LogLevel:Default=Warning" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ConnectionStrings__OpenErc"] = cs },
        };
        var output = new ConcurrentQueue<string>();
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new WebProcess(process, address, output);
        using var http = new HttpClient { BaseAddress = address };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                host.Dispose();
                throw new InvalidOperationException("Веб-сервер не запустился:\n" + host.Output);
            }
            try
            {
                if ((await http.GetAsync("/health", ct)).IsSuccessStatusCode) return host;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200, ct);
        }
    }
}
