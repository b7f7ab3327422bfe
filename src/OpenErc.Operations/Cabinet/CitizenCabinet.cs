using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Payments;
using OpenErc.Storage;

namespace OpenErc.Operations.Cabinet;

/// <summary>An account of a citizen's cabinet with what is owed on it today.</summary>
public sealed record CabinetAccount(long Id, string Number, string Address, string? Payer, long BuildingId, decimal Debt, decimal Advance)
{
    public decimal ToPay => Math.Max(Debt - Advance, 0m);
}

/// <summary>What the account owes each supplier today (debt) and has paid ahead (advance).</summary>
public sealed record SupplierDebt(long? SupplierId, string Supplier, decimal Debt, decimal Advance);

/// <summary>A reading in a meter's history.</summary>
public sealed record CabinetReading(DateOnly ReadOn, int Zone, decimal Value, ReadingSource Source);

/// <summary>A meter of the account's premise with its history, newest first.</summary>
public sealed record CabinetMeter(long Id, string SerialNumber, Resource Resource, int Zones, int Digits, DateOnly? NextVerificationOn, bool VerificationExpired,
    IReadOnlyList<CabinetReading> Readings);

/// <summary>The volume of a metered service in a month, and the norm volume for the residents of that month (null when the norm is not one row).</summary>
/// <summary>A payment of the cabinet's archive with how it was allocated (service, supplier, month).</summary>
public sealed record CabinetPayment(long Id, DateTimeOffset PaidAt, DateOnly ReceivedOn, PaymentChannel Channel, string Agent, decimal Amount,
    PaymentStatus Status, IReadOnlyList<PaymentLine> Lines);

public sealed record ConsumptionPoint(BillingPeriod Month, string Service, string Unit, decimal Volume, decimal? NormVolume);

/// <summary>
/// What the citizen cabinet shows: the person's accounts with their balance, the balance by supplier, the meters with
/// their readings, and consumption by month against the norm. The same queries serve the cabinet's pages and its API.
/// </summary>
public static class CitizenCabinet
{
    public static async Task<List<CabinetAccount>> AccountsAsync(OpenErcDbContext db, long[] ids, DateOnly today, CancellationToken ct = default)
    {
        var rows = await (
            from a in db.Accounts
            where ids.Contains(a.Id)
            join p in db.Premises on a.PremiseId equals p.Id
            join b in db.Buildings on p.BuildingId equals b.Id
            from payer in db.People.Where(x => x.Id == a.PayerPersonId).DefaultIfEmpty()
            orderby a.Number
            select new { a.Id, a.Number, b.Address, Premise = p.Number, Payer = payer == null ? null : payer.FullName, BuildingId = b.Id }).ToListAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var books = await DebtLedger.LoadAsync(conn, ids, lockAccounts: false, ct);
        return rows.Select(r =>
        {
            var book = books.Book(r.Id, today);
            return new CabinetAccount(r.Id, r.Number, $"{r.Address}, кв. {r.Premise}", r.Payer, r.BuildingId, book.Debt, book.Advance);
        }).ToList();
    }

    public static async Task<List<SupplierDebt>> BySupplierAsync(NpgsqlConnection conn, long accountId, DateOnly today, CancellationToken ct = default)
    {
        var book = (await DebtLedger.LoadAsync(conn, [accountId], lockAccounts: false, ct)).Book(accountId, today);
        // Supplier 0: an advance not yet split by supplier.
        var debts = book.Chunks.GroupBy(c => c.SupplierId).ToDictionary(g => g.Key, g => g.Sum(c => c.Outstanding));
        var advances = book.Advances.GroupBy(a => a.SupplierId ?? 0).ToDictionary(g => g.Key, g => g.Sum(a => a.Amount));
        var suppliers = debts.Keys.Union(advances.Keys).ToList();
        var ids = suppliers.ToArray();
        var names = new Dictionary<long, string>();
        await using (var cmd = new NpgsqlCommand("SELECT id, coalesce(short_name, name) FROM organisations WHERE id = ANY(@ids)", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) names[r.GetInt64(0)] = r.GetString(1);
        }
        return suppliers
            .Select(s => new SupplierDebt(s == 0 ? null : s, s != 0 ? names.GetValueOrDefault(s, $"Поставщик {s}") : "Аванс, не распределённый по поставщикам",
                debts.GetValueOrDefault(s), advances.GetValueOrDefault(s)))
            .Where(b => b.Debt != 0 || b.Advance != 0)
            .OrderByDescending(b => b.Debt).ThenBy(b => b.Supplier, StringComparer.Ordinal).ToList();
    }

