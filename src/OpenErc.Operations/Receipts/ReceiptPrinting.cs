using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Receipts;

namespace OpenErc.Operations.Receipts;

/// <summary>Which buildings a bulk print covers: all of them, the listed ones, or those of one managing organisation.</summary>
/// <param name="DebtAtLeast">Print debt notices, to the accounts whose closing balance is at least this much, instead of the monthly documents.</param>
public sealed record PrintSelection(IReadOnlyList<long>? Buildings = null, long? ManagerId = null, decimal? DebtAtLeast = null);

public sealed record PrintProgress(int BuildingsDone, int BuildingsTotal, long Receipts);

/// <param name="Skipped">Buildings whose file an earlier (interrupted) print already completed.</param>
/// <param name="Issued">Documents issued by this print (the rest had been issued before).</param>
public sealed record PrintReport(BillingPeriod Month, int Buildings, int Skipped, long Receipts, long Issued, long Bytes, decimal ToPay, TimeSpan Elapsed,
    string RegistryFile);

/// <summary>
/// Bulk printing of a month's documents for the print shop: one PDF per building, documents in entrance and flat
/// order, buildings printed side by side. A building's file is written under a temporary name and renamed when
/// complete, then recorded in the print registry (<c>receipt_prints</c>); a print started again skips the buildings
/// whose file is recorded and still there, so an interrupted print resumes where it stopped. Documents not yet issued
/// are issued on the way; issued ones are printed as they are.
/// </summary>
public static class ReceiptPrinting
{
    public static async Task<PrintReport> PrintAsync(string connectionString, BillingPeriod month, string outDir, ReceiptSettings settings, string printedBy,
        DateOnly today, PrintSelection? selection = null, int parallelism = 0, IProgress<PrintProgress>? progress = null, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        selection ??= new PrintSelection();
        Directory.CreateDirectory(outDir);
        ReceiptIssuing.Context context;
        List<(long Id, string Address)> buildings;
        HashSet<long> done;
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await ReceiptIssuing.EnsureClosedAsync(conn, month, ct);
            context = await ReceiptIssuing.ContextAsync(conn, settings, printedBy, today, ct);
            buildings = await BuildingsAsync(conn, month, selection, ct);
            done = await DoneAsync(conn, month, Kind(selection), outDir, ct);
        }
        var todo = buildings.Where(b => !done.Contains(b.Id)).ToList();
        int finished = buildings.Count - todo.Count;
        long receipts = 0, issued = 0, bytes = 0;
        progress?.Report(new PrintProgress(finished, buildings.Count, 0));
        await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = ct },
            async (building, token) =>
            {
                var (count, fresh, size) = await PrintBuildingAsync(connectionString, context, month, selection, building.Id, building.Address, outDir, token);
                Interlocked.Add(ref issued, fresh);
                Interlocked.Add(ref bytes, size);
                long printed = Interlocked.Add(ref receipts, count);
                progress?.Report(new PrintProgress(Interlocked.Increment(ref finished), buildings.Count, printed));
            });
        var (registry, total) = await WriteRegistryAsync(connectionString, month, Kind(selection), outDir, ct);
        return new PrintReport(month, buildings.Count, buildings.Count - todo.Count, receipts, issued, bytes, total, watch.Elapsed, registry);
    }

    private static ReceiptKind Kind(PrintSelection selection) => selection.DebtAtLeast is null ? ReceiptKind.Monthly : ReceiptKind.DebtNotice;

    private static async Task<(int Receipts, int Issued, long Bytes)> PrintBuildingAsync(string connectionString, ReceiptIssuing.Context context, BillingPeriod month,
        PrintSelection selection, long buildingId, string address, string outDir, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        bool notices = selection.DebtAtLeast is not null;
        int fresh = await ReceiptIssuing.IssueBuildingAsync(conn, context, month, buildingId, debtAtLeast: selection.DebtAtLeast, ct: ct);
        var documents = await ReceiptIssuing.LoadAsync(conn, month, buildingId, null, ct, notices);
        if (notices) documents = documents.Where(d => d.Totals.Closing >= selection.DebtAtLeast).ToList();
        if (documents.Count == 0) return (0, fresh, 0);

        var file = Path.Combine(outDir, FileName(buildingId, address, notices));
        var partial = file + ".part";
        // A building's file is a few megabytes: made in memory, it is hashed without being read back from disk.
        using var pdf = new MemoryStream();
        ReceiptPdf.Write(pdf, documents);
        var bytes = pdf.GetBuffer().AsMemory(0, (int)pdf.Length);
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        long size = bytes.Length;
        await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            await output.WriteAsync(bytes, ct);
        File.Move(partial, file, overwrite: true);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO receipt_prints (month, kind, building_id, file, receipts, bytes, to_pay, sha256, printed_by)
            VALUES (@m, @kind, @b, @file, @n, @bytes, @pay, @sha, @by)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)Kind(selection)));
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<long>("b", buildingId));
        cmd.Parameters.Add(new NpgsqlParameter<string>("file", Path.GetFileName(file)));
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", documents.Count));
        cmd.Parameters.Add(new NpgsqlParameter<long>("bytes", size));
        cmd.Parameters.Add(new NpgsqlParameter<decimal>("pay", documents.Sum(d => d.Totals.ToPay)));
        cmd.Parameters.Add(new NpgsqlParameter<string>("sha", sha));
        cmd.Parameters.Add(new NpgsqlParameter<string>("by", context.IssuedBy));
        await cmd.ExecuteNonQueryAsync(ct);
        return (documents.Count, fresh, size);
    }

    /// <summary>«000123 г. Новоград, ул. Ленина, д. 5.pdf»: the building's id first, so the files sort and never clash.</summary>
    public static string FileName(long buildingId, string address, bool debtNotices = false)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var clean = new string(address.Select(c => invalid.Contains(c) || c == '"' ? '_' : c).ToArray());
        if (clean.Length > 120) clean = clean[..120];
        return $"{buildingId:D6} {clean}{(debtNotices ? " (уведомления о задолженности)" : "")}.pdf";
    }

    private static async Task<List<(long, string)>> BuildingsAsync(NpgsqlConnection conn, BillingPeriod month, PrintSelection selection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT b.id, b.address FROM buildings b
            WHERE (@ids::bigint[] IS NULL OR b.id = ANY (@ids))
              AND (@manager::bigint IS NULL OR EXISTS (
                    SELECT 1 FROM building_managements bm WHERE bm.building_id = b.id AND bm.organisation_id = @manager
                      AND bm.valid_from < @end AND (bm.valid_to IS NULL OR bm.valid_to >= @end)))
            ORDER BY b.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint)
            { Value = (object?)selection.Buildings?.ToArray() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("manager", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)selection.ManagerId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("end", month.End));
        var list = new List<(long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetInt64(0), r.GetString(1)));
        if (selection.Buildings is { Count: > 0 } asked && asked.Except(list.Select(b => b.Item1)) is var missing && missing.Any())
            throw new ReceiptException($"Нет домов с номерами {string.Join(", ", missing)}");
        return list;
    }

    private static async Task<HashSet<long>> DoneAsync(NpgsqlConnection conn, BillingPeriod month, ReceiptKind kind, string outDir, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT building_id, file, bytes FROM receipt_prints WHERE month = @m AND kind = @kind", conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        var done = new HashSet<long>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            if (new FileInfo(Path.Combine(outDir, r.GetString(1))) is { Exists: true } f && f.Length == r.GetInt64(2)) done.Add(r.GetInt64(0));
        return done;
    }

    /// <summary>A building's latest file of a month's print, as the print registry records it.</summary>
    public sealed record PrintedFile(long BuildingId, string Address, string File, int Receipts, long Bytes, decimal ToPay, string Sha256, DateTimeOffset PrintedAt);

    /// <summary>The latest file of each building printed for the month (monthly documents, or the debt notices).</summary>
    public static async Task<List<PrintedFile>> PrintedAsync(NpgsqlConnection conn, BillingPeriod month, ReceiptKind kind, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT ON (p.building_id) p.building_id, b.address, p.file, p.receipts, p.bytes, p.to_pay, p.sha256, p.printed_at
            FROM receipt_prints p JOIN buildings b ON b.id = p.building_id
            WHERE p.month = @m AND p.kind = @kind ORDER BY p.building_id, p.printed_at DESC
            """, conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        var list = new List<PrintedFile>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new PrintedFile(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4), r.GetDecimal(5), r.GetString(6),
                r.GetFieldValue<DateTimeOffset>(7)));
        return list;
    }

    /// <summary>The print registry for the print shop: a CSV (UTF-8, «;») of the month's files with their counts, sums and checksums.</summary>
    private static async Task<(string File, decimal ToPay)> WriteRegistryAsync(string connectionString, BillingPeriod month, ReceiptKind kind, string outDir,
        CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var text = new StringBuilder("Дом;Адрес;Файл;Документов;Байт;К оплате, руб.;SHA-256;Напечатан\n");
        var ru = CultureInfo.GetCultureInfo("ru-RU");
        var files = await PrintedAsync(conn, month, kind, ct);
        foreach (var f in files)
            text.Append(CultureInfo.InvariantCulture, $"{f.BuildingId};{f.Address.Replace(';', ',')};{f.File};{f.Receipts};{f.Bytes};")
                .Append(f.ToPay.ToString("0.00", ru)).Append(';').Append(f.Sha256).Append(';')
                .Append(f.PrintedAt.ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture)).Append('\n');
        var file = Path.Combine(outDir, RegistryFileName(month, kind));
        await File.WriteAllTextAsync(file, text.ToString(), new UTF8Encoding(true), ct);
        return (file, files.Sum(f => f.ToPay));
    }

    /// <summary>The print registry's file name in the month's folder.</summary>
    public static string RegistryFileName(BillingPeriod month, ReceiptKind kind) =>
        $"Реестр печати {month}{(kind == ReceiptKind.DebtNotice ? " (уведомления о задолженности)" : "")}.csv";
}
