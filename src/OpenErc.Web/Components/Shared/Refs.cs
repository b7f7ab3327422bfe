using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Organisations;
using OpenErc.Storage;

namespace OpenErc.Web.Components.Shared;

/// <summary>A choice of a referenced registry object: its id and the name people recognise it by.</summary>
public sealed class RefOption
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public override string ToString() => Name;
}

/// <summary>
/// Where the choices of a reference field come from. <see cref="Small"/> sources are shown as a drop-down of
/// every option; the others as a search-as-you-type box.
/// </summary>
public sealed record RefSource(Func<OpenErcDbContext, IQueryable<RefOption>> Options, bool Small)
{
    public async Task<List<RefOption>> SearchAsync(OpenErcDbContext db, string? text, int max, CancellationToken ct)
    {
        var q = Options(db);
        if (!string.IsNullOrWhiteSpace(text)) q = q.Where(o => EF.Functions.ILike(o.Name, ListColumn.Like(text)));
        return await q.OrderBy(o => o.Name).Take(max).ToListAsync(ct);
    }

    public Task<RefOption?> FindAsync(OpenErcDbContext db, long id, CancellationToken ct = default) =>
        Options(db).Where(o => o.Id == id).FirstOrDefaultAsync(ct);
}

/// <summary>The reference sources of the registry, written once for forms and list filters.</summary>
public static class Refs
{
    public static readonly RefSource Municipalities = new(db => db.Municipalities.Select(m => new RefOption { Id = m.Id, Name = m.Name }), Small: true);

    public static readonly RefSource Organisations = new(db => db.Organisations.Select(o => new RefOption { Id = o.Id, Name = o.ShortName ?? o.Name }), Small: false);

    public static readonly RefSource Suppliers = new(db => db.Organisations
        .Where(o => o.Kind != OrganisationKind.Bank && o.Kind != OrganisationKind.PaymentAgent && o.Kind != OrganisationKind.BillingCentre)
        .Select(o => new RefOption { Id = o.Id, Name = o.ShortName ?? o.Name }), Small: false);

    /// <summary>Who takes payments: banks, payment agents and the centre itself (its cash desk).</summary>
    public static readonly RefSource Agents = new(db => db.Organisations
        .Where(o => o.Kind == OrganisationKind.Bank || o.Kind == OrganisationKind.PaymentAgent || o.Kind == OrganisationKind.BillingCentre)
        .Select(o => new RefOption { Id = o.Id, Name = o.ShortName ?? o.Name }), Small: true);

    public static readonly RefSource Services = new(db => db.Services.Select(s => new RefOption { Id = s.Id, Name = s.Name }), Small: true);

    public static readonly RefSource Buildings = new(db => db.Buildings.Select(b => new RefOption { Id = b.Id, Name = b.Address }), Small: false);

    public static readonly RefSource Premises = new(db =>
        from p in db.Premises
        join b in db.Buildings on p.BuildingId equals b.Id
        select new RefOption { Id = p.Id, Name = b.Address + ", кв. " + p.Number }, Small: false);

    public static readonly RefSource Accounts = new(db => db.Accounts.Select(a => new RefOption { Id = a.Id, Name = a.Number }), Small: false);

    public static readonly RefSource Meters = new(db => db.Meters.Select(m => new RefOption { Id = m.Id, Name = m.SerialNumber }), Small: false);

    public static readonly RefSource People = new(db => db.People.Select(p => new RefOption { Id = p.Id, Name = p.FullName }), Small: false);

    /// <summary>The source behind a reference field of any registry object, by the field's name.</summary>
    public static RefSource? ForField(string field) => field switch
    {
        "MunicipalityId" => Municipalities,
        "OrganisationId" or "SupplierId" => Organisations,
        "ServiceId" => Services,
        "BuildingId" => Buildings,
        "PremiseId" => Premises,
        "AccountId" => Accounts,
        "MeterId" => Meters,
        "PersonId" or "PayerPersonId" => People,
        _ => null,
    };

    /// <summary>Names of the given ids, in one query.</summary>
    public static async Task<Dictionary<long, string>> NamesAsync(this RefSource source, OpenErcDbContext db, IReadOnlyCollection<long> ids,
        CancellationToken ct = default) =>
        ids.Count == 0 ? [] : await source.Options(db).Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
}