    public static async Task<List<CabinetMeter>> MetersAsync(OpenErcDbContext db, long accountId, DateOnly today, int readings = 24, CancellationToken ct = default)
    {
        var premiseId = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.PremiseId).SingleAsync(ct);
        var meters = await db.Meters.AsNoTracking()
            .Where(m => (m.PremiseId == premiseId || m.AccountId == accountId) && (m.RemovedOn == null || m.RemovedOn > today))
            .OrderBy(m => m.Resource).ThenBy(m => m.SerialNumber).ToListAsync(ct);
        var ids = meters.Select(m => m.Id).ToArray();
        var history = readings == 0 ? [] : await db.MeterReadings.AsNoTracking().Where(r => ids.Contains(r.MeterId))
            .OrderByDescending(r => r.ReadOn).ThenBy(r => r.Zone).ToListAsync(ct);
        return meters.Select(m => new CabinetMeter(m.Id, m.SerialNumber, m.Resource, m.Zones, m.Digits, m.NextVerificationOn, m.VerificationExpired(today),
            history.Where(r => r.MeterId == m.Id).Take(readings * m.Zones).Select(r => new CabinetReading(r.ReadOn, r.Zone, r.Value, r.Source)).ToList())).ToList();
    }

    /// <summary>
    /// Monthly volumes of the account's volume-charged services (by service month, recalculations included), with the
    /// norm volume of the month: the norm per person in force on the month's first day × the residents that day, when
    /// the service has one norm row for the building's municipality (several categories: the choice is the charge
    /// run's, and no line is drawn).
    /// </summary>
    public static async Task<List<ConsumptionPoint>> ConsumptionAsync(NpgsqlConnection conn, long accountId, int months = 12, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            WITH volumes AS (
                SELECT l.service_month, l.service_id, max(l.unit) AS unit, sum(l.volume) AS volume
                FROM charge_line_details l
                WHERE (l.booking_month, l.building_id, l.run_id) IN (SELECT booking_month, building_id, run_id FROM charge_lines WHERE account_id = @a AND kind IN (0, 4))
                  AND l.account_id = @a AND l.kind IN (0, 4) AND l.source IN (1, 2, 3)
                GROUP BY l.service_month, l.service_id
            ), recent AS (
                SELECT * FROM volumes WHERE service_month >= (SELECT max(service_month) FROM volumes) - make_interval(months => @m - 1)
            ), account AS (
                SELECT a.id, b.municipality_id FROM personal_accounts a JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id WHERE a.id = @a
            )
            SELECT v.service_month, s.name, v.unit, v.volume,
                   (SELECT CASE WHEN count(*) = 1 THEN max(n.value) END
                    FROM consumption_norms n, account x
                    WHERE n.service_id = v.service_id AND n.category <> 'heat_energy' AND n.valid_from <= v.service_month
                      AND (n.valid_to IS NULL OR n.valid_to >= v.service_month)
                      AND (n.municipality_id = x.municipality_id OR (n.municipality_id IS NULL AND NOT EXISTS (
                           SELECT 1 FROM consumption_norms m WHERE m.service_id = v.service_id AND m.municipality_id = x.municipality_id))))
                   * (SELECT r.count FROM resident_counts r WHERE r.account_id = @a AND r.valid_from <= v.service_month
                        AND (r.valid_to IS NULL OR r.valid_to >= v.service_month) ORDER BY r.valid_from DESC LIMIT 1)
            FROM recent v JOIN services s ON s.id = v.service_id
            WHERE v.volume <> 0
            ORDER BY v.service_month, s.name
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        cmd.Parameters.Add(new NpgsqlParameter<int>("m", months));
        var points = new List<ConsumptionPoint>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            points.Add(new(r.GetMonth(0), r.GetString(1), r.GetString(2), r.GetDecimal(3), r.IsDBNull(4) ? null : r.GetDecimal(4)));
        return points;
    }
    /// <summary>The account's last 100 payments, every channel and correction, each with its allocation lines.</summary>
    public static async Task<List<CabinetPayment>> PaymentsAsync(string connectionString, long accountId, CancellationToken ct = default)
    {
        var page = await PaymentSearch.FindAsync(connectionString, new PaymentFilter(AccountId: accountId), pageSize: 100, ct: ct);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var lines = await PaymentSearch.LinesAsync(conn, page.Items.Select(p => p.Id).ToArray(), ct);
        return page.Items.Select(p => new CabinetPayment(p.Id, p.PaidAt, p.ReceivedOn, p.Channel, p.Agent, p.Amount, p.Status,
            lines.GetValueOrDefault(p.Id) ?? [])).ToList();
    }
}

