using System.Globalization;
using System.Security.Claims;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Operations.Reports;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

public sealed record ReportFilterInfo(string Key, string Title);

/// <summary>A subscription to the monthly reports: the organisation, the address, the reports' codes (none: the default set).</summary>
public sealed record SubscriptionRequest(long OrganisationId, string? Email, IReadOnlyList<string>? Reports);

public sealed record ReportOptionInfo(string Value, string Title);

public sealed record ReportParameterInfo(string Key, string Title, IReadOnlyList<ReportOptionInfo> Values, string Default);

public sealed record ReportColumnInfo(string Key, string Title, string Cell);

/// <summary>A report as the list gives it: what it is, what period it takes, its filters (and groupings), parameters and columns.</summary>
public sealed record ReportInfo(string Code, string Title, string Section, string Description, string Period, IReadOnlyList<ReportFilterInfo> Filters,
    IReadOnlyList<ReportParameterInfo> Parameters, IReadOnlyList<string> DefaultGroups, IReadOnlyList<ReportColumnInfo> Columns);

/// <summary>A row: <c>row</c>, <c>subtotal</c> (its level) or <c>total</c>, and its values in the columns' order (months as ГГГГ-ММ, dates as ГГГГ-ММ-ДД).</summary>
public sealed record ReportRowJson(string Kind, int Level, object?[] Values);

/// <summary>A formed report's page: the title block, the columns, the rows, the grand total and the paging.</summary>
public sealed record ReportJson(string Code, string Title, string Organisation, string Period, string Selection, string Options, DateTimeOffset FormedAt,
    string FormedBy, IReadOnlyList<ReportColumnInfo> Columns, IReadOnlyList<ReportRowJson> Rows, ReportRowJson Total, long Count, int Page, int PageSize);

/// <summary>
/// Reports for machines under <c>/api/v1/reports</c>: the list, and any report by its code with the query string of
/// <see cref="ReportRequest"/> and <c>format=json|xlsx|csv|pdf</c> (<c>encoding=utf8|cp1251</c> for CSV, <c>page</c> and
/// <c>pageSize</c> for JSON). Every staff role may ask; a management company's, supplier's or municipality's user gets
/// the same reports limited to its own buildings (a supplier to its own services and rows), and only roles that may see
/// personal data get names and birth dates. A file is formed whole before it is sent, so a refusal is a Russian
/// ProblemDetails and never a file cut short.
/// </summary>
public static class ReportsApi
{
    public static void MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Отчёты").RequireAuthorization(Duties.Reports);

        reports.MapGet("", () => TypedResults.Ok(ReportCatalog.All.Select(Info).ToList()))
            .WithSummary("Отчёты: код, наименование, период, отборы, параметры и графы");

