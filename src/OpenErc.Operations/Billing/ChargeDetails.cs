using System.Globalization;
using System.Text;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>
/// The text of a posting's details (<c>charge_details.data</c>): one line per charge line, fields separated by tabs —
/// account, service, supplier, zone, kind, service month (<c>YYYY-MM-DD</c>), volume, unit, rate, coefficient, day
/// factor, source, unrounded, amount, trace template, trace values (<c>\N</c> for none). Numbers are invariant digits
/// without trailing zeros. The view <c>charge_line_details</c> (migration <c>NarrowLedger</c>) reads it back as rows;
/// text rather than a binary format so that the database itself reads it (the view, the migration's Down, a DBA's
/// query), and the server's lz4 compresses it to some 35 bytes a line.
/// </summary>
public static class ChargeDetails
{
    /// <summary>Appends the line's details; the trace's words are its template's (<see cref="ChargeTraces"/>).</summary>
    public static void Append(StringBuilder sb, PostedLine p, long templateId, string traceValues)
    {
        var l = p.Line;
        if (sb.Length > 0) sb.Append('\n');
        sb.Append(l.AccountId).Append('\t').Append(p.ServiceId).Append('\t').Append(l.SupplierId).Append('\t')
          .Append((short)l.Zone).Append('\t').Append((short)l.Kind).Append('\t')
          .Append(SqlMonths.Date(l.Period).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\t');
        ChargeTraces.Append(sb, l.Volume);
        sb.Append('\t').Append(Field(l.Unit)).Append('\t');
        ChargeTraces.Append(sb, l.Rate);
        sb.Append('\t');
        ChargeTraces.Append(sb, l.Coefficient);
        sb.Append('\t');
        ChargeTraces.Append(sb, l.DayFactor);
        sb.Append('\t').Append((short)l.Source).Append('\t');
        ChargeTraces.Append(sb, l.Unrounded);
        sb.Append('\t');
        ChargeTraces.Append(sb, l.Amount.Amount);
        sb.Append('\t').Append(templateId).Append('\t').Append(Field(traceValues));
    }

    private static string Field(string text)
    {
        Invariant.Holds(text.AsSpan().IndexOfAny('\t', '\n') < 0 && text != @"\N", $"a charge detail field has no tab or line break: «{text}»");
        return text;
    }
}
