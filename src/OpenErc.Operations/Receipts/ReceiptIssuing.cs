using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Receipts;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Payments;

using OpenErc.Operations.Security;

namespace OpenErc.Operations.Receipts;

/// <summary>
/// The stored form of a document (<c>receipts.document</c>): generated at build time, since every print reads a
/// building's documents back; empty values are left out.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(BillingPeriodJsonConverter)])]
[JsonSerializable(typeof(UnifiedPaymentDocument))]
internal sealed partial class ReceiptJson : JsonSerializerContext;

/// <summary>A refusal to issue or print a payment document, in Russian; <see cref="NotFound"/> when what was asked for does not exist.</summary>
public sealed class ReceiptException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}

/// <summary>Settings of the payment documents (section <c>OpenErc:Receipts</c> of the host's configuration).</summary>
public sealed record ReceiptSettings
{
    /// <summary>ИНН of the organisation whose account collects the money (the QR payee); by default the one billing centre with bank requisites.</summary>
    public string? PayeeInn { get; init; }

    /// <summary>How <c>PaymPeriod</c> is written in the QR code (epd-and-qr.md §4.5 [uncertain]).</summary>
    public string PeriodFormat { get; init; } = "MMyyyy";

    /// <summary>Opening hours of the centre's office, printed in Раздел 1.</summary>
    public string? OfficeHours { get; init; }

    public string? Website { get; init; }

    /// <summary>The region's cap index of the growth of citizens' payments, %, printed in Раздел 4.</summary>
    public decimal? CapIndex { get; init; }
}

/// <summary>
/// Issues payment documents: for a closed month, reads what the ledger holds for each account of a building — the
/// balances per service and supplier (opening, charged, recalculated, penalties, paid, closing), the month's charge lines
/// for volumes, tariffs and recalculations, the meters and their readings, the executor, the recipients and the
/// announcements — freezes it as a <see cref="UnifiedPaymentDocument"/> and stores it in <c>receipts</c> (insert-only).
/// A building is read in a handful of set queries whatever its size. The totals are the ledger's own: the document's
/// closing is the sum of the account's closing balances.
/// </summary>
public static class ReceiptIssuing
{
    internal static readonly JsonSerializerOptions Json = ReceiptJson.Default.Options;

    /// <summary>The documents' constant parts: the collecting payee and the settings, read once per print.</summary>
    public sealed record Context(ReceiptParty Payee, QrPayee QrPayee, ReceiptSettings Settings, string IssuedBy, DateOnly IssuedOn);

