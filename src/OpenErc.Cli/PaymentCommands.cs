using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenErc.Core.Common;
using OpenErc.Operations.Payments;
using Spectre.Console;
using OpenErc.Exchange.Registries;
using OpenErc.Core.Payments;

namespace OpenErc.Cli;

/// <summary><c>openerc payments import | sample</c>: payment registries of banks and agents.</summary>
public static class PaymentCommands
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    public static Command Create()
    {
        var payments = new Command("payments", "Платежи: реестры банков и платёжных агентов");
        payments.Subcommands.Add(Import());
        payments.Subcommands.Add(Sample());
        return payments;
    }

    private static Command Import()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "Файл реестра (Windows-1251 или UTF-8)" };
        var agent = new Option<string>("--agent") { Description = "Банк или агент: логин платёжных протоколов или номер организации", Required = true };
        var profiles = new Option<FileInfo?>("--profiles")
        {
            Description = "JSON с форматами реестров, как раздел OpenErc:Payments:RegistryProfiles веб-сервера: { \"имя\": { \"Separator\": \"|\", … } }",
        };
        var maxAge = new Option<int>("--max-age-days")
        {
            Description = "Насколько давней может быть дата платежа в реестре, дней (как OpenErc:Payments:RegistryMaxAgeDays веб-сервера)",
            DefaultValueFactory = _ => PaymentDates.Default.RegistryMaxAgeDays,
        };
        var cmd = new Command("import", "Загрузить реестр платежей: принимается целиком или отклоняется целиком со всеми ошибками") { file, agent, profiles, maxAge };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Файл {path.FullName} не найден[/]");
                return 2;
            }
            var dates = PaymentDates.Default with { RegistryMaxAgeDays = parse.GetValue(maxAge) };
            if (dates.Problems().FirstOrDefault() is { } problem)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{problem.Replace("OpenErc:Payments:RegistryMaxAgeDays", "--max-age-days", StringComparison.Ordinal)}[/]");
                return 2;
            }
            var configured = parse.GetValue(profiles) is { } json
                ? new RegistryProfiles(JsonSerializer.Deserialize<Dictionary<string, RegistryProfile>>(await File.ReadAllTextAsync(json.FullName, ct))!)
                : RegistryProfiles.BuiltIn;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var login = parse.GetValue(agent)!;
            if (await PaymentRegistries.FindAgentAsync(database.ConnectionString, login, ct) is not { } agentId)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Банк или платёжный агент «{login}» не найден: укажите логин или номер организации[/]");
                return 2;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                var report = await PaymentRegistries.ImportAsync(database.ConnectionString, agentId, path.Name, await File.ReadAllBytesAsync(path.FullName, ct),
                    new PostingOptions(Environment.UserName, CliDatabase.Clock, Dates: dates), ct, configured);
                Print(report, watch.Elapsed);
                return report.Accepted ? 0 : 1;
            }
            catch (PaymentException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
        });
        return cmd;
    }

    private static void Print(RegistryImportReport report, TimeSpan elapsed)
    {
        var r = report.Registry;
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]Реестр №{r.Id}[/] «{r.FileName}» от {r.Agent} ({report.Encoding}): [{(report.Accepted ? "green" : "red")}]{r.State.Title()}[/]");
        AnsiConsole.MarkupLineInterpolated(
            $"Строк: {r.Lines.ToString("N0", Ru)}; сумма: {r.Total.ToString("N2", Ru)} ₽; комиссия: {r.Commission.ToString("N2", Ru)} ₽; время: {elapsed.TotalSeconds.ToString("F1", Ru)} с");
        if (report.Accepted)
            AnsiConsole.MarkupLineInterpolated(
                $"Проведено: {r.Posted.ToString("N0", Ru)}; в невыясненных: {r.Suspense.ToString("N0", Ru)}; принято ранее (повтор): {r.Repeated.ToString("N0", Ru)}");
        if (report.Notice is { } notice) AnsiConsole.MarkupLineInterpolated($"[yellow]{notice}[/]");
        if (report.Errors.Count == 0) return;
        var table = new Table().AddColumns("Строка", "Ошибка");
        foreach (var e in report.Errors) table.AddRow(e.Line?.ToString(CultureInfo.InvariantCulture) ?? "—", Markup.Escape(e.Reason));
        AnsiConsole.MarkupLine("[red]Ничего не проведено. Ошибки:[/]");
        AnsiConsole.Write(table);
    }

    private static Command Sample()
    {
        var output = new Option<FileInfo>("--out") { Description = "Куда записать реестр", Required = true };
        var lines = new Option<int>("--lines") { Description = "Строк в реестре", DefaultValueFactory = _ => 1000 };
        var accounts = new Option<int>("--accounts") { Description = "Лицевых счетов (первые по номеру открытые), по кругу", DefaultValueFactory = _ => int.MaxValue };
        var day = new Option<string?>("--day") { Description = "Дата платежей ГГГГ-ММ-ДД (по умолчанию вчера)" };
        var seed = new Option<int>("--seed") { Description = "Зерно случайных сумм", DefaultValueFactory = _ => 1 };
        var prefix = new Option<string>("--prefix") { Description = "Начало номеров операций", DefaultValueFactory = _ => "S" };
        var cmd = new Command("sample", "Записать пример реестра (формат sber, Windows-1251) на счета базы: для показа и замеров")
            { output, lines, accounts, day, seed, prefix };
        cmd.SetAction(async (parse, ct) =>
        {
            var date = CliDatabase.Clock.Today.AddDays(-1);
            if (parse.GetValue(day) is { } text && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Дата должна иметь вид ГГГГ-ММ-ДД: «{text}»[/]");
                return 2;
            }
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var path = parse.GetValue(output)!;
            await using (var stream = path.Create())
                await PaymentRegistries.GenerateSampleAsync(database.ConnectionString, stream, parse.GetValue(lines), date, parse.GetValue(accounts), parse.GetValue(seed),
                    parse.GetValue(prefix)!, ct);
            AnsiConsole.MarkupLineInterpolated($"Реестр на {parse.GetValue(lines).ToString("N0", Ru)} строк записан в {path.FullName}");
            return 0;
        });
        return cmd;
    }
}
