using System.Globalization;
using OpenErc.Core.Benefits;
using OpenErc.Core.Residents;

namespace OpenErc.Operations.Demo;

/// <summary>
/// Social support in the demo region (benefits.md): one municipality takes benefits in kind (Model B, the run writes
/// «Льгота» lines), the others stay monetised (Model A, the default); УСЗН's rights of a few per cent of the households —
/// veterans of labour, disabled persons, combat veterans, Chernobyl victims, large families, single owners of 70 and 80
/// for the capital-repair compensation — and a few housing subsidies of six months. Drawn from a generator of their own,
/// so the rest of the region is the same as without them.
/// </summary>
internal sealed partial class DemoGenerator
{
    /// <summary>
    /// The municipality that takes benefits in kind: the first, «Городской округ город Новоград», where the region's first
    /// building stands, so that even a small demo shows benefit lines.
    /// </summary>
    internal const int InKindMunicipalityIndex = 0;

    private Random _benefitRng = null!;

    /// <summary>The first day of the region's history (the current month's when there is none).</summary>
    private DateOnly _historyStart;

    /// <summary>Whether the owners of the building being generated pay capital-repair contributions.</summary>
    private bool _capitalRepair;

    private int _decisionSerial;

    private void StartBenefits(int seed, int historyMonths)
    {
        _benefitRng = new Random(unchecked(seed * 31 + 65_537));
        _historyStart = _today.AddMonths(-historyMonths);
    }

    /// <summary>Model B in one municipality from the year before the history (the others have no row: money by default).</summary>
    private void BenefitDeliveries()
    {
        _t.BenefitDeliveries.Add(new BenefitDelivery
        {
            Id = _t.BenefitDeliveries.NextId(), MunicipalityId = _municipalities[InKindMunicipalityIndex].Id, Mode = BenefitDeliveryMode.InKind,
            ValidFrom = new DateOnly(_historyStart.Year - 1, 1, 1),
        });
    }

    /// <summary>
    /// The household's rights and subsidies, if any: at most one right per household (one person, one ground), chosen by
    /// who lives there — a large family with three or more children, a single owner of 70 or 80 in a building that pays
    /// capital-repair contributions, an adult by age (veteran of labour from 60, Chernobyl from 55, combat veteran among
    /// men of 25–60, a disabled person at any adult age). Most rights began before the history; some start during it (a
    /// few on a day other than the 1st, prorated), and some end during it.
    /// </summary>
    private void HouseholdBenefits(long accountId)
    {
        var residents = new List<int>();
        for (int i = 0; i < _members.Count; i++)
            if (_members[i] is { Registered: true, Kind: RegistrationKind.Permanent, To: null } m && m.From < _today) residents.Add(i);
        if (residents.Count == 0) return;
        Subsidy(accountId);

        int roll = _benefitRng.Next(1000);
        int children = residents.Count(i => _members[i].Age < 18);
        var adults = residents.Where(i => _members[i].Age >= 18).ToList();
        if (adults.Count == 0) return;
        var latest = residents.Max(i => _members[i].From);
        if (children >= 3 && roll < 250)
        {
            Right(accountId, _members[adults[0]], "MNOGODET", residents.Count, residents.Count, latest, null);
            return;
        }
        var single = residents.Count == 1 ? _members[residents[0]] : (HouseholdMember?)null;
        if (single is { Owner: true, Age: >= 70 } owner && _capitalRepair && roll < 250)
        {
            bool eighty = owner.Age >= 80;
            var since = owner.Person.BirthDate!.Value.AddYears(eighty ? 80 : 70);
            Right(accountId, owner, eighty ? "KR80" : "KR70", 1, 1, since > owner.From ? since : owner.From, (1, 1));
            return;
        }
        var adult = _members[adults[_benefitRng.Next(adults.Count)]];
        roll = _benefitRng.Next(1000);
        string? code = roll switch
        {
            < 60 when adult.Age >= 60 => "VET_TRUDA",
            >= 60 and < 82 => "INV",
            >= 82 and < 92 when adult.Person.Sex == Sex.Male && adult.Age is >= 25 and <= 60 => "VBD",
            >= 92 and < 98 when adult.Age >= 55 => "CHAES",
            _ => null,
        };
        if (code is null) return;
        int covered = code == "CHAES" ? residents.Count : 1;
        Right(accountId, adult, code, covered, residents.Count, code == "CHAES" ? latest : adult.From, null);
    }

