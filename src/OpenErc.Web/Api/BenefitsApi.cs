using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Exchange.Uszn;
using OpenErc.Operations.Benefits;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>The centre's and УСЗН's codes in the names of exchange files (benefits.md §6): <c>OpenErc:Uszn</c>.</summary>
public sealed record UsznSettings
{
    public string ErcCode { get; init; } = "ERC";
    public string UsznCode { get; init; } = "USZN";
}

/// <summary>
/// Social support under <c>/api/v1</c> (benefits.md): categories of beneficiaries and delivery modes (reference data, the
/// calculator's duty), an account's rights and subsidies (the account manager's), УСЗН's registry of rights <c>BENREG</c>
/// and subsidy decisions <c>SUBDEC</c> loaded whole or refused with every reason (and the <c>BENERR</c> to send back), and the charges per beneficiary
/// <c>BENCHG</c> for a month. Bad input gets a 4xx ProblemDetails in Russian and nothing is saved.
/// </summary>
public static class BenefitsApi
{
    /// <summary>The largest BENREG accepted: a region's full snapshot is a few hundred thousand rows of ~300 bytes.</summary>
    public const long MaxRegistryBytes = 256L * 1024 * 1024;

    public sealed record RightRequest(long PersonId, string? CategoryCode, decimal? Rate, int? CoveredPersons, int? FamilySize, decimal? AreaStandard,
        int? ShareNumerator, int? ShareDenominator, DateOnly ValidFrom, DateOnly? LastDay, string? DecisionNumber, DateOnly? DecisionDate, string? UsznRightId,
        string? Reason);

    /// <param name="LastDay">The last day of the right, inclusive (as УСЗН's decisions write it).</param>
    public sealed record CloseRequest(DateOnly? LastDay, string? Reason);

    /// <param name="LastDay">The last day of the subsidy, inclusive.</param>
    public sealed record SubsidyRequest(decimal Amount, DateOnly ValidFrom, DateOnly? LastDay, string? DecisionNumber, DateOnly DecisionDate, string? UsznDecisionId,
        string? Reason);

    public sealed record RegistryLoaded(string FileName, int Rows, int Added, int Changed, int Closed, int Unchanged);

    public sealed record RegistryProblem(int? Line, string? RightId, string? AccountNumber, string Code, string Message);

    public static IServiceCollection AddBenefits(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(config.GetSection("OpenErc:Uszn").Get<UsznSettings>() ?? new UsznSettings());

    public static void MapBenefitsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        MapReference(api.MapGroup("").WithTags("Льготы: справочники"));
        MapAccount(api.MapGroup("/accounts/{number}").WithTags("Льготы и субсидии"));
        MapUszn(api.MapGroup("/uszn").WithTags("Обмен с УСЗН"));
    }

    private static void MapReference(RouteGroupBuilder api)
    {
        MapReference<BenefitCategory>(api, "/benefit-categories", BenefitReference.CategoriesAsync, BenefitReference.AddCategoryAsync,
            "Категории льготников со сроками действия (benefits.md §1)",
            "Новая строка категории льготников с даты validFrom (действующая строка того же кода закрывается этой датой)");
        MapReference<BenefitDelivery>(api, "/benefit-deliveries", BenefitReference.DeliveriesAsync, BenefitReference.AddDeliveryAsync,
            "Способы предоставления льгот: денежная компенсация (Cash) или скидка в ЕПД (InKind) по муниципальным образованиям и категориям",
            "Способ предоставления льгот для региона (municipalityId пусто) или муниципального образования, всех категорий или одной, с даты validFrom");
    }

