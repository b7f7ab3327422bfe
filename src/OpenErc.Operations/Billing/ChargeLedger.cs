using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>A charge line ready for the ledger: the calculator's line with the keys the ledger adds.</summary>
/// <param name="PostedBy">Who posted the line (an operator for a correction); NULL for a run's lines, whose run row says who.</param>
public sealed record PostedLine(long BuildingId, long ServiceId, BillingPeriod BookingMonth, long RunId, ChargeLine Line, string? Reason = null, string? PostedBy = null);

/// <summary>
/// Writes charge lines to the insert-only, partitioned <c>charge_lines</c>. A line's key is (booking month, account,
/// service, supplier, zone, kind, service month, run).
/// </summary>
public static class ChargeLedger
{
    private const string Columns =
        "booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id, volume, unit, rate, " +
        "coefficient, day_factor, source, unrounded, amount, reason, trace_template, trace_values, posted_by";

    /// <summary>Creates the month's partition when it does not exist yet (outside the batch transactions).</summary>
    public static async Task EnsurePartitionAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT ensure_charge_lines_partition(@m)", conn);
        cmd.Parameters.Add(MonthParameter("m", month));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Posts the lines inside the caller's transaction, idempotently: binary COPY into a transaction-scoped staging
    /// table, then <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c>; returns how many were new. For recalculations,
    /// corrections and penalties, where a retried posting must post nothing twice.
    /// </summary>
    public static async Task<long> PostAsync(NpgsqlConnection conn, IReadOnlyList<PostedLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return 0;
        var encoded = Encode(lines);
        await ChargeTraces.SaveTemplatesAsync(conn, encoded.Templates, ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE charge_lines_stage (LIKE charge_lines) ON COMMIT DROP", conn))
            await create.ExecuteNonQueryAsync(ct);
        await CopyAsync(conn, "charge_lines_stage", encoded, ct);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO charge_lines ({Columns}) SELECT {Columns} FROM charge_lines_stage ON CONFLICT DO NOTHING", conn);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The billing run's path: binary COPY straight into the month's partition, inside the caller's transaction. The
    /// run's restart log, committed with the lines, guarantees that no building's regular charge is posted twice, so
    /// there is nothing to stage and skip; a key conflict (a bug) fails the batch loudly instead of skipping a line.
    /// Save <see cref="EncodedLines.Templates"/> first, outside the transaction (<see cref="ChargeTraces.SaveTemplatesAsync"/>).
    /// </summary>
    public static async Task<long> AppendAsync(NpgsqlConnection conn, BillingPeriod month, EncodedLines lines, CancellationToken ct) =>
        lines.Lines.Count == 0 ? 0 : await CopyAsync(conn, PartitionName(month), lines, ct);

    /// <summary>The month's partition of <c>charge_lines</c> (see <c>ensure_charge_lines_partition</c>).</summary>
    public static string PartitionName(BillingPeriod month) => $"charge_lines_{month.Year:D4}_{month.Month:D2}";

    /// <summary>Lines with their traces encoded (<see cref="ChargeTraces"/>) and the templates they use.</summary>
    public sealed record EncodedLines(IReadOnlyList<PostedLine> Lines, long[] TemplateIds, string[] Values, IReadOnlyCollection<TraceTemplate> Templates);

    public static EncodedLines Encode(IReadOnlyList<PostedLine> lines)
    {
        var ids = new long[lines.Count];
        var values = new string[lines.Count];
        var templates = new Dictionary<long, TraceTemplate>();
        for (int i = 0; i < lines.Count; i++)
        {
            var (template, text) = ChargeTraces.Encode(lines[i].Line.Trace);
            ids[i] = template.Id;
            values[i] = text;
            templates.TryAdd(template.Id, template);
        }
        return new EncodedLines(lines, ids, values, templates.Values);
    }

    private static async Task<long> CopyAsync(NpgsqlConnection conn, string table, EncodedLines encoded, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync($"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", ct);
        // Synchronous writes: the importer buffers, and an await per field costs more than the rare blocking flush.
        var lines = encoded.Lines;
        for (int i = 0; i < lines.Count; i++)
        {
            var p = lines[i];
            var l = p.Line;
            copy.StartRow();
            copy.WriteMonth(p.BookingMonth);
            copy.WriteMonth(l.Period);
            copy.Write(l.AccountId, NpgsqlDbType.Bigint);
            copy.Write(p.BuildingId, NpgsqlDbType.Bigint);
            copy.Write(p.ServiceId, NpgsqlDbType.Bigint);
            copy.Write(l.SupplierId, NpgsqlDbType.Bigint);
            copy.Write((short)l.Zone, NpgsqlDbType.Smallint);
            copy.Write((short)l.Kind, NpgsqlDbType.Smallint);
            copy.Write(p.RunId, NpgsqlDbType.Bigint);
            copy.Write(l.Volume, NpgsqlDbType.Numeric);
            copy.Write(l.Unit, NpgsqlDbType.Text);
            copy.Write(l.Rate, NpgsqlDbType.Numeric);
            copy.Write(l.Coefficient, NpgsqlDbType.Numeric);
            copy.Write(l.DayFactor, NpgsqlDbType.Numeric);
            copy.Write((short)l.Source, NpgsqlDbType.Smallint);
            copy.Write(l.Unrounded, NpgsqlDbType.Numeric);
            copy.Write(l.Amount.Amount, NpgsqlDbType.Numeric);
            if (p.Reason is null) copy.WriteNull();
            else copy.Write(p.Reason, NpgsqlDbType.Text);
            copy.Write(encoded.TemplateIds[i], NpgsqlDbType.Bigint);
            copy.Write(encoded.Values[i], NpgsqlDbType.Text);
            if (p.PostedBy is null) copy.WriteNull();
            else copy.Write(p.PostedBy, NpgsqlDbType.Text);
        }
        return (long)await copy.CompleteAsync(ct);
    }
}
