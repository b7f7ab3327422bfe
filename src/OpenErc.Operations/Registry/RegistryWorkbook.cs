using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MiniExcelLibs;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Exchange.Legacy;
using OpenErc.Operations.Billing;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>
/// A whole region as OpenErc holds it, in one workbook: a sheet per registry kind (its API segment: <c>buildings</c>,
/// <c>tariffs</c>, …) whose columns are the kind's stored fields by their names, every value as text (invariant: dates
/// ГГГГ-ММ-ДД, enums by name, decimals with a point) so that nothing is rounded on the way; a sheet <c>balances</c> with
/// the closing balances of the last closed month by account × service × supplier; a sheet <c>month</c> with the open
/// month. <see cref="ExportAsync"/> writes it, <see cref="ImportAsync"/> loads it into an empty database with the same
/// ids — so the next month charges there to the same lines as here (the README's round trip). The kinds and their order
/// come from the storage model (each after the kinds it refers to), so a field added to the registry travels without
/// a change here.
/// </summary>
public static class RegistryWorkbook
{
    public const string BalancesSheet = "balances", MonthSheet = "month";

    /// <summary>What travels: the registry that charges read, by API segment (people's cabinet users and access groups stay).</summary>
    public static readonly IReadOnlyList<(string Sheet, Type Type)> Kinds =
    [
        ("municipalities", typeof(Municipality)), ("organisations", typeof(Organisation)), ("buildings", typeof(Building)),
        ("building-managements", typeof(BuildingManagement)), ("premises", typeof(Premise)), ("people", typeof(Person)),
        ("accounts", typeof(PersonalAccount)), ("identity-documents", typeof(IdentityDocument)), ("ownerships", typeof(Ownership)),
        ("registrations", typeof(Registration)), ("resident-counts", typeof(ResidentCount)), ("temporary-absences", typeof(TemporaryAbsence)),
        ("account-aliases", typeof(AccountAlias)), ("services", typeof(Service)), ("building-service-methods", typeof(BuildingServiceMethod)),
        ("service-contracts", typeof(ServiceContract)), ("tariffs", typeof(Tariff)), ("norms", typeof(ConsumptionNorm)), ("key-rates", typeof(KeyRate)),
        ("meters", typeof(Meter)), ("group-meter-premises", typeof(GroupMeterPremise)), ("meter-readings", typeof(MeterReading)),
        ("meter-impossibility-acts", typeof(MeterImpossibilityAct)), ("incidents", typeof(Incident)), ("heating-average-volumes", typeof(HeatingAverageVolume)),
    ];

    /// <summary>A kind's fields that are stored as given: not the key's generation, not what the database computes.</summary>
    private static List<IProperty> Fields(OpenErcDbContext db, Type type) =>
        db.Model.FindEntityType(type)!.GetProperties()
            .Where(p => p.PropertyInfo is { CanWrite: true } && p.GetComputedColumnSql() is null && p.ValueGenerated != ValueGenerated.OnAddOrUpdate)
            .ToList();

