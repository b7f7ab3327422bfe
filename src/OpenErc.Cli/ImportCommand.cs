using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenErc.Core.Meters;
using OpenErc.Exchange.Legacy;
using OpenErc.Exchange.Readings;
using OpenErc.Operations.Cabinet;
using OpenErc.Operations.Registry;
using Spectre.Console;

namespace OpenErc.Cli;

/// <summary><c>openerc import PATH --format kvado</c>: an earlier system's region into the registry, whole or not at all.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Файл или папка выгрузки (для Квадо — файлы домов, приборов учёта, начислений и оплат, *.json)" };
        var format = new Option<string>("--format")
        {
            Description = "Формат: kvado, openerc (книга по шаблону), dbf или registry (выгрузка OpenErc — в пустую базу)", Required = true,
        };
        var profile = new Option<FileInfo?>("--profile")
        {
            Description = "Для dbf: JSON с полями таблицы, например { \"CodePage\": \"cp866\", \"Account\": \"LS\", \"Address\": \"ADRES\", \"Flat\": \"KV\" }",
        };
        var source = new Option<string?>("--source") { Description = "Имя прежней системы (ключ повторных загрузок); по умолчанию Квадо или DBF" };
        var region = new Option<string>("--region") { Description = "Субъект РФ домов (в выгрузке его нет)", DefaultValueFactory = _ => "" };
        var municipality = new Option<long?>("--municipality") { Description = "Муниципальное образование домов с неизвестным ОКТМО (номер)" };
        var dry = new Option<bool>("--dry-run") { Description = "Только показать, что будет создано и изменено" };
        var balanceService = new Option<string?>("--balance-service") { Description = "Код услуги, на которую отнести сальдо без разбивки по услугам (Квадо)" };
        var balanceSupplier = new Option<string?>("--balance-supplier") { Description = "ИНН поставщика, на которого отнести сальдо без разбивки по услугам" };
        var cmd = new Command("import", "Загрузить данные прежней системы: дома, помещения, лицевые счета, собственники, регистрации, приборы учёта и показания, сальдо, история начислений и оплат")
            { path, format, profile, source, region, municipality, dry, balanceService, balanceSupplier };
        cmd.SetAction(async (parse, ct) =>
        {
            string kind = parse.GetValue(format)!.ToLowerInvariant();
            if (kind is not ("kvado" or "openerc" or "dbf" or "registry"))
            {
                AnsiConsole.MarkupLine("[red]Поддерживаемые форматы: kvado, openerc, dbf, registry[/]");
                return 2;
            }
            string target = parse.GetValue(path)!;
            if (kind == "registry" && Directory.Exists(target))
            {
                // The CSV form of a region (a folder of <kind>.csv): COPY straight into the tables.
                await using var database = await CliDatabase.OpenAsync(parse, ct);
                await database.MigrateAsync(ct);
                await using var db = database.CreateContext();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                return Report(await RegistryWorkbook.ImportCsvAsync(db, target, CliDatabase.Clock, parse.GetValue(dry), ct), [], watch.Elapsed);
            }
            string[] names = Directory.Exists(target) ? Directory.GetFiles(target, kind switch { "dbf" => "*.dbf", "openerc" or "registry" => "*.xlsx", _ => "*.json" }).Order(StringComparer.Ordinal).ToArray()
                : File.Exists(target) ? [target] : [];
            if (names.Length == 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Нет файлов выгрузки: {target}[/]");
                return 2;
            }
            var files = new List<(string, byte[])>();
            foreach (var name in names) files.Add((Path.GetFileName(name), await File.ReadAllBytesAsync(name, ct)));
            LegacyRegion legacy = new([], []);
            IReadOnlyList<LegacyError> errors = [];
            IReadOnlyList<string> warnings = [];
            if (kind is "kvado" or "openerc") (legacy, errors, warnings) = LegacyFormats.Read(kind, files);
            else if (kind == "dbf")
            {
                var table = parse.GetValue(profile) is { } json
                    ? JsonSerializer.Deserialize<AccountTableProfile>(await File.ReadAllTextAsync(json.FullName, ct))!
                    : new AccountTableProfile();
                (legacy, errors) = AccountTable.ReadDbf(files[0].Item1, files[0].Item2, table);
            }
            LegacyImportReport? report = null;
            if (kind == "registry")
            {
                await using var database = await CliDatabase.OpenAsync(parse, ct);
                await database.MigrateAsync(ct);
                await using var db = database.CreateContext();
                report = await RegistryWorkbook.ImportAsync(db, files[0].Item1, files[0].Item2, CliDatabase.Clock, parse.GetValue(dry), ct);
                errors = report.Errors;
            }
            else if (errors.Count == 0)
            {
                await using var database = await CliDatabase.OpenAsync(parse, ct);
                await database.MigrateAsync(ct);
                await using var db = database.CreateContext();
                report = await LegacyImport.ApplyAsync(db, legacy,
                    new LegacyImportOptions(parse.GetValue(source) ?? (kind == "dbf" ? "DBF" : LegacyFormats.SourceOf(kind)), parse.GetValue(region)!, parse.GetValue(municipality), parse.GetValue(dry),
                        parse.GetValue(balanceService), parse.GetValue(balanceSupplier)), CliDatabase.Clock, ct);
                errors = report.Errors;
            }
            return Report(report, warnings, null, errors);
        });
        return cmd;
    }

    /// <summary>Prints what an import did (or the refusals) and returns the exit code: 0 done, 1 refused.</summary>
    private static int Report(LegacyImportReport? report, IReadOnlyList<string> warnings, TimeSpan? took, IReadOnlyList<LegacyError>? errors = null)
    {
        errors ??= report!.Errors;
        warnings = [.. warnings, .. report?.Warnings ?? []];
        foreach (var w in warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]{w}[/]");
        if (errors.Count > 0)
        {
            var table = new Table().AddColumns("Где", "Ошибка");
            foreach (var e in errors) table.AddRow(Markup.Escape(e.Place), Markup.Escape(e.Reason));
            AnsiConsole.MarkupLine("[red]Ничего не загружено. Ошибки:[/]");
            AnsiConsole.Write(table);
            return 1;
        }
        var counts = new Table().AddColumns("Объекты", "Создано", "Изменено");
        foreach (var objects in report!.Created.Keys.Union(report.Changed.Keys))
            counts.AddRow(objects, report.Created.GetValueOrDefault(objects).ToString(CultureInfo.InvariantCulture),
                report.Changed.GetValueOrDefault(objects).ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(counts);
        AnsiConsole.MarkupLine(report.Applied ? "[green]Загружено[/]" : "[yellow]Пробный прогон: ничего не сохранено[/]");
        if (took is { } t) AnsiConsole.MarkupLineInterpolated($"За {t.TotalSeconds:0.0} с");
        return 0;
    }

    /// <summary><c>openerc export FILE</c>: the whole region as OpenErc's workbook (<see cref="RegistryWorkbook"/>), for <c>import --format registry</c>.</summary>
    public static Command Export()
    {
        var file = new Argument<string>("PATH") { Description = "Книга *.xlsx (регион до 1 048 576 строк на лист) или папка, куда выгрузить регион файлами CSV" };
        var cmd = new Command("export", "Выгрузить регион целиком (реестр, справочники, сальдо закрытого месяца) для загрузки в пустую базу OpenErc") { file };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            await using var db = database.CreateContext();
            var path = Path.GetFullPath(parse.GetValue(file)!);
            if (path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase)) await File.WriteAllBytesAsync(path, await RegistryWorkbook.ExportAsync(db, ct), ct);
            else await RegistryWorkbook.ExportCsvAsync(db, path, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]Выгружено: {path}[/]");
            return 0;
        });
        return cmd;
    }

    /// <summary><c>openerc readings import FILE</c>: a file of readings, line by line by the cabinet's rules.</summary>
    public static Command Readings()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV или XLSX «ЛС;Заводской номер;Зона;Дата;Показание» или DBF с полями LS, NOMER, ZONA, DATA, POK" };
        var source = new Option<ReadingSource>("--source")
        {
            Description = "Откуда показания: Import (файл УК или поставщика), Automatic (система учёта), Bank (реестр банка)",
            DefaultValueFactory = _ => ReadingSource.Import,
        };
        var profile = new Option<FileInfo?>("--profile")
        {
            Description = "JSON с расположением полей, например { \"Separator\": \",\", \"HeaderLines\": 2, \"Account\": 0, \"Meter\": 3, \"Zone\": null, \"Date\": 1, \"Value\": 2 }",
        };
        var import = new Command("import", "Загрузить показания из файла (CSV, XLSX, DBF): каждая строка проверяется как в личном кабинете") { file, source, profile };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Файл {path.FullName} не найден[/]");
                return 2;
            }
            if (parse.GetValue(source) is not (ReadingSource.Import or ReadingSource.Automatic or ReadingSource.Bank))
            {
                AnsiConsole.MarkupLine("[red]--source: Import, Automatic или Bank[/]");
                return 2;
            }
            var layout = parse.GetValue(profile) is { } json
                ? JsonSerializer.Deserialize<ReadingFileProfile>(await File.ReadAllTextAsync(json.FullName, ct))!
                : new ReadingFileProfile();
            var (rows, unread) = ReadingFile.Read(path.Name, await File.ReadAllBytesAsync(path.FullName, ct), layout);
            await using var database = await CliDatabase.OpenAsync(parse, ct);
            await database.MigrateAsync(ct);
            await using var db = database.CreateContext();
            var report = await ReadingFiles.ImportAsync(db, rows, unread, parse.GetValue(source), new ReadingRules(), CliDatabase.Clock, Environment.UserName, ct);
            AnsiConsole.MarkupLineInterpolated($"Строк: {report.Lines}; принято показаний: {report.Saved}; не принято: {report.Refused.Count}");
            foreach (var e in report.Refused) AnsiConsole.MarkupLineInterpolated($"[yellow]{e.Place}: {e.Reason}[/]");
            return 0;
        });
        return new Command("readings", "Показания приборов учёта") { import };
    }
}
