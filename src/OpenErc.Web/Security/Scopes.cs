using OpenErc.Core.Common;
using System.Collections.Concurrent;
using System.Security.Claims;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <summary>
/// The access scope of each signed-in user, kept for a minute: a management company's buildings change with its
/// contracts, not between two clicks. Linking an account to a cabinet forgets the citizen's scope at once.
/// </summary>
public sealed class Scopes(OpenErcDatabase db, RegionClock clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, AccessScope Scope)> _cache = new();

    public async Task<AccessScope> ForAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Identity?.IsAuthenticated != true) return AccessScope.Nothing;
        if (!user.IsInRole(Roles.Citizen) && !user.HasClaim(c => c.Type == AccessScope.GroupClaim)) return AccessScope.Everything;
        var key = Key(user);
        var now = clock.Now;
        if (_cache.TryGetValue(key, out var cached) && now - cached.At < Lifetime) return cached.Scope;
        await using var context = db.CreateContext();
        var scope = await AccessScope.ForAsync(user, context, clock.Today, ct);
        _cache[key] = (now, scope);
        return scope;
    }

    public void Forget(ClaimsPrincipal user) => _cache.TryRemove(Key(user), out _);

    private static string Key(ClaimsPrincipal user) =>
        user.FindFirst(ClaimTypes.NameIdentifier)?.Value + "/" + user.FindFirst(AccessScope.GroupClaim)?.Value;

    /// <summary>
    /// An endpoint filter for routes of one account (<c>{id}</c>): a user outside the account's scope gets 403 and the
    /// endpoint does not run.
    /// </summary>
    public static async ValueTask<object?> AccountFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.RouteValues["id"] is string text && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            var scope = await http.RequestServices.GetRequiredService<Scopes>().ForAsync(http.User, http.RequestAborted);
            await using var db = http.RequestServices.GetRequiredService<OpenErcDatabase>().CreateContext();
            if (!await scope.CanSeeAccountAsync(db, id, http.RequestAborted)) return OutOfScope("Лицевой счёт", id);
        }
        return await next(context);
    }

    public static IResult OutOfScope(string what, long id) =>
        TypedResults.Problem($"{what} {id} не относится к вашим домам или лицевым счетам", statusCode: 403, title: "Нет доступа");
}

public static class EndpointSecurity
{
    /// <summary>Requires <paramref name="duty"/> of the endpoints that change something (POST, PUT, PATCH, DELETE); reading stays as the group says.</summary>
    public static TBuilder RequireForChanges<TBuilder>(this TBuilder builder, string duty) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(b =>
        {
            if (b.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().Any(m => m.HttpMethods.Any(x => x is not ("GET" or "HEAD"))))
                b.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(duty));
        });
        return builder;
    }
}

/// <summary>The signed-in person as the workstation's pages see them (cascaded by the layout).</summary>
public sealed record Me(ClaimsPrincipal User, AccessScope Scope)
{
    public string Login => User.Identity?.Name ?? "";

    public string Name => User.FindFirst(ClaimTypes.GivenName)?.Value is { Length: > 0 } name ? name : Login;

    public bool Can(string duty) => Duties.Allows(User, duty);

    public IEnumerable<string> RoleNames => User.FindAll(ClaimTypes.Role).Select(r => Roles.NameOf(r.Value));
}