    public static async Task<byte[]> ExportAsync(OpenErcDbContext db, CancellationToken ct = default)
    {
        var sheets = new Dictionary<string, object>();
        foreach (var (sheet, type) in Kinds)
        {
            var fields = Fields(db, type);
            var rows = new List<Dictionary<string, object?>>();
            foreach (var entity in await Rows(db, type).ToListAsync(ct))
                rows.Add(fields.ToDictionary(f => f.Name, f => (object?)Text(f.PropertyInfo!.GetValue(entity))));
            if (rows.Count == 0) rows.Add(fields.ToDictionary(f => f.Name, _ => (object?)null)); // the header of an empty sheet
            sheets[sheet] = rows;
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var open = await BillingPeriods.OpenMonthAsync(conn, null, forUpdate: false, ct);
            sheets[MonthSheet] = new[] { new Dictionary<string, object?> { ["open"] = open?.ToString() } };
            var balances = new List<Dictionary<string, object?>>();
            // An advance not divided among services (service and supplier 0) goes with the account's largest charge of its latest month charged:
            // the account's balance is the same, and a line of the ledger needs a service.
            await using (var cmd = new NpgsqlCommand("""
                WITH b AS (
                    SELECT account_id, service_id, supplier_id, closing FROM account_balances
                    WHERE month = (SELECT max(month) FROM billing_periods WHERE state = 'closed') AND closing <> 0),
                main AS (
                    SELECT DISTINCT ON (l.account_id) l.account_id, l.service_id, l.supplier_id FROM charge_lines l
                    WHERE l.kind = 0 AND l.account_id IN (SELECT account_id FROM b WHERE service_id = 0 OR supplier_id = 0)
                    ORDER BY l.account_id, l.booking_month DESC, l.kopecks DESC)
                SELECT b.account_id, CASE WHEN b.service_id = 0 OR b.supplier_id = 0 THEN coalesce(m.service_id, 0) ELSE b.service_id END,
                       CASE WHEN b.service_id = 0 OR b.supplier_id = 0 THEN coalesce(m.supplier_id, 0) ELSE b.supplier_id END, sum(b.closing)
                FROM b LEFT JOIN main m ON m.account_id = b.account_id
                GROUP BY 1, 2, 3 HAVING sum(b.closing) <> 0 ORDER BY 1, 2, 3
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                    balances.Add(new() { ["AccountId"] = Text(r.GetInt64(0)), ["ServiceId"] = Text(r.GetInt64(1)), ["SupplierId"] = Text(r.GetInt64(2)), ["Amount"] = Text(r.GetDecimal(3)) });
            if (balances.Count == 0) balances.Add(new() { ["AccountId"] = null, ["ServiceId"] = null, ["SupplierId"] = null, ["Amount"] = null });
            sheets[BalancesSheet] = balances;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        using var stream = new MemoryStream();
        MiniExcel.SaveAs(stream, sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    private static IQueryable<object> Rows(OpenErcDbContext db, Type type) =>
        (IQueryable<object>)typeof(RegistryWorkbook).GetMethod(nameof(Ordered), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [db])!;

    private static IQueryable<object> Ordered<T>(OpenErcDbContext db) where T : class, IRegistryObject =>
        db.Set<T>().AsNoTracking().OrderBy(x => x.Id);

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static object? Value(string? text, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (string.IsNullOrEmpty(text)) return null;
        if (target == typeof(string)) return text;
        if (target.IsEnum) return Enum.Parse(target, text);
        if (target == typeof(DateOnly)) return DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (target == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        if (target == typeof(Guid)) return Guid.Parse(text);
        if (target == typeof(bool)) return text == "true";
        return Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Loads a region's workbook into an empty database, keeping every id, in one transaction (all or nothing): each
    /// kind's rows validated as the registry validates them (a bad cell an error with its sheet, row and field), the
    /// identity sequences moved past the ids loaded, the open month opened, the balances brought as opening balances
    /// («Входящее сальдо») of the open month.
    /// </summary>
    public static async Task<LegacyImportReport> ImportAsync(OpenErcDbContext db, string fileName, byte[] content, RegionClock clock, bool dryRun = false,
        CancellationToken ct = default)
    {
        var errors = new List<LegacyError>();
        var created = new Dictionary<string, int>();
        Dictionary<string, List<IDictionary<string, object?>>> sheets = [];
        try
        {
            using var stream = new MemoryStream(content);
            var names = MiniExcel.GetSheetNames(stream);
            foreach (var sheet in Kinds.Select(k => k.Sheet).Append(BalancesSheet).Append(MonthSheet))
            {
                if (!names.Contains(sheet))
                {
                    errors.Add(new(fileName, $"Нет листа «{sheet}»: это не выгрузка OpenErc"));
                    continue;
                }
                stream.Position = 0;
                sheets[sheet] = MiniExcel.Query(stream, useHeaderRow: true, sheetName: sheet, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>()
                    .Where(r => r.Values.Any(v => v is not null and not ""))
                    .ToList();
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or FormatException or System.Xml.XmlException)
        {
            errors.Add(new(fileName, "Файл не читается как книга XLSX"));
        }
        if (errors.Count > 0) return new LegacyImportReport(false, created, new Dictionary<string, int>(), errors, []);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = "импорт";
        db.Reason = "Импорт из OpenErc";
        if (await db.Buildings.AnyAsync(ct) || await db.Accounts.AnyAsync(ct) || await db.Services.AnyAsync(ct))
            return new LegacyImportReport(false, created, new Dictionary<string, int>(), [new(fileName, "Выгрузка OpenErc загружается только в пустую базу: в этой уже есть дома, счета или услуги")], []);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var (sheet, type) in Kinds)
        {
            var fields = Fields(db, type);
            int n = 1;
            foreach (var row in sheets[sheet])
            {
                n++;
                string place = $"{fileName}: {sheet}, строка {n}";
                var entity = Activator.CreateInstance(type)!;
                foreach (var f in fields)
                {
                    string? text = row.TryGetValue(f.Name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
                    try
                    {
                        var value = Value(text, f.ClrType);
                        if (value is not null || f.IsNullable) f.PropertyInfo!.SetValue(entity, value);
                    }
                    catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidCastException)
                    {
                        errors.Add(new($"{place}, «{f.Name}»", $"«{text}» — не значение поля"));
                    }
                }
                foreach (var (field, messages) in RegistryValidation.Validate(entity)) errors.Add(new(place, $"{field}: {string.Join(" ", messages)}"));
                db.Add(entity);
            }
            if (errors.Count > 0) break;
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            string table = db.Model.FindEntityType(type)!.GetTableName()!;
            await using (var seq = new NpgsqlCommand($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest(coalesce(max(id), 0), 1)) FROM {table}", conn))
                await seq.ExecuteScalarAsync(ct);
            if (sheets[sheet].Count > 0) created[sheet] = sheets[sheet].Count;
        }
        if (errors.Count == 0) await OpenMonthAndBalancesAsync(db, conn, fileName, sheets, created, errors, clock, ct);
        bool apply = errors.Count == 0 && !dryRun;
        if (apply) await tx.CommitAsync(ct);
        else await tx.RollbackAsync(ct);
        db.ChangeTracker.Clear();
        if (apply)
        {
            // The open month's payments partitions, in a transaction of their own (as a fresh database's first month gets them).
            await using var own = new NpgsqlConnection(db.Database.GetConnectionString());
            await own.OpenAsync(ct);
            if (await BillingPeriods.OpenMonthAsync(own, null, forUpdate: false, ct) is { } month) await Payments.PaymentPosting.EnsurePartitionsAsync(own, month, ct);
        }
        return new LegacyImportReport(apply, created, new Dictionary<string, int>(), errors, []);
    }

    private static async Task OpenMonthAndBalancesAsync(OpenErcDbContext db, NpgsqlConnection conn, string fileName,
        Dictionary<string, List<IDictionary<string, object?>>> sheets, Dictionary<string, int> created, List<LegacyError> errors, RegionClock clock, CancellationToken ct)
    {
        string? month = sheets[MonthSheet].Select(r => Convert.ToString(r.TryGetValue("open", out var v) ? v : null, CultureInfo.InvariantCulture)).FirstOrDefault();
        if (!BillingPeriod.TryParse(month, out var open))
        {
            errors.Add(new($"{fileName}: {MonthSheet}", $"Открытый месяц «{month}»: {BillingPeriod.ParseError(month)}"));
            return;
        }
        var started = await BillingPeriods.OpenFirstAsync(conn, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction(), open, clock, ct);
        if (started != open)
        {
            errors.Add(new($"{fileName}: {MonthSheet}", $"В базе открыт {started.Name()}, а выгрузка — на {open.Name()}"));
            return;
        }
        var balances = new List<OpeningBalances.Entry>();
        int n = 1;
        foreach (var row in sheets[BalancesSheet])
        {
            n++;
            string place = $"{fileName}: {BalancesSheet}, строка {n}";
            string? Cell(string name) => Convert.ToString(row.TryGetValue(name, out var v) ? v : null, CultureInfo.InvariantCulture);
            if (long.TryParse(Cell("AccountId"), CultureInfo.InvariantCulture, out long account) && long.TryParse(Cell("ServiceId"), CultureInfo.InvariantCulture, out long service)
                && long.TryParse(Cell("SupplierId"), CultureInfo.InvariantCulture, out long supplier)
                && decimal.TryParse(Cell("Amount"), NumberStyles.Number, CultureInfo.InvariantCulture, out decimal amount))
                balances.Add(new OpeningBalances.Entry(place, account, service, supplier, amount, open.FirstDay));
            else errors.Add(new(place, "Нужны AccountId, ServiceId, SupplierId и Amount"));
        }
        if (errors.Count > 0 || balances.Count == 0) return;
        int posted = await OpeningBalances.PostAsync(conn, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction(), open, balances, "OpenErc", clock, errors, ct);
        if (posted > 0) created["Входящее сальдо"] = posted;
    }
}
