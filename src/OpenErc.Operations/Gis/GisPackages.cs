using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Receipts;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Gis;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Operations.Gis;

/// <summary>Where a package to ГИС ЖКХ stands (exchange.md §6.5).</summary>
public enum GisPackageState : short
{
    [Display(Name = "Подготовлен")] Prepared = 0,
    [Display(Name = "Отправлен")] Sent = 1,
    [Display(Name = "Размещён")] Placed = 2,
    [Display(Name = "Отклонён")] Refused = 3,
}

/// <summary>An object of a package: waiting for the answer, taken by the state system, or refused by it.</summary>
public enum GisObjectState : short
{
    Pending = 0,
    Accepted = 2,
    Rejected = 3,
}

/// <summary>A service's entry in the state system's reference list (НСИ) of services: the <c>nsiRef</c> of its lines.</summary>
public sealed record GisServiceType(string Code, Guid? Guid = null);

/// <summary>
/// <c>OpenErc:Gis</c>: the schema version of the requests, the executor's <c>orgPPAGUID</c> (the centre, for «ЛС РЦ»), and
/// each service's code in the state system's service list by our service code. The list's codes are the state system's
/// (exchange.md names the list, not its codes): a service without one is reported, its documents not prepared.
/// </summary>
public sealed record GisSettings
{
    public string SchemaVersion { get; init; } = "11.2.0.16";
    public Guid? ProviderPpaGuid { get; init; }
    public Dictionary<string, GisServiceType> ServiceTypes { get; init; } = [];

    internal GisRequestSettings Request => new(SchemaVersion, ProviderPpaGuid);
}

/// <summary>A package as the lists show it, with how many of its objects the state system took and refused.</summary>
public sealed record GisPackageInfo(long Id, GisPackageKind Kind, BillingPeriod Month, long BuildingId, string Address, GisPackageState State, int Objects,
    int Accepted, int Rejected, DateTimeOffset PreparedAt, Guid? MessageGuid, string? Error);

/// <summary>What a preparation made, and what it left out with the reason (an account not placed yet, a service without its code).</summary>
public sealed record GisPreparation(IReadOnlyList<GisPackageInfo> Packages, IReadOnlyList<string> Skipped);

/// <summary>The state system's answer about one object, as the gateway writes it back: its GUID and number there, or the error.</summary>
/// <param name="Number">The ИПД of a payment document; for an account its ЕЛС (with <paramref name="ServiceId"/> the ИЖКУ).</param>
public sealed record GisObjectResult(Guid TransportGuid, Guid? Guid = null, string? Number = null, string? ServiceId = null, string? Error = null);

