using Npgsql;
using OpenErc.Core.Benefits;
using OpenErc.Operations.Benefits;

namespace OpenErc.Operations.Cabinet;

/// <summary>
/// A right to social support of the account as the cabinet shows it (benefits.md §6.1): the category, the beneficiary, the
/// validity (<see cref="LastDay"/> inclusive, null while open), the delivery model on the day asked and УСЗН's decision.
/// </summary>
public sealed record CabinetRight(string Category, string Beneficiary, DateOnly ValidFrom, DateOnly? LastDay, BenefitDeliveryMode Mode, int CoveredPersons,
    string? DecisionNumber, DateOnly? DecisionDate, bool InForce);

/// <summary>A housing subsidy of the account (benefits.md §4): the monthly amount УСЗН pays the citizen, the months, the decision.</summary>
public sealed record CabinetSubsidy(decimal Amount, DateOnly ValidFrom, DateOnly? LastDay, string DecisionNumber, DateOnly DecisionDate, bool InForce);

/// <summary>The account's social support: its rights and its subsidies, newest first.</summary>
public sealed record CabinetSupport(IReadOnlyList<CabinetRight> Rights, IReadOnlyList<CabinetSubsidy> Subsidies);

/// <summary>What the citizen cabinet shows of social support: the rights УСЗН registered for the account and its subsidies.</summary>
public static class CitizenSupport
{
    /// <summary>The account's rights and subsidies that have not ended a year before <paramref name="today"/>; in force means on that day.</summary>
    public static async Task<CabinetSupport> LoadAsync(NpgsqlConnection conn, long accountId, DateOnly today, CancellationToken ct = default)
    {
        var rights = new List<CabinetRight>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT c.title, pe.full_name, r.valid_from, r.valid_to, {BenefitSql.Mode("b.municipality_id", "r.category_code", "@today")},
                   r.covered_persons, r.decision_number, r.decision_date
            FROM benefit_rights r
            JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            JOIN people pe ON pe.id = r.person_id
            {BenefitSql.Category("@today")}
            WHERE r.account_id = @a AND (r.valid_to IS NULL OR r.valid_to > @since)
            ORDER BY r.valid_from DESC, r.id DESC
            """, conn))
        {
            Parameters(cmd, accountId, today);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var (from, to) = (r.GetFieldValue<DateOnly>(2), r.IsDBNull(3) ? (DateOnly?)null : r.GetFieldValue<DateOnly>(3));
                rights.Add(new CabinetRight(r.GetString(0), r.GetString(1), from, to?.AddDays(-1), (BenefitDeliveryMode)r.GetInt32(4), r.GetInt32(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7), InForce(from, to, today)));
            }
        }
        var subsidies = new List<CabinetSubsidy>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT amount, valid_from, valid_to, decision_number, decision_date FROM subsidy_decisions
            WHERE account_id = @a AND (valid_to IS NULL OR valid_to > @since)
            ORDER BY valid_from DESC, id DESC
            """, conn))
        {
            Parameters(cmd, accountId, today);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var (from, to) = (r.GetFieldValue<DateOnly>(1), r.IsDBNull(2) ? (DateOnly?)null : r.GetFieldValue<DateOnly>(2));
                subsidies.Add(new CabinetSubsidy(decimal.Round(r.GetDecimal(0), 2), from, to?.AddDays(-1), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                    InForce(from, to, today)));
            }
        }
        return new CabinetSupport(rights, subsidies);
    }

    private static bool InForce(DateOnly from, DateOnly? to, DateOnly day) => from <= day && (to is null || to > day);

    private static void Parameters(NpgsqlCommand cmd, long accountId, DateOnly today)
    {
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("since", today.AddYears(-1)));
    }
}
