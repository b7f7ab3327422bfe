using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Accounts;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;

namespace OpenErc.Operations.Reports;

/// <summary>
/// The rules of the debtors register (reports.md §10). The reference product's rule: overdue principal of a service above
/// <c>k</c> monthly amounts (default 3 on the norm basis [uncertain]). ПП 354 п. 118 (limiting or suspending a service):
/// above <b>two</b> monthly amounts of the service computed <b>by the consumption norm</b> whether or not a meter exists, at
/// the tariff of the day, for the services that may be limited — hot water, electricity, gas, sewage (court practice
/// [recalled]; not heating, not cold water in an МКД). The norm amount is the calculator's
/// (<see cref="ChargeCalculator.MonthlyByNorm"/>) from the month's snapshot of the debtors' buildings, never a formula of
/// the report's own; where a service has no norm measure (heating, КР на СОИ, a missing tariff) the row falls back to the
/// month's charge and says so.
/// </summary>
public static class DebtorThresholds
{
    /// <summary>The resources of the communal services ПП 354 п. 118–119 lets a centre limit for debt.</summary>
    public static readonly IReadOnlySet<Resource> Limitable = new HashSet<Resource> { Resource.HotWater, Resource.Electricity, Resource.Gas, Resource.Sewage };

    /// <summary>The SQL condition on a service id of a limitable communal service.</summary>
    public static string LimitableSql(string serviceId) =>
        $"{serviceId} IN (SELECT id FROM services WHERE kind = {(int)ServiceKind.Communal} AND resource IN ({string.Join(", ", Limitable.Select(r => (int)r))}))";

    /// <summary>
    /// Each account's (and supplier's, or every supplier's: <c>supplier_id</c> null) claim on the report's day <c>@d</c> —
    /// the confirmed one first, then the latest filed: <c>status</c> (stage, case, dates) and <c>confirmed</c>, the rule of
    /// <see cref="DebtClaim.ConfirmedOn"/> with the debt's months within the last three years (ЖК ст. 159: a subsidy is
    /// refused only for a debt confirmed by a court act in force, accrued over at most the last three years, with no
    /// repayment agreement).
    /// </summary>
    public static readonly string ClaimsSql = $"""
        (SELECT DISTINCT ON (c.account_id, c.supplier_id) c.account_id, c.supplier_id,
                {ReportDimensions.EnumLabel<DebtClaimStage>("c.stage")} || ', дело ' || c.case_number
                    || coalesce(', в силе с ' || to_char(c.in_force_on, 'DD.MM.YYYY'), '') || coalesce(', соглашение от ' || to_char(c.agreement_on, 'DD.MM.YYYY'), '') AS status,
                {Benefits.CourtDebt.ConfirmedSql("c")} AS confirmed
         FROM debt_claims c WHERE c.filed_on <= @d
         ORDER BY c.account_id, c.supplier_id, 4 DESC, c.filed_on DESC, c.id DESC)
        """;

    /// <summary>
    /// Each account × service's latest notice of a coming limitation sent by the report's day <c>@d</c> (ПП 354 п. 119):
    /// <c>status</c> — sent, delivered and the first day the service may be limited (<see cref="LimitationNotice.LimitableFrom"/>).
    /// </summary>
    public static readonly string NoticesSql = $"""
        (SELECT DISTINCT ON (n.account_id, n.service_id) n.account_id, n.service_id,
                'направлено ' || to_char(n.sent_on, 'DD.MM.YYYY')
                    || coalesce(', вручено ' || to_char(n.delivered_on, 'DD.MM.YYYY') || ', можно ограничить с '
                                || to_char(n.delivered_on + {LimitationNotice.NoticeDays + 1}, 'DD.MM.YYYY'), ', не вручено') AS status
         FROM limitation_notices n WHERE n.sent_on <= @d
         ORDER BY n.account_id, n.service_id, n.sent_on DESC, n.id DESC)
        """;

