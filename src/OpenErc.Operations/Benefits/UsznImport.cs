using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Exchange.Uszn;
using OpenErc.Storage;

namespace OpenErc.Operations.Benefits;

/// <summary>
/// What loading a <c>BENREG</c> did: the rows read and, when applied, how many rights were added, changed, closed or left as
/// they were; when refused, every problem (nothing saved) and the error report <c>BENERR</c> to send back to УСЗН.
/// </summary>
public sealed record UsznImportResult(string FileName, int Rows, int Added, int Changed, int Closed, int Unchanged,
    IReadOnlyList<BenefitRowProblem> Problems, byte[]? Benerr, string? BenerrName)
{
    public bool Applied => Problems.Count == 0;
}

/// <summary>
/// Loads УСЗН's registry of rights <c>BENREG</c> (benefits.md §6.1) into <c>benefit_rights</c>, whole or not at all: the file
/// is read by <see cref="BenregFile.Parse"/>, then every row is matched against the registry — the account by its number,
/// the person among the account's people over the right's dates (registered, owner or payer; by СНИЛС when both sides
/// have one, else by surname, name, patronymic and birth date, «ё» as «е», any case), the category in force on the
/// right's first day, one ground per person at a time (<c>DUPLICATE_GROUND</c>, within the file and against the
/// database). Any problem refuses the file with every reason and its line; nothing is guessed (§6.1: unmatched rows wait
/// for a corrected file). Otherwise the changes are saved at once, audited with «реестр УСЗН &lt;file&gt;», and a
/// back-dated right queues its building for recalculation (<c>RetroactiveChanges</c>).
/// </summary>
/// <remarks>
/// The row's <c>Form</c> (CASH/INKIND) is not stored: how benefits reach the citizen is the region's setting
/// (<c>benefit_deliveries</c>, benefits.md §0), not each right's; the run reads that setting. The file's <c>ValidTo</c> is
/// the last day of the right (inclusive); ours is exclusive, so it is stored plus one day. The rate УСЗН writes is stored
/// as written: the registry is the only source of rights, and a later edit of the category's default must not change it.
/// </remarks>
public static class UsznImport
{
    public static async Task<UsznImportResult> ImportRightsAsync(string connectionString, byte[] content, string fileName, string actor, RegionClock clock,
        CancellationToken ct)
    {
        var name = Path.GetFileName(fileName);
        var parse = BenregFile.Parse(content, name);
        if (!parse.Ok) return Refused(name, parse, 0, parse.Errors);

        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(connectionString), clock) { Actor = actor, Reason = $"реестр УСЗН {name}" };
        var plan = await PlanAsync(db, parse.Rows, ct);
        if (plan.Problems.Count > 0)
        {
            db.ChangeTracker.Clear();
            return Refused(name, parse, parse.Rows.Count, plan.Problems);
        }
        await db.SaveChangesAsync(ct);
        return new(name, parse.Rows.Count, plan.Added, plan.Changed, plan.Closed, plan.Unchanged, [], null, null);
    }

    private static UsznImportResult Refused(string name, BenregParse parse, int rows, IReadOnlyList<BenefitRowProblem> problems)
    {
        var ordered = problems.OrderBy(p => p.Line ?? 0).ToList(); // the file as a whole first, then by line
        var reply = parse.Name is { } n ? (n with { Kind = UsznFileName.Benerr }).ToString() : $"OPENERC_{UsznFileName.Benerr}_{Path.GetFileNameWithoutExtension(name)}.csv";
        return new(name, rows, 0, 0, 0, 0, ordered, BenerrFile.Write(ordered), reply);
    }

    private sealed class Plan
    {
        public List<BenefitRowProblem> Problems { get; } = [];
        public int Added, Changed, Closed, Unchanged;
    }

    /// <summary>Matches every row and stages its change in <paramref name="db"/> (not saved); the problems when any.</summary>
    private static async Task<Plan> PlanAsync(OpenErcDbContext db, IReadOnlyList<BenefitRightRow> rows, CancellationToken ct)
    {
        var plan = new Plan();
        void Problem(BenefitRightRow row, BenefitRowError code, string message) => plan.Problems.Add(new(row.Line, row.RightId, row.AccountNumber, code, message));

        var numbers = rows.Select(r => r.AccountNumber).Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => numbers.Contains(a.Number)).ToDictionaryAsync(a => a.Number, a => a.Id, ct);
        var people = (await BenefitRights.PeopleAsync(db, accounts.Values, ct)).ToLookup(p => p.AccountId);
        var categories = await db.BenefitCategories.AsNoTracking().ToListAsync(ct);
        var rightIds = rows.Select(r => r.RightId).ToList();
        var stored = await db.BenefitRights.Where(r => r.UsznRightId != null && rightIds.Contains(r.UsznRightId)).ToDictionaryAsync(r => r.UsznRightId!, ct);

        // Each matched row with the right it leaves, for the one-ground check once every person is known.
        var outcomes = new List<(BenefitRightRow Row, BenefitRight Right)>();
        foreach (var row in rows)
        {
            if (!accounts.TryGetValue(row.AccountNumber, out long accountId))
            {
                Problem(row, BenefitRowError.AccountNotFound, $"Лицевой счёт {row.AccountNumber} не найден");
                continue;
            }
            var to = BenefitRights.EndAfter(row.ValidTo);
            var matches = BenefitRights.During(people[accountId], row.ValidFrom, to).Where(p => Matches(p, row)).ToList();
            if (matches.Count != 1)
            {
                Problem(row, BenefitRowError.PersonNotResident, matches.Count == 0
                    ? $"{Who(row)} не зарегистрирован, не собственник и не плательщик по лицевому счёту {row.AccountNumber} {BenefitRights.Period(row.ValidFrom, to)}"
                    : $"{Who(row)}: по лицевому счёту {row.AccountNumber} подходят несколько граждан — укажите СНИЛС");
                continue;
            }
            var category = BenefitRights.CategoryOn(categories, row.CategoryCode, row.ValidFrom);
            if (category is null)
            {
                Problem(row, BenefitRowError.BadFormat, $"CategoryCode: категории «{row.CategoryCode}» на {BenefitRights.Day(row.ValidFrom)} нет в справочнике категорий льготников");
                continue;
            }
            stored.TryGetValue(row.RightId, out var existing);
            if (existing is not null && existing.PersonId != matches[0].PersonId)
            {
                Problem(row, BenefitRowError.BadFormat, $"RightId: право {row.RightId} в картотеке принадлежит другому гражданину");
                continue;
            }
            if (Stage(db, row, existing, accountId, matches[0].PersonId, category.Code, plan, Problem) is { } right) outcomes.Add((row, right));
        }
        await CheckOneGroundAsync(db, outcomes, Problem, ct);
        return plan;
    }

    /// <summary>The row's change staged in the context and counted; the right as it will be, or null when refused.</summary>
    private static BenefitRight? Stage(OpenErcDbContext db, BenefitRightRow row, BenefitRight? existing, long accountId, long personId, string category, Plan plan,
        Action<BenefitRightRow, BenefitRowError, string> problem)
    {
        if (existing is null && row.Action != BenefitRightAction.Add)
        {
            problem(row, BenefitRowError.BadFormat, $"Action: права {row.RightId} нет в картотеке — {(row.Action == BenefitRightAction.Close ? "закрывать" : "изменять")} нечего, сначала ADD");
            return null;
        }
        var right = existing ?? new BenefitRight { UsznRightId = row.RightId };
        if (row.Action == BenefitRightAction.Close)
        {
            // CLOSE ends the right (BenregFile requires its ValidTo); the rest of the row only identifies it.
            var last = row.ValidTo!.Value;
            if (BenefitRights.EndAfter(last) is not { } end)
            {
                problem(row, BenefitRowError.BadDates, $"ValidTo: {BenefitRights.Day(last)} — не последний день права");
                return null;
            }
            if (end <= right.ValidFrom)
            {
                problem(row, BenefitRowError.BadDates, $"ValidTo: {BenefitRights.Day(last)} раньше начала права {BenefitRights.Day(right.ValidFrom)}");
                return null;
            }
            if (right.ValidTo == end) plan.Unchanged++;
            else
            {
                right.ValidTo = end;
                plan.Closed++;
            }
            return right;
        }
        // An ADD of a right already stored is what a full monthly snapshot sends: the same values change nothing, others update it.
        var before = existing is null ? null : Values(existing);
        (right.AccountId, right.PersonId, right.CategoryCode, right.Rate, right.CoveredPersons, right.FamilySize, right.AreaStandard, right.ShareNumerator,
            right.ShareDenominator, right.ValidFrom, right.ValidTo, right.DecisionNumber, right.DecisionDate) = (accountId, personId, category, row.Rate,
            row.CoveredPersonIds.Count, row.FamilySize, row.AreaStandardM2, row.ShareNum, row.ShareDen, row.ValidFrom, BenefitRights.EndAfter(row.ValidTo), row.DecisionNo,
            row.DecisionDate);
        foreach (var (field, messages) in RegistryValidation.Validate(right))
            problem(row, BenefitRowError.BadFormat, $"{field}: {string.Join(" ", messages)}");
        foreach (var (field, message) in BenefitRights.Limits(right)) problem(row, BenefitRowError.BadFormat, $"{field}: {message}");
        if (existing is null)
        {
            db.BenefitRights.Add(right);
            plan.Added++;
        }
        else if (Equals(before, Values(right))) plan.Unchanged++;
        else plan.Changed++;
        return right;
    }

    private static object Values(BenefitRight r) => (r.AccountId, r.PersonId, r.CategoryCode, r.Rate, r.CoveredPersons, r.FamilySize, r.AreaStandard,
        r.ShareNumerator, r.ShareDenominator, r.ValidFrom, r.ValidTo, r.DecisionNumber, r.DecisionDate);

    /// <summary>
    /// One ground per person at a time (benefits.md §1): each right the file leaves must not overlap another right of the
    /// same person — one of the file under another RightId (the later line is refused) or one stored (from УСЗН or entered
    /// by hand) that the file does not change.
    /// </summary>
    private static async Task CheckOneGroundAsync(OpenErcDbContext db, List<(BenefitRightRow Row, BenefitRight Right)> outcomes,
        Action<BenefitRightRow, BenefitRowError, string> problem, CancellationToken ct)
    {
        var persons = outcomes.Select(o => o.Right.PersonId).Distinct().ToList();
        var inFile = outcomes.Select(o => o.Right.UsznRightId).ToHashSet();
        var others = await db.BenefitRights.AsNoTracking().Where(r => persons.Contains(r.PersonId) && (r.UsznRightId == null || !inFile.Contains(r.UsznRightId)))
            .ToListAsync(ct);
        for (int i = 0; i < outcomes.Count; i++)
        {
            var (row, right) = outcomes[i];
            var earlier = outcomes.Take(i).FirstOrDefault(o => o.Right.PersonId == right.PersonId && o.Right.Range().Overlaps(right.Range()));
            var stored = others.FirstOrDefault(r => r.PersonId == right.PersonId && r.Range().Overlaps(right.Range()));
            if (earlier.Row is not null)
                problem(row, BenefitRowError.DuplicateGround,
                    $"{Who(row)}: право {earlier.Row.RightId} (строка {earlier.Row.Line}, {earlier.Row.CategoryCode}) действует в те же дни — по одному основанию в одно время");
            else if (stored is not null)
                problem(row, BenefitRowError.DuplicateGround, $"{Who(row)}: в картотеке уже есть {BenefitRights.Describe(stored)} — по одному основанию в одно время");
        }
    }

    /// <summary>
    /// The row names this person: by СНИЛС when both the row and the person have one (a surname changes, the number does
    /// not), else by surname, name, patronymic and birth date.
    /// </summary>
    private static bool Matches(AccountPerson person, BenefitRightRow row)
    {
        if (row.Snils is not null && person.Snils is not null) return person.Snils == row.Snils;
        return BenefitRights.SameName(person.LastName, row.LastName) && BenefitRights.SameName(person.FirstName, row.FirstName)
            && BenefitRights.SameName(person.MiddleName, row.MiddleName) && person.BirthDate == row.BirthDate;
    }

    private static string Who(BenefitRightRow row) =>
        $"{string.Join(' ', new[] { row.LastName, row.FirstName, row.MiddleName }.Where(n => n is not null))} ({BenefitRights.Day(row.BirthDate)} г. р.)";
}
