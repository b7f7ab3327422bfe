using System.CommandLine;
using System.Globalization;
using Npgsql;
using OpenErc.Operations.Receipts;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc receipts print|pdf</c>: bulk printing of a closed month's ЕПД and a single document to a file.</summary>
public static class ReceiptCommands
{
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru-RU");

    private static readonly Option<string?> PayeeInn = new("--payee-inn")
    {
        Description = "ИНН получателя платежей (QR-код); по умолчанию — расчётный центр с банковскими реквизитами",
    };

    public static Command Create()
    {
        var receipts = new Command("receipts", "Платёжные документы (ЕПД): выпуск и печать за закрытый месяц");
        receipts.Subcommands.Add(Print());
        receipts.Subcommands.Add(Pdf());
        return receipts;
    }

    private static Command Print()
    {
        var month = CliMonth.Option();
        var output = new Option<string>("--out") { Description = "Папка для PDF-файлов (по файлу на дом) и реестра печати", Required = true };
        var buildings = new Option<long[]>("--building") { Description = "Только эти дома (номер дома, можно несколько)", AllowMultipleArgumentsPerToken = true };
        var manager = new Option<long?>("--manager") { Description = "Только дома этой управляющей организации (номер организации)" };
        var parallel = new Option<int>("--parallel") { Description = "Домов одновременно", DefaultValueFactory = _ => Environment.ProcessorCount };
        var debt = new Option<decimal?>("--debt-notices")
        {
            Description = "Вместо ежемесячных документов — уведомления о задолженности счетам с долгом на конец месяца не меньше этой суммы, руб.",
        };
        var cmd = new Command("print",
            "Напечатать платёжные документы месяца: PDF на каждый дом по подъездам и квартирам, реестр печати; прерванная печать продолжается")
            { month, output, buildings, manager, parallel, debt, PayeeInn };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            var ids = parse.GetValue(buildings);
            try
            {
                var report = await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
                {
                    var task = progress.AddTask("Печать", maxValue: 1);
                    return await ReceiptPrinting.PrintAsync(database.ConnectionString, period, parse.GetValue(output)!,
                        new ReceiptSettings { PayeeInn = parse.GetValue(PayeeInn) }, Environment.UserName, CliDatabase.Clock.Today,
                        new PrintSelection(ids is { Length: > 0 } ? ids : null, parse.GetValue(manager), parse.GetValue(debt)), parse.GetValue(parallel),
                        new Progress<PrintProgress>(p =>
                        {
                            task.MaxValue = Math.Max(p.BuildingsTotal, 1);
                            task.Value = p.BuildingsDone;
                            task.Description = $"Дома {p.BuildingsDone}/{p.BuildingsTotal}, документов {p.Receipts.ToString("N0", Ru)}";
                        }), ct);
                });
                AnsiConsole.MarkupLineInterpolated(
                    $"Напечатано за {report.Month}: домов {report.Buildings - report.Skipped} (уже были готовы {report.Skipped}), документов {report.Receipts.ToString("N0", Ru)} (выпущено сейчас {report.Issued.ToString("N0", Ru)}), {(report.Bytes / 1048576.0).ToString("N1", Ru)} МБ за {report.Elapsed.TotalSeconds.ToString("N1", Ru)} с");
                AnsiConsole.MarkupLineInterpolated($"К оплате по реестру печати: {report.ToPay.ToString("N2", Ru)} ₽; реестр: {report.RegistryFile}");
                return 0;
            }
            catch (ReceiptException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
        });
        return cmd;
    }

    private static Command Pdf()
    {
        var month = CliMonth.Option();
        var account = new Option<string>("--account") { Description = "Номер лицевого счёта", Required = true };
        var output = new Option<string>("--out") { Description = "PDF-файл", Required = true };
        var notice = new Option<bool>("--debt-notice") { Description = "Уведомление о задолженности на конец месяца вместо ежемесячного документа" };
        var cmd = new Command("pdf", "Платёжный документ одного лицевого счёта в PDF (выпускается, если ещё не выпущен)") { month, account, output, notice, PayeeInn };
        cmd.SetAction(async (parse, ct) =>
        {
            if (!CliMonth.TryParse(parse.GetValue(month), out var period)) return 2;
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            try
            {
                await using var conn = new NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync(ct);
                var document = await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings { PayeeInn = parse.GetValue(PayeeInn) }, Environment.UserName,
                    CliDatabase.Clock.Today, parse.GetValue(account)!, period, ct, parse.GetValue(notice));
                await File.WriteAllBytesAsync(parse.GetValue(output)!, ReceiptPdf.Render(document), ct);
                AnsiConsole.MarkupLineInterpolated($"Документ № {document.Number}: к оплате {document.Totals.ToPay.ToString("N2", Ru)} ₽ → {parse.GetValue(output)}");
                return 0;
            }
            catch (ReceiptException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return 1;
            }
        });
        return cmd;
    }
}
