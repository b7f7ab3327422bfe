using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Benefits;

/// <summary>A person linked to an account — registered, owner or payer — over <c>[From, To)</c> (the payer: always).</summary>
public sealed record AccountPerson(long AccountId, long PersonId, string LastName, string FirstName, string? MiddleName, DateOnly? BirthDate, string? Snils,
    DateOnly From, DateOnly? To)
{
    public string FullName => string.Join(' ', new[] { LastName, FirstName, MiddleName }.Where(n => !string.IsNullOrWhiteSpace(n)));
}

/// <summary>A right as the account card and the API show it: the person's name, the category's title, where the right came from.</summary>
/// <param name="LastDay">The last day of the right (inclusive), as УСЗН writes it; null when open.</param>
/// <param name="Source">«УСЗН» for a right of the registry, «вручную» for one entered by staff.</param>
public sealed record BenefitRightView(long Id, string? UsznRightId, long PersonId, string Person, string CategoryCode, string? CategoryTitle, decimal? Rate,
    int CoveredPersons, int? FamilySize, decimal? AreaStandard, int? ShareNumerator, int? ShareDenominator, DateOnly ValidFrom, DateOnly? ValidTo,
    DateOnly? LastDay, string? DecisionNumber, DateOnly? DecisionDate, string Source);

/// <summary>
/// The rights to social support of an account (benefits.md §1, §6.1) entered by staff from УСЗН's decision, and the rules
/// they share with the УСЗН registry (<see cref="UsznImport"/>): the person must be one of the account's people, the
/// category must be in force on the right's first day, and one person holds one ground at a time (<c>DUPLICATE_GROUND</c>).
/// </summary>
public static class BenefitRights
{
    public const string FromUszn = "УСЗН", ByHand = "вручную";