    public static async Task<Context> ContextAsync(NpgsqlConnection conn, ReceiptSettings settings, string issuedBy, DateOnly issuedOn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT name, inn, kpp, legal_address, phone, email, bank_name, settlement_account, bik, correspondent_account, coalesce(short_name, name)
            FROM organisations
            WHERE (@inn::text IS NULL AND kind = @centre OR inn = @inn) AND settlement_account IS NOT NULL
            ORDER BY id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("inn", settings.PayeeInn) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<int>("centre", (int)OrganisationKind.BillingCentre));
        var found = new List<ReceiptParty>();
        string shortName = "";
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                found.Add(Party(r, 0) with { OfficeHours = settings.OfficeHours, Website = settings.Website });
                shortName = r.GetString(10);
            }
        if (found.Count == 0)
            throw new ReceiptException(settings.PayeeInn is null
                ? "Не найден расчётный центр с банковскими реквизитами: укажите в карточке центра расчётный счёт, на который принимаются платежи"
                : $"Не найдена организация с ИНН {settings.PayeeInn} и банковскими реквизитами для приёма платежей");
        if (found.Count > 1)
            throw new ReceiptException("Расчётных центров с банковскими реквизитами несколько: укажите ИНН получателя платежей в настройке OpenErc:Receipts:PayeeInn");
        var p = found[0];
        // The short name in the QR code: a bank app shows it to the payer, and a shorter string is a smaller symbol
        // that phones read more easily (epd-and-qr.md §4.2: keep names short).
        var qr = new QrPayee(shortName, p.SettlementAccount!, p.BankName ?? "", p.Bic ?? "", p.CorrespondentAccount ?? "", p.Inn, p.Kpp ?? "");
        return new Context(p, qr, settings, issuedBy, issuedOn);
    }

    /// <summary>Refuses a month that is not closed: a document shows the month's final balances.</summary>
    public static async Task EnsureClosedAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT state FROM billing_periods WHERE month = @m", conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        if (await cmd.ExecuteScalarAsync(ct) as string != "closed")
            throw new ReceiptException($"Месяц {month.Name()} не закрыт: платёжные документы выпускаются за закрытый месяц");
    }

    /// <summary>
    /// Issues the month's documents of the building's accounts that have none yet (all of them, or the one given)
    /// and returns how many were issued. Safe to run twice or side by side: a document already issued stays as it is.
    /// With <paramref name="debtAtLeast"/>, issues debt notices instead, to the accounts whose closing balance of the
    /// month is at least that much.
    /// </summary>
    public static async Task<int> IssueBuildingAsync(NpgsqlConnection conn, Context context, BillingPeriod month, long buildingId,
        long? accountId = null, decimal? debtAtLeast = null, CancellationToken ct = default)
    {
        var accounts = await AccountsAsync(conn, month, buildingId, accountId, debtAtLeast, ct);
        if (accounts.Count == 0) return 0;
        var ids = accounts.Select(a => a.Id).ToArray();
        var balances = await BalancesAsync(conn, month, ids, ct);
        var lines = await LinesAsync(conn, month, buildingId, ct);
        var meters = await MetersAsync(conn, month, buildingId, ct);
        var lastPayments = await LastPaymentsAsync(conn, month, ids, ct);
        var (executor, announcements) = await ExecutorAsync(conn, month, buildingId, ct);
        var names = await Catalogue.LoadAsync(conn, ct);
        var codes = await CabinetCodes.EnsureAsync(conn, ids, ct);
        var subsidies = await SubsidiesAsync(conn, month, ids, ct);

        var volumes = lines.Where(l => l.Kind == ChargeLineKind.Charge && l.ServiceMonth == month)
            .GroupBy(l => l.ServiceId).ToDictionary(g => g.Key, g => g.Sum(l => l.Volume));
        var linesByAccount = lines.ToLookup(l => l.AccountId);
        // A meter belongs to its account, or, with none named, to every account of its premise (a shared flat).
        var metersByAccount = meters.Where(m => m.AccountId is not null).ToLookup(m => m.AccountId!.Value, m => m.Meter);
        var metersByPremise = meters.Where(m => m.AccountId is null).ToLookup(m => m.PremiseId, m => m.Meter);
        var numbers = await NumbersAsync(conn, accounts.Count, ct);
        var documents = new List<UnifiedPaymentDocument>(accounts.Count);
        for (int i = 0; i < accounts.Count; i++)
        {
            var a = accounts[i];
            documents.Add(Build(context, month, numbers[i], a, balances.TryGetValue(a.Id, out var b) ? b : [], linesByAccount[a.Id].ToList(),
                metersByAccount[a.Id].Concat(metersByPremise[a.PremiseId]).ToList(),
                lastPayments.GetValueOrDefault(a.Id), executor, announcements, volumes, names, codes[a.Id], debtAtLeast is not null)
                with { Subsidies = subsidies.GetValueOrDefault(a.Id) });
        }
        return await StoreAsync(conn, context, buildingId, accounts, documents, ct);
    }

    /// <summary>
    /// Issues the closed month's documents of every building that has none yet, <paramref name="parallelism"/> buildings at
    /// a time (default: one per core), and returns how many were issued. Nothing is rendered: the account card, the cabinet
    /// and <see cref="ReceiptPrinting"/> render an issued document when it is asked for, always the same file.
    /// </summary>
    public static async Task<long> IssueMonthAsync(string connectionString, BillingPeriod month, ReceiptSettings settings, string issuedBy, DateOnly today,
        int parallelism = 0, CancellationToken ct = default)
    {
        Context context;
        var buildings = new List<long>();
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await EnsureClosedAsync(conn, month, ct);
            context = await ContextAsync(conn, settings, issuedBy, today, ct);
            await using var cmd = new NpgsqlCommand("SELECT id FROM buildings ORDER BY id", conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) buildings.Add(r.GetInt64(0));
        }
        long issued = 0;
        await Parallel.ForEachAsync(buildings,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = ct },
            async (building, token) =>
            {
                await using var conn = new NpgsqlConnection(connectionString);
                await conn.OpenAsync(token);
                Interlocked.Add(ref issued, await IssueBuildingAsync(conn, context, month, building, ct: token));
            });
        return issued;
    }

    /// <summary>The issued documents of a month (one building, or one account), in the print shop's order: entrance, then flat.</summary>
    /// <param name="debtNotices">The debt notices instead of the monthly documents.</param>
    public static async Task<IReadOnlyList<UnifiedPaymentDocument>> LoadAsync(NpgsqlConnection conn, BillingPeriod month, long? buildingId, long? accountId,
        CancellationToken ct = default, bool debtNotices = false)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.document::text
            FROM receipts r
            JOIN personal_accounts a ON a.id = r.account_id
            JOIN premises p ON p.id = a.premise_id
            WHERE r.month = @m AND r.kind = ANY (@kinds) AND (@b::bigint IS NULL OR r.building_id = @b) AND (@a::bigint IS NULL OR r.account_id = @a)
            ORDER BY p.entrance NULLS LAST, length(p.number), p.number, a.number
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("kinds", Kinds(debtNotices)));
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter("b", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)buildingId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)accountId ?? DBNull.Value });
        var list = new List<UnifiedPaymentDocument>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(Deserialize(r.GetString(0)));
        return list;
    }

    public static UnifiedPaymentDocument Deserialize(string json) =>
        JsonSerializer.Deserialize(json, ReceiptJson.Default.UnifiedPaymentDocument) ?? throw new InvalidOperationException("empty receipt document");

    /// <summary>
    /// The account's document of the month, issued now when the month is closed and it has none: what the account
    /// card, the cabinet and the API download.
    /// </summary>
    public static async Task<UnifiedPaymentDocument> ForAccountAsync(NpgsqlConnection conn, ReceiptSettings settings, string issuedBy, DateOnly today,
        string accountNumber, BillingPeriod month, CancellationToken ct = default, bool debtNotice = false) =>
        await ForAccountAsync(conn, settings, issuedBy, today, await AccountIdAsync(conn, accountNumber, ct), month, ct, debtNotice);

    /// <inheritdoc cref="ForAccountAsync(NpgsqlConnection, ReceiptSettings, string, DateOnly, string, BillingPeriod, CancellationToken)"/>
    public static async Task<UnifiedPaymentDocument> ForAccountAsync(NpgsqlConnection conn, ReceiptSettings settings, string issuedBy, DateOnly today,
        long accountId, BillingPeriod month, CancellationToken ct = default, bool debtNotice = false)
    {
        var issued = await LoadAsync(conn, month, null, accountId, ct, debtNotice);
        if (issued.Count > 0) return issued[0];
        await EnsureClosedAsync(conn, month, ct);
        long buildingId;
        string number;
        await using (var cmd = new NpgsqlCommand("SELECT p.building_id, a.number FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = @a", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new ReceiptException($"Лицевой счёт №{accountId} не найден", notFound: true);
            (buildingId, number) = (r.GetInt64(0), r.GetString(1));
        }
        var context = await ContextAsync(conn, settings, issuedBy, today, ct);
        await IssueBuildingAsync(conn, context, month, buildingId, accountId, debtNotice ? 0.01m : null, ct);
        issued = await LoadAsync(conn, month, null, accountId, ct, debtNotice);
        return issued.Count > 0 ? issued[0]
            : throw new ReceiptException(debtNotice
                ? $"На конец месяца {month.Name()} у лицевого счёта {number} нет задолженности: уведомление не выпускается"
                : $"За {month.Name()} по лицевому счёту {number} нет ни начислений, ни сальдо: документа нет");
    }

    /// <summary>The id of the account with this number, or a Russian refusal.</summary>
    public static async Task<long> AccountIdAsync(NpgsqlConnection conn, string accountNumber, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM personal_accounts WHERE number = @n", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("n", accountNumber));
        return await cmd.ExecuteScalarAsync(ct) is long id ? id : throw new ReceiptException($"Лицевой счёт {accountNumber} не найден", notFound: true);
    }

    /// <summary>A closed month of an account and its document, when issued.</summary>
    public sealed record MonthDocument(BillingPeriod Month, long? Number, ReceiptKind? Kind, decimal Closing, decimal? ToPay, DateOnly? IssuedOn);

    /// <summary>The account's closed months, newest first, with the document of each where one was issued.</summary>
    public static async Task<IReadOnlyList<MonthDocument>> ListAsync(NpgsqlConnection conn, long accountId, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT ab.month, r.id, r.kind, sum(ab.closing), r.to_pay, r.issued_on
            FROM account_balances ab
            JOIN billing_periods bp ON bp.month = ab.month AND bp.state = 'closed'
            LEFT JOIN receipts r ON r.account_id = ab.account_id AND r.month = ab.month AND r.kind IN (1, 3)
            WHERE ab.account_id = @a
            GROUP BY ab.month, r.id, r.kind, r.to_pay, r.issued_on
            ORDER BY ab.month DESC
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId));
        var list = new List<MonthDocument>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new MonthDocument(r.GetMonth(0), r.IsDBNull(1) ? null : r.GetInt64(1),
                r.IsDBNull(2) ? null : (ReceiptKind)r.GetInt16(2), r.GetDecimal(3), r.IsDBNull(4) ? null : r.GetDecimal(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5)));
        return list;
    }

    // ---- building reads ----

    private sealed record AccountRow(long Id, string Number, long PremiseId, string PremiseNumber, int? Entrance, decimal Area, string Payer, string Address, int Residents);

    private static async Task<List<AccountRow>> AccountsAsync(NpgsqlConnection conn, BillingPeriod month, long buildingId, long? accountId, decimal? debtAtLeast,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT a.id, a.number, p.id, p.number, p.entrance, p.total_area * a.share, coalesce(pp.full_name, ''), {Payees.AddressSql},
                   coalesce((SELECT rc.count FROM resident_counts rc
                             WHERE rc.account_id = a.id AND rc.valid_from < @end AND (rc.valid_to IS NULL OR rc.valid_to >= @end)
                             ORDER BY rc.valid_from DESC LIMIT 1), 0)
            FROM personal_accounts a
            JOIN premises p ON p.id = a.premise_id
            JOIN buildings b ON b.id = p.building_id
            LEFT JOIN people pp ON pp.id = a.payer_person_id
            WHERE p.building_id = @b AND (@a::bigint IS NULL OR a.id = @a)
              AND EXISTS (SELECT 1 FROM account_balances ab WHERE ab.month = @m AND ab.account_id = a.id)
              AND (@debt::numeric IS NULL OR (SELECT sum(ab.closing) FROM account_balances ab WHERE ab.month = @m AND ab.account_id = a.id) >= @debt)
              AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.account_id = a.id AND r.month = @m AND r.kind = ANY (@kinds))
            ORDER BY a.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("debt", NpgsqlTypes.NpgsqlDbType.Numeric) { Value = (object?)debtAtLeast ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("kinds", Kinds(debtAtLeast is not null)));
        cmd.Parameters.AddMonthDays(month, "m", "end");
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)accountId ?? DBNull.Value });
        var list = new List<AccountRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new AccountRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt32(4),
                decimal.Round(r.GetDecimal(5), 2), r.GetString(6), r.GetString(7), r.GetInt32(8)));
        return list;
    }

    /// <summary>The month's document is the monthly one or the advance one; debt notices are a kind of their own.</summary>
    private static short[] Kinds(bool debtNotices) =>
        debtNotices ? [(short)ReceiptKind.DebtNotice] : [(short)ReceiptKind.Monthly, (short)ReceiptKind.Advance];

    private sealed record Balance(long ServiceId, long SupplierId, decimal Opening, decimal Charged, decimal Recalculated, decimal Penalties, decimal Paid, decimal Closing);

    private static async Task<Dictionary<long, List<Balance>>> BalancesAsync(NpgsqlConnection conn, BillingPeriod month, long[] accounts, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing
            FROM account_balances WHERE month = @m AND account_id = ANY (@a)
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("a", accounts));
        var map = new Dictionary<long, List<Balance>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long account = r.GetInt64(0);
            if (!map.TryGetValue(account, out var list)) map[account] = list = [];
            list.Add(new Balance(r.GetInt64(1), r.GetInt64(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8)));
        }
        return map;
    }

    /// <summary>The accounts' housing subsidies in force on any day of the month (benefits.md §4), oldest first.</summary>
    private static async Task<Dictionary<long, List<ReceiptSubsidy>>> SubsidiesAsync(NpgsqlConnection conn, BillingPeriod month, long[] accounts, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT account_id, amount, decision_number, decision_date, valid_from, valid_to
            FROM subsidy_decisions WHERE account_id = ANY (@a) AND valid_from < @end AND (valid_to IS NULL OR valid_to > @m)
            ORDER BY account_id, valid_from, id
            """, conn);
        cmd.Parameters.AddMonthDays(month, "m", "end");
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("a", accounts));
        var map = new Dictionary<long, List<ReceiptSubsidy>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long account = r.GetInt64(0);
            if (!map.TryGetValue(account, out var list)) map[account] = list = [];
            list.Add(new ReceiptSubsidy(decimal.Round(r.GetDecimal(1), 2), r.GetString(2), r.GetFieldValue<DateOnly>(3), r.GetFieldValue<DateOnly>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5)));
        }
        return map;
    }

    private sealed record Line(long AccountId, long ServiceId, long SupplierId, TariffZone Zone, ChargeLineKind Kind, BillingPeriod ServiceMonth,
        decimal Volume, string Unit, decimal Rate, VolumeSource Source, decimal Amount, string? Reason, decimal? Norm, string? NormUnit);

    private static async Task<List<Line>> LinesAsync(NpgsqlConnection conn, BillingPeriod month, long buildingId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT l.account_id, l.service_id, l.supplier_id, l.zone, l.kind, l.service_month, l.volume, l.unit, l.rate, l.source, l.amount, l.reason,
                   l.trace_values, t.id, t.formula, t.legal, t.note, t.inputs::text, t.segments::text
            FROM charge_line_details l
            LEFT JOIN charge_trace_templates t ON t.id = l.trace_template AND l.source IN (3, 6)
            WHERE l.booking_month = @m AND l.building_id = @b
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        var list = new List<Line>();
        var templates = new Dictionary<long, TraceTemplate>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            decimal? norm = null;
            string? normUnit = null;
            // The norm a line was charged by is one of its trace's inputs (ПП 354: Раздел 4 prints the norm).
            if (!r.IsDBNull(12) && !r.IsDBNull(13))
            {
                long id = r.GetInt64(13);
                if (!templates.TryGetValue(id, out var template)) templates[id] = template = ChargeTraces.ReadTemplate(r, id, 14);
                var input = ChargeTraces.Decode(template, r.GetString(12)).Inputs.FirstOrDefault(i => i.Name.StartsWith("Норматив N", StringComparison.Ordinal));
                (norm, normUnit) = (input?.Value, input?.Unit);
            }
            list.Add(new Line(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (TariffZone)r.GetInt16(3), (ChargeLineKind)r.GetInt16(4),
                r.GetMonth(5), r.GetDecimal(6), r.GetString(7), r.GetDecimal(8), (VolumeSource)r.GetInt16(9),
                r.GetDecimal(10), r.IsDBNull(11) ? null : r.GetString(11), norm, normUnit));
        }
        return list;
    }

    private sealed record MeterRow(long? AccountId, long? PremiseId, ReceiptMeter Meter);

    /// <summary>
    /// The building's individual and room meters in service in the month with, per zone, the last reading before the
    /// month and the last one in it: all their readings up to the month's end are read in one pass and the two picked
    /// by DISTINCT ON (a lateral probe per meter and zone cost a building a tenth of a second).
    /// </summary>
    private static async Task<List<MeterRow>> MetersAsync(NpgsqlConnection conn, BillingPeriod month, long buildingId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT m.id, m.account_id, m.premise_id, m.resource, m.serial_number, m.zones, m.verified_on
            FROM meters m
            WHERE m.building_id = @b AND m.kind IN (@individual, @room) AND m.installed_on < @end AND (m.removed_on IS NULL OR m.removed_on > @first)
            ORDER BY m.resource, m.serial_number;
            SELECT DISTINCT ON (r.meter_id, r.zone, r.read_on >= @first) r.meter_id, r.zone, r.read_on >= @first, r.read_on, r.value
            FROM meter_readings r JOIN meters m ON m.id = r.meter_id
            WHERE m.building_id = @b AND m.kind IN (@individual, @room) AND m.installed_on < @end AND (m.removed_on IS NULL OR m.removed_on > @first)
              AND r.read_on < @end
            ORDER BY r.meter_id, r.zone, r.read_on >= @first, r.read_on DESC;
            """, conn);
        cmd.Parameters.AddMonthDays(month, "first", "end");
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<int>("individual", (int)MeterKind.Individual));
        cmd.Parameters.Add(new NpgsqlParameter<int>("room", (int)MeterKind.CommunalFlat));
        var meters = new List<(long Id, long? Account, long? Premise, Resource Resource, string Serial, int Zones, DateOnly? Verified)>();
        var readings = new Dictionary<(long Meter, int Zone, bool Current), (DateOnly On, decimal Value)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                meters.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2), (Resource)r.GetInt32(3), r.GetString(4),
                    r.GetInt32(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6)));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) readings[(r.GetInt64(0), r.GetInt32(1), r.GetBoolean(2))] = (r.GetFieldValue<DateOnly>(3), r.GetDecimal(4));
        }
        var list = new List<MeterRow>();
        foreach (var m in meters)
            for (int zone = 1; zone <= m.Zones; zone++)
            {
                var previous = readings.TryGetValue((m.Id, zone, false), out var p) ? p : ((DateOnly On, decimal Value)?)null;
                var current = readings.TryGetValue((m.Id, zone, true), out var c) ? c : ((DateOnly On, decimal Value)?)null;
                list.Add(new MeterRow(m.Account, m.Premise, new ReceiptMeter(m.Resource.Title(), m.Serial, m.Zones == 1 ? "" : ((TariffZone)zone).Title(),
                    Unit(m.Resource), previous?.On, previous?.Value, current?.On, current?.Value, m.Verified)));
            }
        return list;
    }

    private static async Task<Dictionary<long, DateOnly>> LastPaymentsAsync(NpgsqlConnection conn, BillingPeriod month, long[] accounts, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a, (SELECT (p.paid_at AT TIME ZONE 'Europe/Moscow')::date FROM payments p
                       WHERE p.account_id = a AND p.booking_month <= @m AND p.amount > 0 AND p.correction IS NULL
                       ORDER BY p.paid_at DESC LIMIT 1)
            FROM unnest(@a) a
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("a", accounts));
        var map = new Dictionary<long, DateOnly>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (!r.IsDBNull(1)) map[r.GetInt64(0)] = r.GetFieldValue<DateOnly>(1);
        return map;
    }

    private static async Task<(ReceiptParty? Executor, List<string> Announcements)> ExecutorAsync(NpgsqlConnection conn, BillingPeriod month, long buildingId,
        CancellationToken ct)
    {
        ReceiptParty? executor = null;
        long? managerId = null;
        await using (var cmd = new NpgsqlCommand("""
            SELECT o.name, o.inn, o.kpp, o.legal_address, o.phone, o.email, o.bank_name, o.settlement_account, o.bik, o.correspondent_account, o.id
            FROM building_managements bm JOIN organisations o ON o.id = bm.organisation_id
            WHERE bm.building_id = @b AND bm.valid_from < @end AND (bm.valid_to IS NULL OR bm.valid_to >= @end)
            ORDER BY bm.valid_from DESC LIMIT 1
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("end", month.End));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) (executor, managerId) = (Party(r, 0), r.GetInt64(10));
        }
        var announcements = new List<string>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT text FROM announcements
            WHERE valid_from < @end AND (valid_to IS NULL OR valid_to > @first)
              AND (building_id = @b OR building_id IS NULL AND (organisation_id IS NULL OR organisation_id = @manager))
            ORDER BY valid_from, id
            """, conn))
        {
            cmd.Parameters.AddMonthDays(month, "first", "end");
            cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
            cmd.Parameters.Add(new NpgsqlParameter("manager", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)managerId ?? DBNull.Value });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) announcements.Add(r.GetString(0));
        }
        return (executor, announcements);
    }

    private static ReceiptParty Party(NpgsqlDataReader r, int first)
    {
        string? S(int i) => r.IsDBNull(first + i) ? null : r.GetString(first + i);
        return new ReceiptParty(r.GetString(first), r.GetString(first + 1), S(2), S(3), S(4), S(5), S(6), S(7), S(8), S(9));
    }

    /// <summary>Services and organisations by id: names, units and the recipients' requisites.</summary>
    private sealed record Catalogue(Dictionary<long, (string Name, string Unit, ServiceKind Kind, int Order)> Services, Dictionary<long, ReceiptParty> Organisations)
    {
        public static async Task<Catalogue> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
        {
            var services = new Dictionary<long, (string, string, ServiceKind, int)>();
            var organisations = new Dictionary<long, ReceiptParty>();
            await using var cmd = new NpgsqlCommand("""
                SELECT id, name, unit, kind, sort_order FROM services;
                SELECT name, inn, kpp, legal_address, phone, email, bank_name, settlement_account, bik, correspondent_account, id, short_name FROM organisations;
                """, conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) services[r.GetInt64(0)] = (r.GetString(1), r.GetString(2), (ServiceKind)r.GetInt32(3), r.GetInt32(4));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) organisations[r.GetInt64(10)] = Party(r, 0);
            return new Catalogue(services, organisations);
        }
    }

    private static async Task<long[]> NumbersAsync(NpgsqlConnection conn, int count, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('receipts', 'id')) FROM generate_series(1, @n)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", count));
        var numbers = new long[count];
        int i = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) numbers[i++] = r.GetInt64(0);
        return numbers;
    }

    // ---- the document ----

    private static UnifiedPaymentDocument Build(Context context, BillingPeriod month, long number, AccountRow a, List<Balance> balances, List<Line> lines,
        List<ReceiptMeter> meters, DateOnly lastPayment, ReceiptParty? executor, List<string> announcements, Dictionary<long, decimal> buildingVolumes,
        Catalogue catalogue, string registrationCode, bool debtNotice)
    {
        (string Name, string Unit, ServiceKind Kind, int Order) Service(long id) =>
            catalogue.Services.TryGetValue(id, out var s) ? s : ("Аванс, не распределённый по услугам", "", ServiceKind.Housing, int.MaxValue);
        ReceiptParty Supplier(long id) => catalogue.Organisations.TryGetValue(id, out var o) ? o : context.Payee;

        var regular = lines.Where(l => l.Kind == ChargeLineKind.Charge && l.ServiceMonth == month).ToList();
        // «Льготы, субсидии» (benefits.md §5.10): the month's own benefit lines, printed positive; the balances count them
        // among the recalculations, so the row's «Перерасчёт» is taken without them and «Итого за период» is unchanged.
        decimal Benefit(long service, long supplier) =>
            -lines.Where(l => l.Kind == ChargeLineKind.Benefit && l.ServiceMonth == month && l.ServiceId == service && l.SupplierId == supplier).Sum(l => l.Amount);
        var rows = balances
            .OrderBy(b => Service(b.ServiceId).Order).ThenBy(b => Service(b.ServiceId).Name).ThenBy(b => b.SupplierId)
            .Select(b =>
            {
                var own = regular.Where(l => l.ServiceId == b.ServiceId && l.SupplierId == b.SupplierId).ToList();
                var s = Service(b.ServiceId);
                var rates = own.Select(l => l.Rate).Distinct().ToList();
                return new ReceiptServiceRow(s.Name, Supplier(b.SupplierId).ToString(), own.FirstOrDefault()?.Unit ?? s.Unit, Method(own),
                    s.Kind == ServiceKind.CommonPropertyResource, own.Count == 0 ? null : own.Sum(l => l.Volume), rates.Count == 1 ? rates[0] : null,
                    b.Charged, b.Recalculated + Benefit(b.ServiceId, b.SupplierId), Benefit(b.ServiceId, b.SupplierId), b.Opening, b.Penalties, b.Paid, b.Closing);
            })
            .ToList();

        var recipients = balances.GroupBy(b => b.SupplierId).OrderBy(g => g.Key)
            .Select(g => new ReceiptRecipient(Supplier(g.Key),
                g.Select(b => Service(b.ServiceId).Name).Distinct().ToList(),
                g.Sum(b => b.Opening), g.Sum(b => b.Charged + b.Recalculated), g.Sum(b => b.Penalties), g.Sum(b => b.Paid), g.Sum(b => b.Closing)))
            .ToList();

        var recalculations = lines
            .Where(l => l.Kind is not (ChargeLineKind.Charge or ChargeLineKind.Penalty or ChargeLineKind.OpeningBalance or ChargeLineKind.Benefit)
                        || l.Kind is ChargeLineKind.Charge or ChargeLineKind.Benefit && l.ServiceMonth != month)
            .Select(l => new ReceiptRecalculation(Service(l.ServiceId).Name,
                (l.Reason ?? l.Kind.Title()) + (l.ServiceMonth != month ? $" (за {l.ServiceMonth.Name()})" : ""), l.Amount))
            .ToList();

        var reference = regular.GroupBy(l => l.ServiceId).OrderBy(g => Service(g.Key).Order)
            .Select(g => new ReceiptReference(Service(g.Key).Name, g.First().NormUnit ?? g.First().Unit, g.Select(l => l.Norm).FirstOrDefault(n => n is not null),
                buildingVolumes.GetValueOrDefault(g.Key)))
            .ToList();

        decimal closing = balances.Sum(b => b.Closing);
        decimal benefits = rows.Sum(r => r.Benefits);
        var totals = new ReceiptTotals(balances.Sum(b => b.Opening), balances.Sum(b => b.Charged), balances.Sum(b => b.Recalculated) + benefits, benefits,
            balances.Sum(b => b.Penalties), balances.Sum(b => b.Paid), closing, Math.Max(closing, 0m), lastPayment == default ? null : lastPayment);
        var payload = PaymentQr.Payload(context.QrPayee, a.Number, month, totals.ToPay, a.Address, new PaymentQrOptions(context.Settings.PeriodFormat));
        var kind = debtNotice ? ReceiptKind.DebtNotice : closing < 0 ? ReceiptKind.Advance : ReceiptKind.Monthly;
        return new UnifiedPaymentDocument(number, kind, month, context.IssuedOn,
            month.End.AddDays(-1), new ReceiptPayer(a.Number, a.Payer, a.Address, a.PremiseNumber, a.Entrance, a.Area, a.Residents, registrationCode),
            context.Payee, executor, recipients, rows, totals, recalculations, meters, reference, announcements, context.Settings.CapIndex, payload);
    }

    private static string Unit(Resource resource) => resource switch
    {
        Resource.Electricity => "кВт·ч",
        Resource.Heat => "Гкал",
        _ => "м³",
    };

    /// <summary>ГИС ЖКХ's method letters: М meter, Н norm, С average, П area, О building meter.</summary>
    private static string Method(List<Line> lines) => lines.Count == 0 ? "" : lines[0].Source switch
    {
        VolumeSource.Meter => "М",
        VolumeSource.Norm or VolumeSource.CommonPropertyNorm => "Н",
        VolumeSource.Average => "С",
        VolumeSource.Area => "П",
        VolumeSource.CommonHouseMeter => "О",
        _ => "",
    };

    private static async Task<int> StoreAsync(NpgsqlConnection conn, Context context, long buildingId, List<AccountRow> accounts,
        List<UnifiedPaymentDocument> documents, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO receipts (id, month, account_id, building_id, kind, issued_on, issued_by, closing, to_pay, qr_payload, document)
            SELECT id, @m, account_id, @b, kind, @on, @by, closing, to_pay, qr, document::json
            FROM unnest(@ids, @accounts, @kinds, @closings, @topays, @qrs, @documents) AS d (id, account_id, kind, closing, to_pay, qr, document)
            ON CONFLICT DO NOTHING
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", documents[0].Month));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("on", context.IssuedOn));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", context.IssuedBy));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", documents.Select(d => d.Number).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("accounts", accounts.Select(a => a.Id).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("kinds", documents.Select(d => (short)d.Kind).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("closings", documents.Select(d => d.Totals.Closing).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<decimal[]>("topays", documents.Select(d => d.Totals.ToPay).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("qrs", documents.Select(d => d.QrPayload).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("documents", documents.Select(d => JsonSerializer.Serialize(d, ReceiptJson.Default.UnifiedPaymentDocument)).ToArray()));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
