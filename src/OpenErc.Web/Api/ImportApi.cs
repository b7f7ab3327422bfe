using Microsoft.AspNetCore.Mvc;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Exchange.Gis;
using OpenErc.Exchange.Legacy;
using OpenErc.Exchange.Readings;
using OpenErc.Operations.Cabinet;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>
/// <c>POST /api/v1/imports/kvado</c>: an earlier system's export (the Квадо houses and meters files) into the registry,
/// whole or not at all, the same as <c>openerc import PATH --format kvado</c>; <c>dryRun=true</c> only counts.
/// </summary>
public static class ImportApi
{
    /// <summary>The largest upload: the files of a region's export.</summary>
    public const long MaxBytes = 1024L * 1024 * 1024;

    public static void MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/readings/import", async (HttpContext http, OpenErcDatabase database, RegionClock clock, ReadingRules rules, CancellationToken ct) =>
            {
                var (form, refusal) = await RegistryApi.UploadAsync(http, "Передайте файл показаний как multipart/form-data: поле file, поле source", ct);
                if (form is null) return refusal!;
                if (form.Files.GetFile("file") is not { Length: > 0 } file) return RegistryApi.Invalid(new() { ["file"] = ["Приложите файл показаний (CSV, XLSX или DBF)"] });
                if (!Enum.TryParse<ReadingSource>(form["source"].FirstOrDefault() ?? "Import", out var source)
                    || source is not (ReadingSource.Import or ReadingSource.Automatic or ReadingSource.Bank))
                    return RegistryApi.Invalid(new() { ["source"] = ["Откуда показания: Import (файл УК или поставщика), Automatic (система учёта), Bank (реестр банка)"] });
                using var content = new MemoryStream();
                await file.CopyToAsync(content, ct);
                var profile = new ReadingFileProfile();
                if (form["profile"].FirstOrDefault() is { Length: > 0 } json)
                {
                    try
                    {
                        profile = System.Text.Json.JsonSerializer.Deserialize<ReadingFileProfile>(json) ?? profile;
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        return RegistryApi.Invalid(new() { ["profile"] = ["Профиль файла — JSON, например {\"Separator\": \";\", \"HeaderLines\": 1, \"Account\": 0, \"Meter\": 1}"] });
                    }
                }
                var (rows, unread) = ReadingFile.Read(Path.GetFileName(file.FileName), content.ToArray(), profile);
                await using var db = database.CreateContext();
                return TypedResults.Ok(await ReadingFiles.ImportAsync(db, rows, unread, source, rules, clock, SecuritySetup.Actor(http.User), ct));
            })
            .RequireAuthorization(Duties.Readings).WithTags("Загрузка данных")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxBytes })
            .WithSummary("Загрузить файл показаний (CSV «ЛС;Заводской номер;Зона;Дата;Показание» или DBF с полями LS, NOMER, ZONA, DATA, POK): " +
                         "каждая строка проверяется как в личном кабинете, отказанные — с причиной")
            .Accepts<IFormFile>("multipart/form-data").Produces<ReadingImportReport>().ProducesValidationProblem();

        var gis = app.MapGroup("/api/v1/gis").WithTags("ГИС ЖКХ").RequireAuthorization(Duties.Accounts);
        gis.MapGet("/accounts", async (long? buildingId, OpenErcDatabase database, RegionClock clock, CancellationToken ct) =>
            {
                await using var conn = new Npgsql.NpgsqlConnection(database.ConnectionString);
                await conn.OpenAsync(ct);
                var rows = await GisAccounts.RowsAsync(conn, buildingId, clock.Today, ct);
                return TypedResults.File(GisAccountsFile.Write(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    $"gis_accounts_{clock.Today:yyyy-MM-dd}.xlsx");
            })
            .WithSummary("Лицевые счета для размещения в ГИС ЖКХ (ЛС РЦ): книга XLSX по шаблону, с уже присвоенными ЕЛС и ИЖКУ");
        gis.MapPost("/accounts/identifiers", async (HttpContext http, OpenErcDatabase database, CancellationToken ct) =>
            {
                var (form, refusal) = await RegistryApi.UploadAsync(http, "Передайте файл как multipart/form-data: поле file", ct);
                if (form is null) return refusal!;
                if (form.Files.GetFile("file") is not { Length: > 0 } file) return RegistryApi.Invalid(new() { ["file"] = ["Приложите файл идентификаторов из ГИС ЖКХ (XLSX)"] });
                using var content = new MemoryStream();
                await file.CopyToAsync(content, ct);
                var (rows, unread) = GisAccountsFile.ReadIdentifiers(Path.GetFileName(file.FileName), content.ToArray());
                if (unread.Count > 0) return Refused(unread, []);
                await using var db = database.CreateContext();
                var (set, errors) = await GisAccounts.ImportIdentifiersAsync(db, rows, SecuritySetup.Actor(http.User), ct);
                return errors.Count > 0 ? Refused(errors, []) : TypedResults.Ok(new { set });
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxBytes })
            .WithSummary("Загрузить ЕЛС и ИЖКУ, присвоенные ГИС ЖКХ (XLSX со столбцами «Номер ЛС (иной идентификатор потребителя)», " +
                         "«Единый лицевой счет», «Идентификатор ЖКУ»): все строки или ничего")
            .Accepts<IFormFile>("multipart/form-data").ProducesProblem(400);

        app.MapGet("/api/v1/accounts/{id:long}/legacy-history", async (long id, OpenErcDatabase database, CancellationToken ct) =>
                TypedResults.Ok(await LegacyHistory.LoadAsync(database.ConnectionString, id, ct)))
            .RequireAuthorization(Duties.Read).AddEndpointFilter(Scopes.AccountFilter).WithTags("Лицевые счета")
            .WithSummary($"Начисления и оплаты прежней системы по лицевому счёту (история, не входит в сальдо; не более {LegacyHistory.MaxRows} последних)")
            .Produces<LegacyHistoryView>();

        app.MapGet("/api/v1/imports/openerc/template", () =>
                TypedResults.File(OpenErcTemplate.Template(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "openerc_shablon.xlsx"))
            .RequireAuthorization(Duties.Administration).WithTags("Загрузка данных")
            .WithSummary("Шаблон OpenErc для переноса данных любой системы: листы «Дома», «Помещения», «Лицевые счета», «Граждане», «Приборы учёта», «Показания», «Сальдо», «Начисления», «Оплаты»");

        app.MapGet("/api/v1/exports/registry", async (OpenErcDatabase database, CancellationToken ct) =>
            {
                await using var db = database.CreateContext();
                return TypedResults.File(await RegistryWorkbook.ExportAsync(db, ct), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "openerc_region.xlsx");
            })
            .RequireAuthorization(Duties.Administration).WithTags("Загрузка данных")
            .WithSummary("Выгрузка региона целиком (реестр, справочники, тарифы, нормативы, приборы и показания, сальдо последнего закрытого месяца) — " +
                         "для загрузки в пустую базу OpenErc (POST /api/v1/imports/registry)");

        app.MapGet("/api/v1/imports/building-condition/template", () =>
                TypedResults.File(BuildingConditionFile.Template(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "iznos_i_programma_kr.xlsx"))
            .RequireAuthorization(Duties.HousingStock).WithTags("Загрузка данных")
            .WithSummary("Шаблон книги состояния домов: листы «Обследования» (износ элементов) и «Программа КР» (работы и их выполнение)");

        app.MapPost("/api/v1/imports/building-condition", async (HttpContext http, OpenErcDatabase database, CancellationToken ct) =>
            {
                var (form, refusal) = await RegistryApi.UploadAsync(http, "Передайте книгу как multipart/form-data: поле files — файл XLSX по шаблону", ct);
                if (form is null) return refusal!;
                if (form.Files.Count != 1) return RegistryApi.Invalid(new() { ["files"] = ["Приложите одну книгу XLSX по шаблону"] });
                using var content = new MemoryStream();
                await form.Files[0].CopyToAsync(content, ct);
                var name = Path.GetFileName(form.Files[0].FileName);
                var (inspections, works, errors) = BuildingConditionFile.Read(name, content.ToArray());
                if (errors.Count > 0) return Refused(errors, []);
                await using var db = database.CreateContext();
                var report = await BuildingConditionImport.ApplyAsync(db, name, inspections, works,
                    string.Equals(form["dryRun"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase), ct);
                return report.Errors.Count > 0 ? Refused(report.Errors, report.Warnings) : TypedResults.Ok(report);
            })
            .RequireAuthorization(Duties.HousingStock).WithTags("Загрузка данных")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxBytes })
            .WithSummary("Загрузить износ конструктивных элементов и программу капитального ремонта (книга по шаблону): целиком или ничего; dryRun=true — только проверить")
            .Accepts<IFormFile>("multipart/form-data").Produces<LegacyImportReport>().ProducesProblem(400);

        app.MapPost("/api/v1/imports/{format}", async (string format, HttpContext http, OpenErcDatabase database, RegionClock clock, CancellationToken ct) =>
            {
                if (format is not ("kvado" or "openerc" or "registry"))
                    return RegistryApi.Invalid(new()
                    {
                        ["format"] = ["Формат: kvado (выгрузка Квадо), openerc (книга по шаблону OpenErc) или registry (выгрузка OpenErc — в пустую базу)"],
                    });
                var (form, refusal) = await RegistryApi.UploadAsync(http,
                    "Передайте файлы как multipart/form-data: поля files — файлы выгрузки (для Квадо — домов, приборов учёта, начислений и оплат, для OpenErc — книга XLSX)", ct);
                if (form is null) return refusal!;
                if (form.Files.Count == 0) return RegistryApi.Invalid(new() { ["files"] = ["Приложите файлы выгрузки"] });
                var files = new List<(string, byte[])>();
                foreach (var file in form.Files)
                {
                    using var content = new MemoryStream();
                    await file.CopyToAsync(content, ct);
                    files.Add((Path.GetFileName(file.FileName), content.ToArray()));
                }
                bool dryRun = string.Equals(form["dryRun"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
                if (format == "registry")
                {
                    await using var target = database.CreateContext();
                    var loaded = await RegistryWorkbook.ImportAsync(target, files[0].Item1, files[0].Item2, clock, dryRun, ct);
                    return loaded.Errors.Count > 0 ? Refused(loaded.Errors, []) : TypedResults.Ok(loaded);
                }
                var (legacy, errors, warnings) = LegacyFormats.Read(format, files);
                if (errors.Count > 0) return Refused(errors, warnings);
                long? municipality = long.TryParse(form["municipalityId"].FirstOrDefault(), out var m) ? m : null;
                await using var db = database.CreateContext();
                var report = await LegacyImport.ApplyAsync(db, legacy, new LegacyImportOptions(LegacyFormats.SourceOf(format), form["region"].FirstOrDefault()?.Trim() ?? "",
                    municipality, DryRun: dryRun,
                    BalanceService: form["balanceService"].FirstOrDefault()?.Trim(), BalanceSupplierInn: form["balanceSupplierInn"].FirstOrDefault()?.Trim()), clock, ct);
                if (report.Errors.Count > 0) return Refused(report.Errors, [.. warnings, .. report.Warnings]);
                return TypedResults.Ok(report with { Warnings = [.. warnings, .. report.Warnings] });
            })
            .RequireAuthorization(Duties.Administration).WithTags("Загрузка данных")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxBytes })
            .WithSummary("Загрузить данные прежней системы (kvado — файлы домов, приборов учёта, начислений и оплат; openerc — книга по шаблону): целиком " +
                         "или ничего; dryRun=true — только показать, что изменится; balanceService и balanceSupplierInn — услуга (код) и ИНН поставщика, " +
                         "на которые отнести сальдо без разбивки по услугам")
            .Accepts<IFormFile>("multipart/form-data").Produces<LegacyImportReport>().ProducesProblem(400);
    }

    private static IResult Refused(IEnumerable<LegacyError> errors, IEnumerable<string> warnings) =>
        TypedResults.Problem("Файл не загружен: исправьте ошибки и загрузите его снова", statusCode: 400, title: "Ничего не загружено",
            extensions: new Dictionary<string, object?> { ["errors"] = errors.ToList(), ["warnings"] = warnings.ToList() });
}
