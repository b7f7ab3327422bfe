using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Operations.Reports;
using OpenErc.Storage;

namespace OpenErc.Operations.Demo;

/// <summary>
/// The centre's legal work on chronic debtors (reports.md §10): from the fourth month, on the 15th, the account manager
/// files claims for the accounts whose overdue debt at the last closing exceeds three months of their charge — the largest
/// first, one per thousand accounts (at least one, at most forty) — and sends each a notice that its hot water or
/// electricity may be limited (ПП 354 п. 119, handed with the receipt); a claim filed two months before becomes a court
/// order in force that day, and each month the oldest order in force for two months gets a repayment agreement. Nothing is drawn at
/// random: the closings decide, so the payments' and events' draws stay what they were.
/// </summary>
internal sealed partial class DemoHistory
{
    private int _cases;

    private async Task LegalWorkAsync(Lane lane, BillingPeriod month, CancellationToken ct)
    {
        var day = lane.Clock.Today;
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(_cs), lane.Clock) { Actor = Manager, Reason = "Взыскание задолженности" };
        foreach (var claim in await db.DebtClaims.Where(c => c.Stage == DebtClaimStage.Filed && c.FiledOn <= day.AddMonths(-2)).ToListAsync(ct))
            (claim.Stage, claim.InForceOn) = (DebtClaimStage.CourtOrder, day);
        if (await db.DebtClaims.Where(c => c.Stage == DebtClaimStage.CourtOrder && c.AgreementOn == null && c.InForceOn <= day.AddMonths(-2))
                .OrderBy(c => c.InForceOn).ThenBy(c => c.Id).FirstOrDefaultAsync(ct) is { } agreed)
            agreed.AgreementOn = day;

        var debtors = new List<(long Account, decimal Overdue, DateOnly Oldest, long? Service)>();
        await using (var conn = new NpgsqlConnection(_cs))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"""
                SELECT o.account_id, sum(o.overdue), min(o.oldest),
                       min(o.service_id) FILTER (WHERE {DebtorThresholds.LimitableSql("o.service_id")})
                FROM closed_month_overdue o
                WHERE o.month = @previous AND NOT EXISTS (SELECT 1 FROM debt_claims c WHERE c.account_id = o.account_id)
                GROUP BY o.account_id HAVING sum(o.monthly) > 0 AND sum(o.overdue) > 3 * sum(o.monthly)
                ORDER BY 2 DESC, 1 LIMIT @limit
                """, conn);
            cmd.Parameters.Add(SqlMonths.MonthParameter("previous", month.Previous()));
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", Math.Clamp(_payers.Length / 1000, 1, 40)));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                debtors.Add((r.GetInt64(0), r.GetDecimal(1), r.GetFieldValue<DateOnly>(2), r.IsDBNull(3) ? null : r.GetInt64(3)));
        }
        foreach (var (account, overdue, oldest, service) in debtors)
        {
            db.DebtClaims.Add(new DebtClaim
            {
                AccountId = account, Stage = DebtClaimStage.Filed, CaseNumber = string.Create(CultureInfo.InvariantCulture, $"2-{++_cases + 100}/{day.Year}"),
                Court = string.Create(CultureInfo.InvariantCulture, $"Мировой судья судебного участка № {1 + account % 7}"),
                DebtFrom = new DateOnly(oldest.Year, oldest.Month, 1), DebtTo = month.Previous().FirstDay, Amount = overdue, FiledOn = day,
            });
            if (service is { } limitable)
                db.LimitationNotices.Add(new LimitationNotice
                {
                    AccountId = account, ServiceId = limitable, SentOn = day, DeliveredOn = day,
                    Document = $"Уведомление в платёжном документе за {month.Previous().Name()}",
                });
        }
        await db.SaveChangesAsync(ct);
    }
}
