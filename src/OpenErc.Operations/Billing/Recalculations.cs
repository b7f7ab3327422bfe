using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Registry;

namespace OpenErc.Operations.Billing;

/// <param name="HorizonMonths">How many months back a recalculation reaches (ГК РФ ст. 196: three years).</param>
public sealed record RecalculationOptions(int HorizonMonths = 36)
{
    public ChargeSettings Settings { get; init; } = new();
}

/// <summary>What a recalculation posted for one corrected month.</summary>
/// <param name="Buildings">Buildings recomputed (those with posted regular lines for the month).</param>
/// <param name="Lines">Difference lines posted.</param>
/// <param name="Posted">Everything posted for the month before (regular lines and earlier recalculations), ₽.</param>
/// <param name="Fresh">The fresh calculation, ₽.</param>
/// <param name="Difference">Fresh minus posted = the sum of the lines posted now, ₽.</param>
public sealed record RecalculatedMonth(BillingPeriod ServiceMonth, int Buildings, long Lines, decimal Posted, decimal Fresh, decimal Difference);

public sealed record RecalculationReport(long RunId, BillingPeriod Month, string Scope, string Reason, IReadOnlyList<RecalculatedMonth> Months,
    IReadOnlyList<BuildingFailure> Failures)
{
    public long Lines => Months.Sum(m => m.Lines);
    public decimal Total => Months.Sum(m => m.Difference);
}

/// <summary>A line of the registry of recalculations: every posted line that is not a month's regular charge.</summary>
public sealed record RecalculationEntry(
    BillingPeriod BookingMonth, BillingPeriod ServiceMonth, long AccountId, string AccountNumber, long BuildingId, string Address,
    string ServiceCode, string Service, long SupplierId, string Supplier, ChargeLineKind Kind, decimal Amount, string? Reason,
    string PostedBy, DateTimeOffset PostedAt, long RunId);

/// <summary>Filter of the registry of recalculations; every member is optional.</summary>
/// <param name="Month">The booking month (the ЕПД the line is on).</param>
/// <param name="ServiceMonth">The month the line corrects.</param>
public sealed record RecalculationFilter(BillingPeriod? Month = null, long? AccountId = null, long? BuildingId = null, ChargeLineKind? Kind = null,
    BillingPeriod? ServiceMonth = null);