/// <summary>Refused input of the ГИС ЖКХ exchange: the reason in Russian and its HTTP status (409 a state, 400 bad input, 404 unknown).</summary>
public sealed class GisException(string message, int status = 409) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// The packages the centre places in ГИС ЖКХ (exchange.md §6.5: OpenErc produces, a gateway signs, sends and writes back).
/// A package is one request (<see cref="GisMessages"/>) of one kind for one building and month, at most
/// <see cref="GisMessages.BatchSize"/> objects; each object keeps the <c>TransportGUID</c> the request gave it, so the
/// gateway's answers land on it. Accounts come first: their <c>AccountGUID</c>s, ЕЛС and ИЖКУ come back with the answer,
/// and a payment document goes only for an account placed. A package goes Prepared → Sent → Placed, or Refused with the
/// state system's reasons; a building refused is prepared again, one prepared, sent or placed is not.
/// </summary>
public static class GisPackages
{
    public static async Task<GisPreparation> PrepareAsync(string connectionString, GisPackageKind kind, BillingPeriod month, long? buildingId, GisSettings settings,
        RegionClock clock, string by, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var serial = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('gis-packages'))", conn, tx)) await serial.ExecuteNonQueryAsync(ct);
        if (kind == GisPackageKind.PaymentDocuments)
        {
            await using var closed = new NpgsqlCommand("SELECT state FROM billing_periods WHERE month = @m", conn, tx);
            closed.Parameters.Add(MonthParameter("m", month));
            if (await closed.ExecuteScalarAsync(ct) as string != "closed")
                throw new GisException($"Месяц {month.Name()} не закрыт: платёжные документы размещаются за закрытый месяц");
        }
        var buildings = new List<(long Id, string Address, Guid? Fias)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT b.id, b.address, b.fias_guid FROM buildings b
            WHERE (@b::bigint IS NULL OR b.id = @b)
              AND NOT EXISTS (SELECT 1 FROM gis_packages g WHERE g.building_id = b.id AND g.kind = @kind AND g.month = @m AND g.state <> @refused)
            ORDER BY b.address
            """, conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long?>("b", buildingId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
            cmd.Parameters.Add(new NpgsqlParameter<short>("refused", (short)GisPackageState.Refused));
            cmd.Parameters.Add(MonthParameter("m", month));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) buildings.Add((r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetGuid(2)));
        }
        var skipped = new List<string>();
        if (buildingId is { } only && buildings.Count == 0) skipped.Add($"Дом {only}: пакет за {month.Name()} уже подготовлен, отправлен или размещён");
        var made = new List<long>();
        foreach (var (id, address, fias) in buildings)
        {
            if (fias is not { } house)
            {
                skipped.Add($"{address}: нет идентификатора дома по ФИАС — ГИС ЖКХ находит дом по нему");
                continue;
            }
            var objects = kind switch
            {
                GisPackageKind.Accounts => await AccountsAsync(conn, tx, id, house, clock.Today, ct),
                GisPackageKind.PaymentDocuments => await DocumentsAsync(conn, tx, id, month, settings, skipped, address, ct),
                GisPackageKind.Payments => await PaymentsAsync(conn, tx, id, month, ct),
                _ => await ReadingsAsync(conn, tx, id, month, ct),
            };
            if (objects.Count == 0)
            {
                if (buildingId is not null) skipped.Add($"{address}: нечего размещать");
                continue;
            }
            foreach (var batch in objects.Chunk(GisMessages.BatchSize))
            {
                byte[] payload = kind switch
                {
                    GisPackageKind.Accounts => GisMessages.Accounts(batch.Select(o => (GisAccount)o.Message).ToList(), settings.Request),
                    GisPackageKind.PaymentDocuments => GisMessages.PaymentDocuments(month, batch.Select(o => (GisPaymentDocument)o.Message).ToList(), settings.Request),
                    GisPackageKind.Payments => GisMessages.Payments(batch.Select(o => (GisPayment)o.Message).ToList(), settings.Request),
                    _ => GisMessages.Readings(house, batch.Select(o => (GisReading)o.Message).ToList(), settings.Request),
                };
                made.Add(await StoreAsync(conn, tx, kind, month, id, batch, payload, clock, by, ct));
            }
        }
        await tx.CommitAsync(ct);
        var packages = made.Count == 0 ? [] : await ListAsync(conn, null, null, made.ToArray(), ct);
        return new GisPreparation(packages, skipped);
    }

    /// <summary>An object of a package: what it is in our registry (<see cref="ObjectId"/>) and its part of the request.</summary>
    private sealed record PackageObject(long ObjectId, Guid TransportGuid, object Message);

    private static async Task<long> StoreAsync(NpgsqlConnection conn, NpgsqlTransaction tx, GisPackageKind kind, BillingPeriod month, long buildingId,
        PackageObject[] objects, byte[] payload, RegionClock clock, string by, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            WITH p AS (
                INSERT INTO gis_packages (kind, month, building_id, state, objects, payload, prepared_at, prepared_by)
                VALUES (@kind, @m, @b, @state, @count, @payload, @now, @by) RETURNING id),
            o AS (INSERT INTO gis_objects (transport_guid, package_id, object_id, state) SELECT t, (SELECT id FROM p), obj, @pending FROM unnest(@guids, @ids) AS x (t, obj))
            SELECT id FROM p
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<short>("state", (short)GisPackageState.Prepared));
        cmd.Parameters.Add(new NpgsqlParameter<int>("count", objects.Length));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("payload", payload));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", by));
        cmd.Parameters.Add(new NpgsqlParameter<short>("pending", (short)GisObjectState.Pending));
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("guids", objects.Select(o => o.TransportGuid).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", objects.Select(o => o.ObjectId).ToArray()));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The state system's GUID of each of these accounts, from the latest answer that took it.</summary>
    private static async Task<Dictionary<long, Guid>> AccountGuidsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long buildingId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT ON (o.object_id) o.object_id, o.gis_guid FROM gis_objects o JOIN gis_packages g ON g.id = o.package_id
            WHERE g.kind = @accounts AND g.building_id = @b AND o.state = @accepted AND o.gis_guid IS NOT NULL
            ORDER BY o.object_id, g.id DESC
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<short>("accounts", (short)GisPackageKind.Accounts));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<short>("accepted", (short)GisObjectState.Accepted));
        var guids = new Dictionary<long, Guid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) guids[r.GetInt64(0)] = r.GetGuid(1);
        return guids;
    }

    private static async Task<List<PackageObject>> AccountsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long buildingId, Guid house, DateOnly today,
        CancellationToken ct)
    {
        var guids = await AccountGuidsAsync(conn, tx, buildingId, ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT a.id, a.number, p.number, p.total_area * a.share, a.share,
                   (SELECT c.count FROM resident_counts c WHERE c.account_id = a.id AND c.valid_from <= @today AND (c.valid_to IS NULL OR c.valid_to > @today)
                    ORDER BY c.valid_from DESC LIMIT 1),
                   pp.last_name, pp.first_name, pp.middle_name
            FROM personal_accounts a JOIN premises p ON p.id = a.premise_id LEFT JOIN people pp ON pp.id = a.payer_person_id
            WHERE p.building_id = @b AND (a.closed_on IS NULL OR a.closed_on > @today)
            ORDER BY length(p.number), p.number, a.number
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("today", today));
        var list = new List<PackageObject>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long id = r.GetInt64(0);
            var transport = Guid.NewGuid();
            list.Add(new PackageObject(id, transport, new GisAccount(transport, r.GetString(1), house, r.GetString(2), decimal.Round(r.GetDecimal(3), 2), r.GetDecimal(4),
                r.IsDBNull(5) ? null : r.GetInt32(5), Text(r, 6), Text(r, 7), Text(r, 8), guids.TryGetValue(id, out var g) ? g : null)));
        }
        return list;
    }

    /// <summary>The building's issued documents of the month (the monthly ЕПД and the advance one), each for an account placed.</summary>
    private static async Task<List<PackageObject>> DocumentsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long buildingId, BillingPeriod month,
        GisSettings settings, List<string> skipped, string address, CancellationToken ct)
    {
        var guids = await AccountGuidsAsync(conn, tx, buildingId, ct);
        var services = new Dictionary<string, (string Code, ServiceKind Kind)>();
        await using (var cmd = new NpgsqlCommand("SELECT name, code, kind FROM services", conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) services[r.GetString(0)] = (r.GetString(1), (ServiceKind)r.GetInt32(2));
        var rows = new List<(long Id, long Account, string Number, string? Replaces, UnifiedPaymentDocument Document)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT r.id, r.account_id, a.number, r.document::text,
                   (SELECT o.gis_number FROM gis_objects o JOIN gis_packages g ON g.id = o.package_id
                    WHERE g.kind = @documents AND o.object_id = r.id AND o.state = @accepted ORDER BY g.id DESC LIMIT 1)
            FROM receipts r JOIN personal_accounts a ON a.id = r.account_id
            WHERE r.month = @m AND r.building_id = @b AND r.kind IN (@monthly, @advance) ORDER BY r.id
            """, conn, tx))
        {
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
            cmd.Parameters.Add(new NpgsqlParameter<short>("documents", (short)GisPackageKind.PaymentDocuments));
            cmd.Parameters.Add(new NpgsqlParameter<short>("accepted", (short)GisObjectState.Accepted));
            cmd.Parameters.Add(new NpgsqlParameter<short>("monthly", (short)ReceiptKind.Monthly));
            cmd.Parameters.Add(new NpgsqlParameter<short>("advance", (short)ReceiptKind.Advance));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2), Text(r, 4), ReceiptIssuing.Deserialize(r.GetString(3))));
        }
        if (rows.Count == 0) skipped.Add($"{address}: платёжные документы за {month.Name()} не выпущены");
        var list = new List<PackageObject>();
        var unplaced = new List<string>();
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (id, account, number, replaces, d) in rows)
        {
            if (!guids.TryGetValue(account, out var accountGuid))
            {
                unplaced.Add(number);
                continue;
            }
            var charges = new List<GisCharge>();
            // An advance not divided among services is no service line: it counts in the document's debt or advance only.
            var lines = d.Services.Where(s => services.ContainsKey(s.Service)).ToList();
            foreach (var s in lines)
            {
                var (code, serviceKind) = services[s.Service];
                if (!settings.ServiceTypes.TryGetValue(code, out var type))
                {
                    missing.Add(s.Service);
                    continue;
                }
                decimal debt = s.Opening - s.Paid;
                charges.Add(new GisCharge(serviceKind == ServiceKind.Housing, type.Code, type.Guid, s.Rate, s.Volume, s.CommonProperty ? 'O' : 'I',
                    s.Method switch { "М" => 'M', "Н" => 'N', _ => 'O' }, s.Charged, s.Recalculated,
                    d.Recalculations.Where(x => x.Service == s.Service).Select(x => x.Reason).FirstOrDefault(), debt, s.Penalties, s.ForPeriod, s.ToPay));
            }
            if (charges.Count != lines.Count) continue;
            decimal previous = d.Services.Sum(s => s.Opening - s.Paid);
            var transport = Guid.NewGuid();
            list.Add(new PackageObject(id, transport, new GisPaymentDocument(transport, accountGuid, d.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                charges, Math.Max(previous, 0m), Math.Max(-previous, 0m), d.PaymentsUntil.Day, d.Totals.Penalties, lines.Sum(s => s.ForPeriod),
                d.Totals.Closing, replaces)));
        }
        if (unplaced.Count > 0)
            skipped.Add($"{address}: лицевые счета не размещены в ГИС ЖКХ, их документы не подготовлены: {string.Join(", ", unplaced.Take(20))}" +
                        (unplaced.Count > 20 ? $" и ещё {unplaced.Count - 20}" : ""));
        if (missing.Count > 0)
            skipped.Add($"{address}: для услуг {string.Join(", ", missing.Select(m => $"«{m}»"))} не задан код справочника услуг ГИС ЖКХ " +
                        "(OpenErc:Gis:ServiceTypes) — документы с ними не подготовлены");
        return list;
    }

    /// <summary>The month's payments taken by the centre's own cash desk for the building's accounts (banks place theirs themselves, §6.1).</summary>
    private static async Task<List<PackageObject>> PaymentsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long buildingId, BillingPeriod month,
        CancellationToken ct)
    {
        var guids = await AccountGuidsAsync(conn, tx, buildingId, ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT y.id, y.account_id, a.number, y.received_on, y.amount, coalesce(y.period, @m),
                   (SELECT o.gis_number FROM gis_objects o JOIN gis_packages g ON g.id = o.package_id JOIN receipts r ON r.id = o.object_id
                    WHERE g.kind = @documents AND o.state = @accepted AND r.account_id = y.account_id AND r.month = coalesce(y.period, @prev)
                    ORDER BY g.id DESC LIMIT 1)
            FROM payments y JOIN personal_accounts a ON a.id = y.account_id JOIN premises p ON p.id = a.premise_id
            WHERE y.booking_month = @m AND p.building_id = @b AND y.channel = @cash AND y.corrects IS NULL
            ORDER BY y.id
            """, conn, tx);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(MonthParameter("prev", month.Previous()));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<short>("cash", (short)PaymentChannel.CashDesk));
        cmd.Parameters.Add(new NpgsqlParameter<short>("documents", (short)GisPackageKind.PaymentDocuments));
        cmd.Parameters.Add(new NpgsqlParameter<short>("accepted", (short)GisObjectState.Accepted));
        var list = new List<PackageObject>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var transport = Guid.NewGuid();
            long account = r.GetInt64(1);
            string number = r.GetString(2);
            var period = r.GetMonth(5);
            list.Add(new PackageObject(r.GetInt64(0), transport, new GisPayment(transport, number, guids.TryGetValue(account, out var g) ? g : null, Text(r, 6),
                r.GetFieldValue<DateOnly>(3), r.GetDecimal(4), period, $"Оплата ЖКУ по лицевому счёту {number} за {period.Name()}")));
        }
        return list;
    }

    /// <summary>The last reading in the month of each zone of the building's individual meters, a meter's zones together.</summary>
    private static async Task<List<PackageObject>> ReadingsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long buildingId, BillingPeriod month,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT ON (m.id, r.zone) m.id, coalesce(a.number, (SELECT min(x.number) FROM personal_accounts x WHERE x.premise_id = m.premise_id)),
                   m.serial_number, m.resource, m.zones, r.zone, r.read_on, r.value
            FROM meters m JOIN meter_readings r ON r.meter_id = m.id LEFT JOIN personal_accounts a ON a.id = m.account_id
            WHERE m.building_id = @b AND m.kind IN (@individual, @room) AND r.read_on >= @first AND r.read_on < @end
            ORDER BY m.id, r.zone, r.read_on DESC
            """, conn, tx);
        cmd.Parameters.AddMonthDays(month, "first", "end");
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<int>("individual", (int)MeterKind.Individual));
        cmd.Parameters.Add(new NpgsqlParameter<int>("room", (int)MeterKind.CommunalFlat));
        var rows = new List<(long Meter, string? Account, string Serial, Resource Resource, int Zones, int Zone, DateOnly On, decimal Value)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rows.Add((r.GetInt64(0), Text(r, 1), r.GetString(2), (Resource)r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetFieldValue<DateOnly>(6), r.GetDecimal(7)));
        var list = new List<PackageObject>();
        foreach (var meter in rows.Where(x => x.Account is not null).GroupBy(x => x.Meter))
        {
            var first = meter.First();
            if (meter.Count() != first.Zones) continue; // a value of every zone, or the meter waits for the month's full reading
            var transport = Guid.NewGuid();
            list.Add(new PackageObject(meter.Key, transport, new GisReading(transport, first.Account!, first.Serial, first.Resource.Title(), meter.Max(x => x.On),
                meter.OrderBy(x => x.Zone).Select(x => x.Value).ToList())));
        }
        return list;
    }

    public static async Task<IReadOnlyList<GisPackageInfo>> ListAsync(string connectionString, BillingPeriod? month, GisPackageKind? kind,
        CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return await ListAsync(conn, month, kind, null, ct);
    }

    /// <summary>The packages of a month (or the ones named), newest first, at most 1,000.</summary>
    private static async Task<IReadOnlyList<GisPackageInfo>> ListAsync(NpgsqlConnection conn, BillingPeriod? month, GisPackageKind? kind, long[]? ids,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT g.id, g.kind, g.month, g.building_id, b.address, g.state, g.objects,
                   (SELECT count(*) FILTER (WHERE o.state = @accepted)::int FROM gis_objects o WHERE o.package_id = g.id),
                   (SELECT count(*) FILTER (WHERE o.state = @rejected)::int FROM gis_objects o WHERE o.package_id = g.id),
                   g.prepared_at, g.message_guid, g.error
            FROM gis_packages g JOIN buildings b ON b.id = g.building_id
            WHERE (@m::date IS NULL OR g.month = @m) AND (@kind::smallint IS NULL OR g.kind = @kind) AND (@ids::bigint[] IS NULL OR g.id = ANY(@ids))
            ORDER BY g.id DESC LIMIT 1000
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<short?>("kind", (short?)kind) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Smallint });
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)ids ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<short>("accepted", (short)GisObjectState.Accepted));
        cmd.Parameters.Add(new NpgsqlParameter<short>("rejected", (short)GisObjectState.Rejected));
        var list = new List<GisPackageInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new GisPackageInfo(r.GetInt64(0), (GisPackageKind)r.GetInt16(1), r.GetMonth(2), r.GetInt64(3), r.GetString(4), (GisPackageState)r.GetInt16(5),
                r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetFieldValue<DateTimeOffset>(9), r.IsDBNull(10) ? null : r.GetGuid(10), Text(r, 11)));
        return list;
    }

    /// <summary>A package's unsigned request, for the gateway to sign and send (or for a person to read).</summary>
    public static async Task<(GisPackageKind Kind, BillingPeriod Month, byte[] Payload)?> PayloadAsync(string connectionString, long id, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT kind, month, payload FROM gis_packages WHERE id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ((GisPackageKind)r.GetInt16(0), r.GetMonth(1), r.GetFieldValue<byte[]>(2)) : null;
    }

    /// <summary>The gateway sent the package: its acknowledgement's <c>MessageGUID</c> (the key of <c>getState</c>). Again with the same id changes nothing.</summary>
    public static async Task MarkSentAsync(string connectionString, long id, Guid messageGuid, RegionClock clock, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            UPDATE gis_packages SET state = @sent, sent_at = @now, message_guid = @message WHERE id = @id AND state = @prepared;
            SELECT state, message_guid FROM gis_packages WHERE id = @id;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<short>("sent", (short)GisPackageState.Sent));
        cmd.Parameters.Add(new NpgsqlParameter<short>("prepared", (short)GisPackageState.Prepared));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("message", messageGuid));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        await using var r = await cmd.ExecuteReaderAsync(ct); // the UPDATE has no result set: the first one is the SELECT's
        if (!await r.ReadAsync(ct)) throw new GisException($"Пакет {id} не найден", 404);
        var state = (GisPackageState)r.GetInt16(0);
        if (state != GisPackageState.Sent || r.GetGuid(1) != messageGuid)
            throw new GisException($"Пакет {id} уже {state.Title().ToLowerInvariant()}: отметить отправку можно только у подготовленного");
    }

    /// <summary>
    /// The state system's answers about a sent package's objects: each object taken (its GUID and number there) or refused
    /// (its error). An account taken brings its ЕЛС and ИЖКУ as its other numbers. When every object is answered the
    /// package is placed, or refused with the reasons when any was refused. An answer about an object of another package,
    /// or of an unknown one, refuses the whole answer; the same answer again changes nothing.
    /// </summary>
    public static async Task<GisPackageInfo> ApplyResultsAsync(OpenErcDbContext db, long id, IReadOnlyList<GisObjectResult> results, RegionClock clock, string by,
        CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var ntx = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        GisPackageKind kind;
        await using (var cmd = new NpgsqlCommand("SELECT kind, state FROM gis_packages WHERE id = @id FOR UPDATE", conn, ntx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new GisException($"Пакет {id} не найден", 404);
            kind = (GisPackageKind)r.GetInt16(0);
            if ((GisPackageState)r.GetInt16(1) == GisPackageState.Prepared) throw new GisException($"Пакет {id} ещё не отправлен: ответ ГИС ЖКХ на него не принимается");
        }
        var objects = new Dictionary<Guid, long>();
        await using (var cmd = new NpgsqlCommand("SELECT transport_guid, object_id FROM gis_objects WHERE package_id = @id", conn, ntx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) objects[r.GetGuid(0)] = r.GetInt64(1);
        }
        var errors = new List<string>();
        foreach (var x in results)
        {
            if (!objects.ContainsKey(x.TransportGuid)) errors.Add($"TransportGUID {x.TransportGuid} не из пакета {id}");
            else if (x.Error is null && kind != GisPackageKind.Readings && x.Guid is null && x.Number is null)
                errors.Add($"TransportGUID {x.TransportGuid}: нет ни идентификатора ГИС ЖКХ, ни ошибки");
        }
        if (results.Select(x => x.TransportGuid).Distinct().Count() != results.Count) errors.Add("Один TransportGUID в ответе дважды");
        if (errors.Count > 0) throw new GisException("Ответ не принят: " + string.Join("; ", errors), 400);

        if (kind == GisPackageKind.Accounts)
        {
            var numbers = await db.Accounts.Where(a => objects.Values.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Number, ct);
            var identifiers = results.Where(x => x.Error is null && (x.Number is not null || x.ServiceId is not null))
                .Select(x => new GisIdentifiers(x.TransportGuid.ToString(), numbers[objects[x.TransportGuid]], x.Number, x.ServiceId)).ToList();
            var (_, refused) = await GisAccounts.ImportIdentifiersAsync(db, identifiers, by, ct, ownTransaction: false);
            if (refused.Count > 0) throw new GisException("Ответ не принят: " + string.Join("; ", refused.Select(e => e.ToString())), 400);
        }
        await using (var cmd = new NpgsqlCommand("""
            UPDATE gis_objects o SET state = CASE WHEN x.error IS NULL THEN @accepted ELSE @rejected END, gis_guid = x.guid, gis_number = x.number, error = x.error
            FROM unnest(@t, @g, @n, @e) AS x (t, guid, number, error) WHERE o.transport_guid = x.t;
            UPDATE gis_packages g SET answered_at = @now,
                   state = CASE WHEN s.pending > 0 THEN g.state WHEN s.rejected > 0 THEN @refused ELSE @placed END,
                   error = CASE WHEN s.rejected > 0 THEN 'Отклонено ' || s.rejected || ' из ' || g.objects || ': ' || s.first_error END
            FROM (SELECT count(*) FILTER (WHERE state = @pending) AS pending, count(*) FILTER (WHERE state = @rejected) AS rejected,
                         min(error) FILTER (WHERE state = @rejected) AS first_error
                  FROM gis_objects WHERE package_id = @id) s
            WHERE g.id = @id;
            """, conn, ntx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("t", results.Select(x => x.TransportGuid).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<Guid?[]>("g", results.Select(x => x.Error is null ? x.Guid : null).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<string?[]>("n", results.Select(x => x.Error is null ? x.Number : null).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<string?[]>("e", results.Select(x => x.Error is { } e ? e.Trim()[..Math.Min(e.Trim().Length, 1000)] : null).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            foreach (var (name, state) in new[] { ("accepted", (short)GisObjectState.Accepted), ("rejected", (short)GisObjectState.Rejected),
                         ("pending", (short)GisObjectState.Pending), ("refused", (short)GisPackageState.Refused), ("placed", (short)GisPackageState.Placed) })
                cmd.Parameters.Add(new NpgsqlParameter<short>(name, state));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var package = (await ListAsync(conn, null, null, [id], ct)).Single(); // read in the transaction: EF closes the connection after it
        await tx.CommitAsync(ct);
        return package;
    }

    /// <summary>Each building's latest package of each kind for the month: what the month dashboard shows.</summary>
    public static async Task<IReadOnlyList<GisPackageInfo>> MonthStatesAsync(string connectionString, BillingPeriod month, CancellationToken ct = default)
    {
        var all = await ListAsync(connectionString, month, null, ct);
        return all.GroupBy(p => (p.BuildingId, p.Kind)).Select(g => g.First()).OrderBy(p => p.Address, StringComparer.Ordinal).ThenBy(p => p.Kind).ToList();
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
