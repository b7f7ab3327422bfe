using Npgsql;
using OpenErc.Core.Benefits;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Exchange.Uszn;
using OpenErc.Operations.Billing;
using static OpenErc.Operations.SqlMonths;

namespace OpenErc.Operations.Benefits;

/// <summary>
/// What the centre sends УСЗН each month (benefits.md §6.2, <c>BENCHG</c>): for every right in force in the month, one row
/// per service the account was charged — the ledger's figures (charged, recalculated, the discount given in kind, paid,
/// debt at the month's end, the part of it a court confirmed: <see cref="CourtDebt"/>) with the volume, tariff, norm and area behind the charge, and the beneficiary's share by the
/// rule of §2.5 in either model. The share is the calculator's own: the month is computed again for the beneficiaries'
/// buildings with the monetised rights' lines asked for too (<see cref="ChargeSettings.MonetisedBenefitLines"/>), so the
/// figure sent for a right in money is exactly the line the same right would have in kind. Nothing is written.
/// </summary>
public static class UsznExport
{
    private sealed record Right(long Id, string UsznId, long AccountId, string Account, string? Snils, long Building, int Covered);

    private sealed record Ledger(decimal Charged, decimal Recalculated, decimal Paid, decimal Closing);

    private sealed record Regular(decimal Volume, string Unit, decimal Rate, VolumeSource Source);