/// <summary>
/// Recalculations of past months, manual corrections and their registry (ARCHITECTURE.md §5, recalculations.md §3).
/// </summary>
/// <remarks>
/// <para><b>Recalculation.</b> For every month before the open one (down to <see cref="RecalculationOptions.HorizonMonths"/>)
/// with posted regular lines for the scope's buildings, the month is computed again with today's registry data
/// (<see cref="SnapshotLoader"/> + <see cref="ChargeCalculator"/> for that service month) and compared, per account ×
/// service × supplier × zone, with everything posted for that service month by calculation: the regular lines, the
/// month's own reductions (absence, quality, heating correction) and earlier recalculations. Manual corrections and
/// penalties are not part of the comparison (a recalculation never undoes an operator's correction). The difference is
/// posted as ONE line of kind <see cref="ChargeLineKind.Recalculation"/> per key, booked in the open month with the
/// corrected month as its service month: the kinds of the month are netted because the ledger's natural key holds the
/// line's own kind, not the corrected one; the trace is the fresh calculation's (of the regular line when there is one)
/// with the note "было X ₽, стало Y ₽". The amount is rounded lines minus rounded lines: no new rounding.</para>
/// <para><b>Idempotent.</b> A second recalculation finds a zero difference and posts nothing; each call is recorded
/// in <c>billing_runs</c> (scope "перерасчёт …") and posts all its lines in one transaction under the month's lock.</para>
/// <para><b>When.</b> Automatically: a retroactive registry change queues its buildings as it is saved, and
/// <see cref="ProcessQueueAsync"/> (run before every billing run of the open month) recalculates them. By hand:
/// <c>openerc billing recalc --month 2026-11 --building 17 --reason "…"</c>; <c>--changed-since 2026-11-20</c> takes
/// the buildings of <see cref="ChangedBuildingsAsync"/> (registry changes audited since then); without either, the whole
/// region (only real differences are posted). A dry run of a past month (<c>billing run --dry-run</c>) shows beforehand what it would change.</para>
/// </remarks>
public static partial class Recalculations
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The kinds a recalculation compares: what the calculator produces for a month, and earlier recalculations.</summary>
    private static readonly short[] ComparedKinds =
    [
        (short)ChargeLineKind.Charge, (short)ChargeLineKind.TemporaryAbsence, (short)ChargeLineKind.QualityReduction,
        (short)ChargeLineKind.HeatingAnnualCorrection, (short)ChargeLineKind.Recalculation, (short)ChargeLineKind.Benefit,
    ];

    public static async Task<RecalculationReport> RecalculateAsync(string connectionString, BillingPeriod openMonth, BillingScope scope, string reason,
        string startedBy, RegionClock clock, RecalculationOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RecalculationOptions();
        if (string.IsNullOrWhiteSpace(reason)) throw new BillingException("Укажите причину перерасчёта");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HorizonMonths, 1);
        reason = reason.Trim();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await BillingRun.LockAsync(conn, openMonth, $"Расчёт или закрытие месяца {openMonth} уже выполняется", ct);
        try
        {
            await EnsureOpenAsync(conn, null, openMonth, "перерасчёты", ct);
            await ChargeLedger.EnsurePartitionAsync(conn, openMonth, ct);
            var months = await PostedMonthsAsync(conn, openMonth, scope, options, null, ct);
            var run = new RecalculationRun($"перерасчёт: {scope.Description}", $"recalc:{scope.Key}", scope.Description, reason, _ => reason);
            return await RecalculateLockedAsync(conn, openMonth, months, run, startedBy, clock, options, null, ct);
        }
        finally
        {
            await BillingRun.UnlockAsync(conn, openMonth);
        }
    }

    /// <summary>How a recalculation is recorded: its run row, and the reason of each building's lines.</summary>
    private sealed record RecalculationRun(string RunScope, string RunKey, string Description, string Note, Func<long, string> ReasonOf);

    /// <summary>
    /// Months (from the horizon to the one before the open month) and their buildings with posted regular lines; with
    /// <paramref name="from"/>, a building only from its month on.
    /// </summary>
    private static async Task<SortedDictionary<BillingPeriod, List<long>>> PostedMonthsAsync(NpgsqlConnection conn, BillingPeriod openMonth,
        BillingScope scope, RecalculationOptions options, IReadOnlyDictionary<long, BillingPeriod>? from, CancellationToken ct)
    {
        var horizon = openMonth.FirstDay.AddMonths(-options.HorizonMonths);
        var months = new SortedDictionary<BillingPeriod, List<long>>();
        await using var cmd = new NpgsqlCommand($"""
            SELECT DISTINCT l.booking_month, l.building_id
            FROM charge_details l JOIN buildings b ON b.id = l.building_id
            WHERE ({scope.Filter}) AND l.regular AND l.booking_month >= @horizon AND l.booking_month < @open
            ORDER BY 1, 2
            """, conn);
        SnapshotLoader.AddMonth(cmd, openMonth);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("scope", scope.Ids) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("horizon", horizon));
        cmd.Parameters.Add(MonthParameter("open", openMonth));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var m = r.GetMonth(0);
            long building = r.GetInt64(1);
            if (from is not null && m < from[building]) continue;
            if (!months.TryGetValue(m, out var list)) months[m] = list = [];
            list.Add(building);
        }
        return months;
    }

    /// <summary>
    /// Computes the months again, posts the differences in ONE transaction with the run row, and runs
    /// <paramref name="inTransaction"/> (with the buildings that failed) in that transaction before the commit.
    /// The caller holds the month's lock.
    /// </summary>
    private static async Task<RecalculationReport> RecalculateLockedAsync(NpgsqlConnection conn, BillingPeriod openMonth,
        SortedDictionary<BillingPeriod, List<long>> months, RecalculationRun run, string startedBy, RegionClock clock, RecalculationOptions options,
        Func<NpgsqlTransaction, IReadOnlySet<long>, Task>? inTransaction, CancellationToken ct)
    {
        var lines = new List<PostedLine>();
        var report = new List<RecalculatedMonth>();
        var failures = new List<(long Building, string Error)>();
        foreach (var (month, buildings) in months)
        {
            var reference = await BillingReference.LoadAsync(conn, month, ct);
            var fresh = new List<(long Building, ChargeLine Line)>();
            var computed = new List<long>();
            foreach (var chunk in buildings.Chunk(200))
            {
                foreach (var b in await SnapshotLoader.LoadAsync(conn, reference, chunk, month, ct))
                {
                    if (b.Snapshot is null)
                    {
                        failures.Add((b.BuildingId, $"{month}: {b.Error}"));
                        continue;
                    }
                    try
                    {
                        fresh.AddRange(ChargeCalculator.Calculate(b.Snapshot, month, options.Settings).Select(l => (b.BuildingId, l)));
                        computed.Add(b.BuildingId);
                    }
                    catch (ChargeDataException e)
                    {
                        failures.Add((b.BuildingId, $"{month}: {e.Message}"));
                    }
                }
            }
            var before = lines.Count;
            var (posted, freshTotal) = await DifferencesAsync(conn, reference, month, openMonth, computed.ToArray(), fresh, run.ReasonOf, startedBy, lines, ct);
            decimal difference = lines.Skip(before).Sum(l => l.Line.Amount.Amount);
            Invariant.Holds(freshTotal - posted == difference, $"recalculation of {month}: fresh {freshTotal} − posted {posted} ≠ lines {difference}");
            report.Add(new RecalculatedMonth(month, computed.Count, lines.Count - before, posted, freshTotal, difference));
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        await EnsureOpenAsync(conn, tx, openMonth, "перерасчёты", ct);
        long runId = await NewRunAsync(conn, tx, openMonth, run.RunScope, run.RunKey, startedBy, lines.Count, lines.Sum(l => l.Line.Amount.Amount), run.Note, clock, ct);
        var stamped = lines.Select(l => l with { RunId = runId }).ToList();
        long inserted = await ChargeLedger.PostAsync(conn, stamped, ct);
        Invariant.Holds(inserted == stamped.Count, $"recalculation run {runId}: {stamped.Count - inserted} of {stamped.Count} lines conflict");
        if (inTransaction is not null) await inTransaction(tx, failures.Select(f => f.Building).ToHashSet());
        await tx.CommitAsync(ct);

        var addresses = await AddressesAsync(conn, failures.Select(f => f.Building).Distinct().ToArray(), ct);
        return new RecalculationReport(runId, openMonth, run.Description, run.Note, report,
            failures.Select(f => new BuildingFailure(f.Building, addresses.GetValueOrDefault(f.Building, ""), f.Error)).ToList());
    }

    private readonly record struct Key(long Account, long Service, long Supplier, TariffZone Zone);

    private sealed class Side
    {
        public long Building;
        public decimal Amount, Volume;
        public string? Unit;
        public ChargeLine? Main;
    }

    /// <summary>Adds the difference lines of one month to <paramref name="output"/>; returns the posted and the fresh totals.</summary>
    private static async Task<(decimal Posted, decimal Fresh)> DifferencesAsync(NpgsqlConnection conn, BillingReference reference, BillingPeriod month,
        BillingPeriod openMonth, long[] buildings, List<(long Building, ChargeLine Line)> fresh, Func<long, string> reasonOf, string startedBy,
        List<PostedLine> output, CancellationToken ct)
    {
        var ids = reference.ServiceIds;
        var now = new Dictionary<Key, Side>();
        foreach (var (building, line) in fresh)
        {
            var key = new Key(line.AccountId, ids.TryGetValue(line.ServiceCode, out var sid) ? sid
                : throw new InvariantViolationException($"line of an unknown service {line.ServiceCode}"), line.SupplierId, line.Zone);
            if (!now.TryGetValue(key, out var side)) now[key] = side = new Side { Building = building };
            side.Amount += line.Amount.Amount;
            side.Volume += line.Volume;
            side.Unit ??= line.Unit;
            if (side.Main is null || side.Main.Kind != ChargeLineKind.Charge && line.Kind == ChargeLineKind.Charge) side.Main = line;
        }
        var was = new Dictionary<Key, Side>();
        // Volumes prorated by days carry 28 decimals; the exact numeric sum of a few of them (a charge and its temporary
        // absence line) can exceed a decimal's 28–29 digits, so it is read rounded to 20 places — far below any meter's.
        await using (var cmd = new NpgsqlCommand("""
            SELECT account_id, service_id, supplier_id, zone, min(building_id), sum(amount), round(sum(volume), 20), min(unit) FROM charge_line_details
            WHERE building_id = ANY(@ids) AND service_month = @m AND booking_month >= @m AND kind = ANY(@kinds)
            GROUP BY 1, 2, 3, 4
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", buildings));
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(new NpgsqlParameter<short[]>("kinds", ComparedKinds));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                was[new Key(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (TariffZone)r.GetInt16(3))] =
                    new Side { Building = r.GetInt64(4), Amount = r.GetDecimal(5), Volume = r.GetDecimal(6), Unit = r.GetString(7) };
        }
        foreach (var key in now.Keys.Union(was.Keys).OrderBy(k => k.Account).ThenBy(k => k.Service).ThenBy(k => k.Supplier).ThenBy(k => k.Zone))
        {
            var fresh1 = now.GetValueOrDefault(key);
            var old = was.GetValueOrDefault(key);
            decimal diff = (fresh1?.Amount ?? 0m) - (old?.Amount ?? 0m);
            if (diff == 0m) continue;
            string note = $"Перерасчёт за {month}: было {Rub(old?.Amount ?? 0m)} ₽, стало {Rub(fresh1?.Amount ?? 0m)} ₽";
            var main = fresh1?.Main;
            var trace = main is null
                ? new ChargeTrace("П = 0", "", [], note + " (по текущим данным начисления за месяц нет)")
                : main.Trace with { Note = main.Trace.Note is null ? note : $"{note}. {main.Trace.Note}" };
            var line = new ChargeLine(key.Account, reference.Services[key.Service].Code, key.Supplier, month, key.Zone,
                (fresh1?.Volume ?? 0m) - (old?.Volume ?? 0m), fresh1?.Unit ?? old?.Unit ?? "", main?.Rate ?? 0m, main?.Coefficient ?? 1m,
                main?.DayFactor ?? 1m, VolumeSource.Correction, diff, Money.Exact(diff), trace)
            { Kind = ChargeLineKind.Recalculation };
            long building = fresh1?.Building ?? old!.Building;
            output.Add(new PostedLine(building, key.Service, openMonth, 0, line, reasonOf(building), startedBy));
        }
        return (was.Values.Sum(s => s.Amount), now.Values.Sum(s => s.Amount));
    }

    private static string Rub(decimal amount) => amount.ToString("0.00", Inv);

    /// <summary>
    /// Posts an operator's correction of one account × service × supplier for a service month, booked in the open
    /// month, as a line of kind <see cref="ChargeLineKind.ManualCorrection"/>. Refuses (with a message for people)
    /// a closed month, a zero or fractional-kopeck amount, an empty reason, an unknown account, service or supplier,
    /// and a service month after the open one. Returns the id of the run row that records it.
    /// </summary>
    public static async Task<long> PostCorrectionAsync(string connectionString, BillingPeriod openMonth, long accountId, string serviceCode,
        long supplierId, BillingPeriod serviceMonth, decimal amount, string reason, string startedBy, RegionClock clock, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new BillingException("Укажите причину корректировки");
        if (amount == 0m) throw new BillingException("Сумма корректировки не может быть нулевой");
        if (decimal.Round(amount, 2) != amount) throw new BillingException("Сумма корректировки должна быть в целых копейках");
        if (serviceMonth > openMonth) throw new BillingException($"Корректировка за месяц {serviceMonth} позже расчётного месяца {openMonth} невозможна");
        reason = reason.Trim();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ChargeLedger.EnsurePartitionAsync(conn, openMonth, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // FOR SHARE on the month's row: the closing (FOR UPDATE) waits for this transaction and then sees the line.
        await EnsureOpenAsync(conn, tx, openMonth, "корректировки", ct);

        long buildingId;
        await using (var cmd = new NpgsqlCommand(
            "SELECT p.building_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = @a", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
            buildingId = await cmd.ExecuteScalarAsync(ct) is long b ? b : throw new BillingException($"Лицевой счёт {accountId} не найден");
        }
        long serviceId;
        string unit;
        await using (var cmd = new NpgsqlCommand("SELECT id, unit FROM services WHERE code = @c", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("c", serviceCode));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new BillingException($"Услуга «{serviceCode}» не найдена");
            (serviceId, unit) = (r.GetInt64(0), r.GetString(1));
        }
        await using (var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM organisations WHERE id = @s)", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("s", supplierId));
            if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) throw new BillingException($"Поставщик {supplierId} не найден");
        }

        long runId = await NewRunAsync(conn, tx, openMonth, $"ручная корректировка: лицевой счёт {accountId}", $"correction:{accountId}", startedBy, 1, amount, reason, clock, ct);
        var trace = new ChargeTrace("К = сумма корректировки", "Ручная корректировка оператора", [new TraceInput("Сумма корректировки", amount, "₽")],
            $"Корректировка за {serviceMonth}: {reason}");
        var line = new ChargeLine(accountId, serviceCode, supplierId, serviceMonth, TariffZone.Single, 0m, unit, 0m, 1m, 1m, VolumeSource.Correction,
            amount, Money.Exact(amount), trace) { Kind = ChargeLineKind.ManualCorrection };
        long inserted = await ChargeLedger.PostAsync(conn, [new PostedLine(buildingId, serviceId, openMonth, runId, line, reason, startedBy)], ct);
        Invariant.Holds(inserted == 1, $"correction run {runId}: the line conflicts with a posted one");
        await tx.CommitAsync(ct);
        return runId;
    }

    /// <summary>The registry of recalculations: posted lines that are not regular charges, newest first.</summary>
    public static async Task<Page<RecalculationEntry>> ListAsync(string connectionString, RecalculationFilter filter, int page = 1, int pageSize = 50,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        const string where = """
            l.kind <> 0
              AND (@month::date IS NULL OR l.booking_month = @month)
              AND (@serviceMonth::date IS NULL OR l.service_month = @serviceMonth)
              AND (@account::bigint IS NULL OR l.account_id = @account)
              AND (@building::bigint IS NULL OR l.building_id = @building)
              AND (@kind::smallint IS NULL OR l.kind = @kind)
            """;
        void Bind(NpgsqlCommand cmd)
        {
            cmd.Parameters.Add(MonthParameter("month", filter.Month));
            cmd.Parameters.Add(MonthParameter("serviceMonth", filter.ServiceMonth));
            cmd.Parameters.Add(new NpgsqlParameter("account", NpgsqlDbType.Bigint) { Value = (object?)filter.AccountId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("building", NpgsqlDbType.Bigint) { Value = (object?)filter.BuildingId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Smallint) { Value = filter.Kind is { } k ? (short)k : DBNull.Value });
        }
        int total;
        await using (var cmd = new NpgsqlCommand($"SELECT count(*) FROM charge_lines l WHERE {where}", conn))
        {
            Bind(cmd);
            total = (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        var items = new List<RecalculationEntry>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT l.booking_month, l.service_month, l.account_id, a.number, l.building_id, b.address || ', кв. ' || p.number,
                   s.code, s.name, l.supplier_id, coalesce(o.short_name, o.name), l.kind, l.kopecks * 0.01, d.reason,
                   coalesce(d.posted_by, r.started_by, ''), r.started_at, l.run_id
            FROM charge_lines l
            JOIN charge_details d ON d.booking_month = l.booking_month AND d.building_id = l.building_id AND d.run_id = l.run_id
            JOIN personal_accounts a ON a.id = l.account_id
            JOIN premises p ON p.id = a.premise_id
            JOIN buildings b ON b.id = l.building_id
            JOIN services s ON s.id = l.service_id
            JOIN organisations o ON o.id = l.supplier_id
            LEFT JOIN billing_runs r ON r.id = l.run_id
            WHERE {where}
            ORDER BY r.started_at DESC, l.run_id DESC, a.number, s.sort_order, s.code, l.service_month, l.supplier_id, l.zone, l.kind
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", pageSize));
            cmd.Parameters.Add(new NpgsqlParameter<int>("offset", (page - 1) * pageSize));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                items.Add(new RecalculationEntry(r.GetMonth(0), r.GetMonth(1),
                    r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetString(9),
                    (ChargeLineKind)r.GetInt16(10), r.GetDecimal(11), r.IsDBNull(12) ? null : r.GetString(12), r.GetString(13),
                    r.GetFieldValue<DateTimeOffset>(14), r.GetInt64(15)));
        }
        return new Page<RecalculationEntry>(items, total, page, pageSize);
    }

    /// <summary>
    /// Buildings whose charge inputs were changed in the registry (audit entries, ARCHITECTURE.md §5) at or after
    /// <paramref name="since"/>: residents, owners, absences, accounts, premises, buildings, meters and readings, service
    /// methods and contracts, tariffs and norms (a regional tariff or norm: every building it covers). The operator
    /// recalculates them with <c>billing recalc --month … --changed-since …</c>. Rows deleted since are not traced back
    /// to a building; a recalculation of the whole region catches those.
    /// </summary>
    public static async Task<IReadOnlyList<long>> ChangedBuildingsAsync(string connectionString, DateTimeOffset since, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH c AS (SELECT DISTINCT entity_type, entity_id FROM audit_entries WHERE at >= @since),
            accounts AS (
                SELECT x.account_id AS id FROM c JOIN resident_counts x ON c.entity_type = 'ResidentCount' AND x.id = c.entity_id
                UNION SELECT x.account_id FROM c JOIN ownerships x ON c.entity_type = 'Ownership' AND x.id = c.entity_id
                UNION SELECT x.account_id FROM c JOIN temporary_absences x ON c.entity_type = 'TemporaryAbsence' AND x.id = c.entity_id
                UNION SELECT c.entity_id FROM c WHERE c.entity_type = 'PersonalAccount')
            SELECT DISTINCT id FROM (
                SELECT p.building_id AS id FROM accounts JOIN personal_accounts a ON a.id = accounts.id JOIN premises p ON p.id = a.premise_id
                UNION SELECT x.building_id FROM c JOIN premises x ON c.entity_type = 'Premise' AND x.id = c.entity_id
                UNION SELECT x.id FROM c JOIN buildings x ON c.entity_type = 'Building' AND x.id = c.entity_id
                UNION SELECT x.building_id FROM c JOIN meters x ON c.entity_type = 'Meter' AND x.id = c.entity_id
                UNION SELECT m.building_id FROM c JOIN meter_readings x ON c.entity_type = 'MeterReading' AND x.id = c.entity_id JOIN meters m ON m.id = x.meter_id
                UNION SELECT x.building_id FROM c JOIN building_service_methods x ON c.entity_type = 'BuildingServiceMethod' AND x.id = c.entity_id
                UNION SELECT x.building_id FROM c JOIN service_contracts x ON c.entity_type = 'ServiceContract' AND x.id = c.entity_id
                UNION SELECT b.id FROM c JOIN tariffs x ON c.entity_type = 'Tariff' AND x.id = c.entity_id
                    JOIN buildings b ON b.id = x.building_id OR x.building_id IS NULL AND (x.municipality_id IS NULL OR b.municipality_id = x.municipality_id)
                UNION SELECT b.id FROM c JOIN consumption_norms x ON c.entity_type = 'ConsumptionNorm' AND x.id = c.entity_id
                    JOIN buildings b ON x.municipality_id IS NULL OR b.municipality_id = x.municipality_id
            ) changed WHERE id IS NOT NULL ORDER BY id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since));
        var ids = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        return ids;
    }

    /// <summary>
    /// Refuses any month but the open one (<see cref="BillingPeriods.RequireOpenAsync"/>); with a transaction, holds the
    /// open month's row (FOR SHARE) so that its closing waits for the posting.
    /// </summary>
    internal static Task EnsureOpenAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, BillingPeriod month, string what, CancellationToken ct) =>
        BillingPeriods.RequireOpenAsync(conn, tx, month, what, ct);

    /// <summary>A completed row of <c>billing_runs</c> recording who posted what and why (its id is the lines' run id).</summary>
    internal static async Task<long> NewRunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, BillingPeriod month, string scope, string key,
        string startedBy, long lines, decimal total, string? note, RegionClock clock, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO billing_runs (month, scope, scope_key, dry_run, state, started_by, started_at, finished_at, lines, total, note)
            VALUES (@m, @scope, @key, false, 'completed', @by, @now, @now, @lines, @total, @note) RETURNING id
            """, conn, tx);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<string>("scope", scope));
        cmd.Parameters.Add(new NpgsqlParameter<string>("key", key));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", startedBy));
        cmd.Parameters.Add(new NpgsqlParameter<long>("lines", lines));
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("total", total));
        cmd.Parameters.Add(new NpgsqlParameter("note", NpgsqlDbType.Text) { Value = (object?)note ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<Dictionary<long, string>> AddressesAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        var map = new Dictionary<long, string>();
        if (ids.Length == 0) return map;
        await using var cmd = new NpgsqlCommand("SELECT id, address FROM buildings WHERE id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }
}
