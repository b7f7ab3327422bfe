using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenErc.Web.Api;

namespace OpenErc.Web.Security;

/// <summary>
/// Machine clients sign every request with their API key in the header <c>X-Api-Key</c>; people keep the session cookie.
/// A request carrying the header is authenticated by the key alone (scheme <see cref="Scheme"/>), any other by the cookie,
/// so the duty policies, <see cref="Scopes"/> and the endpoints see one kind of principal and need no change. A key
/// carries no cookie of a person, so the same-origin check of <see cref="Hardening"/> (a browser's forged form) does
/// not concern it — and a browser cannot send the header to another site without that site's CORS consent.
/// </summary>
public static class ApiKeys
{
    /// <summary>The authentication scheme of API keys (and its name in the OpenAPI document).</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header that carries the key: <c>X-Api-Key: oerc_…</c>.</summary>
    public const string Header = "X-Api-Key";

    /// <summary>The default scheme: the key when the request has the header, otherwise the person's cookie.</summary>
    public const string PersonOrKey = "PersonOrApiKey";

    /// <summary>The session cookie's name in the OpenAPI document.</summary>
    private const string CookieScheme = "Cookie";

    /// <summary>
    /// The service account's id. A person's <see cref="ClaimTypes.NameIdentifier"/> is a <c>users.id</c> (their cabinet's
    /// accounts, sessions, sign-out), so a service account, of another table, has a claim of its own instead.
    /// </summary>
    public const string ServiceAccountClaim = "openerc:service-account";

    /// <summary>Adds the key scheme and makes the choice between key and cookie the default; call after Identity, whose defaults it replaces.</summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddSingleton<ServiceAccounts>();
        services.AddAuthentication(o =>
            {
                o.DefaultAuthenticateScheme = PersonOrKey;
                o.DefaultChallengeScheme = PersonOrKey;
                o.DefaultForbidScheme = PersonOrKey;
            })
            .AddPolicyScheme(PersonOrKey, null, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(Header) ? Scheme : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        return services;
    }

    /// <summary>
    /// The principal of a service account, with the claims a person's cookie carries for the same purpose: the roles
    /// (<see cref="ClaimTypes.Role"/>) for the duties, the access group (<see cref="AccessScope.GroupClaim"/>) for the
    /// scope, the name <c>api:&lt;name&gt;</c> that stamps its changes.
    /// </summary>
    public static ClaimsPrincipal Principal(ServiceAccountIdentity account)
    {
        var identity = new ClaimsIdentity(Scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ServiceAccountClaim, account.Id.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(ClaimTypes.Name, ServiceAccounts.Login(account.Name)));
        identity.AddClaim(new Claim(ClaimTypes.GivenName, account.Name));
        foreach (var role in account.Roles) identity.AddClaim(new Claim(ClaimTypes.Role, role));
        if (account.AccessGroupId is { } group) identity.AddClaim(new Claim(AccessScope.GroupClaim, group.ToString(CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(identity);
    }

    public static bool IsServiceAccount(ClaimsPrincipal user) => user.HasClaim(c => c.Type == ServiceAccountClaim);

    /// <summary>The administrator's API of service accounts: list, create (the key is in this one answer only), revoke.</summary>
    public static void MapServiceAccountApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/service-accounts").WithTags("Ключи API").RequireAuthorization(Duties.Administration);
        keys.MapGet("", async (ServiceAccounts accounts, CancellationToken ct) => Results.Ok(await accounts.ListAsync(ct)))
            .WithSummary("Ключи API машинных клиентов: название, роли, группа доступа, начало ключа, создание, отзыв, последнее использование")
            .Produces<List<ServiceAccountView>>();
        keys.MapGet("/{id:long}", async (long id, ServiceAccounts accounts, CancellationToken ct) =>
                await accounts.FindAsync(id, ct) is { } account ? Results.Ok(account) : NotFound(id))
            .WithSummary("Ключ API машинного клиента").Produces<ServiceAccountView>().ProducesProblem(404);
        keys.MapPost("", async (HttpContext http, ServiceAccounts accounts, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<ServiceAccountRequest>(http, ct);
                if (error is not null) return error;
                var (created, errors) = await accounts.CreateAsync(request!, SecuritySetup.Actor(http.User), ct);
                return created is null
                    ? TypedResults.ValidationProblem(errors, title: "Ключ не создан: исправьте ошибки")
                    : Results.Created($"/api/v1/service-accounts/{created.Account.Id}", created);
            })
            .WithSummary($"Создать машинного клиента с ключом API: название, роли, группа доступа. Ключ возвращается только в этом ответе; передавайте его в заголовке {Header}")
            .Accepts<ServiceAccountRequest>("application/json").Produces<NewServiceAccount>(201).ProducesValidationProblem();
        keys.MapPost("/{id:long}/revoke", async (long id, HttpContext http, ServiceAccounts accounts, CancellationToken ct) =>
                await accounts.RevokeAsync(id, SecuritySetup.Actor(http.User), ct) is { } account ? Results.Ok(account) : NotFound(id))
            .WithSummary("Отозвать ключ API: запросы с ним сразу получают 401").Produces<ServiceAccountView>().ProducesProblem(404);
    }

    private static IResult NotFound(long id) => TypedResults.Problem($"Ключ API {id} не найден", statusCode: 404, title: "Не найдено");

    /// <summary>
    /// Declares the two ways in — the key header for machines and the session cookie for people — in the OpenAPI document,
    /// and asks for one of them on every operation that needs a sign-in.
    /// </summary>
    public static void AddSecuritySchemes(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((doc, _, _) =>
        {
            doc.AddComponent<IOpenApiSecurityScheme>(Scheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Header,
                Description = $"Ключ API машинного клиента (систем поставщиков, управляющих организаций, банков, скриптов): {Header}: oerc_…. " +
                              "Выдаёт администратор (/admin/service-accounts, POST /api/v1/service-accounts) с ролью и группой доступа; ключ показывается один раз.",
            });
            doc.AddComponent<IOpenApiSecurityScheme>(CookieScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = SecuritySetup.CookieName,
                Description = "Сеанс человека: cookie после входа (POST /api/v1/auth/login или страница /login).",
            });
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] },
                ];
            return Task.CompletedTask;
        });
    }
}

/// <summary>
/// Authenticates a request by its <see cref="ApiKeys.Header"/>: a key in force gives its service account's principal;
/// a malformed, unknown or revoked key gives nobody, and where a sign-in is needed the answer is 401 in Russian.
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServiceAccounts accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.Header, out var header)) return AuthenticateResult.NoResult();
        return await accounts.AuthenticateAsync(header.ToString().Trim(), Context.RequestAborted) is { } account
            ? AuthenticateResult.Success(new AuthenticationTicket(ApiKeys.Principal(account), Scheme.Name))
            : AuthenticateResult.Fail("The API key is malformed, unknown or revoked");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        SecuritySetup.WriteProblemAsync(Response, 401, "Ключ API не принят",
            $"Ключ API в заголовке {ApiKeys.Header} не найден или отозван: получите новый ключ у администратора ЕРЦ");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        SecuritySetup.WriteProblemAsync(Response, 403, SecuritySetup.DeniedTitle, SecuritySetup.DeniedDetail);
}
