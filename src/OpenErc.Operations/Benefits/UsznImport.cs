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
    public static Task<UsznImportResult> ImportRightsAsync(string connectionString, byte[] content, string fileName, string actor, RegionClock clock,
        CancellationToken ct)
    {
        var parse = BenregFile.Parse(content, Path.GetFileName(fileName));
        return ImportAsync(connectionString, fileName, parse.Name, parse.Rows, parse.Errors, BenerrFile.Columns, actor, clock,
            db => PlanAsync(db, parse.Rows, ct), ct);
    }

    /// <summary>
    /// Loads УСЗН's subsidy decisions <c>SUBDEC</c> (<see cref="SubdecFile"/>, ЖК РФ ст. 159) into <c>subsidy_decisions</c>,
    /// whole or not at all, as <see cref="ImportRightsAsync"/> does rights: the account by its number
    /// (<c>ACCOUNT_NOT_FOUND</c>); the applicant, when the row names one, among the account's people over the term
    /// (registered, owner or payer; by СНИЛС when both sides have one, else by surname, name and patronymic:
    /// <c>PERSON_NOT_RESIDENT</c>); one subsidy per account at a time — decisions of another DecisionId, in the file or
    /// stored, must not overlap (<c>SUBSIDY_OVERLAP</c>). ADD records a decision (the same values again change nothing,
    /// others update it), CHANGE updates one, CLOSE ends it on its <c>ValidTo</c>; the file's last day is stored plus one.
    /// The report on a refused file is a <c>BENERR</c> with <c>DecisionId</c> for <c>RightId</c>.
    /// </summary>
    public static Task<UsznImportResult> ImportSubsidiesAsync(string connectionString, byte[] content, string fileName, string actor, RegionClock clock,
        CancellationToken ct)
    {
        var parse = SubdecFile.Parse(content, Path.GetFileName(fileName));
        return ImportAsync(connectionString, fileName, parse.Name, parse.Rows, parse.Errors, BenerrFile.SubdecColumns, actor, clock,
            db => PlanSubsidiesAsync(db, parse.Rows, ct), ct);
    }

    /// <summary>The file read, then matched and staged by <paramref name="plan"/>, then saved at once, audited with «реестр УСЗН &lt;file&gt;»; or refused.</summary>
    private static async Task<UsznImportResult> ImportAsync<TRow>(string connectionString, string fileName, UsznFileName? parsedName, IReadOnlyList<TRow> rows,
        IReadOnlyList<BenefitRowProblem> errors, IReadOnlyList<string> benerrColumns, string actor, RegionClock clock, Func<OpenErcDbContext, Task<Plan>> plan,
        CancellationToken ct)
    {
        var name = Path.GetFileName(fileName);
        if (errors.Count > 0) return Refused(name, parsedName, 0, errors, benerrColumns);

        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(connectionString), clock) { Actor = actor, Reason = $"реестр УСЗН {name}" };
        var staged = await plan(db);
        if (staged.Problems.Count > 0)
        {
            db.ChangeTracker.Clear();
            return Refused(name, parsedName, rows.Count, staged.Problems, benerrColumns);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Another load of the same rights or decisions was saved between our reading and our saving: nothing of this one is.
            return Refused(name, parsedName, rows.Count,
                [new BenefitRowProblem(null, null, null, BenefitRowError.BadFormat, "Те же записи только что загружены другим файлом или пользователем: загрузите файл ещё раз")],
                benerrColumns);
        }
        return new(name, rows.Count, staged.Added, staged.Changed, staged.Closed, staged.Unchanged, [], null, null);
    }

    private static UsznImportResult Refused(string name, UsznFileName? parsedName, int rows, IReadOnlyList<BenefitRowProblem> problems, IReadOnlyList<string> columns)
    {
        var ordered = problems.OrderBy(p => p.Line ?? 0).ToList(); // the file as a whole first, then by line
        var reply = parsedName is { } n ? (n with { Kind = UsznFileName.Benerr }).ToString() : $"OPENERC_{UsznFileName.Benerr}_{Path.GetFileNameWithoutExtension(name)}.csv";
        return new(name, rows, 0, 0, 0, 0, ordered, BenerrFile.Write(ordered, columns: columns), reply);
    }

    private sealed class Plan
    {
        public List<BenefitRowProblem> Problems { get; } = [];
        public int Added, Changed, Closed, Unchanged;

        /// <summary>Counts an ADD or CHANGE: added when new, else changed or unchanged by its values before and after.</summary>
        public void Count(bool added, object? before, object after)
        {
            if (added) Added++;
            else if (Equals(before, after)) Unchanged++;
            else Changed++;
        }
    }

    /// <summary>The ids of the accounts numbered <paramref name="numbers"/> that exist, and their people by account id.</summary>
    private static async Task<(Dictionary<string, long> Accounts, ILookup<long, AccountPerson> People)> AccountsAsync(OpenErcDbContext db,
        IEnumerable<string> numbers, CancellationToken ct)
    {
        var distinct = numbers.Distinct().ToList();
        var accounts = await db.Accounts.AsNoTracking().Where(a => distinct.Contains(a.Number)).ToDictionaryAsync(a => a.Number, a => a.Id, ct);
        return (accounts, (await BenefitRights.PeopleAsync(db, accounts.Values, ct)).ToLookup(p => p.AccountId));
    }

    /// <summary>
    /// The <c>Action</c> check shared by rights and subsidies: CHANGE or CLOSE of an item the centre does not have is refused
    /// (false). <paramref name="item"/> is «права R-1» or «решения S-1».
    /// </summary>
    private static bool Known(bool exists, bool add, bool close, string item, Action<BenefitRowError, string> problem)
    {
        if (exists || add) return true;
        problem(BenefitRowError.BadFormat, $"Action: {item} нет в картотеке — {(close ? "закрывать" : "изменять")} нечего, сначала ADD");
        return false;
    }

    /// <summary>
    /// CLOSE: ends <paramref name="item"/> on <paramref name="last"/> (inclusive; stored as the day after) and counts it;
    /// false when that day is not a last day or is before the item's first day. <paramref name="term"/> names it: «права», «субсидии».
    /// </summary>
    private static bool Close(IEffectiveDated item, Action<DateOnly> setEnd, DateOnly last, string term, Plan plan, Action<BenefitRowError, string> problem)
    {
        if (BenefitRights.EndAfter(last) is not { } end)
        {
            problem(BenefitRowError.BadDates, $"ValidTo: {BenefitRights.Day(last)} — не последний день {term}");
            return false;
        }
        if (end <= item.ValidFrom)
        {
            problem(BenefitRowError.BadDates, $"ValidTo: {BenefitRights.Day(last)} раньше начала {term} {BenefitRights.Day(item.ValidFrom)}");
            return false;
        }
        if (item.ValidTo == end) plan.Unchanged++;
        else
        {
            setEnd(end);
            plan.Closed++;
        }
        return true;
    }

    /// <summary>
    /// Each outcome of a file with the first earlier outcome of the same owner (a person, an account) overlapping it, else
    /// the first of <paramref name="others"/> (stored, not changed by the file) that does; both null when neither.
    /// </summary>
    private static IEnumerable<(TRow Row, TRow? Earlier, T? Stored)> Overlaps<TRow, T>(IReadOnlyList<(TRow Row, T Item)> outcomes, IReadOnlyList<T> others,
        Func<T, long> owner) where TRow : class where T : class, IEffectiveDated
    {
        for (int i = 0; i < outcomes.Count; i++)
        {
            var (row, item) = outcomes[i];
            var earlier = outcomes.Take(i).FirstOrDefault(o => owner(o.Item) == owner(item) && o.Item.Range().Overlaps(item.Range())).Row;
            yield return (row, earlier, earlier is null ? others.FirstOrDefault(o => owner(o) == owner(item) && o.Range().Overlaps(item.Range())) : null);
        }
    }

    /// <summary>Matches every row and stages its change in <paramref name="db"/> (not saved); the problems when any.</summary>
    private static async Task<Plan> PlanAsync(OpenErcDbContext db, IReadOnlyList<BenefitRightRow> rows, CancellationToken ct)
    {
        var plan = new Plan();
        void Problem(BenefitRightRow row, BenefitRowError code, string message) => plan.Problems.Add(new(row.Line, row.RightId, row.AccountNumber, code, message));

        var (accounts, people) = await AccountsAsync(db, rows.Select(r => r.AccountNumber), ct);
        var categories = await db.BenefitCategories.AsNoTracking().ToListAsync(ct);
        // The service groups each account's building is billed for, with their dates (SERVICE_NOT_BILLED).
        var ids = accounts.Values.ToList();
        var billed = (await (
            from a in db.Accounts.AsNoTracking()
            join p in db.Premises on a.PremiseId equals p.Id
            join m in db.BuildingServiceMethods on p.BuildingId equals m.BuildingId
            join s in db.Services on m.ServiceId equals s.Id
            where ids.Contains(a.Id)
            select new { a.Id, s.Kind, s.Code, m.ValidFrom, m.ValidTo }).ToListAsync(ct))
            .ToLookup(x => x.Id, x => (Group: BenefitServiceGroups.Of(x.Kind, x.Code), Range: new DateRange(x.ValidFrom, x.ValidTo)));
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
            var matches = BenefitRights.During(people[accountId], row.ValidFrom, to)
                .Where(p => BenefitRights.Named(p, row.Snils, row.LastName, row.FirstName, row.MiddleName, row.BirthDate)).ToList();
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
            var term = new DateRange(row.ValidFrom, to);
            var unbilled = row.Action == BenefitRightAction.Close ? []
                : row.Services.Where(g => !billed[accountId].Any(b => b.Group == g && b.Range.Overlaps(term))).ToList();
            if (unbilled.Count > 0)
            {
                Problem(row, BenefitRowError.ServiceNotBilled, $"Services: по лицевому счёту {row.AccountNumber} {BenefitRights.Period(row.ValidFrom, to)} не начисляется " +
                    string.Join(", ", unbilled.Select(g => $"«{g.Title()}» ({g.Code()})")));
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
        void Problem(BenefitRowError code, string message) => problem(row, code, message);
        if (!Known(existing is not null, row.Action == BenefitRightAction.Add, row.Action == BenefitRightAction.Close, $"права {row.RightId}", Problem)) return null;
        var right = existing ?? new BenefitRight { UsznRightId = row.RightId };
        // CLOSE ends the right (BenregFile requires its ValidTo); the rest of the row only identifies it.
        if (row.Action == BenefitRightAction.Close) return Close(right, end => right.ValidTo = end, row.ValidTo!.Value, "права", plan, Problem) ? right : null;
        // An ADD of a right already stored is what a full monthly snapshot sends: the same values change nothing, others update it.
        var before = existing is null ? null : Values(existing);
        (right.AccountId, right.PersonId, right.CategoryCode, right.Rate, right.CoveredPersons, right.FamilySize, right.AreaStandard, right.ShareNumerator,
            right.ShareDenominator, right.ValidFrom, right.ValidTo, right.DecisionNumber, right.DecisionDate) = (accountId, personId, category, row.Rate,
            row.CoveredPersonIds.Count, row.FamilySize, row.AreaStandardM2, row.ShareNum, row.ShareDen, row.ValidFrom, BenefitRights.EndAfter(row.ValidTo), row.DecisionNo,
            row.DecisionDate);
        foreach (var (field, messages) in RegistryValidation.Validate(right))
            problem(row, BenefitRowError.BadFormat, $"{field}: {string.Join(" ", messages)}");
        foreach (var (field, message) in BenefitRights.Limits(right)) problem(row, BenefitRowError.BadFormat, $"{field}: {message}");
        if (existing is null) db.BenefitRights.Add(right);
        plan.Count(existing is null, before, Values(right));
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
        foreach (var (row, earlier, stored) in Overlaps(outcomes, others, r => r.PersonId))
            if (earlier is not null)
                problem(row, BenefitRowError.DuplicateGround,
                    $"{Who(row)}: право {earlier.RightId} (строка {earlier.Line}, {earlier.CategoryCode}) действует в те же дни — по одному основанию в одно время");
            else if (stored is not null)
                problem(row, BenefitRowError.DuplicateGround, $"{Who(row)}: в картотеке уже есть {BenefitRights.Describe(stored)} — по одному основанию в одно время");
    }

    /// <summary>Matches every SUBDEC row and stages its change in <paramref name="db"/> (not saved); the problems when any.</summary>
    private static async Task<Plan> PlanSubsidiesAsync(OpenErcDbContext db, IReadOnlyList<SubsidyDecisionRow> rows, CancellationToken ct)
    {
        var plan = new Plan();
        void Problem(SubsidyDecisionRow row, BenefitRowError code, string message) =>
            plan.Problems.Add(new(row.Line, row.DecisionId, row.AccountNumber, code, message));

        var (accounts, people) = await AccountsAsync(db, rows.Select(r => r.AccountNumber), ct);
        var ids = rows.Select(r => r.DecisionId).ToList();
        var stored = await db.SubsidyDecisions.Where(s => s.UsznDecisionId != null && ids.Contains(s.UsznDecisionId)).ToDictionaryAsync(s => s.UsznDecisionId!, ct);

        var outcomes = new List<(SubsidyDecisionRow Row, SubsidyDecision Decision)>();
        foreach (var row in rows)
        {
            if (!accounts.TryGetValue(row.AccountNumber, out long accountId))
            {
                Problem(row, BenefitRowError.AccountNotFound, $"Лицевой счёт {row.AccountNumber} не найден");
                continue;
            }
            var to = BenefitRights.EndAfter(row.ValidTo);
            if (row.NamesApplicant && !BenefitRights.During(people[accountId], row.ValidFrom, to)
                    .Any(p => BenefitRights.Named(p, row.Snils, row.LastName, row.FirstName, row.MiddleName)))
            {
                Problem(row, BenefitRowError.PersonNotResident,
                    $"Заявитель {Who(row)} не зарегистрирован, не собственник и не плательщик по лицевому счёту {row.AccountNumber} {BenefitRights.Period(row.ValidFrom, to)}");
                continue;
            }
            stored.TryGetValue(row.DecisionId, out var existing);
            if (existing is not null && existing.AccountId != accountId)
            {
                Problem(row, BenefitRowError.BadFormat, $"DecisionId: решение {row.DecisionId} в картотеке относится к другому лицевому счёту");
                continue;
            }
            if (StageSubsidy(db, row, existing, accountId, plan, Problem) is { } decision) outcomes.Add((row, decision));
        }

        // One subsidy per account at a time: no other decision of the account, in the file or stored, over the same days.
        var accountIds = outcomes.Select(o => o.Decision.AccountId).Distinct().ToList();
        var inFile = outcomes.Select(o => o.Decision.UsznDecisionId).ToHashSet();
        var others = await db.SubsidyDecisions.AsNoTracking()
            .Where(s => accountIds.Contains(s.AccountId) && (s.UsznDecisionId == null || !inFile.Contains(s.UsznDecisionId))).ToListAsync(ct);
        foreach (var (row, earlier, other) in Overlaps(outcomes, others, s => s.AccountId))
            if (earlier is not null)
                Problem(row, BenefitRowError.SubsidyOverlap,
                    $"Решение {earlier.DecisionId} (строка {earlier.Line}) по лицевому счёту {row.AccountNumber} действует в те же дни — одна субсидия в одно время");
            else if (other is not null)
                Problem(row, BenefitRowError.SubsidyOverlap,
                    $"По лицевому счёту {row.AccountNumber} в картотеке уже есть {BenefitRights.Describe(other)} — одна субсидия в одно время");
        return plan;
    }

    /// <summary>The row's change staged in the context and counted; the decision as it will be, or null when refused.</summary>
    private static SubsidyDecision? StageSubsidy(OpenErcDbContext db, SubsidyDecisionRow row, SubsidyDecision? existing, long accountId, Plan plan,
        Action<SubsidyDecisionRow, BenefitRowError, string> problem)
    {
        void Problem(BenefitRowError code, string message) => problem(row, code, message);
        if (!Known(existing is not null, row.Action == SubsidyDecisionAction.Add, row.Action == SubsidyDecisionAction.Close, $"решения {row.DecisionId}", Problem))
            return null;
        var decision = existing ?? new SubsidyDecision { UsznDecisionId = row.DecisionId };
        if (row.Action == SubsidyDecisionAction.Close) return Close(decision, end => decision.ValidTo = end, row.ValidTo, "субсидии", plan, Problem) ? decision : null;
        var before = existing is null ? null : Values(existing);
        (decision.AccountId, decision.Amount, decision.ValidFrom, decision.ValidTo, decision.DecisionNumber, decision.DecisionDate) =
            (accountId, row.Amount, row.ValidFrom, BenefitRights.EndAfter(row.ValidTo), row.DecisionNo, row.DecisionDate);
        foreach (var (field, messages) in BenefitRights.Check(decision)) Problem(BenefitRowError.BadFormat, $"{field}: {string.Join(" ", messages)}");
        if (existing is null) db.SubsidyDecisions.Add(decision);
        plan.Count(existing is null, before, Values(decision));
        return decision;
    }

    private static object Values(SubsidyDecision s) => (s.AccountId, s.Amount, s.ValidFrom, s.ValidTo, s.DecisionNumber, s.DecisionDate);

    private static string Who(SubsidyDecisionRow row)
    {
        var name = string.Join(' ', new[] { row.LastName, row.FirstName, row.MiddleName }.Where(n => n is not null));
        return row.Snils is null ? name : name.Length > 0 ? $"{name} (СНИЛС {row.Snils})" : $"СНИЛС {row.Snils}";
    }

    private static string Who(BenefitRightRow row) =>
        $"{string.Join(' ', new[] { row.LastName, row.FirstName, row.MiddleName }.Where(n => n is not null))} ({BenefitRights.Day(row.BirthDate)} г. р.)";
}
