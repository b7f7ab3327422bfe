using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OpenErc.Web.Api;

namespace OpenErc.Web.Security;

public sealed record SignInRequest(string? Login, string? Password, bool Remember = false);
public sealed record PasswordResetRequest(string? Login);
public sealed record NewPasswordRequest(string? Login, string? Token, string? Password, string? ConfirmPassword);
public sealed record LinkAccountRequest(string? AccountNumber, string? Code, string? Surname);

/// <summary>Who is signed in: login, name and roles.</summary>
public sealed record SignedInUser(string Login, string FullName, IReadOnlyList<string> Roles, long? AccessGroupId)
{
    public static SignedInUser Of(ClaimsPrincipal user) => new(user.Identity!.Name!, user.FindFirst(ClaimTypes.GivenName)?.Value ?? "",
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList(),
        user.FindFirst(AccessScope.GroupClaim)?.Value is { } g ? long.Parse(g, System.Globalization.CultureInfo.InvariantCulture) : null);
}

/// <summary>
/// Sign-in over HTTP (<c>/api/v1/auth</c>): the same cookie as the workstation's, for scripts and the cabinet's clients;
/// and the administrator's users API (<c>/api/v1/users</c>).
/// </summary>
public static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Вход и регистрация").AllowAnonymous();

        auth.MapPost("/login", async (HttpContext http, AuthService service, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<SignInRequest>(http, ct);
                if (error is not null) return error;
                var outcome = await service.SignInAsync(request!.Login, request.Password, request.Remember, Address(http));
                if (outcome.User is null)
                    return TypedResults.Problem(outcome.Error, statusCode: outcome.LockedOut ? 423 : 401, title: "Вход не выполнен");
                var roles = await http.RequestServices.GetRequiredService<UserManager<User>>().GetRolesAsync(outcome.User);
                return Results.Ok(new SignedInUser(outcome.User.UserName!, outcome.User.FullName, [.. roles], outcome.User.AccessGroupId));
            })
            .RequireRateLimiting(Hardening.SignInPolicy)
            .WithSummary("Войти по логину и паролю (ставит cookie сеанса); после 5 неудачных попыток вход блокируется на 15 минут (423)")
            .Accepts<SignInRequest>("application/json").Produces<SignedInUser>().ProducesProblem(401).ProducesProblem(423);

        auth.MapPost("/logout", async (HttpContext http, AuthService service) =>
            {
                await service.SignOutAsync(http.User, Address(http));
                return Results.NoContent();
            })
            .WithSummary("Выйти");

        // Outside the anonymous group: its AllowAnonymous would outweigh RequireAuthorization.
        app.MapGet("/api/v1/auth/me", (ClaimsPrincipal user) => Results.Ok(SignedInUser.Of(user))).WithTags("Вход и регистрация")
            .RequireAuthorization().WithSummary("Кто вошёл: логин, имя, роли, группа доступа").Produces<SignedInUser>().ProducesProblem(401);

        auth.MapPost("/register", async (HttpContext http, AuthService service, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<CitizenRegistration>(http, ct);
                if (error is not null) return error;
                var errors = await service.RegisterCitizenAsync(request!, Address(http));
                return errors.Count > 0
                    ? TypedResults.ValidationProblem(errors, title: "Регистрация не выполнена: исправьте ошибки")
                    : Results.Created("/api/v1/me", new { login = AuthService.NormalizeLogin(request!.Login) });
            })
            .RequireRateLimiting(Hardening.SignInPolicy)
            .WithSummary("Регистрация гражданина: номер лицевого счёта и код регистрации из платёжного документа, e-mail или телефон, пароль")
            .Accepts<CitizenRegistration>("application/json").ProducesValidationProblem();

        auth.MapPost("/password-reset", async (HttpContext http, AuthService service, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<PasswordResetRequest>(http, ct);
                if (error is not null) return error;
                await service.RequestPasswordResetAsync(request!.Login, (login, token) => ResetLink(http, login, token), Address(http), ct);
                return Results.Accepted((string?)null, new { message = "Если такой пользователь есть, ссылка для смены пароля отправлена" });
            })
            .RequireRateLimiting(Hardening.SignInPolicy)
            .WithSummary("Запросить ссылку для смены пароля (ответ одинаков, есть такой пользователь или нет)").Accepts<PasswordResetRequest>("application/json");

        auth.MapPost("/password", async (HttpContext http, AuthService service, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<NewPasswordRequest>(http, ct);
                if (error is not null) return error;
                var errors = await service.ResetPasswordAsync(request!.Login, request.Token, request.Password, request.ConfirmPassword, Address(http));
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors, title: "Пароль не изменён") : Results.NoContent();
            })
            .WithSummary("Задать новый пароль по ссылке из письма").Accepts<NewPasswordRequest>("application/json").ProducesValidationProblem();

        // The workstation's «Выход»: a form post (with the antiforgery token), then the sign-in page.
        app.MapPost("/logout", async (HttpContext http, AuthService service) =>
        {
            await service.SignOutAsync(http.User, Address(http));
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();

        var users = app.MapGroup("/api/v1/users").WithTags("Пользователи и роли").RequireAuthorization(Duties.Administration);
        users.MapGet("", async (string? search, UserAdmin admin, CancellationToken ct) => Results.Ok(await admin.ListAsync(search, ct)))
            .WithSummary("Пользователи (поиск по логину и ФИО)").Produces<List<UserView>>();
        users.MapGet("/{id:long}", async (long id, UserAdmin admin) => await admin.FindAsync(id) is { } user ? Results.Ok(user) : UserNotFound(id))
            .WithSummary("Пользователь").Produces<UserView>();
        users.MapPost("", async (HttpContext http, UserAdmin admin, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<StaffUserRequest>(http, ct);
                if (error is not null) return error;
                var (user, result) = await admin.CreateAsync(request!, SecuritySetup.Actor(http.User));
                return user is null ? Refused(result) : Results.Created($"/api/v1/users/{user.Id}", await admin.FindAsync(user.Id));
            })
            .WithSummary("Создать сотрудника: логин, ФИО, пароль, роли, группа доступа").Accepts<StaffUserRequest>("application/json").ProducesValidationProblem();
        users.MapPut("/{id:long}", async (long id, HttpContext http, UserAdmin admin, CancellationToken ct) =>
            {
                var (request, error) = await CalculatorApi.ReadAsync<StaffUserRequest>(http, ct);
                if (error is not null) return error;
                var result = await admin.UpdateAsync(id, request!, SecuritySetup.Actor(http.User));
                return result.Succeeded ? Results.Ok(await admin.FindAsync(id)) : result.Errors.Any(e => e.Code == "NotFound") ? UserNotFound(id) : Refused(result);
            })
            .WithSummary("Изменить ФИО, роли, группу доступа (и пароль, если указан)").Accepts<StaffUserRequest>("application/json").ProducesValidationProblem();
        users.MapPost("/{id:long}/unlock", async (long id, HttpContext http, UserAdmin admin) =>
                (await admin.UnlockAsync(id, SecuritySetup.Actor(http.User))).Succeeded ? Results.Ok(await admin.FindAsync(id)) : UserNotFound(id))
            .WithSummary("Снять блокировку входа");
        users.MapGet("/events", async (long? userId, int? limit, AuthJournal journal, CancellationToken ct) =>
                Results.Ok(await journal.LatestAsync(userId, Math.Clamp(limit ?? 100, 1, 1000), ct)))
            .WithSummary("Журнал входов и изменений пользователей").Produces<List<AuthEventRow>>();
    }

    public static string? Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    /// <summary>The password-reset link on the centre's public address (never the request's Host header).</summary>
    public static string ResetLink(HttpContext http, string login, string token) =>
        http.RequestServices.GetRequiredService<PublicUrl>().Link($"/reset-password?login={Uri.EscapeDataString(login)}&token={Uri.EscapeDataString(token)}");

    private static IResult Refused(IdentityResult result) =>
        TypedResults.ValidationProblem(result.Errors.GroupBy(e => Field(e.Code)).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()),
            title: "Пользователь не сохранён: исправьте ошибки");

    /// <summary>The field of <see cref="StaffUserRequest"/> (camel case, as the API names it) an Identity error is about; "" for none.</summary>
    internal static string Field(string code) => code switch
    {
        "Login" or "DuplicateUserName" or "InvalidUserName" => "login",
        "FullName" => "fullName",
        "Roles" => "roles",
        "AccessGroupId" => "accessGroupId",
        "InvalidEmail" or "DuplicateEmail" => "email",
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "password",
        _ => "",
    };

    private static IResult UserNotFound(long id) => TypedResults.Problem($"Пользователь {id} не найден", statusCode: 404, title: "Не найдено");
}
