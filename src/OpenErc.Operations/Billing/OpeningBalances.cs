using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Legacy;

namespace OpenErc.Operations.Billing;

/// <summary>
/// Balances brought from another system into the open month (<see cref="ChargeLineKind.OpeningBalance"/>): per account ×
/// service × supplier one line of the source's balance less what earlier imports brought — so the same file again brings
/// nothing and a later one the difference — dated by the month the balance closes (the month before its day; the open
/// month without a day, never later). One run, «Импорт из …» its note, inside the caller's transaction.
/// </summary>
public static class OpeningBalances
{
    /// <summary>About how many lines go to the ledger in one statement.</summary>
    private const int BatchLines = 200_000;

    /// <summary>A balance (debt + / advance −) of an account's service and supplier on a day; <paramref name="Place"/> names it in errors.</summary>
    public sealed record Entry(string Place, long AccountId, long ServiceId, long SupplierId, decimal Amount, DateOnly? On);

    /// <summary>Posts the balances' differences and returns how many lines it posted; a balance not in whole kopecks is an error (nothing posted then).</summary>
    public static async Task<int> PostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, BillingPeriod open, IReadOnlyList<Entry> entries, string source, RegionClock clock,
        List<LegacyError> errors, CancellationToken ct)
    {
        foreach (var e in entries.Where(e => decimal.Round(e.Amount, 2) != e.Amount)) errors.Add(new(e.Place, $"Сальдо {e.Amount} — не в целых копейках"));
        foreach (var e in entries.Where(e => e.ServiceId == 0 || e.SupplierId == 0)) errors.Add(new(e.Place, "Сальдо без услуги или поставщика"));
        if (errors.Count > 0) return 0;
        var wanted = new Dictionary<(long Account, long Service, long Supplier), (decimal Amount, DateOnly? On)>();
        foreach (var e in entries)
        {
            var had = wanted.GetValueOrDefault((e.AccountId, e.ServiceId, e.SupplierId));
            wanted[(e.AccountId, e.ServiceId, e.SupplierId)] = (had.Amount + e.Amount, e.On ?? had.On);
        }
        long[] accounts = wanted.Keys.Select(k => k.Account).Distinct().ToArray();
        var brought = new Dictionary<(long, long, long), decimal>();
        var buildings = new Dictionary<long, long>();
        var services = new Dictionary<long, (string Code, string Unit)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT account_id, service_id, supplier_id, sum(kopecks) * 0.01 FROM charge_lines WHERE kind = @kind AND account_id = ANY(@a) GROUP BY 1, 2, 3;
            SELECT a.id, p.building_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = ANY(@a);
            SELECT id, code, unit FROM services;
            """, conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)ChargeLineKind.OpeningBalance));
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("a", accounts));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) brought[(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2))] = r.GetDecimal(3);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) buildings[r.GetInt64(0)] = r.GetInt64(1);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) services[r.GetInt64(0)] = (r.GetString(1), r.GetString(2));
        }
        var lines = new List<PostedLine>();
        foreach (var ((account, serviceId, supplier), (amount, on)) in wanted)
        {
            decimal difference = amount - brought.GetValueOrDefault((account, serviceId, supplier));
            if (difference == 0m) continue;
            var month = on is { } day ? BillingPeriod.Of(day.AddDays(-1)) : open;
            if (month > open) month = open;
            string note = $"Входящее сальдо из {source}" + (on is { } d ? $" на {d:dd.MM.yyyy}" : "");
            var trace = new ChargeTrace("С = сальдо прежней системы − перенесённое ранее", "Перенос сальдо при переходе в ЕРЦ",
                [new TraceInput("Сальдо прежней системы", amount, "₽"), new TraceInput("Перенесено ранее", amount - difference, "₽")], note);
            if (!services.TryGetValue(serviceId, out var service) || !buildings.ContainsKey(account))
            {
                errors.Add(new($"сальдо счёта {account}", $"Нет лицевого счёта {account} или услуги {serviceId}"));
                continue;
            }
            var (code, unit) = service;
            var line = new ChargeLine(account, code, supplier, month, TariffZone.Single, 0m, unit, 0m, 1m, 1m, VolumeSource.Correction, difference,
                Money.Exact(difference), trace) { Kind = ChargeLineKind.OpeningBalance };
            lines.Add(new PostedLine(buildings[account], serviceId, open, 0, line));
        }
        if (lines.Count == 0 || errors.Count > 0) return 0;
        await ChargeLedger.EnsurePartitionAsync(conn, open, ct);
        await Recalculations.EnsureOpenAsync(conn, tx, open, "входящее сальдо", ct);
        string reason = $"Импорт из {source}";
        long runId = await Recalculations.NewRunAsync(conn, tx, open, $"входящее сальдо: импорт из {source}", $"opening:{source}", "импорт", lines.Count,
            lines.Sum(l => l.Line.Unrounded), reason, clock, ct);
        // In batches of whole buildings (a building's lines are one posting): a region's balances at once would be a message
        // of over a gigabyte, more than the server takes.
        var batch = new List<PostedLine>(BatchLines);
        foreach (var building in lines.GroupBy(l => l.BuildingId))
        {
            batch.AddRange(building.Select(l => l with { RunId = runId, Reason = reason, PostedBy = "импорт" }));
            if (batch.Count < BatchLines) continue;
            await ChargeLedger.PostAsync(conn, batch, ct);
            batch.Clear();
        }
        if (batch.Count > 0) await ChargeLedger.PostAsync(conn, batch, ct);
        return lines.Count;
    }
}