    /// <summary>
    /// The people of <paramref name="accountIds"/>: their registrations and ownerships with their dates, and the payer (undated:
    /// the payer of an open account is one of its people for as long as the account has one).
    /// </summary>
    public static async Task<List<AccountPerson>> PeopleAsync(OpenErcDbContext db, IReadOnlyCollection<long> accountIds, CancellationToken ct = default)
    {
        var links = await db.Registrations.AsNoTracking().Where(r => accountIds.Contains(r.AccountId))
            .Select(r => new Link(r.AccountId, r.PersonId, r.ValidFrom, r.ValidTo)).ToListAsync(ct);
        links.AddRange(await db.Ownerships.AsNoTracking().Where(o => accountIds.Contains(o.AccountId))
            .Select(o => new Link(o.AccountId, o.PersonId, o.ValidFrom, o.ValidTo)).ToListAsync(ct));
        links.AddRange((await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id) && a.PayerPersonId != null)
            .Select(a => new { a.Id, a.PayerPersonId }).ToListAsync(ct)).Select(a => new Link(a.Id, a.PayerPersonId!.Value, DateOnly.MinValue, null)));
        var ids = links.Select(l => l.PersonId).Distinct().ToList();
        var people = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return [.. links.Select(l => (Link: l, Person: people[l.PersonId])).Select(x => new AccountPerson(x.Link.AccountId, x.Person.Id, x.Person.LastName,
            x.Person.FirstName, x.Person.MiddleName, x.Person.BirthDate, x.Person.Snils, x.Link.From, x.Link.To))];
    }

    private sealed record Link(long AccountId, long PersonId, DateOnly From, DateOnly? To);

    /// <summary>The people linked to the account at some time of <c>[from, to)</c>, each once.</summary>
    public static IEnumerable<AccountPerson> During(IEnumerable<AccountPerson> people, DateOnly from, DateOnly? to) =>
        people.Where(p => new DateRange(p.From, p.To).Overlaps(new DateRange(from, to))).DistinctBy(p => p.PersonId);

    /// <summary>
    /// A file names this person: by СНИЛС when both the file and the person have one (a surname changes, the number does
    /// not), else by surname, name and patronymic (and the birth date when given); a file with neither names nobody.
    /// </summary>
    public static bool Named(AccountPerson person, string? snils, string? lastName, string? firstName, string? middleName, DateOnly? birthDate = null)
    {
        if (snils is not null && person.Snils is not null) return person.Snils == snils;
        return lastName is not null && SameName(person.LastName, lastName) && SameName(person.FirstName, firstName) && SameName(person.MiddleName, middleName)
            && (birthDate is null || person.BirthDate == birthDate);
    }

    /// <summary>Names compared as people write them: case aside, «ё» as «е», spaces at the ends ignored, no middle name as an empty one.</summary>
    public static bool SameName(string? a, string? b) =>
        string.Equals(Fold(a), Fold(b), StringComparison.Ordinal);

    private static string Fold(string? name) => (name ?? "").Trim().ToLower(CultureInfo.GetCultureInfo("ru-RU")).Replace('ё', 'е');

    /// <summary>The row of category <paramref name="code"/> (any case) in force on <paramref name="day"/>, or null.</summary>
    public static BenefitCategory? CategoryOn(IEnumerable<BenefitCategory> categories, string code, DateOnly day) =>
        categories.Where(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase) && c.IsValidOn(day)).MaxBy(c => c.ValidFrom);

    /// <summary>How a right is named in a message: its УСЗН id or «введённое вручную», its category and dates.</summary>
    public static string Describe(BenefitRight right) =>
        $"{(right.UsznRightId is { } id ? $"право УСЗН {id}" : "право, введённое вручную")} ({right.CategoryCode}, {Period(right.ValidFrom, right.ValidTo)})";

    /// <summary>A period as people read it: «с 01.01.2026» or «с 01.01.2026 по 31.12.2026» (the last day inclusive).</summary>
    public static string Period(DateOnly from, DateOnly? to) =>
        $"с {Day(from)}{(to is { } t ? $" по {Day(t.AddDays(-1))}" : "")}";

    /// <summary>
    /// The exclusive end after an inclusive <paramref name="lastDay"/>; 31.12.9999, the «open» of many registries, is an
    /// open end.
    /// </summary>
    public static DateOnly? EndAfter(DateOnly? lastDay) => lastDay is { } d && d < DateOnly.MaxValue ? d.AddDays(1) : null;

    /// <summary>The bounds a right's numbers must keep beyond its own validation (a household, an area, a subsidy), by field.</summary>
    public static IEnumerable<(string Field, string Message)> Limits(BenefitRight right)
    {
        if (right.CoveredPersons > MaxPersons) yield return (nameof(BenefitRight.CoveredPersons), $"Льготой пользуется не больше {MaxPersons} человек");
        if (right.FamilySize > MaxPersons) yield return (nameof(BenefitRight.FamilySize), $"Состав семьи — не больше {MaxPersons} человек");
        if (right.AreaStandard > MaxArea || right.AreaStandard is { } a && decimal.Round(a, 2) != a)
            yield return (nameof(BenefitRight.AreaStandard), $"Площадь по стандарту — не больше {MaxArea} м², с точностью до 0,01 м²");
    }

    private const int MaxPersons = 99;
    private const decimal MaxArea = 10_000m, MaxSubsidy = 1_000_000m;

    public static string Day(DateOnly day) => day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);

    /// <summary>The account's rights, the latest first.</summary>
    public static async Task<List<BenefitRightView>> OfAccountAsync(OpenErcDbContext db, long accountId, CancellationToken ct = default)
    {
        var rights = await (
            from r in db.BenefitRights.AsNoTracking()
            where r.AccountId == accountId
            join p in db.People on r.PersonId equals p.Id
            orderby r.ValidFrom descending, r.Id descending
            select new { r, p.FullName }).ToListAsync(ct);
        var codes = rights.Select(x => x.r.CategoryCode).Distinct().ToList();
        var categories = await db.BenefitCategories.AsNoTracking().Where(c => codes.Contains(c.Code)).ToListAsync(ct);
        return [.. rights.Select(x => new BenefitRightView(x.r.Id, x.r.UsznRightId, x.r.PersonId, x.FullName, x.r.CategoryCode,
            (CategoryOn(categories, x.r.CategoryCode, x.r.ValidFrom) ?? categories.Where(c => c.Code == x.r.CategoryCode).MaxBy(c => c.ValidFrom))?.Title,
            x.r.Rate, x.r.CoveredPersons, x.r.FamilySize, x.r.AreaStandard, x.r.ShareNumerator, x.r.ShareDenominator, x.r.ValidFrom, x.r.ValidTo,
            x.r.ValidTo?.AddDays(-1), x.r.DecisionNumber, x.r.DecisionDate, x.r.UsznRightId is null ? ByHand : FromUszn))];
    }

    /// <summary>
    /// Adds a right entered by staff from УСЗН's decision (audited with the context's actor and reason; a back-dated one queues
    /// the account's building for recalculation). Refused, by field, when it is invalid, its category is not in force on its
    /// first day, its person is not one of the account's people then, or the person already holds a right over its dates.
    /// </summary>
    /// <exception cref="RegistryValidationException">The messages, in Russian; nothing is saved.</exception>
    public static async Task<BenefitRight> AddAsync(OpenErcDbContext db, long accountId, BenefitRight right, CancellationToken ct = default)
    {
        right.Id = 0;
        right.AccountId = accountId;
        right.UsznRightId = string.IsNullOrWhiteSpace(right.UsznRightId) ? null : right.UsznRightId.Trim();
        var errors = RegistryValidation.Validate(right);
        foreach (var (field, message) in Limits(right)) Add(errors, field, message);
        var categories = await db.BenefitCategories.AsNoTracking().ToListAsync(ct);
        if (right.CategoryCode.Length > 0)
        {
            if (CategoryOn(categories, right.CategoryCode, right.ValidFrom) is { } category) right.CategoryCode = category.Code;
            else Add(errors, nameof(BenefitRight.CategoryCode), $"Категории «{right.CategoryCode}» на {Day(right.ValidFrom)} нет в справочнике категорий льготников");
        }
        if (!During(await PeopleAsync(db, [accountId], ct), right.ValidFrom, right.ValidTo).Any(p => p.PersonId == right.PersonId))
            Add(errors, nameof(BenefitRight.PersonId), "Гражданин не зарегистрирован, не собственник и не плательщик по этому лицевому счёту в период права");
        if (right.UsznRightId is { } id && await db.BenefitRights.AnyAsync(r => r.UsznRightId == id, ct))
            Add(errors, nameof(BenefitRight.UsznRightId), $"Право УСЗН {id} уже есть в картотеке");
        if (errors.Count == 0 && await ConflictAsync(db, right, ct) is { } other)
            Add(errors, nameof(BenefitRight.ValidFrom), $"У гражданина уже есть {Describe(other)}: по одному основанию в одно время (benefits.md §1)");
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        db.BenefitRights.Add(right);
        await db.SaveChangesAsync(ct);
        return right;
    }

    /// <summary>
    /// Closes a right: <paramref name="lastDay"/> is its last day (inclusive, as УСЗН's decisions and files write it), so
    /// <c>ValidTo</c> becomes the next day. Null when the account has no such right.
    /// </summary>
    /// <exception cref="RegistryValidationException">The last day is before the right's first day.</exception>
    public static async Task<BenefitRight?> CloseAsync(OpenErcDbContext db, long accountId, long rightId, DateOnly lastDay, CancellationToken ct = default)
    {
        var right = await db.BenefitRights.SingleOrDefaultAsync(r => r.Id == rightId && r.AccountId == accountId, ct);
        if (right is null) return null;
        if (lastDay < right.ValidFrom)
            throw new RegistryValidationException(new() { ["LastDay"] = [$"Последний день права раньше его начала {Day(right.ValidFrom)}"] });
        right.ValidTo = EndAfter(lastDay);
        await db.SaveChangesAsync(ct);
        return right;
    }

    /// <summary>Another right of the same person whose dates overlap <paramref name="right"/>'s, or null.</summary>
    private static async Task<BenefitRight?> ConflictAsync(OpenErcDbContext db, BenefitRight right, CancellationToken ct)
    {
        var others = await db.BenefitRights.AsNoTracking().Where(r => r.PersonId == right.PersonId && r.Id != right.Id).ToListAsync(ct);
        return others.FirstOrDefault(r => r.Range().Overlaps(right.Range()));
    }

    /// <summary>The account's subsidy decisions, the latest first.</summary>
    public static Task<List<SubsidyDecision>> SubsidiesAsync(OpenErcDbContext db, long accountId, CancellationToken ct = default) =>
        db.SubsidyDecisions.AsNoTracking().Where(s => s.AccountId == accountId).OrderByDescending(s => s.ValidFrom).ThenByDescending(s => s.Id).ToListAsync(ct);

    /// <summary>What is wrong with a subsidy on its own (amount, term, decision), by field; empty when nothing.</summary>
    public static Dictionary<string, string[]> Check(SubsidyDecision subsidy)
    {
        var errors = RegistryValidation.Validate(subsidy);
        if (subsidy.Amount > MaxSubsidy) Add(errors, nameof(SubsidyDecision.Amount), $"Субсидия — не больше {MaxSubsidy:0} ₽ в месяц");
        return errors;
    }

    /// <summary>How a subsidy is named in a message: its УСЗН id or «введённая вручную», its decision, amount and term.</summary>
    public static string Describe(SubsidyDecision subsidy) =>
        $"{(subsidy.UsznDecisionId is { } id ? $"субсидия по решению УСЗН {id}" : "субсидия, введённая вручную")} (№ {subsidy.DecisionNumber}, " +
        $"{subsidy.Amount.ToString("0.00", CultureInfo.InvariantCulture)} ₽ в месяц, {Period(subsidy.ValidFrom, subsidy.ValidTo)})";

    /// <summary>Records a subsidy УСЗН granted the account (audited); refused, by field, when invalid, when its УСЗН id is already recorded or when it overlaps another of the account's.</summary>
    /// <exception cref="RegistryValidationException">The messages, in Russian; nothing is saved.</exception>
    public static async Task<SubsidyDecision> AddSubsidyAsync(OpenErcDbContext db, long accountId, SubsidyDecision subsidy, CancellationToken ct = default)
    {
        subsidy.Id = 0;
        subsidy.AccountId = accountId;
        subsidy.UsznDecisionId = string.IsNullOrWhiteSpace(subsidy.UsznDecisionId) ? null : subsidy.UsznDecisionId.Trim();
        var errors = Check(subsidy);
        if (subsidy.UsznDecisionId is { } id && await db.SubsidyDecisions.AnyAsync(s => s.UsznDecisionId == id, ct))
            Add(errors, nameof(SubsidyDecision.UsznDecisionId), $"Решение УСЗН {id} уже есть в картотеке");
        // One subsidy at a time, as the import's SUBSIDY_OVERLAP.
        if (errors.Count == 0 && (await SubsidiesAsync(db, accountId, ct)).FirstOrDefault(s => s.Range().Overlaps(subsidy.Range())) is { } other)
            Add(errors, nameof(SubsidyDecision.ValidFrom), $"На эти месяцы у лицевого счёта уже есть {Describe(other)}");
        if (errors.Count > 0) throw new RegistryValidationException(errors);
        db.SubsidyDecisions.Add(subsidy);
        await db.SaveChangesAsync(ct);
        return subsidy;
    }

    private static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var known) ? [.. known, message] : [message];
}
