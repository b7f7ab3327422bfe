using System.Globalization;
using Npgsql;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Core.Residents;
using OpenErc.Storage;

namespace OpenErc.Operations.Demo;

/// <summary>
/// Rights УСЗН decides late: a veteran of labour in the municipality that takes benefits in kind, registered after the
/// months the right starts in, so the registry's save queues the account's recalculation and the month's run books the
/// benefits of the closed months as corrections (benefits.md §5.7, §7.4).
/// </summary>
internal sealed partial class DemoHistory
{
    /// <summary>Pensioners registered on an open account of a municipality in kind, without a right: who may be granted one late.</summary>
    private readonly List<(long Account, long Person)> _lateRightCandidates = [];

    /// <summary>The late rights' own draws, so that the payments and events draw what they drew before there were any.</summary>
    private Random _benefitRng = null!;

    private int _lateDecision;

    private async Task LoadBenefitCandidatesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        _benefitRng = new Random(unchecked(_options.Seed * 131 + 8191));
        await using var cmd = new NpgsqlCommand("""
            SELECT r.account_id, r.person_id
            FROM registrations r
            JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            JOIN people pe ON pe.id = r.person_id
            WHERE r.kind = @permanent AND r.valid_to IS NULL AND r.valid_from < @first AND a.closed_on IS NULL
              AND pe.birth_date <= @first - interval '60 years'
              AND b.municipality_id IN (SELECT municipality_id FROM benefit_deliveries WHERE mode = @inKind AND category_code IS NULL)
              AND NOT EXISTS (SELECT 1 FROM benefit_rights x WHERE x.account_id = r.account_id)
            ORDER BY r.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("permanent", (int)RegistrationKind.Permanent));
        cmd.Parameters.Add(new NpgsqlParameter<int>("inKind", (int)BenefitDeliveryMode.InKind));
        cmd.Parameters.Add(SqlMonths.MonthParameter("first", _options.FirstMonth));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) _lateRightCandidates.Add((r.GetInt64(0), r.GetInt64(1)));
    }

    /// <summary>Two late rights (one per thousand accounts, at most twelve) from the 1st of the month before, on the month's 10th day.</summary>
    private void PlanLateRights(BillingPeriod month, List<Event> day)
    {
        int count = Math.Clamp(_payers.Length / 1000, 2, 12);
        var from = month.Previous().FirstDay;
        for (int k = 0; k < count && _lateRightCandidates.Count > 0; k++)
        {
            int i = _benefitRng.Next(_lateRightCandidates.Count);
            var (account, person) = _lateRightCandidates[i];
            _lateRightCandidates.RemoveAt(i);
            _lateRightCandidates.RemoveAll(c => c.Account == account);
            string number = string.Create(CultureInfo.InvariantCulture, $"{++_lateDecision + 90_000}-Л/{from.Year}");
            day.Add((lane, ct) => GrantLateAsync(lane, new BenefitRight
            {
                UsznRightId = "USZN-LATE-" + number, PersonId = person, AccountId = account, CategoryCode = "VET_TRUDA", CoveredPersons = 1,
                ValidFrom = from, DecisionNumber = number, DecisionDate = from.AddDays(_benefitRng.Next(10, 25)),
            }, ct));
        }
    }

    private async Task GrantLateAsync(Lane lane, BenefitRight right, CancellationToken ct)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(_cs), lane.Clock)
        {
            Actor = Manager, Reason = $"Решение УСЗН № {right.DecisionNumber}: льгота назначена с {right.ValidFrom:dd.MM.yyyy}",
        };
        db.BenefitRights.Add(right);
        await db.SaveChangesAsync(ct);
    }
}
