using System.Globalization;
using System.Linq.Expressions;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenErc.Core.Accounts;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <summary>
/// What a signed-in user may see. The centre's own staff see the whole region. A user of an access group sees the
/// buildings of that group on the day: a municipality's buildings, the buildings a management company manages, or the
/// buildings where a supplier has a contract (and, of the charges, only the supplier's services). A citizen sees the
/// accounts linked to their cabinet.
/// </summary>
public sealed class AccessScope
{
    /// <summary>Claim with the user's access group, set at sign-in.</summary>
    public const string GroupClaim = "openerc:group";

    public static readonly AccessScope Everything = new(null, null, null, null);

    /// <summary>The scope of nobody: no buildings, no accounts.</summary>
    public static readonly AccessScope Nothing = new(null, [], [], null);

    private AccessScope(AccessGroup? group, long[]? buildings, long[]? services, long[]? accounts)
    {
        Group = group;
        Buildings = buildings;
        Services = services;
        CitizenAccounts = accounts;
    }

    public AccessGroup? Group { get; }

    /// <summary>The buildings the user may see; <c>null</c> for all.</summary>
    public long[]? Buildings { get; }

    /// <summary>The services whose charges and payments the user may see; <c>null</c> for all.</summary>
    public long[]? Services { get; }

    /// <summary>A citizen's own accounts; <c>null</c> for staff.</summary>
    public long[]? CitizenAccounts { get; }

    public bool IsLimited => Buildings is not null || CitizenAccounts is not null;

    /// <summary>The supplier organisation of a supplier's access group: whose charges, payments and meters the supplier cabinet shows.</summary>
    public long? SupplierId => Group is { Kind: AccessGroupKind.Supplier, OrganisationId: { } supplier } ? supplier : null;

    /// <summary>The accounts of a citizen's cabinet.</summary>
    public static Task<long[]> CabinetAccountsAsync(OpenErcDbContext db, long userId, CancellationToken ct = default) =>
        db.Database.SqlQuery<long>($"SELECT account_id AS \"Value\" FROM cabinet_accounts WHERE user_id = {userId}").ToArrayAsync(ct);

    public static async Task<AccessScope> ForAsync(ClaimsPrincipal user, OpenErcDbContext db, DateOnly today, CancellationToken ct = default)
    {
        if (user.IsInRole(Roles.Citizen))
        {
            return new(null, null, null, await CabinetAccountsAsync(db, UserId(user), ct));
        }
        if (user.FindFirst(GroupClaim)?.Value is not { } claim || !long.TryParse(claim, CultureInfo.InvariantCulture, out var groupId))
            return Everything;
        var group = await db.AccessGroups.AsNoTracking().SingleAsync(g => g.Id == groupId, ct);
        if (group.Kind == AccessGroupKind.Municipality)
            return new(group, await db.Buildings.Where(b => b.MunicipalityId == group.MunicipalityId).Select(b => b.Id).ToArrayAsync(ct), null, null);
        // An organisation's own: the rule the monthly mailing applies too.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var (buildings, services) = await Operations.Security.OrganisationScope.OfAsync((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(),
                group.OrganisationId ?? 0, group.Kind == AccessGroupKind.ManagementCompany, today, ct);
            return new(group, buildings, services, null);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static long UserId(ClaimsPrincipal user) =>
        long.Parse(user.FindFirst(ClaimTypes.NameIdentifier)!.Value, CultureInfo.InvariantCulture);

    /// <summary>The accounts the user may see.</summary>
    public IQueryable<PersonalAccount> Accounts(OpenErcDbContext db)
    {
        if (CitizenAccounts is { } own) return db.Accounts.Where(a => own.Contains(a.Id));
        if (Buildings is not { } b) return db.Accounts;
        return db.Accounts.Where(a => db.Premises.Any(p => p.Id == a.PremiseId && b.Contains(p.BuildingId)));
    }

    public async Task<bool> CanSeeAccountAsync(OpenErcDbContext db, long accountId, CancellationToken ct = default) =>
        !IsLimited || await Accounts(db).AnyAsync(a => a.Id == accountId, ct);

    public bool CanSeeBuilding(long buildingId) => CitizenAccounts is null && (Buildings is null || Buildings.Contains(buildingId));

