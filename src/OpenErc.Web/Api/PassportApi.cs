using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Residents;
using OpenErc.Operations.Registry;
using OpenErc.Storage;
using OpenErc.Web.Security;

namespace OpenErc.Web.Api;

/// <summary>
/// The passport desk over HTTP (the паспортист's duty): registering and deregistering people on an account, and the
/// desk's documents — issued (numbered, journaled, the PDF kept), refused (journaled), reprinted and listed. Bad input
/// gets 400 ProblemDetails with messages in Russian, and nothing is saved.
/// </summary>
public static class PassportApi
{
    /// <param name="ValidTo">For a stay: the day after its declared last day (as every <c>validTo</c> of the API).</param>
    public sealed record RegistrationRequest(long PersonId, RegistrationKind Kind, DateOnly From, DateOnly? ValidTo, string? Relation, DateOnly? AppliedOn,
        string? ArrivedFrom, string? Basis);

    /// <param name="On">The registration body's decision day; for a death, the day of death.</param>
    public sealed record DeregistrationRequest(DateOnly On, DeregistrationReason Reason, string? DepartedTo, string? Basis);

    public sealed record DocumentApplication(PassportDocumentKind Kind, long? PersonId, string? Requester, string? RequesterDocument, RequestBasis Basis,
        string? BasisDetails, string? Purpose, DocumentChannel Channel = DocumentChannel.Desk, string? Refusal = null);

    public static IServiceCollection AddPassportDesk(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(config.GetSection("OpenErc:Passport").Get<PassportSettings>() ?? new PassportSettings());

    public static void MapPassportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Паспортный стол").RequireAuthorization(Duties.Registrations);
        var account = api.MapGroup("/accounts/{id:long}").AddEndpointFilter(Scopes.AccountFilter);

        account.MapPost("/registrations", async (long id, OpenErcDbContext db, HttpContext http, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<RegistrationRequest>(http, ct);
                if (error is not null) return error;
                try
                {
                    var registration = await PassportOffice.RegisterAsync(db, new(id, request!.PersonId, request.Kind, request.From, request.ValidTo,
                        request.Relation, request.AppliedOn, request.ArrivedFrom, request.Basis), SecuritySetup.Actor(http.User), ct);
                    return Results.Created($"/api/v1/registrations/{registration.Id}", registration);
                }
                catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
            })
            .WithSummary("Зарегистрировать гражданина на лицевом счёте (число проживающих меняется с даты регистрации)")
            .Accepts<RegistrationRequest>("application/json").Produces<Registration>(201).ProducesValidationProblem();

        api.MapPost("/registrations/{registrationId:long}/deregister", async (long registrationId, OpenErcDbContext db, HttpContext http, Scopes scopes,
                PassportSettings settings, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<DeregistrationRequest>(http, ct);
                if (error is not null) return error;
                if (await db.Registrations.FindAsync([registrationId], ct) is not { } found) return RegistryApi.NotFound("Регистрация", registrationId);
                if (!await (await scopes.ForAsync(http.User, ct)).CanSeeAccountAsync(db, found.AccountId, ct)) return Scopes.OutOfScope("Лицевой счёт", found.AccountId);
                try
                {
                    return Results.Ok(await PassportOffice.DeregisterAsync(db, registrationId, request!.On, request.Reason, request.DepartedTo, request.Basis,
                        SecuritySetup.Actor(http.User), settings, ct));
                }
                catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
            })
            .WithSummary("Снять гражданина с регистрационного учёта (число проживающих меняется с даты снятия)")
            .Accepts<DeregistrationRequest>("application/json").Produces<Registration>().ProducesValidationProblem().ProducesProblem(404);

        account.MapPost("/documents", async (long id, OpenErcDbContext db, HttpContext http, PassportSettings settings, RegionClock clock, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<DocumentApplication>(http, ct);
                if (error is not null) return error;
                var document = new DocumentRequest(request!.Kind, id, request.PersonId, request.Requester, request.RequesterDocument, request.Basis,
                    request.BasisDetails, request.Purpose, request.Channel);
                try
                {
                    if (request.Refusal is not null)
                        return Results.Ok(await PassportDocuments.RefuseAsync(db, document, request.Refusal, SecuritySetup.Actor(http.User), clock, ct));
                    var issued = await PassportDocuments.IssueAsync(db, document, SecuritySetup.Actor(http.User), SignerName(http.User), settings, clock, ct);
                    return Results.Created($"/api/v1/documents/{issued.Id}/pdf", issued);
                }
                catch (RegistryValidationException e) { return RegistryApi.Invalid(e.Errors); }
            })
            .WithSummary("Выдать документ паспортного стола (выписка, поквартирная карточка, справки) или записать отказ в выдаче (refusal)")
            .WithDescription("Документ формируется на сегодня, получает номер за год и записывается в журнал вместе с файлом PDF; повторная печать — тот же файл.")
            .Accepts<DocumentApplication>("application/json").Produces<IssuedDocument>(201).ProducesValidationProblem();

        api.MapGet("/documents", async (OpenErcDbContext db, HttpContext http, Scopes scopes, long? accountId, DateOnly? from, DateOnly? to, CancellationToken ct) =>
            {
                var scope = await scopes.ForAsync(http.User, ct);
                if (accountId is { } a && !await scope.CanSeeAccountAsync(db, a, ct)) return Scopes.OutOfScope("Лицевой счёт", a);
                return Results.Ok(await VisibleAsync(scope, db, await PassportDocuments.JournalAsync(db, new(AccountId: accountId, From: from, To: to), ct), ct));
            })
            .WithSummary("Журнал выданных документов и отказов (новые первыми, не более 500)").Produces<List<IssuedDocument>>();

        api.MapGet("/documents/{documentId:long}/pdf", async (long documentId, OpenErcDbContext db, HttpContext http, Scopes scopes, CancellationToken ct) =>
            {
                if (await PassportDocuments.PdfAsync(db, documentId, ct) is not { } found) return RegistryApi.NotFound("Выданный документ", documentId);
                if (!await (await scopes.ForAsync(http.User, ct)).CanSeeAccountAsync(db, found.Entry.AccountId, ct))
                    return Scopes.OutOfScope("Лицевой счёт", found.Entry.AccountId);
                return Results.File(found.Pdf, "application/pdf", $"{found.Entry.Kind.Title()} {found.Entry.Number}-{found.Entry.Year}.pdf");
            })
            .WithSummary("PDF выданного документа: повторная печать того же файла").Produces(200, contentType: "application/pdf").ProducesProblem(404);
    }

    /// <summary>The journal's lines a user may see: those of the accounts of his scope.</summary>
    public static async Task<List<IssuedDocument>> VisibleAsync(AccessScope scope, OpenErcDbContext db, List<IssuedDocument> rows, CancellationToken ct = default)
    {
        if (!scope.IsLimited) return rows;
        var ids = rows.Select(r => r.AccountId).Distinct().ToList();
        var visible = (await scope.Accounts(db).Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        return rows.Where(r => visible.Contains(r.AccountId)).ToList();
    }

    /// <summary>The name the signature line prints: the user's full name, else the login.</summary>
    public static string SignerName(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindFirst(System.Security.Claims.ClaimTypes.GivenName)?.Value is { Length: > 0 } name ? name : SecuritySetup.Actor(user);
}
