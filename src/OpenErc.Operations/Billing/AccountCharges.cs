using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

/// <summary>A posted charge line as the account card shows it: names instead of ids, and the trace read back.</summary>
public sealed record AccountChargeLine(
    BillingPeriod BookingMonth, BillingPeriod ServiceMonth, string Service, string Supplier, TariffZone Zone, ChargeLineKind Kind,
    decimal Volume, string Unit, decimal Rate, decimal Coefficient, decimal DayFactor, VolumeSource Source, decimal Amount,
    string? Reason, ChargeTrace? Trace, long RunId);

/// <summary>The charges of one month of an account, lines in service order.</summary>
public sealed record AccountChargeMonth(BillingPeriod Month, IReadOnlyList<AccountChargeLine> Lines)
{
    public decimal Total => Lines.Sum(l => l.Amount);
}

/// <summary>Reads an account's posted charges for the account card and the cabinets ("why this amount").</summary>
public static class AccountCharges
{
    public static async Task<IReadOnlyList<AccountChargeMonth>> LoadAsync(NpgsqlConnection conn, long accountId, CancellationToken ct = default)
    {
        const string sql = """
            SELECT l.booking_month, l.service_month, s.name, coalesce(o.short_name, o.name), l.zone, l.kind, l.volume, l.unit,
                   l.rate, l.coefficient, l.day_factor, l.source, l.amount, l.reason, l.trace_values, l.run_id,
                   t.id, t.formula, t.legal, t.note, t.inputs::text, t.segments::text
            FROM charge_line_details l
            JOIN services s ON s.id = l.service_id
            JOIN organisations o ON o.id = l.supplier_id
            LEFT JOIN charge_trace_templates t ON t.id = l.trace_template
            WHERE (l.booking_month, l.building_id, l.run_id) IN (SELECT booking_month, building_id, run_id FROM charge_lines WHERE account_id = @account)
              AND l.account_id = @account
            ORDER BY l.booking_month DESC, s.sort_order, s.name, l.kind, l.zone, l.service_month
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("account", accountId);
        var lines = new List<AccountChargeLine>();
        var templates = new Dictionary<long, TraceTemplate>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                lines.Add(new AccountChargeLine(
                    r.GetMonth(0), r.GetMonth(1),
                    r.GetString(2), r.GetString(3), (TariffZone)r.GetInt16(4), (ChargeLineKind)r.GetInt16(5), r.GetDecimal(6), r.GetString(7),
                    r.GetDecimal(8), r.GetDecimal(9), r.GetDecimal(10), (VolumeSource)r.GetInt16(11), r.GetDecimal(12),
                    r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) || r.IsDBNull(16) ? null : ChargeTraces.Decode(Template(r, templates), r.GetString(14)), r.GetInt64(15)));
        return lines.GroupBy(l => l.BookingMonth).Select(g => new AccountChargeMonth(g.Key, g.ToList())).ToList();
    }

    /// <summary>An account's lines share a handful of templates: each is parsed once per read.</summary>
    private static TraceTemplate Template(NpgsqlDataReader r, Dictionary<long, TraceTemplate> templates)
    {
        long id = r.GetInt64(16);
        if (!templates.TryGetValue(id, out var template)) templates[id] = template = ChargeTraces.ReadTemplate(r, id, 17);
        return template;
    }
}
