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
        ("element-inspections", typeof(ElementInspection)), ("capital-repair-works", typeof(CapitalRepairWork)),
    ];

    /// <summary>
    /// The last closed month's closing balances by account × service × supplier (AccountId, ServiceId, SupplierId, Amount).
    /// An advance not divided among services (service and supplier 0) goes with the account's largest charge of its latest
    /// month charged: the account's balance is the same, and a line of the ledger needs a service.
    /// </summary>
    private const string BalancesSql = """
                WITH b AS (
                    SELECT account_id, service_id, supplier_id, closing FROM account_balances
                    WHERE month = (SELECT max(month) FROM billing_periods WHERE state = 'closed') AND closing <> 0),
                main AS (
                    SELECT DISTINCT ON (l.account_id) l.account_id, l.service_id, l.supplier_id FROM charge_lines l
                    WHERE l.kind = 0 AND l.account_id IN (SELECT account_id FROM b WHERE service_id = 0 OR supplier_id = 0)
                    ORDER BY l.account_id, l.booking_month DESC, l.kopecks DESC)
                SELECT b.account_id AS "AccountId", CASE WHEN b.service_id = 0 OR b.supplier_id = 0 THEN coalesce(m.service_id, 0) ELSE b.service_id END AS "ServiceId",
                       CASE WHEN b.service_id = 0 OR b.supplier_id = 0 THEN coalesce(m.supplier_id, 0) ELSE b.supplier_id END AS "SupplierId", sum(b.closing) AS "Amount"
                FROM b LEFT JOIN main m ON m.account_id = b.account_id
                GROUP BY 1, 2, 3 HAVING sum(b.closing) <> 0 ORDER BY 1, 2, 3
                """;

    private const string EmptyOnly = "Выгрузка OpenErc загружается только в пустую базу: в этой уже есть дома, счета или услуги";

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
            await using (var cmd = new NpgsqlCommand(BalancesSql, conn))
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

    /// <summary>A kind's table and its stored columns (the <see cref="Fields"/>), as the CSV form names them.</summary>
    private static (string Table, string[] Columns) Table(OpenErcDbContext db, Type type)
    {
        var entity = db.Model.FindEntityType(type)!;
        var table = entity.GetTableName()!;
        var id = StoreObjectIdentifier.Table(table, entity.GetSchema());
        return (table, Fields(db, type).Select(f => f.GetColumnName(id)!).ToArray());
    }

    /// <summary>
    /// The same region as a folder of CSV files — for a region too large for a workbook's sheets (over 1,048,576 rows):
    /// <c>&lt;kind&gt;.csv</c> per kind (UTF-8, a header of the table's stored column names, values as stored — enums by
    /// their numbers), <c>balances.csv</c> and <c>month.csv</c>; written and read by the database's own COPY.
    /// </summary>
    public static async Task ExportCsvAsync(OpenErcDbContext db, string folder, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var (sheet, type) in Kinds)
            {
                var (table, columns) = Table(db, type);
                await CopyOutAsync(conn, $"SELECT {string.Join(", ", columns)} FROM {table} ORDER BY id", Path.Combine(folder, sheet + ".csv"), ct);
            }
            await CopyOutAsync(conn, BalancesSql, Path.Combine(folder, BalancesSheet + ".csv"), ct);
            var open = await BillingPeriods.OpenMonthAsync(conn, null, forUpdate: false, ct);
            await File.WriteAllTextAsync(Path.Combine(folder, MonthSheet + ".csv"), $"open\n{open}\n", ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task CopyOutAsync(NpgsqlConnection conn, string query, string path, CancellationToken ct)
    {
        using var reader = await conn.BeginTextExportAsync($"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)", ct);
        await using var file = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
        var buffer = new char[1 << 16];
        int n;
        while ((n = await reader.ReadAsync(buffer, ct)) > 0) await file.WriteAsync(buffer.AsMemory(0, n), ct);
    }

    /// <summary>
    /// Loads the CSV form (<see cref="ExportCsvAsync"/>) into an empty database in one transaction, each file by COPY
    /// straight into its table — the database checks every value, reference and rule it keeps (a refusal names the file
    /// and its line) — then the identity sequences, the open month and the balances as for the workbook.
    /// </summary>
    public static async Task<LegacyImportReport> ImportCsvAsync(OpenErcDbContext db, string folder, RegionClock clock, bool dryRun = false, CancellationToken ct = default)
    {
        var errors = new List<LegacyError>();
        var created = new Dictionary<string, int>();
        foreach (var name in Kinds.Select(k => k.Sheet).Append(BalancesSheet).Append(MonthSheet))
            if (!File.Exists(Path.Combine(folder, name + ".csv"))) errors.Add(new(folder, $"Нет файла {name}.csv: это не выгрузка OpenErc"));
        if (errors.Count > 0) return new LegacyImportReport(false, created, new Dictionary<string, int>(), errors, []);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Buildings.AnyAsync(ct) || await db.Accounts.AnyAsync(ct) || await db.Services.AnyAsync(ct))
            return new LegacyImportReport(false, created, new Dictionary<string, int>(), [new(folder, EmptyOnly)], []);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        // The tables' references and secondary indexes go while the rows come and return after, in the same transaction:
        // a reference checked row by row and an index grown row by row cost several times one check and one build.
        var rebuild = await DropReferencesAndIndexesAsync(conn, Kinds.Select(k => Table(db, k.Type).Table).ToArray(), ct);
        foreach (var (sheet, type) in Kinds)
        {
            var (table, columns) = Table(db, type);
            string file = sheet + ".csv";
            using var text = new StreamReader(Path.Combine(folder, file), System.Text.Encoding.UTF8, false, 1 << 20);
            string header = await text.ReadLineAsync(ct) ?? "";
            if (header != string.Join(",", columns))
            {
                errors.Add(new(file, $"Столбцы «{header}» не те: ожидаются {string.Join(",", columns)}"));
                break;
            }
            try
            {
                await using (var copy = await conn.BeginTextImportAsync($"COPY {table} ({header}) FROM STDIN (FORMAT csv)", ct))
                {
                    var buffer = new char[1 << 16];
                    int n;
                    while ((n = await text.ReadAsync(buffer, ct)) > 0) await copy.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}; SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest(coalesce(max(id), 0), 1)) FROM {table}", conn);
                long rows = (long)(await count.ExecuteScalarAsync(ct))!;
                if (rows > 0) created[sheet] = (int)rows;
            }
            catch (PostgresException e)
            {
                // The line as COPY counts it (the header is line 1 of the file, so the data's line n is the file's n + 1).
                var line = System.Text.RegularExpressions.Regex.Match(e.Where ?? "", @"line (\d+)");
                errors.Add(new(line.Success ? $"{file}, строка {int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) + 1}" : file,
                    $"Не загружено: {e.MessageText}{(e.Detail is { } d ? $" ({d})" : "")}"));
                break;
            }
        }
        foreach (var (table, sql) in rebuild)
        {
            if (errors.Count > 0) break;
            try
            {
                await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e)
            {
                string sheet = Kinds.First(k => Table(db, k.Type).Table == table).Sheet;
                errors.Add(new(sheet + ".csv", $"Не загружено: {(e.SqlState == PostgresErrorCodes.ForeignKeyViolation ? "ссылка на несуществующую запись" : "нарушено правило таблицы")} — {e.Detail ?? e.MessageText}"));
            }
        }
        if (errors.Count == 0)
        {
            var sheets = new Dictionary<string, List<IDictionary<string, object?>>>
            {
                [MonthSheet] = Csv(Path.Combine(folder, MonthSheet + ".csv")),
                [BalancesSheet] = Csv(Path.Combine(folder, BalancesSheet + ".csv")),
            };
            await OpenMonthAndBalancesAsync(db, conn, folder, sheets, created, errors, clock, ct);
        }
        return await FinishAsync(db, tx, errors, created, dryRun, ct);
    }

    /// <summary>
    /// Drops the tables' foreign keys and their indexes that back no constraint, and returns the statements that make them
    /// again (the indexes first, then the references, each with its table).
    /// </summary>
    private static async Task<List<(string Table, string Sql)>> DropReferencesAndIndexesAsync(NpgsqlConnection conn, string[] tables, CancellationToken ct)
    {
        var indexes = new List<(string Table, string Name, string Sql)>();
        var references = new List<(string Table, string Name, string Sql)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT c.relname, x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
            WHERE c.relname = ANY(@t) AND c.relnamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
            SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            WHERE k.contype = 'f' AND c.relname = ANY(@t) AND c.relnamespace = 'public'::regnamespace;
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("t", tables));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) indexes.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) references.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        var drop = string.Join(";\n", references.Select(f => $"ALTER TABLE {f.Table} DROP CONSTRAINT {f.Name}").Concat(indexes.Select(i => $"DROP INDEX {i.Name}")));
        if (drop.Length > 0)
        {
            await using var cmd = new NpgsqlCommand(drop, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return [.. indexes.Select(i => (i.Table, i.Sql)), .. references.Select(f => (f.Table, $"ALTER TABLE {f.Table} ADD CONSTRAINT {f.Name} {f.Sql}"))];
    }

    /// <summary>A small CSV file of the form (month, balances) as rows by header name.</summary>
    private static List<IDictionary<string, object?>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return [];
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => (IDictionary<string, object?>)header.Zip(l.Split(',')).ToDictionary(x => x.First, x => (object?)x.Second)).ToList();
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
            return new LegacyImportReport(false, created, new Dictionary<string, int>(), [new(fileName, EmptyOnly)], []);
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
        return await FinishAsync(db, tx, errors, created, dryRun, ct);
    }

    /// <summary>Commits the import when nothing was refused and it is not a dry run (else rolls it back), and gives the open month its payments' partitions.</summary>
    private static async Task<LegacyImportReport> FinishAsync(OpenErcDbContext db, IDbContextTransaction tx, List<LegacyError> errors, Dictionary<string, int> created,
        bool dryRun, CancellationToken ct)
    {
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
        // A region whose centre never opened a month brings none (the host opens its clock's month), nor any balance.
        if (string.IsNullOrEmpty(month) && sheets[BalancesSheet].Count == 0) return;
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