    /// <summary>An effective-dated reference list: everyone reading reads it, the calculator adds a row (<see cref="BenefitReference"/>).</summary>
    private static void MapReference<T>(RouteGroupBuilder api, string route, Func<OpenErcDbContext, CancellationToken, Task<List<T>>> list,
        Func<OpenErcDbContext, T, CancellationToken, Task<T>> add, string listSummary, string addSummary) where T : class, IRegistryObject
    {
        api.MapGet(route, async (OpenErcDbContext db, CancellationToken ct) => TypedResults.Ok(await list(db, ct)))
            .RequireAuthorization(Duties.Read).WithSummary(listSummary);
        api.MapPost(route, async (OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var (row, error) = await CalculatorApi.ReadAsync<T>(http, ct);
                if (error is not null) return error;
                return await SavedAsync(db, http, null, async () =>
                {
                    var saved = await add(db, row!, ct);
                    return Results.Created($"/api/v1{route}/{saved.Id}", saved);
                });
            })
            .RequireAuthorization(Duties.Billing).WithSummary(addSummary)
            .Accepts<T>("application/json").Produces<T>(201).ProducesValidationProblem();
    }

    private static void MapAccount(RouteGroupBuilder account)
    {
        account.MapGet("/court-debt", async (string number, string? on, OpenErcDbContext db, HttpContext http, Scopes scopes, OpenErcDatabase database,
                RegionClock clock, CancellationToken ct) =>
            {
                if (ApiMonth.ReadDay(on, clock.Today, out var day) is { } badDay) return badDay;
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                return id is null ? refusal! : TypedResults.Ok(await CourtDebt.AnswerAsync(database.ConnectionString, id.Value, number, day, ct));
            })
            .RequireAuthorization(Duties.Read)
            .WithSummary("Ответ на запрос УСЗН о задолженности (benefits.md §6.3): долг, подтверждённый судебным актом в силе, не погашенный, " +
                         "возникший за последние три года, на дату on=ГГГГ-ММ-ДД (по умолчанию — сегодня), и дела, которыми он подтверждён")
            .Produces<CourtDebt.Answer>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(403);
        account.MapGet("/benefit-rights", async (string number, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
            {
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                return id is null ? refusal! : TypedResults.Ok(await BenefitRights.OfAccountAsync(db, id.Value, ct));
            })
            .RequireAuthorization(Duties.Read).WithSummary("Права на льготы по лицевому счёту (из реестра УСЗН и введённые вручную)")
            .Produces<List<BenefitRightView>>().ProducesProblem(404).ProducesProblem(403);
        account.MapPost("/benefit-rights", async (string number, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
            {
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                if (id is null) return refusal!;
                var (request, error) = await CalculatorApi.ReadAsync<RightRequest>(http, ct);
                if (error is not null) return error;
                var right = new BenefitRight
                {
                    PersonId = request!.PersonId, CategoryCode = request.CategoryCode?.Trim() ?? "", Rate = request.Rate, CoveredPersons = request.CoveredPersons ?? 1,
                    FamilySize = request.FamilySize, AreaStandard = request.AreaStandard, ShareNumerator = request.ShareNumerator, ShareDenominator = request.ShareDenominator,
                    ValidFrom = request.ValidFrom, ValidTo = BenefitRights.EndAfter(request.LastDay), DecisionNumber = request.DecisionNumber?.Trim(),
                    DecisionDate = request.DecisionDate, UsznRightId = request.UsznRightId,
                };
                return await SavedAsync(db, http, request.Reason, async () =>
                {
                    var saved = await BenefitRights.AddAsync(db, id.Value, right, ct);
                    return Results.Created($"/api/v1/accounts/{number}/benefit-rights/{saved.Id}", saved);
                });
            })
            .RequireAuthorization(Duties.Accounts)
            .WithSummary("Ввести право на льготу по решению УСЗН (lastDay — последний день права включительно, пусто — бессрочно)")
            .Accepts<RightRequest>("application/json").Produces<BenefitRight>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(403);
        account.MapPut("/benefit-rights/{rightId:long}/close", async (string number, long rightId, OpenErcDbContext db, HttpContext http, Scopes scopes,
                CancellationToken ct) =>
            {
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                if (id is null) return refusal!;
                var (request, error) = await CalculatorApi.ReadAsync<CloseRequest>(http, ct);
                if (error is not null) return error;
                if (request!.LastDay is not { } lastDay) return RegistryApi.Invalid(new() { ["LastDay"] = ["Укажите последний день права (lastDay, ГГГГ-ММ-ДД)"] });
                return await SavedAsync(db, http, request.Reason, async () =>
                    await BenefitRights.CloseAsync(db, id.Value, rightId, lastDay, ct) is { } closed ? Results.Ok(closed)
                        : TypedResults.Problem($"Права с кодом {rightId} по лицевому счёту {number} нет", statusCode: 404, title: "Не найдено"));
            })
            .RequireAuthorization(Duties.Accounts).WithSummary("Закрыть право на льготу: lastDay — последний день права включительно")
            .Accepts<CloseRequest>("application/json").Produces<BenefitRight>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(403);

        account.MapGet("/subsidies", async (string number, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
            {
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                return id is null ? refusal! : TypedResults.Ok(await BenefitRights.SubsidiesAsync(db, id.Value, ct));
            })
            .RequireAuthorization(Duties.Read).WithSummary("Субсидии на оплату ЖКУ по лицевому счёту (решения УСЗН)")
            .Produces<List<SubsidyDecision>>().ProducesProblem(404).ProducesProblem(403);
        account.MapPost("/subsidies", async (string number, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
            {
                var (id, refusal) = await AccountAsync(db, http, scopes, number, ct);
                if (id is null) return refusal!;
                var (request, error) = await CalculatorApi.ReadAsync<SubsidyRequest>(http, ct);
                if (error is not null) return error;
                var subsidy = new SubsidyDecision
                {
                    Amount = request!.Amount, ValidFrom = request.ValidFrom, ValidTo = BenefitRights.EndAfter(request.LastDay), DecisionNumber = request.DecisionNumber?.Trim() ?? "",
                    DecisionDate = request.DecisionDate, UsznDecisionId = request.UsznDecisionId,
                };
                return await SavedAsync(db, http, request.Reason, async () =>
                {
                    var saved = await BenefitRights.AddSubsidyAsync(db, id.Value, subsidy, ct);
                    return Results.Created($"/api/v1/accounts/{number}/subsidies/{saved.Id}", saved);
                });
            })
            .RequireAuthorization(Duties.Accounts).WithSummary("Записать субсидию, назначенную УСЗН (сумма в месяц, срок: validFrom — lastDay включительно)")
            .Accepts<SubsidyRequest>("application/json").Produces<SubsidyDecision>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(403);
    }

    private static void MapUszn(RouteGroupBuilder uszn)
    {
        MapIncoming(uszn, "/rights", UsznFileName.Benreg, "реестр прав BENREG", "Реестр прав УСЗН не загружен", "uszn-registry-refused",
            BenerrFile.Columns, UsznImport.ImportRightsAsync);
        // SUBDEC is OpenErc's layout (benefits.md §6 has no file for subsidies): see SubdecFile.
        MapIncoming(uszn, "/subsidies", UsznFileName.Subdec, "решения о субсидиях SUBDEC", "Решения УСЗН о субсидиях не загружены", "uszn-subsidies-refused",
            BenerrFile.SubdecColumns, UsznImport.ImportSubsidiesAsync);
        MapCharges(uszn);
    }

    /// <summary>
    /// An incoming УСЗН file loaded whole or refused: 200 with the counts, 422 with every problem (or, with
    /// <c>format=benerr</c>, the BENERR file to send back — empty when accepted), 400 when there is no file.
    /// </summary>
    private static void MapIncoming(RouteGroupBuilder uszn, string route, string kind, string what, string refusedTitle, string problemType,
        IReadOnlyList<string> benerrColumns, Func<string, byte[], string, string, RegionClock, CancellationToken, Task<UsznImportResult>> import) =>
        uszn.MapPost(route, async (HttpContext http, OpenErcDatabase database, RegionClock clock, string? format, string? fileName, CancellationToken ct) =>
            {
                if (format is not (null or "" or "json" or "benerr"))
                    return RegistryApi.Invalid(new() { ["format"] = ["Формат ответа: json (по умолчанию) или benerr — файл ошибок BENERR для УСЗН"] });
                var (name, content, refusal) = await UploadAsync(http, fileName, kind, what, ct);
                if (refusal is not null) return refusal;
                var result = await import(database.ConnectionString, content!, name!, SecuritySetup.Actor(http.User), clock, ct);
                if (format == "benerr")
                {
                    // Accepted: the empty report (header and trailer) that УСЗН expects after every file.
                    var report = result.Benerr ?? BenerrFile.Write([], columns: benerrColumns);
                    var reportName = result.BenerrName ?? (UsznFileName.TryParse(name!) is { } n ? (n with { Kind = UsznFileName.Benerr }).ToString() : "OPENERC_BENERR.csv");
                    http.Response.StatusCode = result.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;
                    return Results.File(report, "text/csv; charset=utf-8", reportName);
                }
                if (result.Applied) return TypedResults.Ok(new RegistryLoaded(result.FileName, result.Rows, result.Added, result.Changed, result.Closed, result.Unchanged));
                return TypedResults.Problem(
                    $"Файл {result.FileName} не загружен, ничего не сохранено: ошибок {result.Problems.Count}. Исправьте их и загрузите файл снова; " +
                    "файл ошибок для УСЗН — тот же запрос с format=benerr",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: refusedTitle, type: $"https://openerc.ru/problems/{problemType}",
                    extensions: new Dictionary<string, object?>
                    {
                        ["problems"] = result.Problems.Select(p => new RegistryProblem(p.Line, p.RightId, p.AccountNumber, p.Code.Code(), p.Message)).ToList(),
                        ["benerrFileName"] = result.BenerrName,
                    });
            })
            .RequireAuthorization(Duties.Accounts)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRegistryBytes), new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxRegistryBytes })
            .WithSummary($"Загрузить {what} от УСЗН (multipart: поле file; или сам файл телом запроса с параметром fileName): целиком или ничего; " +
                         "отказ — 422 со всеми ошибками; format=benerr — ответ файлом ошибок BENERR для УСЗН")
            .Accepts<IFormFile>("multipart/form-data").Produces<RegistryLoaded>().ProducesProblem(422).ProducesValidationProblem();

    private static void MapCharges(RouteGroupBuilder uszn) =>
        uszn.MapGet("/charges", async (string? month, string? encoding, string? format, OpenErcDatabase database, UsznSettings settings, CancellationToken ct) =>
            {
                if (ApiMonth.Read(month, out var period) is { } badMonth) return badMonth;
                var errors = new Dictionary<string, string[]>();
                var text = (encoding ?? "utf8").ToLowerInvariant() switch
                {
                    "utf8" or "utf-8" => (UsznEncoding?)UsznEncoding.Utf8,
                    "cp1251" or "windows-1251" => UsznEncoding.Windows1251,
                    _ => null,
                };
                if (text is null) errors["encoding"] = ["Кодировка: utf8 (по умолчанию) или cp1251"];
                var kind = (format ?? "csv").ToLowerInvariant();
                if (kind is not ("csv" or "xml")) errors["format"] = ["Формат: csv (по умолчанию) или xml"];
                else if (kind == "xml" && text == UsznEncoding.Windows1251) errors["encoding"] = ["XML выгружается только в UTF-8: уберите encoding=cp1251 или выберите format=csv"];
                if (errors.Count > 0) return RegistryApi.Invalid(errors);
                var rows = await UsznExport.ChargesAsync(database.ConnectionString, period, ct);
                var name = new UsznFileName(UsznFileName.Benchg, settings.ErcCode, settings.UsznCode, period, 1).ToString(kind);
                if (kind == "xml") return Results.File(BenchgFile.WriteXml(rows), "application/xml", name);
                try
                {
                    return Results.File(BenchgFile.Write(rows, text!.Value), text == UsznEncoding.Utf8 ? "text/csv; charset=utf-8" : "text/csv; charset=windows-1251", name);
                }
                catch (UsznFileException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Файл не выгружен");
                }
            })
            .RequireAuthorization(Duties.Billing)
            .WithSummary("Начисления по льготникам для УСЗН (BENCHG) за месяц: month=ГГГГ-ММ, encoding=utf8|cp1251, format=csv|xml")
            .Produces(200, contentType: "text/csv").ProducesValidationProblem().ProducesProblem(422);

    /// <summary>
    /// The uploaded file: the <c>file</c> field of a multipart form, or the raw body named by <paramref name="fileName"/>
    /// (or the Content-Disposition header); a 400 when there is none.
    /// </summary>
    private static async Task<(string? Name, byte[]? Content, IResult? Refusal)> UploadAsync(HttpContext http, string? fileName, string kind, string what,
        CancellationToken ct)
    {
        var how = $"Передайте файл как multipart/form-data (поле file) или телом запроса с параметром fileName=OPENERC_{kind}_…csv";
        using var content = new MemoryStream();
        string? name;
        if (http.Request.HasFormContentType)
        {
            var (form, refusal) = await RegistryApi.UploadAsync(http, how, ct);
            if (form is null) return (null, null, refusal);
            if (form.Files.GetFile("file") is not { Length: > 0 } file) return (null, null, RegistryApi.Invalid(new() { ["file"] = [$"Приложите файл: {what} (CSV)"] }));
            await file.CopyToAsync(content, ct);
            name = file.FileName;
        }
        else
        {
            name = fileName ?? (Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(http.Request.Headers.ContentDisposition.ToString(), out var d)
                ? (d.FileNameStar.Value ?? d.FileName.Value)?.Trim('"') : null);
            await http.Request.Body.CopyToAsync(content, ct);
            if (content.Length == 0) return (null, null, RegistryApi.Invalid(new() { ["file"] = [how] }));
            if (string.IsNullOrWhiteSpace(name)) return (null, null, RegistryApi.Invalid(new() { ["fileName"] = [$"Укажите имя файла: fileName=OPENERC_{kind}_<код ЕРЦ>_<код УСЗН>_<ГГГГММ>_<номер>.csv"] }));
        }
        return (Path.GetFileName(name), content.ToArray(), null);
    }

    /// <summary>The id of the account numbered <paramref name="number"/>, or the 404 / 403 to answer.</summary>
    private static async Task<(long? Id, IResult? Refusal)> AccountAsync(OpenErcDbContext db, HttpContext http, Scopes scopes, string number, CancellationToken ct)
    {
        var id = await db.Accounts.Where(a => a.Number == number).Select(a => (long?)a.Id).SingleOrDefaultAsync(ct);
        if (id is null) return (null, TypedResults.Problem($"Лицевой счёт {number} не найден", statusCode: 404, title: "Не найдено"));
        if (!await (await scopes.ForAsync(http.User, ct)).CanSeeAccountAsync(db, id.Value, ct))
            return (null, TypedResults.Problem($"Лицевой счёт {number} не относится к вашим домам или лицевым счетам", statusCode: 403, title: "Нет доступа"));
        return (id, null);
    }

    /// <summary>Runs a save stamped with the user and the reason; its refusals become a 400 by field.</summary>
    private static async Task<IResult> SavedAsync(OpenErcDbContext db, HttpContext http, string? reason, Func<Task<IResult>> save)
    {
        if (reason?.Length > 1000) return RegistryApi.Invalid(new() { ["reason"] = ["Причина изменения длиннее 1000 символов"] });
        RegistryApi.Stamp(db, http);
        if (!string.IsNullOrWhiteSpace(reason)) db.Reason = reason.Trim();
        try
        {
            return await save();
        }
        catch (RegistryValidationException e)
        {
            return RegistryApi.Invalid(e.Errors);
        }
    }
}
