using System.Text;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

/// <summary>A charge line ready for the ledger: the calculator's line with the keys the ledger adds.</summary>
/// <param name="PostedBy">Who posted the line (an operator for a correction); NULL for a run's lines, whose run row says who.</param>
public sealed record PostedLine(long BuildingId, long ServiceId, BillingPeriod BookingMonth, long RunId, ChargeLine Line, string? Reason = null, string? PostedBy = null);

/// <summary>
/// Writes the ledger of charges (README, «The ledger of charges»): a line of <c>charge_lines</c> is ten fixed-width
/// columns — the keys and the amount in kopecks — and what explains it (volume, unit, rate, coefficient, day factor,
/// source, unrounded amount, trace) is written in its posting's row of <c>charge_details</c>, one row per building ×
/// run × booking month, as text by column (<see cref="ChargeDetails"/>) compressed by the server. Both are written in one transaction; the details row's
/// key makes a posting unique, and a regular charge of a building for a month is unique in the database.
/// </summary>
public static class ChargeLedger
{
    private const string LineColumns = "account_id, building_id, kopecks, booking_month, service_month, service_id, supplier_id, run_id, zone, kind";

    /// <summary>Creates the month's partitions when they do not exist yet (outside the batch transactions).</summary>
    public static async Task EnsurePartitionAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT ensure_charge_lines_partition(@m)", conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Posts the lines inside the caller's transaction, idempotently: a posting (building × run × booking month) whose
    /// details row exists already is skipped whole; returns how many lines were new. For recalculations, corrections and
    /// penalties, where a retried posting must post nothing twice.
    /// </summary>
    public static async Task<long> PostAsync(NpgsqlConnection conn, IReadOnlyList<PostedLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return 0;
        // A recalculation's lines come month by month: a building's are brought together (stably, in their order).
        var encoded = Encode(lines.OrderBy(l => l.BookingMonth).ThenBy(l => l.BuildingId).ThenBy(l => l.RunId).ToList());
        await ChargeTraces.SaveTemplatesAsync(conn, encoded.Templates, ct);
        var inserted = await InsertDetailsAsync(conn, encoded.Postings, regular: false, ct);
        var fresh = encoded.Postings.Where(p => inserted.Contains((p.BookingMonth, p.BuildingId, p.RunId))).ToList();
        return await CopyLinesAsync(conn, "charge_lines", encoded, fresh, ct);
    }

    /// <summary>
    /// The billing run's path, inside the caller's transaction: the details rows as regular postings — a second regular
    /// charge of a building for the month violates <c>ux_charge_details_regular</c> and fails the batch — then the lines
    /// by binary COPY straight into the month's partition. Save <see cref="EncodedLines.Templates"/> first, outside the
    /// transaction (<see cref="ChargeTraces.SaveTemplatesAsync"/>).
    /// </summary>
    public static async Task<long> AppendAsync(NpgsqlConnection conn, BillingPeriod month, EncodedLines lines, CancellationToken ct)
    {
        if (lines.Lines.Count == 0) return 0;
        await InsertDetailsAsync(conn, lines.Postings, regular: true, ct);
        return await CopyLinesAsync(conn, PartitionName(month), lines, lines.Postings, ct);
    }

    /// <summary>The month's partition of <c>charge_lines</c> (see <c>ensure_charge_lines_partition</c>).</summary>
    public static string PartitionName(BillingPeriod month) => SqlMonths.Partition("charge_lines", month);

    /// <summary>A posting: the lines <c>[Start, Start + Count)</c> of one building, run and booking month, and their details text.</summary>
    public sealed record Posting(BillingPeriod BookingMonth, long BuildingId, long RunId, int Start, int Count, long Kopecks, string? Reason, string? PostedBy, string Data);

    /// <summary>Lines grouped into postings with their details encoded, each line's amount in kopecks, and the trace templates they use.</summary>
    public sealed record EncodedLines(IReadOnlyList<PostedLine> Lines, long[] Kopecks, IReadOnlyList<Posting> Postings, IReadOnlyCollection<TraceTemplate> Templates);

