using System.CommandLine;
using System.Diagnostics;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary>
/// <c>openerc bench search --accounts N --json FILE</c>: the account search as operators use it, on a fresh demo region —
/// varied queries (numbers, addresses in several spellings, payers' names with «е» for «ё», streets alone), each timed
/// for its page and total.
/// </summary>
internal static class SearchBench
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Число лицевых счетов демо-региона", DefaultValueFactory = _ => 100_000 };
        var json = new Option<string?>("--json") { Description = "Записать результаты в JSON-файл" };
        var count = new Option<int>("--queries") { Description = "Число поисковых запросов", DefaultValueFactory = _ => 200 };
        var database = new Option<string?>("--connection")
        {
            Description = "Строка подключения к существующей базе: замерить поиск на ней, не создавая демо-регион",
        };
        var command = new Command("search", "Поиск лицевых счетов по номеру, адресу и ФИО: время страницы с итогом") { accounts, json, count, database };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(database) is { } existing)
            {
                await BenchDatabase.ReportAsync(await MeasureAsync(existing, parse.GetValue(count), ct), parse.GetValue(json), ct);
                return 0;
            }
            await using var bench = await BenchDatabase.CreateAsync(parse.GetValue(accounts), new BillingPeriod(2026, 11), ct);
            var figures = await MeasureAsync(bench.ConnectionString, parse.GetValue(count), ct);
            await BenchDatabase.ReportAsync(figures, parse.GetValue(json), ct);
            return 0;
        });
        return command;
    }

    /// <summary>Times <paramref name="count"/> varied searches (after a warm-up of 20) and returns their percentiles.</summary>
    public static async Task<Dictionary<string, object?>> MeasureAsync(string cs, int count, CancellationToken ct)
    {
        var queries = await QueriesAsync(cs, count, ct);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), CliDatabase.Clock);
        foreach (var (_, text) in queries.Take(20)) await AccountSearch.FindAsync(db, text, ct: ct);
        var times = new List<(decimal Ms, string Kind, string Text, int Total)>();
        foreach (var (kind, text) in queries)
        {
            var watch = Stopwatch.StartNew();
            var page = await AccountSearch.FindAsync(db, text, ct: ct);
            times.Add((BenchCommands.Seconds(watch.Elapsed) * 1000, kind, text, page.Total));
        }
        var sorted = times.Select(t => t.Ms).Order().ToList();
        decimal P(decimal p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        foreach (var slowest in times.OrderByDescending(t => t.Ms).Take(5))
            AnsiConsole.MarkupLineInterpolated($"  {slowest.Ms,7:F1} мс  {slowest.Kind}: «{slowest.Text}», найдено {slowest.Total:N0}");
        return new Dictionary<string, object?>
        {
            ["search_queries"] = times.Count,
            ["search_p50_ms"] = Math.Round(P(0.50m), 1),
            ["search_p95_ms"] = Math.Round(P(0.95m), 1),
            ["search_max_ms"] = Math.Round(sorted[^1], 1),
            ["search_p95_ms_by_kind"] = times.GroupBy(t => t.Kind).ToDictionary(g => g.Key, g =>
            {
                var ms = g.Select(t => t.Ms).Order().ToList();
                return Math.Round(ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(0.95m * ms.Count) - 1)], 1);
            }),
        };
    }

    /// <summary>Queries made from accounts drawn at random (seeded): each account gives one query of a kind in turn.</summary>
    private static async Task<List<(string Kind, string Text)>> QueriesAsync(string cs, int count, CancellationToken ct)
    {
        var rows = new List<(string Number, string Address, string Flat, string? Payer)>();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("""
                SELECT setseed(0.42);
                SELECT a.number, b.address, p.number, pp.full_name FROM personal_accounts a
                JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id LEFT JOIN people pp ON pp.id = a.payer_person_id
                ORDER BY random() LIMIT @n
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter<int>("n", count));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));
        }
        var queries = new List<(string, string)>();
        for (int i = 0; i < rows.Count; i++)
        {
            var (number, address, flat, payer) = rows[i];
            // "г. Новоград, пер. Крупской, д. 3": the street's last word and the house.
            var parts = address.Split(", ");
            var street = parts.Length > 1 ? parts[^2].Split(' ')[^1] : parts[0];
            var house = parts[^1].StartsWith("д. ", StringComparison.Ordinal) ? parts[^1][3..] : parts[^1];
            var surname = payer?.Split(' ')[0];
            queries.Add((i % 8) switch
            {
                0 => ("номер", number),
                1 => ("адрес «улица дом кв квартира»", $"{street} {house} кв {flat}"),
                2 => ("адрес «улица, дом-квартира»", $"{street}, {house.Split(' ')[0]}-{flat}"),
                3 when payer is not null => ("ФИО плательщика", payer.Replace('ё', 'е')),
                4 when surname is not null => ("фамилия и квартира", $"{surname} {flat}"),
                5 => ("начало номера (7 цифр)", number[..7]),
                6 => ("улица и дом", $"{street} {house}"),
                _ => ("улица", street),
            });
        }
        return queries;
    }
}
