using OpenErc.Core.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace OpenErc.Web.Security;

/// <param name="Login">Latin letters, digits and - . _ @ +.</param>
/// <param name="Roles">Role codes (<see cref="Security.Roles"/>).</param>
/// <param name="AccessGroupId">The access group that narrows what the user sees; none for the centre's staff.</param>
public sealed record StaffUserRequest(string? Login, string? FullName, string? Password, IReadOnlyList<string>? Roles, long? AccessGroupId, string? Email = null);

/// <summary>A user as the administrator sees them.</summary>
public sealed record UserView(long Id, string Login, string FullName, string? Email, string? Phone, IReadOnlyList<string> Roles, long? AccessGroupId,
    DateTimeOffset? LockedUntil, int FailedSignIns, DateTimeOffset CreatedAt);

/// <summary>The administrator's work with users: create staff, change their roles and group, unlock, set a password — each journaled.</summary>
public sealed class UserAdmin(UserManager<User> users, UsersDbContext usersDb, AuthJournal journal, RegionClock clock, TimeProvider framework)
{
    /// <summary>The login of a citizen user (one with the citizen role), or null.</summary>
    public async Task<string?> FindCitizenAsync(long id, CancellationToken ct = default) =>
        await (from u in usersDb.Users
               where u.Id == id
               join ur in usersDb.UserRoles on u.Id equals ur.UserId
               join r in usersDb.Roles on ur.RoleId equals r.Id
               where r.Name == Roles.Citizen
               select u.UserName).FirstOrDefaultAsync(ct);

    public async Task<List<UserView>> ListAsync(string? search, CancellationToken ct = default)
    {
        var q = usersDb.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().Replace("%", "\\%").Replace("_", "\\_") + "%";
            q = q.Where(u => EF.Functions.ILike(u.UserName!, pattern) || EF.Functions.ILike(u.FullName, pattern));
        }
        var list = await q.OrderBy(u => u.UserName).Take(500).ToListAsync(ct);
        var ids = list.Select(u => u.Id).ToArray();
        var roles = await usersDb.UserRoles.Where(r => ids.Contains(r.UserId))
            .Join(usersDb.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(ct);
        return list.Select(u => View(u, roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order().ToList())).ToList();
    }

    public async Task<UserView?> FindAsync(long id)
    {
        var user = await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return user is null ? null : View(user, [.. (await users.GetRolesAsync(user)).Order()]);
    }

    public async Task<(User? User, IdentityResult Result)> CreateAsync(StaffUserRequest request, string actor)
    {
        if (Check(request, creating: true) is { } refused) return (null, refused);
        var user = new User
        {
            UserName = AuthService.NormalizeLogin(request.Login), FullName = request.FullName!.Trim(), AccessGroupId = request.AccessGroupId,
            Email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim(), CreatedAt = clock.Now,
        };
        await using var tx = await usersDb.Database.BeginTransactionAsync();
        var result = await users.CreateAsync(user, request.Password!);
        if (result.Succeeded) result = await users.AddToRolesAsync(user, request.Roles!);
        if (!result.Succeeded) return (null, result);
        await tx.CommitAsync();
        await journal.WriteAsync(AuthEvent.UserCreated, user.UserName, true, user.Id, Describe(request), actor: actor);
        return (user, result);
    }

    /// <summary>Changes the name, e-mail, roles and group of a user (the login stays); the password only when given.</summary>
    public async Task<IdentityResult> UpdateAsync(long id, StaffUserRequest request, string actor)
    {
        if (Check(request, creating: false) is { } refused) return refused;
        var user = await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null) return Failed("NotFound", $"Пользователь {id} не найден");
        await using var tx = await usersDb.Database.BeginTransactionAsync();
        user.FullName = request.FullName!.Trim();
        user.AccessGroupId = request.AccessGroupId;
        user.Email = string.IsNullOrWhiteSpace(request.Email) ? user.Email : request.Email.Trim();
        var result = await users.UpdateAsync(user);
        var current = await users.GetRolesAsync(user);
        if (result.Succeeded) result = await users.RemoveFromRolesAsync(user, current.Except(request.Roles!));
        if (result.Succeeded) result = await users.AddToRolesAsync(user, request.Roles!.Except(current));
        if (result.Succeeded && !string.IsNullOrEmpty(request.Password))
        {
            result = await users.RemovePasswordAsync(user);
            if (result.Succeeded) result = await users.AddPasswordAsync(user, request.Password);
        }
        // New roles or group take effect at once: the stamp change signs the user's other sessions out.
        if (result.Succeeded) result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded) return result;
        await tx.CommitAsync();
        await journal.WriteAsync(AuthEvent.UserChanged, user.UserName!, true, user.Id,
            Describe(request) + (string.IsNullOrEmpty(request.Password) ? "" : "; пароль изменён"), actor: actor);
        return result;
    }

    public async Task<IdentityResult> UnlockAsync(long id, string actor)
    {
        var user = await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null) return Failed("NotFound", $"Пользователь {id} не найден");
        var result = await users.SetLockoutEndDateAsync(user, null);
        if (result.Succeeded) result = await users.ResetAccessFailedCountAsync(user);
        if (result.Succeeded) await journal.WriteAsync(AuthEvent.Unlocked, user.UserName!, true, user.Id, actor: actor);
        return result;
    }

    private static IdentityResult? Check(StaffUserRequest r, bool creating)
    {
        var errors = new List<IdentityError>();
        if (creating && string.IsNullOrWhiteSpace(r.Login)) errors.Add(new() { Code = "Login", Description = "Укажите логин" });
        if (string.IsNullOrWhiteSpace(r.FullName)) errors.Add(new() { Code = "FullName", Description = "Укажите ФИО" });
        if (creating && string.IsNullOrEmpty(r.Password)) errors.Add(new() { Code = "Password", Description = "Укажите пароль" });
        if (Roles.Refusal(r.Roles, r.AccessGroupId) is { } refusal) errors.Add(new() { Code = refusal.Code, Description = refusal.Message });
        return errors.Count > 0 ? IdentityResult.Failed([.. errors]) : null;
    }

    private static string Describe(StaffUserRequest r) => AuthEvent.RolesAndGroup(r.Roles, r.AccessGroupId);

    private static IdentityResult Failed(string code, string text) => IdentityResult.Failed(new IdentityError { Code = code, Description = text });

    private UserView View(User u, List<string> roles) =>
        new(u.Id, u.UserName!, u.FullName, u.Email, u.PhoneNumber, roles, u.AccessGroupId,
            u.LockoutEnd is { } end && end > framework.GetUtcNow() ? end : null, u.AccessFailedCount, u.CreatedAt); // Identity's lockout runs on the framework's time
}

/// <summary>
/// <see cref="UserAdmin"/> for the workstation's pages. A circuit lives for hours and its scoped services with it, so each
/// call gets a scope of its own: a refused change leaves no half-changed user tracked by the Identity context for the next call.
/// </summary>
public static class UserAdminScope
{
    public static async Task<T> UserAdminAsync<T>(this IServiceScopeFactory scopes, Func<UserAdmin, Task<T>> call)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<UserAdmin>());
    }
}
