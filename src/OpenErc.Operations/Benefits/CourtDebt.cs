using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Benefits;

/// <summary>
/// Court-confirmed debt (benefits.md §6.3; ЖК ст. 159 ч. 5, ст. 160 ч. 3 as amended by 442-ФЗ): the only debt for which
/// УСЗН may refuse or suspend a housing subsidy — unpaid, confirmed by a court act in force with no repayment agreement
/// (<see cref="DebtClaim.ConfirmedOn"/>), arisen within the last three years. Nothing else may be reported as debt in these
/// answers: it is the unpaid principal of the months a confirmed claim covers (of its supplier, or of every supplier for a
/// claim without one), as the debt book of the last month closed by the day left it, from the month three years before
/// the day's. Penalties are never part of it. A month two claims cover counts once.
/// </summary>
public static class CourtDebt
{
    /// <summary>The first month of the debt that counts on the day <c>@d</c>: three years back (ЖК ст. 159 ч. 5).</summary>
    private const string SinceSql = "date_trunc('month', @d - interval '3 years')::date";

    /// <summary>
    /// The condition on a claim aliased <paramref name="c"/> that a court act confirms its debt on the day <c>@d</c>: an
    /// order, judgment or writ in force, no repayment agreement, some of its months within the last three years.
    /// </summary>
    public static string ConfirmedSql(string c) =>
        $"{c}.stage IN ({(int)DebtClaimStage.CourtOrder}, {(int)DebtClaimStage.Judgment}, {(int)DebtClaimStage.Writ}) AND {c}.in_force_on <= @d " +
        $"AND ({c}.agreement_on IS NULL OR {c}.agreement_on > @d) AND {c}.debt_to >= {SinceSql}";

    /// <summary>One confirmed claim of an account on a day, and what of its months is still unpaid.</summary>
    public sealed record Case(long Id, string? Supplier, DebtClaimStage Stage, string CaseNumber, string? Court, DateOnly InForceOn,
        BillingPeriod DebtFrom, BillingPeriod DebtTo, decimal Amount, decimal Unpaid);

    /// <summary>The answer to a debt request (§6.3): the account's court-confirmed unpaid debt on the day, and the cases behind it.</summary>
    /// <param name="BookMonth">The closed month whose debt book the answer reads; null before any month was closed.</param>
    public sealed record Answer(string AccountNumber, DateOnly Day, BillingPeriod? BookMonth, decimal Amount, IReadOnlyList<Case> Cases);

    private const string Book = "(SELECT max(month) FROM debt_books WHERE month <= date_trunc('month', @d)::date)";

    /// <summary>A book's unpaid principal chunk <c>d</c> of a service month within the last three years.</summary>
    private const string UnpaidChunk = $"d.month = {Book} AND d.kind = 0 AND d.service_id IS NOT NULL AND d.supplier_id IS NOT NULL " +
        $"AND d.charged - coalesce(d.allocated, 0) > 0 AND d.service_month >= {SinceSql}";

    private static readonly string UnpaidSql = $"""
        SELECT d.account_id, d.service_id, d.supplier_id, sum(d.charged - coalesce(d.allocated, 0)) AS unpaid
        FROM debt_books d
        WHERE {UnpaidChunk} AND d.account_id = ANY(@ids)
          AND EXISTS (SELECT 1 FROM debt_claims c WHERE c.account_id = d.account_id AND (c.supplier_id IS NULL OR c.supplier_id = d.supplier_id)
                      AND d.service_month BETWEEN c.debt_from AND c.debt_to AND {ConfirmedSql("c")})
        GROUP BY 1, 2, 3
        """;

    /// <summary>The court-confirmed unpaid debt of the accounts on <paramref name="day"/>, by account × service × supplier (none where there is none).</summary>
    public static async Task<Dictionary<(long Account, long Service, long Supplier), decimal>> ByServiceAsync(NpgsqlConnection conn, long[] accounts,
        DateOnly day, CancellationToken ct)
    {
        var debts = new Dictionary<(long, long, long), decimal>();
        await using var cmd = new NpgsqlCommand(UnpaidSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", accounts));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("d", day));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) debts[(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))] = r.GetDecimal(3);
        return debts;
    }

    /// <summary>The answer for the account <paramref name="accountId"/> (numbered <paramref name="number"/>) on <paramref name="day"/>.</summary>
    public static async Task<Answer> AnswerAsync(string connectionString, long accountId, string number, DateOnly day, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        BillingPeriod? book;
        await using (var cmd = new NpgsqlCommand($"SELECT {Book}", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("d", day));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            book = r.GetMonthOrNull(0);
        }
        var cases = new List<Case>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT c.id, coalesce(o.short_name, o.name), c.stage, c.case_number, c.court, c.in_force_on, c.debt_from, c.debt_to, c.amount,
                   coalesce((SELECT sum(d.charged - coalesce(d.allocated, 0)) FROM debt_books d
                             WHERE {UnpaidChunk} AND d.account_id = c.account_id AND (c.supplier_id IS NULL OR d.supplier_id = c.supplier_id)
                               AND d.service_month BETWEEN c.debt_from AND c.debt_to), 0)
            FROM debt_claims c LEFT JOIN organisations o ON o.id = c.supplier_id
            WHERE c.account_id = @id AND {ConfirmedSql("c")}
            ORDER BY c.in_force_on, c.id
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", accountId));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("d", day));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                cases.Add(new Case(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), (DebtClaimStage)r.GetInt32(2), r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.GetFieldValue<DateOnly>(5), r.GetMonth(6), r.GetMonth(7), r.GetDecimal(8), r.GetDecimal(9)));
        }
        var amount = (await ByServiceAsync(conn, [accountId], day, ct)).Values.Sum();
        return new Answer(number, day, book, amount, cases);
    }
}
