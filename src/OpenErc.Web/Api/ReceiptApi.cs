using Microsoft.EntityFrameworkCore;
using System.Security.Claims;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Mail;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;

using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <param name="Email">Where to send the document.</param>
public sealed record ReceiptMailRequest(string? Email);

/// <param name="Text">What the managing organisation announces (up to 1000 characters).</param>
/// <param name="BuildingId">Only this building's documents; without it, every building of <paramref name="OrganisationId"/>, or all.</param>
/// <param name="ValidFrom">First day the announcement is printed (a document of a month shows those valid in that month).</param>
/// <param name="ValidTo">First day it is no longer printed; open-ended when empty.</param>
public sealed record AnnouncementRequest(string? Text, long? BuildingId, long? OrganisationId, DateOnly? ValidFrom, DateOnly? ValidTo);

/// <summary>
/// Payment documents (ЕПД) over HTTP: the account's documents by month, the PDF of a month (issued on first request
/// once the month is closed), sending it by e-mail, and the announcements printed on the documents.
/// </summary>
public static class ReceiptApi
{

    public static IServiceCollection AddReceipts(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("OpenErc:Receipts").Get<ReceiptSettings>() ?? new ReceiptSettings());
        var mail = config.GetSection("OpenErc:Mail").Get<MailSettings>() ?? new MailSettings();
        if (mail.Problems().ToList() is { Count: > 0 } problems)
            throw new InvalidOperationException("Неверные настройки почты: " + string.Join("; ", problems));
        services.AddSingleton(mail);
        services.AddSingleton<IMailSender>(new SmtpMailSender(mail));
        services.AddHostedService<ReceiptMailWorker>();
        return services;
    }

    public static void MapReceiptApi(this IEndpointRouteBuilder app)
    {
        // The bulk print's files (started on /receipts): a building's PDF and the month's print registry.
        var prints = app.MapGroup("/api/v1/receipts/prints").WithTags("Платёжные документы (ЕПД)").RequireAuthorization(Duties.Billing);
        prints.MapGet("/{month}/{buildingId:long}", async (string month, long buildingId, OpenErcDatabase db, PrintJobs jobs, CancellationToken ct) =>
            {
                if (ApiMonth.Read(month, out var period) is { } bad) return bad;
                await using var conn = await OpenAsync(db, ct);
                var file = (await ReceiptPrinting.PrintedAsync(conn, period, ReceiptKind.Monthly, ct)).FirstOrDefault(f => f.BuildingId == buildingId);
                var path = file is null ? null : Path.Combine(jobs.MonthDirectory(period), file.File);
                return path is not null && File.Exists(path)
                    ? TypedResults.PhysicalFile(path, "application/pdf", file!.File)
                    : TypedResults.Problem($"Платёжные документы дома {buildingId} за {period} не напечатаны", statusCode: 404, title: "Не найдено");
            })
            .WithSummary("Напечатанные платёжные документы дома за месяц одним PDF (печать запускается на странице «Печать ЕПД»)")
            .Produces(200, contentType: "application/pdf").ProducesProblem(404);
        prints.MapGet("/{month}/registry", (string month, PrintJobs jobs) =>
            {
                if (ApiMonth.Read(month, out var period) is { } bad) return bad;
                var path = Path.Combine(jobs.MonthDirectory(period), ReceiptPrinting.RegistryFileName(period, ReceiptKind.Monthly));
                return File.Exists(path)
                    ? TypedResults.PhysicalFile(path, "text/csv; charset=utf-8", Path.GetFileName(path))
                    : TypedResults.Problem($"Реестр печати за {period} не составлен: месяц не печатался", statusCode: 404, title: "Не найдено");
            })
            .WithSummary("Реестр печати месяца (CSV: дома, файлы, число документов, суммы к оплате, контрольные суммы)")
            .Produces(200, contentType: "text/csv").ProducesProblem(404);

        var accounts = app.MapGroup("/api/v1/accounts").WithTags("Платёжные документы (ЕПД)").RequireAuthorization(Duties.Read).AddEndpointFilter(Scopes.AccountFilter).RequireForChanges(Duties.Accounts);

        accounts.MapGet("/{id:long}/receipts", async (long id, OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = await OpenAsync(db, ct);
                return Results.Ok(await ReceiptIssuing.ListAsync(conn, id, ct));
            })
            .WithSummary("Закрытые месяцы лицевого счёта и выпущенные за них платёжные документы").Produces<IReadOnlyList<ReceiptIssuing.MonthDocument>>();

        accounts.MapGet("/{id:long}/receipts/{month}/pdf", async (long id, string month, string? kind, OpenErcDatabase db, ReceiptSettings settings,
                RegionClock clock, ClaimsPrincipal user, AuthJournal journal, CancellationToken ct) =>
                kind is null or "monthly" or "debt-notice"
                    ? await PdfAsync(db, settings, clock, user, month, id, ct, kind == "debt-notice", journal)
                    : TypedResults.Problem($"Вид документа «{kind}» неизвестен: monthly или debt-notice", statusCode: 400, title: "Неверный запрос"))
            .WithSummary("Платёжный документ месяца в PDF (kind=debt-notice — уведомление о задолженности на конец месяца); выпускается при первом " +
                         "запросе после закрытия месяца, повторная печать даёт тот же документ. Пользователям управляющих организаций, поставщиков " +
                         "и муниципалитетов — без кода регистрации в личном кабинете; печать кода сотрудником центра записывается в журнал")
            .Produces(200, contentType: "application/pdf").ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        accounts.MapPost("/{id:long}/receipts/{month}/email", async (long id, string month, HttpContext http, OpenErcDatabase db, ReceiptSettings settings,
                RegionClock clock, CancellationToken ct) =>
            {
                if (ApiMonth.Read(month, out var period) is { } bad) return bad;
                var (request, error) = await CalculatorApi.ReadAsync<ReceiptMailRequest>(http, ct);
                if (error is not null) return error;
                await using var conn = await OpenAsync(db, ct);
                try
                {
                    var number = await ReceiptDelivery.QueueAsync(conn, settings, SecuritySetup.Actor(http.User), clock.Today, id, period, request!.Email, ct);
                    return TypedResults.Accepted((string?)null, new { receipt = number, email = request.Email!.Trim(), state = "queued" });
                }
                catch (ReceiptException e)
                {
                    return Refused(e);
                }
            })
            .WithSummary("Отправить платёжный документ месяца на электронную почту (очередь писем; повторный запрос ничего не дублирует); " +
                         "в письме документ без кода регистрации в личном кабинете")
            .Accepts<ReceiptMailRequest>("application/json").ProducesValidationProblem().ProducesProblem(409);

        var cabinet = app.MapGroup("/api/v1/cabinet/accounts").WithTags("Личный кабинет: платёжные документы").RequireAuthorization(Duties.Cabinet);
        cabinet.MapGet("/{number}/receipts/{month}/pdf", async (string number, string month, OpenErcDatabase db, ReceiptSettings settings, RegionClock clock,
                ClaimsPrincipal user, Scopes scopes, CancellationToken ct) =>
            {
                await using var context = db.CreateContext();
                return await Cabinet.CitizenApi.OwnAccountAsync(number, user, scopes, context, ct) is { } account
                    ? await PdfAsync(db, settings, clock, user, month, account, ct)
                    : Cabinet.CitizenApi.NotOwn(number);
            })
            .WithSummary("Платёжный документ месяца своего лицевого счёта в PDF (для гражданина, вошедшего в кабинет)")
            .Produces(200, contentType: "application/pdf").ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409);

        var announcements = app.MapGroup("/api/v1/announcements").WithTags("Объявления в платёжных документах").RequireAuthorization(Duties.Read).RequireForChanges(Duties.Accounts);
        announcements.MapGet("", async (OpenErcDatabase db, CancellationToken ct) =>
            {
                await using var conn = await OpenAsync(db, ct);
                return Results.Ok(await Announcements.ListAsync(conn, ct));
            })
            .WithSummary("Объявления управляющих организаций, печатаемые в платёжных документах");
        announcements.MapPost("", async (HttpContext http, OpenErcDatabase db, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<AnnouncementRequest>(http, ct);
                if (error is not null) return error;
                await using var conn = await OpenAsync(db, ct);
                var (id, errors) = await Announcements.AddAsync(conn, request!.Text, request.BuildingId, request.OrganisationId, request.ValidFrom, request.ValidTo, SecuritySetup.Actor(http.User), ct);
                return id is { } created
                    ? TypedResults.Created($"/api/v1/announcements/{created}", new { id = created })
                    : TypedResults.ValidationProblem(errors, title: "Объявление не сохранено: исправьте ошибки");
            })
            .WithSummary("Добавить объявление: для дома, для всех домов управляющей организации или для всех").Accepts<AnnouncementRequest>("application/json")
            .ProducesValidationProblem();
    }

    /// <summary>
    /// The PDF of a month's document. The stored document is never changed, but a user of an access group (a management
    /// company's, a supplier's or a municipality's) gets it without the cabinet registration code — the code lets its holder
    /// register as the account's citizen — and the centre's staff printing it are journaled (<paramref name="journal"/>;
    /// none for the citizen's own download).
    /// </summary>
    private static async Task<IResult> PdfAsync(OpenErcDatabase db, ReceiptSettings settings, RegionClock clock, ClaimsPrincipal user, string month,
        long account, CancellationToken ct, bool debtNotice = false, AuthJournal? journal = null)
    {
        if (ApiMonth.Read(month, out var period) is { } bad) return bad;
        await using var conn = await OpenAsync(db, ct);
        try
        {
            var document = await ReceiptIssuing.ForAccountAsync(conn, settings, SecuritySetup.Actor(user), clock.Today, account, period, ct, debtNotice);
            if (journal is not null && document.Payer.RegistrationCode is not null)
            {
                if (user.HasClaim(c => c.Type == AccessScope.GroupClaim))
                    document = ReceiptDelivery.WithoutCode(document);
                else
                    await journal.WriteAsync(AuthEvent.CodePrinted, SecuritySetup.Actor(user), true, ApiKeys.IsServiceAccount(user) ? null : AccessScope.UserId(user),
                        document.Payer.AccountNumber, actor: SecuritySetup.Actor(user), ct: ct);
            }
            return TypedResults.File(ReceiptPdf.Render(document), "application/pdf", $"ЕПД {document.Payer.AccountNumber} {document.Month}.pdf");
        }
        catch (ReceiptException e)
        {
            return Refused(e);
        }
    }

    internal static async Task<NpgsqlConnection> OpenAsync(OpenErcDatabase db, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    private static IResult Refused(ReceiptException e) =>
        TypedResults.Problem(e.Message, statusCode: e.NotFound ? 404 : 409, title: e.NotFound ? "Не найдено" : "Отказано");
}

