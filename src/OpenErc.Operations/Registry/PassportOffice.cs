using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Residents;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>Settings of the passport desk (section <c>OpenErc:Passport</c> of the host's configuration).</summary>
public sealed record PassportSettings
{
    /// <summary>
    /// A death ends the registration the day after it (passport-and-dispatch.md §5 [uncertain]: the person is counted on
    /// the day he died); false ends it on the day of death.
    /// </summary>
    public bool DeathEndsNextDay { get; init; } = true;

    /// <summary>Days a выписка or справка is valid for, printed as «действительна до» (§3.5 [uncertain]); null prints none.</summary>
    public int? ValidityDays { get; init; } = 30;

    /// <summary>The issuer has a seal: «М.П.» is printed by the signature (§3 [recalled]: an LLC need not have one).</summary>
    public bool Seal { get; init; }
}

/// <summary>
/// The passport desk's use cases (passport-and-dispatch.md Part 1): registering and deregistering people on an
/// account, each feeding the number of residents the charge run uses. The centre keeps a mirror of the registration
/// body's decisions, so the dates are the decision's.
/// </summary>
/// <remarks>
/// <para><b>Residents follow registrations.</b> A registration adds one resident to the account's number of residents
/// over its days, a deregistration takes one away from its day on (a stay: up to the end of its term), whatever the
/// number was and on whatever ground (an act of actual residence, п. 56(1), or an imported number stays the base).
/// Days in a month are counted as they fall (the default person-days of §5): a person deregistered on 20.03 counts
/// for 1–19 March. The number of residents is a charge input, so a day in a month already charged queues the
/// building for recalculation in the same save (<c>RetroactiveChanges</c>).</para>
/// <para><b>One place of residence.</b> A permanent registration at a new place ends the person's permanent registration
/// elsewhere the same day (ПП 713: registration at the new place is the deregistration at the old one), with the reason
/// «Выбыл» and the new address as «выбыл в»; that account's residents follow too.</para>
/// </remarks>
public static class PassportOffice
{
    /// <summary>What the number of residents says when it follows the registrations.</summary>
    public const string RegistrationBasis = "по данным регистрационного учёта";

    /// <summary>A registration to record; <see cref="StayUntil"/> is the declared end of a stay (по месту пребывания).</summary>
    public sealed record Arrival(long AccountId, long PersonId, RegistrationKind Kind, DateOnly From, DateOnly? StayUntil = null,
        string? Relation = null, DateOnly? AppliedOn = null, string? ArrivedFrom = null, string? Basis = null);

    /// <summary>
    /// Registers a person on an account from the decision's day. Bad input throws <see cref="RegistryValidationException"/>
    /// with messages in Russian by field, and nothing is saved.
    /// </summary>
    public static async Task<Registration> RegisterAsync(OpenErcDbContext db, Arrival arrival, string actor, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == arrival.AccountId, ct);
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == arrival.PersonId, ct);
        if (account is null) errors[nameof(Registration.AccountId)] = [$"Лицевой счёт №{arrival.AccountId} не найден"];
        else if (arrival.From < account.OpenedOn || account.ClosedOn is { } closed && arrival.From >= closed)
            errors[nameof(Registration.ValidFrom)] = [$"Лицевой счёт {account.Number} не действует на {arrival.From:dd.MM.yyyy}"];
        if (person is null) errors[nameof(Registration.PersonId)] = [$"Гражданин №{arrival.PersonId} не найден"];
        else if (person.DeathDate is { } died && arrival.From > died)
            errors[nameof(Registration.ValidFrom)] = [$"{person.FullName} умер(ла) {died:dd.MM.yyyy}"];
        else if (person.BirthDate is { } born && arrival.From < born)
            errors[nameof(Registration.ValidFrom)] = ["Дата регистрации раньше даты рождения"];
        var registration = new Registration
        {
            AccountId = arrival.AccountId, PersonId = arrival.PersonId, Kind = arrival.Kind, ValidFrom = arrival.From,
            ValidTo = arrival.Kind == RegistrationKind.Temporary ? arrival.StayUntil : null, Relation = Trim(arrival.Relation),
            AppliedOn = arrival.AppliedOn, ArrivedFrom = Trim(arrival.ArrivedFrom), Basis = Trim(arrival.Basis),
        };
        foreach (var (field, messages) in RegistryValidation.Validate(registration)) errors.TryAdd(field, messages);
        if (errors.Count > 0) throw new RegistryValidationException(errors);

        var mine = await db.Registrations.Where(r => r.PersonId == arrival.PersonId).ToListAsync(ct);
        if (mine.FirstOrDefault(r => r.AccountId == arrival.AccountId && Overlaps(r, registration)) is { } same)
            throw new RegistryValidationException(new() { [nameof(Registration.ValidFrom)] =
                [$"{person!.FullName} уже зарегистрирован(а) на этом лицевом счёте {Period(same)}"] });

        var changes = new List<Change> { new(arrival.AccountId, arrival.From, registration.ValidTo, +1) };
        if (arrival.Kind == RegistrationKind.Permanent)
        {
            var address = await AddressAsync(db, arrival.AccountId, ct);
            foreach (var old in mine.Where(r => r.Kind == RegistrationKind.Permanent && r.AccountId != arrival.AccountId
                                                && r.ValidFrom < arrival.From && (r.ValidTo is null || r.ValidTo > arrival.From)))
            {
                changes.Add(new(old.AccountId, arrival.From, old.ValidTo, -1));
                old.ValidTo = arrival.From;
                old.EndReason = DeregistrationReason.MovedOut;
                old.DepartedTo ??= address;
            }
        }
        db.Registrations.Add(registration);
        await SaveWithResidentsAsync(db, changes, actor, $"Регистрация {registration.Kind.Title().ToLowerInvariant()}: {person!.FullName}" +
            (registration.Basis is { } b ? $" ({b})" : ""), ct);
        return registration;
    }

    /// <summary>
    /// Registers a person new to the registry: the person, his identity document (if given) and the registration are saved
    /// together or not at all.
    /// </summary>
    public static async Task<Registration> RegisterNewAsync(OpenErcDbContext db, Person person, IdentityDocument? document, Arrival arrival, string actor,
        CancellationToken ct = default)
    {
        var errors = RegistryValidation.Validate(person);
        if (document is not null)
            foreach (var (field, messages) in RegistryValidation.Validate(document)) errors.TryAdd("Document." + field, messages);
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.People.Add(person);
        db.Actor = actor;
        db.Reason = "Регистрация нового гражданина";
        await db.SaveChangesAsync(ct);
        if (document is not null)
        {
            document.PersonId = person.Id;
            db.IdentityDocuments.Add(document);
        }
        var registration = await RegisterAsync(db, arrival with { PersonId = person.Id }, actor, ct);
        await tx.CommitAsync(ct);
        return registration;
    }

    /// <summary>
    /// Deregisters: the registration ends on <paramref name="on"/> (the decision's day; for a death, the day of death, and the
    /// registration ends the next day unless <see cref="PassportSettings.DeathEndsNextDay"/> is off). A stay ended early
    /// is «досрочный выезд». Bad input throws <see cref="RegistryValidationException"/>; nothing is saved then.
    /// </summary>
    public static async Task<Registration> DeregisterAsync(OpenErcDbContext db, long registrationId, DateOnly on, DeregistrationReason reason,
        string? departedTo, string? basis, string actor, PassportSettings settings, CancellationToken ct = default)
    {
        var registration = await db.Registrations.SingleOrDefaultAsync(r => r.Id == registrationId, ct)
                           ?? throw new RegistryValidationException(new() { ["registrationId"] = [$"Регистрация №{registrationId} не найдена"] });
        var person = await db.People.SingleAsync(p => p.Id == registration.PersonId, ct);
        var end = reason == DeregistrationReason.Died && settings.DeathEndsNextDay ? on.AddDays(1) : on;
        var errors = new Dictionary<string, string[]>();
        if (!Enum.IsDefined(reason)) errors["reason"] = ["Неизвестная причина снятия с учёта"];
        if (registration.EndReason is not null || registration.Kind == RegistrationKind.Permanent && registration.ValidTo is not null)
            errors["registrationId"] = [$"{person.FullName} уже снят(а) с учёта {registration.ValidTo!.Value.AddDays(-1):dd.MM.yyyy}"];
        else if (end <= registration.ValidFrom)
            errors["on"] = [$"Дата снятия с учёта должна быть позже даты регистрации ({registration.ValidFrom:dd.MM.yyyy})"];
        else if (registration.ValidTo is { } term && end > term)
            errors["on"] = [$"Регистрация по месту пребывания действует по {term.AddDays(-1):dd.MM.yyyy}: дата снятия не может быть позже"];
        if (reason == DeregistrationReason.Died && person.BirthDate is { } born && on < born) errors["on"] = ["Дата смерти раньше даты рождения"];
        if (errors.Count > 0) throw new RegistryValidationException(errors);

        var change = new Change(registration.AccountId, end, registration.ValidTo, -1);
        registration.ValidTo = end;
        registration.EndReason = registration.Kind == RegistrationKind.Temporary && reason == DeregistrationReason.MovedOut
            ? DeregistrationReason.TemporaryLeftEarly : reason;
        registration.DepartedTo = Trim(departedTo) ?? registration.DepartedTo;
        if (Trim(basis) is { } b) registration.Basis = registration.Basis is null ? b : $"{registration.Basis}; снятие: {b}";
        if (reason == DeregistrationReason.Died) person.DeathDate ??= on;
        var invalid = RegistryValidation.Validate(registration);
        if (invalid.Count > 0) throw new RegistryValidationException(invalid);
        await SaveWithResidentsAsync(db, [change], actor,
            $"Снятие с регистрационного учёта: {person.FullName}, {registration.EndReason.Value.Title().ToLowerInvariant()}" + (Trim(basis) is { } why ? $" ({why})" : ""), ct);
        return registration;
    }

    /// <summary>A registration's effect on an account's number of residents: <see cref="Delta"/> people over <c>[From, To)</c>.</summary>
    private sealed record Change(long AccountId, DateOnly From, DateOnly? To, int Delta);

    /// <summary>
    /// Adds each change to its account's number of residents over its days (see the remarks) and saves everything in one
    /// transaction with the journal's actor and reason.
    /// </summary>
    private static async Task SaveWithResidentsAsync(OpenErcDbContext db, List<Change> changes, string actor, string reason, CancellationToken ct)
    {
        var accounts = changes.Select(c => c.AccountId).Distinct().ToList();
        var counts = await db.ResidentCounts.Where(r => accounts.Contains(r.AccountId)).ToListAsync(ct);
        foreach (var change in changes)
        {
            var records = counts.Where(c => c.AccountId == change.AccountId).ToList();
            int? CountOn(DateOnly day) => records.SingleOrDefault(r => r.ValidFrom <= day && (r.ValidTo is null || r.ValidTo > day))?.Count;
            // Every day inside the change where the recorded number changes, with the number before this change.
            var days = records.SelectMany(r => new[] { r.ValidFrom, r.ValidTo ?? DateOnly.MaxValue })
                .Where(d => d > change.From && (change.To is null || d < change.To) && d != DateOnly.MaxValue)
                .Append(change.From).Distinct().Order().Select(d => (Day: d, Count: CountOn(d))).ToList();
            int? after = change.To is { } to ? CountOn(to) : null;
            foreach (var (day, count) in days)
                Residency.Set(db, records, change.AccountId, Math.Max(0, (count ?? 0) + change.Delta), day, RegistrationBasis);
            if (change.To is { } end)
            {
                if (after is { } restored) Residency.Set(db, records, change.AccountId, restored, end, records.Single(r => r.ValidFrom <= end && (r.ValidTo is null || r.ValidTo > end)).Basis);
                else if (records.SingleOrDefault(r => r.ValidFrom < end && (r.ValidTo is null || r.ValidTo > end)) is { } open) open.ValidTo = end;
            }
            counts.RemoveAll(c => c.AccountId == change.AccountId);
            counts.AddRange(records);
        }
        db.Actor = actor;
        db.Reason = reason;
        // Inside the caller's transaction (a new person saved first) or in one of its own.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    /// <summary>The address of an account's premise as the registration's «выбыл в» prints it.</summary>
    public static async Task<string> AddressAsync(OpenErcDbContext db, long accountId, CancellationToken ct) =>
        await (from a in db.Accounts
               where a.Id == accountId
               join p in db.Premises on a.PremiseId equals p.Id
               join b in db.Buildings on p.BuildingId equals b.Id
               select b.Address + ", " + (p.Kind == Core.Housing.PremiseKind.Residential ? "кв. " : "пом. ") + p.Number).SingleAsync(ct);

    private static bool Overlaps(Registration a, Registration b) =>
        (b.ValidTo is null || a.ValidFrom < b.ValidTo) && (a.ValidTo is null || b.ValidFrom < a.ValidTo);

    private static string Period(Registration r) =>
        r.ValidTo is { } to ? $"с {r.ValidFrom:dd.MM.yyyy} по {to.AddDays(-1):dd.MM.yyyy}" : $"с {r.ValidFrom:dd.MM.yyyy}";

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
