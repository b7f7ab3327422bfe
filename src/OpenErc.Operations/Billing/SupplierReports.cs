using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Registry;
using OpenErc.Exchange;

namespace OpenErc.Operations.Billing;

/// <summary>A supplier's month for one of its services: the sums of its balances over the accounts.</summary>
public sealed record SupplierServiceTotals(long ServiceId, string Service, decimal Opening, decimal Charged, decimal Recalculated, decimal Penalties,
    decimal Paid, decimal Closing);

/// <summary>A supplier's month by service; <see cref="Closed"/> is false while the month is open and its figures are those so far.</summary>
public sealed record SupplierSummary(BillingPeriod Month, long SupplierId, string Supplier, bool Closed, IReadOnlyList<SupplierServiceTotals> Services);

/// <summary>An account that owes the supplier at the end of the month (all its services together).</summary>
public sealed record SupplierDebtor(long AccountId, string AccountNumber, string Address, decimal Debt);

/// <summary>A meter of the supplier's resource with its latest reading (a value per tariff zone, on <see cref="LastReadOn"/>).</summary>
public sealed record SupplierMeter(long Id, string SerialNumber, MeterKind Kind, Resource Resource, string Address, string? Model, DateOnly InstalledOn,
    DateOnly? NextVerificationOn, DateOnly? LastReadOn, IReadOnlyList<decimal> LastReading);

/// <summary>
/// What the supplier cabinet shows a supplier (a resource supplier, the regional operator, a managing organisation as
/// the supplier of its own services): only the ledger's lines, allocations and balances whose supplier is this
/// organisation. The month's figures are the balances as the month's closing writes them
/// (<see cref="BillingPeriods.BalancesSql"/>): for a closed month exactly its <c>account_balances</c>, for an open one
/// what has been booked in it so far, opening with the previous month's closing.
/// </summary>
public static class SupplierReports
{
    private const string Mine = "AND supplier_id = @supplier";

    /// <summary>The latest month with charges of the supplier booked in it; null before its first charges.</summary>
    public static async Task<BillingPeriod?> LatestMonthAsync(string connectionString, long supplierId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(connectionString, ct);
        // Month by month from the latest charged, the first that has a line of the supplier, found at the first such line
        // (LIMIT 1 in a lateral join: as EXISTS the planner made it a semi-join that gathered all of a month's 2 M lines
        // of the supplier first, 1.2 s at a million accounts).
        await using var cmd = new NpgsqlCommand("""
            SELECT to_char(r.month, 'YYYY-MM') FROM (SELECT DISTINCT month FROM billing_runs WHERE NOT dry_run) r
            CROSS JOIN LATERAL (SELECT 1 FROM charge_lines l WHERE l.booking_month = r.month AND l.supplier_id = @supplier LIMIT 1) x
            ORDER BY r.month DESC LIMIT 1
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("supplier", supplierId));
        return await cmd.ExecuteScalarAsync(ct) is string month ? BillingPeriod.Parse(month) : null;
    }

    /// <summary>The month's totals by service of the supplier.</summary>
    public static async Task<SupplierSummary> SummaryAsync(string connectionString, long supplierId, BillingPeriod month, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(connectionString, ct);
        string name = "";
        bool closed = false;
        await using (var head = Command(conn, supplierId, month, """
            SELECT coalesce(short_name, name), coalesce((SELECT state = 'closed' FROM billing_periods WHERE month = @m), false)
            FROM organisations WHERE id = @supplier
            """))
        await using (var h = await head.ExecuteReaderAsync(ct))
            if (await h.ReadAsync(ct)) (name, closed) = (h.GetString(0), h.GetBoolean(1));
        // A closed month's totals were written by its closing; an open month's are the balances so far.
        await using var cmd = Command(conn, supplierId, month, $"""
            SELECT x.service_id, s.name, sum(x.opening), sum(x.charged), sum(x.recalculated), sum(x.penalties), sum(x.paid), sum(x.closing)
            FROM ({(closed ? "SELECT * FROM closed_month_totals WHERE month = @m AND supplier_id = @supplier" : BillingPeriods.BalancesSql(Mine))}) x
            JOIN services s ON s.id = x.service_id
            GROUP BY x.service_id, s.name, s.sort_order ORDER BY s.sort_order, s.name
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var services = new List<SupplierServiceTotals>();
        while (await r.ReadAsync(ct))
            services.Add(new SupplierServiceTotals(r.GetInt64(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5),
                r.GetDecimal(6), r.GetDecimal(7)));
        return new SupplierSummary(month, supplierId, name, closed, services);
    }

    /// <summary>The accounts owing the supplier at least <paramref name="min"/> (more than nothing) at the end of the month, largest debt first.</summary>
    public static async Task<Page<SupplierDebtor>> DebtorsAsync(string connectionString, long supplierId, BillingPeriod month, decimal min, int page, int pageSize,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(min);
        await using var conn = await OpenAsync(connectionString, ct);
        bool closed;
        await using (var state = Command(conn, supplierId, month, "SELECT EXISTS (SELECT 1 FROM billing_periods WHERE month = @m AND state = 'closed')"))
            closed = (bool)(await state.ExecuteScalarAsync(ct))!;
        // A closed month's debtors were written by its closing (those owing more than nothing, largest first by the index);
        // an open month's are its balances so far.
        string debts = closed
            ? "SELECT account_id, debt FROM closed_month_debtors WHERE month = @m AND supplier_id = @supplier AND debt >= @min"
            : $"SELECT account_id, sum(closing) AS debt FROM ({BillingPeriods.BalancesSql(Mine)}) x GROUP BY account_id HAVING sum(closing) >= @min";
        await using var cmd = Command(conn, supplierId, month, $"""
            SELECT count(*) FROM ({debts}) d;
            SELECT a.id, a.number, {Payees.AddressSql}, d.debt
            FROM (SELECT d.account_id, d.debt, a.number FROM ({debts}) d JOIN personal_accounts a ON a.id = d.account_id
                  ORDER BY d.debt DESC, a.number LIMIT @limit OFFSET @offset) d
            JOIN personal_accounts a ON a.id = d.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            ORDER BY d.debt DESC, a.number
            """);
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("min", min));
        return await SqlPage.ReadAsync(cmd, page, pageSize, r => new SupplierDebtor(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetDecimal(3)), ct);
    }