/// <summary>Sends the queued e-mails of documents every <see cref="MailSettings.IntervalSeconds"/> (the outbox of <see cref="ReceiptDelivery"/>).</summary>
public sealed class ReceiptMailWorker(OpenErcDatabase db, IMailSender sender, MailSettings settings, RegionClock clock, ILogger<ReceiptMailWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.IntervalSeconds));
        do
        {
            try
            {
                if (await ReceiptDelivery.SendQueuedAsync(db.ConnectionString, sender, settings.From, clock, ct: stoppingToken) is > 0 and var sent)
                    log.LogInformation("Отправлено писем с платёжными документами: {Sent}", sent);
                if (await OpenErc.Operations.Cabinet.OutageNotices.SendQueuedAsync(db.ConnectionString, sender, settings.From, clock, ct: stoppingToken) is > 0 and var notices)
                    log.LogInformation("Отправлено уведомлений об отключениях: {Sent}", notices);
                if (await OpenErc.Operations.Reports.ReportMailing.SendQueuedAsync(db.ConnectionString, sender, settings.From, clock, ct: stoppingToken) is > 0 and var reports)
                    log.LogInformation("Отправлено писем с отчётами месяца: {Sent}", reports);
            }
            catch (NpgsqlException e)
            {
                log.LogWarning(e, "Очередь писем с платёжными документами недоступна");
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A fault of one round must not stop the host: the letters stay queued for the next one.
                log.LogError(e, "Отправка писем с платёжными документами не удалась");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