    public static async Task<IReadOnlyList<BenefitChargeRow>> ChargesAsync(string connectionString, BillingPeriod month, CancellationToken ct = default,
        ChargeSettings? settings = null)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var rights = new List<Right>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT r.id, coalesce(r.uszn_right_id, 'ЕРЦ-' || r.id), r.account_id, a.number, pe.snils, p.building_id, r.covered_persons
            FROM benefit_rights r JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id JOIN people pe ON pe.id = r.person_id
            WHERE r.valid_from < @to AND (r.valid_to IS NULL OR r.valid_to > @from)
            ORDER BY a.number, r.id
            """, conn))
        {
            cmd.Parameters.AddMonthDays(month);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                rights.Add(new Right(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5), r.GetInt32(6)));
        }
        if (rights.Count == 0) return [];
        var accounts = rights.Select(r => r.AccountId).Distinct().ToArray();
        var buildings = rights.Select(r => r.Building).Distinct().ToArray();

        var services = new Dictionary<long, (string Code, string Name)>();
        var inns = new Dictionary<long, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, code, name FROM services; SELECT id, coalesce(inn, '') FROM organisations;", conn))
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) services[r.GetInt64(0)] = (r.GetString(1), r.GetString(2));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) inns[r.GetInt64(0)] = r.GetString(1);
        }

        // The ledger: the month's balances (as closed, or as they stand in the open month), its own benefit lines, its regular lines.
        var open = await BillingPeriods.OpenMonthAsync(conn, null, forUpdate: false, ct);
        var ledger = new Dictionary<(long Account, long Service, long Supplier), Ledger>();
        var discounts = new Dictionary<(long, long, long), decimal>();
        var regular = new Dictionary<(long, long, long), Regular>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT account_id, service_id, supplier_id, charged, recalculated, paid, closing FROM (
                {(open == month ? BillingPeriods.BalancesSql("AND account_id = ANY(@ids)")
                    : "SELECT account_id, service_id, supplier_id, charged, recalculated, paid, closing FROM account_balances WHERE month = @m AND account_id = ANY(@ids)")}) b;
            SELECT account_id, service_id, supplier_id, sum(kopecks) * -0.01 FROM charge_lines
            WHERE booking_month = @m AND service_month = @m AND kind = {(short)ChargeLineKind.Benefit} AND account_id = ANY(@ids) GROUP BY 1, 2, 3;
            SELECT account_id, service_id, supplier_id, sum(volume), min(unit), max(rate), max(source) FROM charge_line_details
            WHERE booking_month = @m AND service_month = @m AND kind = {(short)ChargeLineKind.Charge} AND building_id = ANY(@buildings) AND account_id = ANY(@ids)
            GROUP BY 1, 2, 3;
            """, conn))
        {
            BillingPeriods.AddBalancesParameters(cmd.Parameters, month);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", accounts));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("buildings", buildings));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                ledger[(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))] = new Ledger(r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) discounts[(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))] = r.GetDecimal(3);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct))
                regular[(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))] = new Regular(r.GetDecimal(3), r.GetString(4), r.GetDecimal(5), (VolumeSource)r.GetInt16(6));
        }

        var courtDebt = await CourtDebt.ByServiceAsync(conn, accounts, month.LastDay, ct);

        // The rule's figures: the month computed again, every right's lines asked for.
        var shares = new Dictionary<(long Right, string Service, long Supplier), ChargeLine>();
        var reference = await BillingReference.LoadAsync(conn, month, ct);
        var asked = (settings ?? new ChargeSettings()) with { MonetisedBenefitLines = true };
        foreach (var chunk in buildings.Chunk(200))
            foreach (var b in await SnapshotLoader.LoadAsync(conn, reference, chunk, month, ct))
                if (b.Snapshot is { } snapshot)
                    foreach (var line in ChargeCalculator.Calculate(snapshot, month, asked))
                        if (line.Kind == ChargeLineKind.Benefit && line.RightId is { } right)
                            shares[(right, line.ServiceCode, line.SupplierId)] = line;

        // Read once by account and by right: a region's beneficiaries are thousands, each with a dozen services.
        var byAccount = ledger.ToLookup(x => x.Key.Account);
        var residentsOf = shares.GroupBy(x => x.Key.Right).ToDictionary(g => g.Key,
            g => (int)(g.Select(x => x.Value.Trace.Inputs.FirstOrDefault(i => i.Name == BenefitTrace.Persons)?.Value).FirstOrDefault(v => v is not null) ?? 0m));
        var rows = new List<BenefitChargeRow>();
        foreach (var right in rights)
        {
            // n as the rule counted it (the same for every service of the right), m among them.
            int residents = residentsOf.GetValueOrDefault(right.Id);
            foreach (var ((account, serviceId, supplier), l) in byAccount[right.AccountId].OrderBy(x => services[x.Key.Service].Code).ThenBy(x => x.Key.Supplier))
            {
                if (l.Charged == 0 && l.Recalculated == 0 && !regular.ContainsKey((account, serviceId, supplier))) continue;
                var (code, name) = services[serviceId];
                var share = shares.GetValueOrDefault((right.Id, code, supplier));
                decimal? Input(string input) => share?.Trace.Inputs.FirstOrDefault(i => i.Name == input)?.Value;
                var own = regular.GetValueOrDefault((account, serviceId, supplier));
                decimal discount = discounts.GetValueOrDefault((account, serviceId, supplier));
                rows.Add(new BenefitChargeRow(month, right.UsznId, right.Account, null, right.Snils, code, name, inns.GetValueOrDefault(supplier, ""),
                    own?.Unit ?? "", own?.Source switch
                    {
                        VolumeSource.Meter or VolumeSource.Average => BenefitCalcMethod.Meter,
                        VolumeSource.Norm => BenefitCalcMethod.Norm,
                        _ => BenefitCalcMethod.Other,
                    },
                    own?.Rate, own?.Volume, Input(BenefitTrace.Norm), residents, (int)(Input(BenefitTrace.Covered) ?? Math.Min(right.Covered, residents)),
                    Input(BenefitTrace.PremiseArea), Input(BenefitTrace.AreaStandard), Input(BenefitTrace.Volume), Input(BenefitTrace.BaseArea),
                    Money.Exact(l.Charged), Money.Exact(l.Recalculated + discount), Money.Exact(discount), share is null ? Money.Zero : -share.Amount,
                    Money.Exact(Input(BenefitTrace.ExcludedCoefficient) is { } excluded ? Money.RoundToKopecks(excluded).Amount : 0m), 0,
                    Money.Exact(l.Paid), Money.Exact(Math.Max(l.Closing, 0m)), Money.Exact(courtDebt.GetValueOrDefault((account, serviceId, supplier)))));
            }
        }
        return rows;
    }
}