    /// <summary>
    /// The filter of a registry object type for a limited user; <c>null</c> when the type is open to every staff member
    /// (reference data: services, tariffs, norms, key rates, organisations, municipalities), and a filter that admits
    /// nothing for types a limited user may not list at all (access groups).
    /// </summary>
    public Expression<Func<T, bool>>? Filter<T>(OpenErcDbContext db) where T : class
    {
        if (!IsLimited) return null;
        long[] b = Buildings ?? [];
        Expression<Func<PersonalAccount, bool>> account = a => db.Premises.Any(p => p.Id == a.PremiseId && b.Contains(p.BuildingId));
        IQueryable<long> accounts = db.Accounts.Where(account).Select(a => a.Id);
        LambdaExpression? filter = typeof(T).Name switch
        {
            nameof(Building) => (Expression<Func<Building, bool>>)(x => b.Contains(x.Id)),
            nameof(Premise) => (Expression<Func<Premise, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(BuildingManagement) => (Expression<Func<BuildingManagement, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(BuildingServiceMethod) => (Expression<Func<BuildingServiceMethod, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(ServiceContract) => (Expression<Func<ServiceContract, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(Incident) => (Expression<Func<Incident, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(HeatingAverageVolume) => (Expression<Func<HeatingAverageVolume, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(ElementInspection) => (Expression<Func<ElementInspection, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(CapitalRepairWork) => (Expression<Func<CapitalRepairWork, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(Meter) => (Expression<Func<Meter, bool>>)(x => b.Contains(x.BuildingId)),
            nameof(MeterReading) => (Expression<Func<MeterReading, bool>>)(x => db.Meters.Any(m => m.Id == x.MeterId && b.Contains(m.BuildingId))),
            nameof(GroupMeterPremise) => (Expression<Func<GroupMeterPremise, bool>>)(x => db.Meters.Any(m => m.Id == x.MeterId && b.Contains(m.BuildingId))),
            nameof(MeterImpossibilityAct) => (Expression<Func<MeterImpossibilityAct, bool>>)(x => db.Premises.Any(p => p.Id == x.PremiseId && b.Contains(p.BuildingId))),
            nameof(PersonalAccount) => account,
            nameof(Ownership) => (Expression<Func<Ownership, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(Registration) => (Expression<Func<Registration, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(ResidentCount) => (Expression<Func<ResidentCount, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(TemporaryAbsence) => (Expression<Func<TemporaryAbsence, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(DebtClaim) => (Expression<Func<DebtClaim, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(LimitationNotice) => (Expression<Func<LimitationNotice, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(AccountAlias) => (Expression<Func<AccountAlias, bool>>)(x => accounts.Contains(x.AccountId)),
            nameof(Person) => (Expression<Func<Person, bool>>)(x =>
                db.Ownerships.Any(o => o.PersonId == x.Id && accounts.Contains(o.AccountId)) ||
                db.Registrations.Any(r => r.PersonId == x.Id && accounts.Contains(r.AccountId)) ||
                db.Accounts.Where(account).Any(a => a.PayerPersonId == x.Id)),
            nameof(IdentityDocument) => (Expression<Func<IdentityDocument, bool>>)(x =>
                db.Ownerships.Any(o => o.PersonId == x.PersonId && accounts.Contains(o.AccountId)) ||
                db.Registrations.Any(r => r.PersonId == x.PersonId && accounts.Contains(r.AccountId)) ||
                db.Accounts.Where(account).Any(a => a.PayerPersonId == x.PersonId)),
            nameof(Service) or nameof(Tariff) or nameof(ConsumptionNorm) or nameof(KeyRate) or nameof(LimitIndex) or nameof(Core.Organisations.Organisation)
                or nameof(Municipality) => null,
            _ => (Expression<Func<T, bool>>)(_ => false),
        };
        return (Expression<Func<T, bool>>?)filter;
    }
}

/// <summary>Puts the user's access group into the sign-in cookie, so that a request knows its scope without a lookup of the user.</summary>
public sealed class UserClaimsFactory(UserManager<User> users, RoleManager<Microsoft.AspNetCore.Identity.IdentityRole<long>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<User, Microsoft.AspNetCore.Identity.IdentityRole<long>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.AccessGroupId is { } group) identity.AddClaim(new Claim(AccessScope.GroupClaim, group.ToString(CultureInfo.InvariantCulture)));
        if (user.FullName.Length > 0) identity.AddClaim(new Claim(ClaimTypes.GivenName, user.FullName));
        return identity;
    }
}
