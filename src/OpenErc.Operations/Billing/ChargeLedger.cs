using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>A charge line ready for the ledger: the calculator's line with the keys the ledger adds.</summary>
/// <param name="PostedBy">Who posted the line (an operator for a correction); NULL for a run's lines, whose run row says who.</param>
public sealed record PostedLine(long BuildingId, long ServiceId, BillingPeriod BookingMonth, long RunId, ChargeLine Line, string? Reason = null, string? PostedBy = null);

/// <summary>
/// Writes charge lines to the insert-only ledger: binary COPY into a transaction-scoped staging table, then
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c> into the partitioned <c>charge_lines</c>. A line's key is
/// (booking month, account, service, supplier, zone, kind, service month, run), so a batch replayed by a resumed run
/// posts nothing twice.
/// </summary>
public static class ChargeLedger
{
    private const string Columns =
        "booking_month, service_month, account_id, building_id, service_id, supplier_id, zone, kind, run_id, volume, unit, rate, " +
        "coefficient, day_factor, source, unrounded, amount, reason, trace, posted_by";

    /// <summary>Creates the month's partition when it does not exist yet (outside the batch transactions).</summary>
    public static async Task EnsurePartitionAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT ensure_charge_lines_partition(@m)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("m", month.FirstDay));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Posts the lines inside the caller's transaction; returns how many were new.</summary>
    public static async Task<long> PostAsync(NpgsqlConnection conn, IReadOnlyList<PostedLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return 0;
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE charge_lines_stage (LIKE charge_lines) ON COMMIT DROP", conn))
            await create.ExecuteNonQueryAsync(ct);
        await using (var copy = await conn.BeginBinaryImportAsync($"COPY charge_lines_stage ({Columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            // Synchronous writes: the importer buffers, and an await per field costs more than the rare blocking flush.
            foreach (var p in lines)
            {
                var l = p.Line;
                copy.StartRow();
                copy.Write(p.BookingMonth.FirstDay, NpgsqlDbType.Date);
                copy.Write(l.Period.FirstDay, NpgsqlDbType.Date);
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
                copy.Write(TraceJson(l.Trace), NpgsqlDbType.Jsonb);
                if (p.PostedBy is null) copy.WriteNull();
                else copy.Write(p.PostedBy, NpgsqlDbType.Text);
            }
            await copy.CompleteAsync(ct);
        }
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO charge_lines ({Columns}) SELECT {Columns} FROM charge_lines_stage ON CONFLICT DO NOTHING", conn);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The trace, compact: <c>{"f": formula, "l": legal reference, "i": [[name, value, unit], …], "n": note,
    /// "s": [[from, to, day factor, volume, unrounded, [[name, value, unit], …]], …]}</c>; empty members are left out.
    /// </summary>
    public static string TraceJson(ChargeTrace trace)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("f", trace.Formula);
            w.WriteString("l", trace.LegalReference);
            if (trace.Inputs.Count > 0)
            {
                w.WritePropertyName("i");
                Inputs(w, trace.Inputs);
            }
            if (trace.Note is not null) w.WriteString("n", trace.Note);
            if (trace.Segments.Count > 0)
            {
                w.WriteStartArray("s");
                foreach (var s in trace.Segments)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(s.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    w.WriteStringValue(s.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    w.WriteNumberValue(Trim(s.DayFactor));
                    w.WriteNumberValue(Trim(s.Volume));
                    w.WriteNumberValue(Trim(s.Unrounded));
                    Inputs(w, s.Inputs);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The same value without trailing zeros (57.340000 → 57.34): the database's scale of a rate or an area is not information.</summary>
    private static decimal Trim(decimal value) => value / 1.0000000000000000000000000000m;

    private static void Inputs(Utf8JsonWriter w, IReadOnlyList<TraceInput> inputs)
    {
        w.WriteStartArray();
        foreach (var i in inputs)
        {
            w.WriteStartArray();
            w.WriteStringValue(i.Name);
            w.WriteNumberValue(Trim(i.Value));
            w.WriteStringValue(i.Unit);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