    /// <summary>
    /// Groups the lines by building, run and booking month (a posting's lines must be consecutive) and writes each
    /// posting's details (<see cref="ChargeDetails.Write"/>); refuses two lines with one key in a posting.
    /// </summary>
    public static EncodedLines Encode(IReadOnlyList<PostedLine> lines)
    {
        var templates = new Dictionary<long, TraceTemplate>();
        var postings = new List<Posting>();
        var sb = new StringBuilder(16 * 1024);
        var templateIds = new long[lines.Count];
        var traceValues = new string[lines.Count];
        var keys = new HashSet<(long, long, long, TariffZone, ChargeLineKind, BillingPeriod)>();
        var seen = new HashSet<(BillingPeriod, long, long)>();
        var amounts = new long[lines.Count];
        int start = 0;
        long kopecks = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            var p = lines[i];
            var l = p.Line;
            var (template, values) = ChargeTraces.Encode(l.Trace);
            templates.TryAdd(template.Id, template);
            Invariant.Holds(keys.Add((l.AccountId, p.ServiceId, l.SupplierId, l.Zone, l.Kind, l.Period)),
                $"two charge lines with one key in a posting: account {l.AccountId}, service {p.ServiceId}, supplier {l.SupplierId}, {l.Period}");
            (templateIds[i], traceValues[i]) = (template.Id, values);
            amounts[i] = Kopecks(l.Amount.Amount);
            kopecks += amounts[i];
            bool last = i + 1 == lines.Count || lines[i + 1] is var n && (n.BuildingId != p.BuildingId || n.RunId != p.RunId || n.BookingMonth != p.BookingMonth);
            if (!last)
            {
                Invariant.Holds(lines[i + 1].Reason == p.Reason && lines[i + 1].PostedBy == p.PostedBy, "a posting's lines share one reason and author");
                continue;
            }
            Invariant.Holds(seen.Add((p.BookingMonth, p.BuildingId, p.RunId)), $"the lines of building {p.BuildingId} are not consecutive");
            postings.Add(new Posting(p.BookingMonth, p.BuildingId, p.RunId, start, i + 1 - start, kopecks, p.Reason, p.PostedBy,
                ChargeDetails.Write(sb, lines, start, i + 1 - start, templateIds, traceValues)));
            kopecks = 0;
            keys.Clear();
            start = i + 1;
        }
        return new EncodedLines(lines, amounts, postings, templates.Values);
    }

    /// <summary>Inserts the postings' details rows; returns the keys of those inserted (a conflict skips a posting unless it is regular).</summary>
    private static async Task<HashSet<(BillingPeriod, long, long)>> InsertDetailsAsync(NpgsqlConnection conn, IReadOnlyList<Posting> postings, bool regular,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO charge_details (booking_month, building_id, run_id, regular, lines, kopecks, reason, posted_by, data)
            SELECT m, b, r, @regular, n, k, reason, author, data
            FROM unnest(@months, @buildings, @runs, @counts, @kopecks, @reasons, @authors, @data) AS x(m, b, r, n, k, reason, author, data)
            {(regular ? "" : "ON CONFLICT DO NOTHING")}
            RETURNING booking_month, building_id, run_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<bool>("regular", regular));
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]>("months", postings.Select(p => SqlMonths.Date(p.BookingMonth)).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("buildings", postings.Select(p => p.BuildingId).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("runs", postings.Select(p => checked((int)p.RunId)).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("counts", postings.Select(p => p.Count).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("kopecks", postings.Select(p => p.Kopecks).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("reasons", postings.Select(p => p.Reason).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("authors", postings.Select(p => p.PostedBy).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("data", postings.Select(p => p.Data).ToArray()));
        var inserted = new HashSet<(BillingPeriod, long, long)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) inserted.Add((r.GetMonth(0), r.GetInt64(1), r.GetInt32(2)));
        return inserted;
    }

    private static async Task<long> CopyLinesAsync(NpgsqlConnection conn, string table, EncodedLines encoded, IReadOnlyList<Posting> postings,
        CancellationToken ct)
    {
        if (postings.Count == 0) return 0;
        long count = 0;
        await using (var copy = await conn.BeginRawBinaryCopyAsync($"COPY {table} ({LineColumns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            var writer = new BinaryCopyWriter(copy);
            foreach (var posting in postings)
            {
                int run = checked((int)posting.RunId);
                for (int i = posting.Start; i < posting.Start + posting.Count; i++)
                {
                    var p = encoded.Lines[i];
                    var l = p.Line;
                    writer.StartRow(10);
                    writer.Put(checked((int)l.AccountId));
                    writer.Put(checked((int)p.BuildingId));
                    writer.Put(encoded.Kopecks[i]);
                    writer.Put(p.BookingMonth);
                    writer.Put(l.Period);
                    writer.Put(checked((int)p.ServiceId));
                    writer.Put(checked((int)l.SupplierId));
                    writer.Put(run);
                    writer.Put((short)l.Zone);
                    writer.Put((short)l.Kind);
                    await writer.FlushIfFullAsync(ct);
                }
                count += posting.Count;
            }
            await writer.FinishAsync(ct);
        }
        return count;
    }

    /// <summary>An amount of whole kopecks as the ledger stores it.</summary>
    public static long Kopecks(decimal amount)
    {
        decimal kopecks = amount * 100m;
        Invariant.Holds(kopecks == decimal.Truncate(kopecks), $"a ledger amount is whole kopecks: {amount}");
        return decimal.ToInt64(kopecks);
    }
}