/// <summary>A notice of the cabinet: what happened, when, and about which account.</summary>
public sealed record CabinetNotice(DateOnly On, string Kind, string Text, string? AccountNumber);

public static class CabinetNotices
{
    /// <summary>
    /// The notices of a person's accounts on the region's day (<paramref name="clock"/>), dated in its zone: announcements in force for their buildings (by the
    /// building, its managing organisation, or for everyone), documents issued in the last 90 days, answers to their
    /// requests, meters whose verification is due within 30 days or overdue, and — to <paramref name="userId"/> — the cabinet
    /// users who joined one of its accounts after it in the last 90 days. Newest first.
    /// </summary>
    public static async Task<List<CabinetNotice>> ForAsync(OpenErcDbContext db, IReadOnlyList<CabinetAccount> accounts, RegionClock clock, CancellationToken ct = default,
        long? userId = null)
    {
        var today = clock.Today;
        var notices = new List<CabinetNotice>();
        var ids = accounts.Select(a => a.Id).ToArray();
        var buildings = accounts.Select(a => a.BuildingId).Distinct().ToArray();
        var managers = await db.BuildingManagements.Where(m => buildings.Contains(m.BuildingId) && m.ValidFrom <= today && (m.ValidTo == null || m.ValidTo >= today))
            .Select(m => m.OrganisationId).ToArrayAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var a in await Receipts.Announcements.ListAsync(conn, ct))
            if (a.ValidFrom <= today && (a.ValidTo is null || a.ValidTo >= today) &&
                (a.BuildingId is { } b ? buildings.Contains(b) : a.OrganisationId is not { } o || managers.Contains(o)))
                notices.Add(new(a.ValidFrom, "Объявление", a.Text, null));

        await using (var cmd = new NpgsqlCommand("""
            SELECT r.issued_on, r.month, a.number FROM receipts r JOIN personal_accounts a ON a.id = r.account_id
            WHERE r.account_id = ANY(@ids) AND r.issued_on >= @since
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("since", today.AddDays(-90)));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                notices.Add(new(r.GetFieldValue<DateOnly>(0), "Платёжный документ",
                    $"Выставлен платёжный документ за {r.GetMonth(1).Name()}", r.GetString(2)));
        }
        if (userId is { } me)
            await using (var cmd = new NpgsqlCommand("""
                SELECT other.linked_at, u.user_name, a.number FROM cabinet_accounts mine
                JOIN cabinet_accounts other ON other.account_id = mine.account_id AND other.user_id <> mine.user_id AND other.linked_at > mine.linked_at
                JOIN users u ON u.id = other.user_id JOIN personal_accounts a ON a.id = mine.account_id
                WHERE mine.user_id = @me AND other.linked_at >= @since
                """, conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter<long>("me", me));
                cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", clock.StartOf(today.AddDays(-90)).ToUniversalTime()));
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                    notices.Add(new(clock.DateOf(r.GetFieldValue<DateTimeOffset>(0)), "Новый пользователь",
                        $"К лицевому счёту {r.GetString(2)} подключён новый пользователь личного кабинета: {MaskLogin(r.GetString(1))}", r.GetString(2)));
            }
        foreach (var request in await CitizenRequests.ListAsync(conn, ids, ct: ct))
            if (request.AnsweredAt is { } answered)
                notices.Add(new(clock.DateOf(answered), "Ответ на обращение",
                    $"Обращение №{request.Id}: {request.Status.Title().ToLowerInvariant()}{(request.Answer is { } text ? ". " + text : "")}", request.AccountNumber));
        foreach (var account in accounts)
            foreach (var meter in await CitizenCabinet.MetersAsync(db, account.Id, today, readings: 0, ct))
                if (meter.NextVerificationOn is { } due && due <= today.AddDays(30))
                    notices.Add(new(today, "Поверка прибора учёта", meter.VerificationExpired
                        ? $"Срок поверки прибора {meter.SerialNumber} истёк {due:dd.MM.yyyy}: до поверки начисление идёт не по показаниям"
                        : $"Срок поверки прибора {meter.SerialNumber} — {due:dd.MM.yyyy}", account.Number));
        return notices.OrderByDescending(n => n.On).ToList();
    }

    /// <summary>Another person's login as a notice shows it: «i***@example.ru», «+7 *** ***-**-67».</summary>
    public static string MaskLogin(string login) =>
        login.IndexOf('@') is var at and > 0 ? login[0] + "***" + login[at..]
        : login.Length > 2 ? "+7 *** ***-**-" + login[^2..] : "***";
}