    /// <summary>A right from the first month after <paramref name="since"/> at the earliest; none when that is not before today.</summary>
    private void Right(long accountId, HouseholdMember person, string category, int covered, int family, DateOnly since, (int, int)? share)
    {
        var earliest = FirstOfMonth(since).AddMonths(1);
        DateOnly from;
        DateOnly? to = null;
        int kind = _benefitRng.Next(100);
        if (kind is >= 68 and < 88)
        {
            // Granted during the history: from the 1st of one of its months, sometimes from the day of the application.
            int months = Math.Max(1, (_today.Year - _historyStart.Year) * 12 + _today.Month - _historyStart.Month);
            from = _historyStart.AddMonths(_benefitRng.Next(months == 1 ? 0 : 1, months));
            if (_benefitRng.Next(4) == 0) from = from.AddDays(_benefitRng.Next(1, 27));
        }
        else
        {
            int back = _benefitRng.Next(2, 12 * 8);
            from = _historyStart.AddMonths(-back);
            if (kind >= 88)
            {
                // Ended during the history (moved away, a fixed-term disability group not renewed, …).
                int months = Math.Max(1, (_today.Year - _historyStart.Year) * 12 + _today.Month - _historyStart.Month);
                to = _historyStart.AddMonths(_benefitRng.Next(1, months + 1));
            }
        }
        if (from < earliest) from = earliest;
        if (from >= _today || to <= from) return;
        long id = _t.BenefitRights.NextId();
        _t.BenefitRights.Add(new BenefitRight
        {
            Id = id, UsznRightId = string.Create(CultureInfo.InvariantCulture, $"USZN-{id:D8}"), PersonId = person.PersonId, AccountId = accountId,
            CategoryCode = category, CoveredPersons = covered, FamilySize = family, ShareNumerator = share?.Item1, ShareDenominator = share?.Item2,
            ValidFrom = from, ValidTo = to, DecisionNumber = DecisionNumber("Л", from), DecisionDate = from.AddDays(-_benefitRng.Next(3, 26)),
        });
    }

    /// <summary>
    /// About one household in a hundred has a housing subsidy (ЖК ст. 159): six months from the 1st of a month around the
    /// history, a monthly amount as УСЗН computed it; some renewed for the next six months.
    /// </summary>
    private void Subsidy(long accountId)
    {
        if (_benefitRng.Next(1000) >= 12) return;
        int months = Math.Max(1, (_today.Year - _historyStart.Year) * 12 + _today.Month - _historyStart.Month);
        var from = _historyStart.AddMonths(_benefitRng.Next(-5, months + 1));
        decimal amount = Units(_benefitRng.Next(60_000, 480_001), 2);
        for (int period = 0; period < 2 && from <= _today; period++)
        {
            var decided = from.AddDays(-_benefitRng.Next(5, 25));
            if (decided >= _today) return;
            long id = _t.SubsidyDecisions.NextId();
            _t.SubsidyDecisions.Add(new SubsidyDecision
            {
                Id = id, AccountId = accountId, UsznDecisionId = string.Create(CultureInfo.InvariantCulture, $"SUB-{id:D8}"), Amount = amount,
                ValidFrom = from, ValidTo = from.AddMonths(6), DecisionNumber = DecisionNumber("С", from), DecisionDate = decided,
            });
            if (_benefitRng.Next(100) >= 40) return;
            from = from.AddMonths(6);
            amount = decimal.Round(amount * _benefitRng.Next(85, 116) / 100m, 2, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>An УСЗН decision number: «1234-Л/2026».</summary>
    private string DecisionNumber(string series, DateOnly from) =>
        string.Create(CultureInfo.InvariantCulture, $"{++_decisionSerial + 1000}-{series}/{from.Year}");
}