        reports.MapGet("/analytics", async (string? month, string? by, HttpContext http, OpenErcDatabase db, RegionClock clock, Scopes scopes, CancellationToken ct) =>
            {
                try
                {
                    return Results.Ok(await RegionAnalytics.LoadAsync(db.ConnectionString, await MonthOrLatestAsync(month, db, clock, ct), by ?? "municipality", ScopeOf(http.User, await scopes.ForAsync(http.User, ct)), ct));
                }
                catch (ReportException e)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Key] = [e.Message] }, detail: e.Message, title: "Аналитика не сформирована");
                }
            })
            .WithSummary("Аналитика региона (reports.md §20) за 12 закрытых месяцев по month (ГГГГ-ММ): by = municipality, manager, supplier или service")
            .Produces<AnalyticsDashboard>().ProducesValidationProblem();
        reports.MapGet("/analytics/limit-index", async (string? month, string? by, HttpContext http, OpenErcDatabase db, RegionClock clock, Scopes scopes,
                CancellationToken ct) =>
            {
                try
                {
                    return Results.Ok(await RegionAnalytics.LimitIndexAsync(db.ConnectionString, await MonthOrLatestAsync(month, db, clock, ct), by ?? "municipality",
                        ScopeOf(http.User, await scopes.ForAsync(http.User, ct)), clock, ct));
                }
                catch (ReportException e)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Key] = [e.Message] }, detail: e.Message, title: "Индекс не рассчитан");
                }
            })
            .WithSummary("I10 (reports.md §20): рост платы за коммунальные услуги при объёмах декабря прошлого года к month (ГГГГ-ММ) и доля счетов " +
                         "сверх предельного индекса; by = municipality или manager")
            .Produces<LimitIndexFigures>().ProducesValidationProblem();

        var subscriptions = app.MapGroup("/api/v1/report-subscriptions").WithTags("Отчёты").RequireAuthorization(Duties.Administration);
        subscriptions.MapGet("", async (OpenErcDatabase db, CancellationToken ct) => TypedResults.Ok(await ReportMailing.ListAsync(db.ConnectionString, ct)))
            .WithSummary("Рассылка отчётов после закрытия месяца: подписки управляющих организаций и поставщиков");
        subscriptions.MapPost("", async (SubscriptionRequest body, HttpContext http, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
            {
                var (id, errors) = await ReportMailing.SubscribeAsync(db.ConnectionString, body.OrganisationId, body.Email, body.Reports, SecuritySetup.Actor(http.User), clock, ct);
                return id is { } created
                    ? Results.Created($"/api/v1/report-subscriptions/{created}", (await ReportMailing.ListAsync(db.ConnectionString, ct)).Single(s => s.Id == created))
                    : TypedResults.ValidationProblem(errors, title: "Подписка не создана: исправьте ошибки");
            })
            .WithSummary("Подписать организацию на отчёты месяца: organisationId, email, reports — коды отчётов (по умолчанию ОСВ, платежи, расщепление, должники)")
            .Produces<ReportSubscription>(201).ProducesValidationProblem();
        subscriptions.MapDelete("/{id:long}", async (long id, OpenErcDatabase db, CancellationToken ct) =>
                await ReportMailing.StopAsync(db.ConnectionString, id, ct) ? Results.NoContent()
                : Results.Problem($"Подписки {id} нет", statusCode: 404, title: "Не найдено"))
            .WithSummary("Остановить подписку (уже поставленные в очередь письма уйдут)");

        reports.MapGet("/{code}", async (string code, HttpContext http, OpenErcDatabase db, RegionClock clock, Scopes scopes, CancellationToken ct) =>
            {
                if (ReportCatalog.Find(code) is not { } report)
                    return Results.Problem($"Отчёт «{code}» не найден: список отчётов — GET /api/v1/reports", statusCode: 404, title: "Не найдено");
                var query = http.Request.Query.ToDictionary(q => q.Key, q => (string?)string.Join(',', q.Value.ToArray()));
                try
                {
                    var format = query.GetValueOrDefault("format") ?? "json";
                    if (format is not ("json" or "xlsx" or "csv" or "pdf"))
                        throw new ReportException("format", $"Формат — json, xlsx, csv или pdf: «{format}»");
                    var encoding = query.GetValueOrDefault("encoding") ?? "utf8";
                    if (!ReportCsv.Profiles.Contains(encoding)) throw new ReportException("encoding", $"Кодировка CSV — utf8 или cp1251: «{encoding}»");
                    var (latest, open) = await ReportEngine.MonthsAsync(db.ConnectionString, clock, ct);
                    var parsed = ReportRequest.Parse(report, query, latest, open, clock.Today);
                    var access = await scopes.ForAsync(http.User, ct);
                    var scope = ScopeOf(http.User, access);
                    if (format == "json")
                    {
                        int page = Number(query, "page", 1), size = Number(query, "pageSize", 100);
                        return Results.Ok(Json(await ReportEngine.PageAsync(db.ConnectionString, report, parsed, scope, clock, page, size, ct)));
                    }
                    return await FileAsync(report, parsed, scope, access, format, encoding, db, clock, ct);
                }
                catch (ReportException e)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Key] = [e.Message] }, detail: e.Message,
                        title: "Отчёт не сформирован: исправьте параметры");
                }
            })
            .WithSummary("Отчёт по коду: from, to (ГГГГ-ММ) или date, mode (summary, expanded, pivot), group, across, measure, отборы по признакам, параметры отчёта; format=json|xlsx|csv|pdf")
            .Produces<ReportJson>().ProducesValidationProblem().ProducesProblem(404);
    }

    /// <summary>What a user's access group lets a report show (<see cref="AccessScope"/>), and who forms it.</summary>
    public static ReportScope ScopeOf(ClaimsPrincipal user, AccessScope access) =>
        new(access.Buildings, access.Services, access.SupplierId, Roles.SeesPersonalData(user),
            user.FindFirst(ClaimTypes.GivenName)?.Value is { Length: > 0 } name ? name : user.Identity?.Name ?? "");

    private static int Number(Dictionary<string, string?> query, string key, int fallback) =>
        query.GetValueOrDefault(key) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ReportException(key, $"«{key}» — целое положительное число: «{text}»");

    public static ReportInfo Info(ReportDefinition r) => new(r.Code, r.Title, r.Section, r.Description,
        r.Time switch { ReportTime.Date => "date", ReportTime.MonthEnd => "month-end", _ => "months" },
        r.Dimensions.Select(d => new ReportFilterInfo(d, ReportDimensions.All[d].Title)).ToList(),
        r.Options.Select(p => new ReportParameterInfo(p.Key, p.Title, p.Values.Select(v => new ReportOptionInfo(v.Value, v.Title)).ToList(), p.Default)).ToList(),
        r.DefaultGroups, r.Columns.Where(c => !c.Hidden).Select(Column).ToList());

    private static ReportColumnInfo Column(ReportColumn c) => new(c.Key, c.Title, c.Cell.ToString().ToLowerInvariant());

    public static ReportJson Json(ReportPage page) => new(page.Head.Code, page.Head.Title, page.Head.Organisation, page.Head.Period, page.Head.Selection,
        page.Head.Options, page.Head.FormedAt, page.Head.FormedBy, page.Head.Columns.Select(Column).ToList(),
        page.Rows.Select(r => Row(r, page.Head)).ToList(), Row(page.Total, page.Head), page.Count, page.Page, page.PageSize);

    private static ReportRowJson Row(ReportRow row, ReportHead head) => new(row.Kind.ToString().ToLowerInvariant(), row.Level,
        row.Values.Select((v, i) => v is DateOnly d && head.Columns[i].Cell == ReportCell.Month ? d.ToString("yyyy-MM", CultureInfo.InvariantCulture) : v).ToArray());

    /// <summary>
    /// The report as a file, formed into a temporary file first (deleted when sent): <c>&lt;код&gt;_&lt;период&gt;_&lt;кто&gt;_&lt;ггггММдд-ЧЧмм&gt;</c>
    /// as reports.md §21.3 names it.
    /// </summary>
    private static async Task<IResult> FileAsync(ReportDefinition report, ReportQuery query, ReportScope scope, AccessScope access, string format,
        string encoding, OpenErcDatabase db, RegionClock clock, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        var (head, rows) = await ReportEngine.OpenAsync(conn, report, query, scope, clock, ct);
        var period = report.Time == ReportTime.Date ? query.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : query.From == query.To ? query.To.ToString() : $"{query.From}_{query.To}";
        var who = access.Group switch
        {
            { Kind: AccessGroupKind.ManagementCompany } g => $"UK-{g.OrganisationId}",
            { Kind: AccessGroupKind.Supplier } g => $"RSO-{g.OrganisationId}",
            { Kind: AccessGroupKind.Municipality } g => $"MO-{g.MunicipalityId}",
            _ => "region",
        };
        var name = head.FileName(format, clock.Zone, $"{period}_{who}");
        if (format == "pdf")
        {
            var all = new List<ReportRow>();
            await foreach (var row in rows.WithCancellation(ct))
            {
                all.Add(row);
                if (all.Count > ReportPdf.MaxRows + 1)
                    throw new ReportException("format", $"Для печати — не более {ReportPdf.MaxRows} строк: сузьте отбор или выгрузите отчёт в XLSX или CSV");
            }
            return Results.File(ReportPdf.Render(head, all, clock.Zone), "application/pdf", name);
        }
        var path = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(path))
            {
                if (format == "xlsx") await ReportXlsx.WriteAsync(file, head, rows, clock.Zone, ct);
                else await ReportCsv.WriteAsync(file, head, rows, encoding, ct);
            }
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return Results.File(stream, format == "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : encoding == "cp1251" ? "text/csv; charset=windows-1251" : "text/csv; charset=utf-8", name);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The analytics' month: the query's, or the latest closed one; a bad month is the query's <see cref="ReportException"/>.</summary>
    private static async Task<BillingPeriod> MonthOrLatestAsync(string? month, OpenErcDatabase db, RegionClock clock, CancellationToken ct) =>
        month is null ? (await ReportEngine.MonthsAsync(db.ConnectionString, clock, ct)).Latest
        : BillingPeriod.TryParse(month, out var period) ? period : throw new ReportException("month", BillingPeriod.ParseError(month));
}