    /// <summary>
    /// The overdue rows of the month <c>@to</c> that may pass the register's threshold of <paramref name="k"/> monthly
    /// amounts, as <c>closed_month_overdue</c>'s columns and <c>norm</c> (the amount by the norm, null where the service has
    /// none), found through the indexes on each row's months of debt <c>(overdue + 0.005) / monthly</c>
    /// (<see cref="MonthsSql"/>): a row over <c>round(k × monthly, 2)</c> has more than <c>k</c> of them, so the register
    /// reads the rows it prints, not the month's every overdue row (a region's million). The exact threshold is the
    /// caller's. <see cref="DebtorCandidates.Claimed"/>: the rows of accounts with a claim in court; <see cref="DebtorCandidates.All"/>: every row.
    /// </summary>
    public static string CandidatesSql(DebtorCandidates which, string k)
    {
        const string Key = "n.month = o.month AND n.account_id = o.account_id AND n.service_id = o.service_id AND n.supplier_id = o.supplier_id";
        // Below k by less than the division's rounding still reads the row; the caller's exact test decides.
        var over = $"> {k} - 0.000001";
        return which switch
        {
            DebtorCandidates.ByNorm => $"""
                SELECT o.*, n.monthly AS norm FROM closed_month_norms n JOIN closed_month_overdue o ON {Key}
                WHERE n.month = @to AND {MonthsSql("n")} {over}
                UNION ALL
                SELECT o.*, NULL FROM closed_month_overdue o
                WHERE o.month = @to AND {MonthsSql("o")} {over} AND NOT EXISTS (SELECT 1 FROM closed_month_norms n WHERE {Key})
                """,
            DebtorCandidates.ByCharge => $"SELECT o.*, NULL::numeric AS norm FROM closed_month_overdue o WHERE o.month = @to AND {MonthsSql("o")} {over}",
            DebtorCandidates.Claimed =>
                "SELECT o.*, NULL::numeric AS norm FROM closed_month_overdue o WHERE o.month = @to AND o.account_id IN (SELECT account_id FROM debt_claims)",
            _ => "SELECT o.*, NULL::numeric AS norm FROM closed_month_overdue o WHERE o.month = @to",
        };
    }

    /// <summary>
    /// A row's months of debt as the indexes of <c>closed_month_overdue</c> and <c>closed_month_norms</c> keep them
    /// (migration <c>DebtorMonths</c>): its overdue debt and half a kopeck over its monthly amount, null for none.
    /// </summary>
    public static string MonthsSql(string alias) => $"(({alias}.overdue + 0.005) / nullif({alias}.monthly, 0))";

    /// <summary>Whether the query asks for the norm basis (the basis itself, or the п. 118 rule that implies it).</summary>
    public static bool ByNorm(ReportSql q) => q["basis"] == "norm" || q["rule"] == "p118";

    /// <summary>
    /// Writes <c>closed_month_norms</c> of a month being closed, whose overdue rows are written: the monthly amount by the
    /// norm on the month's last day of every overdue row (with the row's overdue debt, for the index of its months of debt), by the calculator from the month's snapshot of their buildings
    /// (rows with no norm measure are left out). Done once, when the month closes: at region scale it is a snapshot of
    /// every building with debtors (7.6 s for 100,000 accounts and a million overdue rows), too slow for each report.
    /// </summary>
    internal static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, BillingPeriod month, CancellationToken ct)
    {
        var rows = new List<(long Building, long Account, long ServiceId, string Service, long Supplier, decimal Overdue)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT p.building_id, o.account_id, o.service_id, s.code, o.supplier_id, o.overdue
            FROM closed_month_overdue o JOIN services s ON s.id = o.service_id
            JOIN personal_accounts a ON a.id = o.account_id JOIN premises p ON p.id = a.premise_id
            WHERE o.month = @m AND o.overdue > 0
            """, conn, tx))
        {
            cmd.Parameters.Add(SqlMonths.MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetDecimal(5)));
        }
        if (rows.Count == 0) return;

        var byBuilding = rows.ToLookup(x => x.Building);
        var serviceIds = rows.Select(x => (x.Service, x.ServiceId)).Distinct().ToDictionary(x => x.Service, x => x.ServiceId, StringComparer.Ordinal);
        var overdue = rows.ToDictionary(x => (x.Account, x.Service, x.Supplier), x => x.Overdue);
        var reference = await BillingReference.LoadAsync(conn, month, ct);
        var settings = new ChargeSettings();
        foreach (var chunk in byBuilding.Select(g => g.Key).Chunk(200))
        {
            var amounts = new List<((long Account, string Service, long Supplier) Key, Money Amount)>();
            foreach (var b in await SnapshotLoader.LoadAsync(conn, reference, chunk, month, ct))
                if (b.Snapshot is { } snapshot)
                    amounts.AddRange(ChargeCalculator.MonthlyByNorm(snapshot, month, settings, month.LastDay,
                        byBuilding[b.BuildingId].Select(x => (x.Account, x.Service, x.Supplier))).Select(x => (x.Key, x.Value)));
            // The building's snapshot is read first: a connection copying can do nothing else.
            await using var copy = await conn.BeginBinaryImportAsync(
                "COPY closed_month_norms (month, account_id, service_id, supplier_id, monthly, overdue) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var ((account, service, supplier), amount) in amounts)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(month.FirstDay, NpgsqlDbType.Date, ct);
                await copy.WriteAsync(account, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(serviceIds[service], NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(supplier, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(amount.Amount, NpgsqlDbType.Numeric, ct);
                await copy.WriteAsync(overdue[(account, service, supplier)], NpgsqlDbType.Numeric, ct);
            }
            await copy.CompleteAsync(ct);
        }
    }
}

/// <summary>Which overdue rows the debtors register reads: <see cref="DebtorThresholds.CandidatesSql"/>.</summary>
public enum DebtorCandidates { ByNorm, ByCharge, Claimed, All }