    /// <summary>
    /// The meters in service on <paramref name="today"/> in the buildings where the supplier has a contract in force that
    /// day for a service of the meter's resource (a cold-water supplier sees the cold-water meters, a heat supplier the
    /// heat and hot-water ones), with the latest reading; by address.
    /// </summary>
    public static async Task<Page<SupplierMeter>> MetersAsync(string connectionString, long supplierId, DateOnly today, int page, int pageSize,
        CancellationToken ct = default)
    {
        const string mine = """
            (m.removed_on IS NULL OR m.removed_on > @today) AND EXISTS (
                SELECT 1 FROM service_contracts c JOIN services s ON s.id = c.service_id
                WHERE c.supplier_id = @supplier AND c.building_id = m.building_id AND s.resource = m.resource
                  AND c.valid_from <= @today AND (c.valid_to IS NULL OR c.valid_to > @today))
            """;
        await using var conn = await OpenAsync(connectionString, ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT count(*) FROM meters m WHERE {mine};
            SELECT m.id, m.serial_number, m.kind, m.resource, CASE WHEN p.id IS NULL THEN b.address ELSE {Payees.AddressSql} END, m.model,
                   m.installed_on, m.next_verification_on, r.read_on, r.vals
            FROM meters m JOIN buildings b ON b.id = m.building_id LEFT JOIN premises p ON p.id = m.premise_id
            LEFT JOIN LATERAL (
                SELECT read_on, array_agg(value ORDER BY zone) AS vals FROM meter_readings
                WHERE meter_id = m.id GROUP BY read_on ORDER BY read_on DESC LIMIT 1) r ON true
            WHERE {mine}
            ORDER BY b.address, length(p.number), p.number, m.kind, m.serial_number LIMIT @limit OFFSET @offset
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("supplier", supplierId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        return await SqlPage.ReadAsync(cmd, page, pageSize, r => new SupplierMeter(r.GetInt64(0), r.GetString(1), (MeterKind)r.GetInt32(2),
            (Resource)r.GetInt32(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetFieldValue<DateOnly>(6),
            r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8),
            r.IsDBNull(9) ? [] : r.GetFieldValue<decimal[]>(9)), ct);
    }

    public static readonly string[] ChargeColumns =
        ["Лицевой счёт", "Адрес", "Услуга", "Входящее сальдо", "Начислено", "Перерасчёт", "Пени", "Оплачено", "Исходящее сальдо"];

    /// <summary>
    /// The month's charges of the supplier as a <see cref="CsvFile"/>: a row per account and service with its balance
    /// (opening, charged, recalculated, penalties, paid, closing), by account number, and a totals row «Итого»;
    /// written to <paramref name="output"/> as it is read.
    /// </summary>
    public static async Task WriteChargesCsvAsync(string connectionString, long supplierId, BillingPeriod month, Stream output, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(connectionString, ct);
        await using var cmd = Command(conn, supplierId, month, $"""
            SELECT a.number, {Payees.AddressSql}, s.name, x.opening, x.charged, x.recalculated, x.penalties, x.paid, x.closing
            FROM ({BillingPeriods.BalancesSql(Mine)}) x JOIN services s ON s.id = x.service_id
            JOIN personal_accounts a ON a.id = x.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
            ORDER BY a.number, s.sort_order, s.name
            """);
        await using var writer = CsvFile.Writer(output);
        await writer.WriteAsync(CsvFile.Line(ChargeColumns).AsMemory(), ct);
        var totals = new decimal[6];
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var amounts = new decimal[totals.Length];
                for (int i = 0; i < amounts.Length; i++) totals[i] += amounts[i] = r.GetDecimal(i + 3);
                await writer.WriteAsync(CsvFile.Line([r.GetString(0), r.GetString(1), r.GetString(2), .. amounts.Cast<object?>()]).AsMemory(), ct);
            }
        await writer.WriteAsync(CsvFile.Line(["Итого", null, null, .. totals.Cast<object?>()]).AsMemory(), ct);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>A statement over the supplier's balances of the month: <c>@supplier</c>, <c>@m</c>, <c>@prev</c> and <c>@penalty</c> set.</summary>
    private static NpgsqlCommand Command(NpgsqlConnection conn, long supplierId, BillingPeriod month, string sql)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("supplier", supplierId));
        BillingPeriods.AddBalancesParameters(cmd.Parameters, month);
        return cmd;
    }
}
