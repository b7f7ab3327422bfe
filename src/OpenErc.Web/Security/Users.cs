using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace OpenErc.Web.Security;

/// <summary>
/// A person who signs in: staff by login, citizens by e-mail or phone. Staff of a management company, a supplier or a
/// municipality belong to its access group and see only its buildings; a citizen sees the accounts linked to them.
/// </summary>
public sealed class User : IdentityUser<long>
{
    public string FullName { get; set; } = "";

    /// <summary>The access group that narrows what the user sees; none for the centre's own staff and for citizens.</summary>
    public long? AccessGroupId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The Identity store over the tables of migration <c>Users</c> (users, roles, user_roles, …) in the centre's database.
/// The schema is created by the centre's own migrations, not by this context.
/// </summary>
public sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : IdentityDbContext<User, IdentityRole<long>, long>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<User>().ToTable("users");
        builder.Entity<IdentityRole<long>>().ToTable("roles");
        builder.Entity<IdentityUserRole<long>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<long>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<long>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<long>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<long>>().ToTable("role_claims");
    }
}
