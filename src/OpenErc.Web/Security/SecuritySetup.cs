using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <summary>Identity over the centre's database, the sign-in cookie, the duty policies, and the first users.</summary>
public static class SecuritySetup
{
    /// <summary>The name of the session cookie.</summary>
    public const string CookieName = "openerc";

    /// <summary>The password of the demo region's users (README, "Users and roles").</summary>
    public const string DemoPassword = "openerc-demo";

    public static IServiceCollection AddSecurity(this IServiceCollection services, IConfiguration config, string connectionString)
    {
        services.AddDbContext<UsersDbContext>(o => OpenErcDatabase.Configure(o, connectionString));
        services.AddIdentity<User, IdentityRole<long>>(o =>
            {
                o.Password.RequiredLength = config.GetValue("OpenErc:Security:PasswordLength", 8);
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = config.GetValue("OpenErc:Security:MaxFailedSignIns", 5);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(config.GetValue("OpenErc:Security:LockoutMinutes", 15));
                o.Lockout.AllowedForNewUsers = true;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
            })
            .AddEntityFrameworkStores<UsersDbContext>()
            .AddErrorDescriber<RussianIdentityErrors>()
            .AddClaimsPrincipalFactory<UserClaimsFactory>()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure when the centre's public address is https (behind a proxy that ends TLS too).
            o.Cookie.SecurePolicy = PublicUrl.Parse(config["OpenErc:PublicUrl"]) is { Scheme: "https" } ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.AccessDeniedPath = "/denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(config.GetValue("OpenErc:Security:SessionHours", 10));
            o.SlidingExpiration = true;
            // The API answers 401/403 with a message; only pages are sent to the sign-in form.
            o.Events.OnRedirectToLogin = c => Deny(c, 401, "Требуется вход в систему", "Войдите в систему: POST /api/v1/auth/login");
            o.Events.OnRedirectToAccessDenied = c => Deny(c, 403, DeniedTitle, DeniedDetail);
        });
        // Machine clients: an API key in a header instead of the cookie (after Identity: it replaces Identity's default schemes).
        services.AddApiKeys();
        // Sessions live on the server: the cookie is a key to auth_sessions, dead once signed out.
        services.AddSingleton<SessionStore>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SessionStore>((o, store) => o.SessionStore = store);
        // A changed role or group, a reset password or a removed user ends the other sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorization(Duties.Add);
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthService>();
        services.AddSingleton<AuthJournal>();
        services.AddScoped<IPasswordResetSender, MailPasswordResetSender>();
        services.AddScoped<UserAdmin>();
        return services;
    }

    /// <summary>The refusal of a signed-in user or key without the duty.</summary>
    public const string DeniedTitle = "Нет доступа";
    public const string DeniedDetail = "Недостаточно прав для этого действия";

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> context, int status, string title, string detail)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        return WriteProblemAsync(context.Response, status, title, detail);
    }

    /// <summary>A refusal of authentication or authorization as a ProblemDetails in Russian.</summary>
    public static Task WriteProblemAsync(HttpResponse response, int status, string title, string detail)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new { type = "about:blank", title, status, detail }, options: null, contentType: "application/problem+json");
    }

    /// <summary>
    /// Creates the roles, and on a database without users the first administrator (password <c>OpenErc:AdminPassword</c>,
    /// else the demo password in a demo region, else a random one written to the log) and, in a demo region, a user for
    /// every role.
    /// </summary>
    public static async Task SeedAsync(IServiceProvider services, IConfiguration config, ILogger log)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
        foreach (var (code, _) in Roles.All)
            if (!await roles.RoleExistsAsync(code))
                Check(await roles.CreateAsync(new IdentityRole<long>(code)));

        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        if (await users.Users.AnyAsync()) return;
        await using var db = scope.ServiceProvider.GetRequiredService<OpenErcDatabase>().CreateContext();
        var database = scope.ServiceProvider.GetRequiredService<OpenErcDatabase>();
        bool demo = DemoSeeding.Enabled(config, database) && config.GetValue("OpenErc:DemoAccounts", 2000) > 0 && await db.Buildings.AnyAsync();
        var password = config["OpenErc:AdminPassword"] is { Length: > 0 } configured ? configured
            : demo ? DemoPassword
            : Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        var admin = scope.ServiceProvider.GetRequiredService<UserAdmin>();
        Check((await admin.CreateAsync(new("admin", "Администратор", password, [Roles.Administrator], null), "система")).Result);
        if (config["OpenErc:AdminPassword"] is not { Length: > 0 } && !demo)
            log.LogWarning("The first administrator is 'admin' with password {Password}: change it after signing in", password);
        if (!demo) return;

        long? company = await db.AccessGroups.Where(g => g.Kind == AccessGroupKind.ManagementCompany).OrderBy(g => g.Id).Select(g => (long?)g.Id).FirstOrDefaultAsync();
        long? supplier = await SupplierGroupAsync(db);
        (string Login, string Name, string Role, long? Group)[] staff =
        [
            ("raschet", "Расчётчик Иванова А. П.", Roles.Calculator, null),
            ("finance", "Финансист Петрова Е. В.", Roles.Financier, null),
            ("passport", "Паспортист Сидорова Н. И.", Roles.PassportOfficer, null),
            ("bti", "Инженер БТИ Кузнецов О. Л.", Roles.Bti, null),
            ("manager", "Менеджер ЛС Орлова Т. С.", Roles.AccountManager, null),
            ("dispatcher", "Диспетчер Волков Д. А.", Roles.Dispatcher, null),
            ("cashier", "Кассир Смирнова Л. Г.", Roles.Cashier, null),
            ("uk", "Представитель УК", Roles.ManagementCompany, company),
            ("rso", "Представитель РСО", Roles.Supplier, supplier),
        ];
        foreach (var (login, name, role, group) in staff)
            Check((await admin.CreateAsync(new(login, name, DemoPassword, [role], group), "система")).Result);
        log.LogInformation("Demo users created (admin, raschet, finance, passport, bti, manager, dispatcher, cashier, uk, rso), password {Password}", DemoPassword);
    }

    /// <summary>The access group of the supplier with the most contracts, made if it has none.</summary>
    private static async Task<long?> SupplierGroupAsync(OpenErcDbContext db)
    {
        var supplier = await db.ServiceContracts.GroupBy(c => c.SupplierId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => (long?)g.Key).FirstOrDefaultAsync();
        if (supplier is null) return null;
        if (await db.AccessGroups.FirstOrDefaultAsync(g => g.Kind == AccessGroupKind.Supplier && g.OrganisationId == supplier) is { } existing) return existing.Id;
        var name = await db.Organisations.Where(o => o.Id == supplier).Select(o => o.Name).SingleAsync();
        var group = new AccessGroup { Kind = AccessGroupKind.Supplier, Name = name, OrganisationId = supplier };
        db.Add(group);
        await db.SaveChangesAsync();
        return group.Id;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>The name to stamp on a change: the signed-in user's login.</summary>
    public static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "аноним";
}
