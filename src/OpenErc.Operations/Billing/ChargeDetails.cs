using System.Globalization;
using System.Text;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>
/// The text of a posting's details (<c>charge_details.data</c>), by column: sixteen sections separated by line breaks,
/// each the values of one field for every line of the posting separated by tabs — account, service, supplier, zone,
/// kind, service month (<c>YYYY-MM-DD</c>), volume, unit, rate, coefficient, day factor, source, unrounded, amount,
/// trace template, trace values (<c>\N</c> for none). Numbers are invariant digits without trailing zeros. Lines are in
/// order of service, supplier, zone and kind, so that a column's neighbours are alike. What is written once already
/// is not repeated: the amount is empty when it is the unrounded amount rounded to kopecks (half away from zero, as
/// <see cref="Money.RoundToKopecks"/> and SQL's <c>round</c>), and a trace value equal to the line's volume or rate (of
/// three characters or more) is written <c>v</c> or <c>r</c> (a trace's values are numbers and dates, never letters).
/// The view <c>charge_line_details</c> (migration <c>CompactLedger</c>) reads it back as rows with every field; text
/// rather than a binary format so that the database itself reads it (the view, the migrations, a DBA's query). By
/// column, the server's lz4 finds a column's repeats (a building's rates, norms, templates, a premise's volume shared by
/// its services) as long matches: some 23 bytes a line against 38 by line.
/// </summary>
public static class ChargeDetails
{
    /// <summary>The number of fields (sections) of a line.</summary>
    public const int Fields = 16;

    /// <summary>A trace value written for the line's volume or rate has at least this many characters (a shorter one costs no more).</summary>
    public const int ShortestToken = 3;

    /// <summary>Writes the details of <paramref name="lines"/><c>[start, start + count)</c>, whose trace templates and values are given in the same positions.</summary>
    public static string Write(StringBuilder sb, IReadOnlyList<PostedLine> lines, int start, int count, long[] templates, string[] values)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = start + i;
        Array.Sort(order, (a, b) =>
        {
            PostedLine x = lines[a], y = lines[b];
            int c = x.ServiceId.CompareTo(y.ServiceId);
            if (c == 0) c = x.Line.SupplierId.CompareTo(y.Line.SupplierId);
            if (c == 0) c = x.Line.Zone.CompareTo(y.Line.Zone);
            if (c == 0) c = x.Line.Kind.CompareTo(y.Line.Kind);
            return c != 0 ? c : a.CompareTo(b);
        });
        sb.Clear();
        for (int field = 1; field <= Fields; field++)
        {
            if (field > 1) sb.Append('\n');
            for (int k = 0; k < count; k++)
            {
                if (k > 0) sb.Append('\t');
                int i = order[k];
                AppendField(sb, field, lines[i], templates[i], values[i]);
            }
        }
        return sb.ToString();
    }

    private static void AppendField(StringBuilder sb, int field, PostedLine p, long template, string values)
    {
        var l = p.Line;
        switch (field)
        {
            case 1: sb.Append(l.AccountId); break;
            case 2: sb.Append(p.ServiceId); break;
            case 3: sb.Append(l.SupplierId); break;
            case 4: sb.Append((short)l.Zone); break;
            case 5: sb.Append((short)l.Kind); break;
            case 6: sb.Append(SqlMonths.Date(l.Period).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case 7: ChargeTraces.Append(sb, l.Volume); break;
            case 8: sb.Append(Field(l.Unit)); break;
            case 9: ChargeTraces.Append(sb, l.Rate); break;
            case 10: ChargeTraces.Append(sb, l.Coefficient); break;
            case 11: ChargeTraces.Append(sb, l.DayFactor); break;
            case 12: sb.Append((short)l.Source); break;
            case 13: ChargeTraces.Append(sb, l.Unrounded); break;
            case 14:
                if (Money.RoundToKopecks(l.Unrounded) != l.Amount) ChargeTraces.Append(sb, l.Amount.Amount);
                break;
            case 15: sb.Append(template); break;
            default: AppendValues(sb, Field(values), l.Volume, l.Rate); break;
        }
    }

    /// <summary>The trace's values with each value equal to the volume's or the rate's text written <c>v</c> or <c>r</c>.</summary>
    private static void AppendValues(StringBuilder sb, string values, decimal volume, decimal rate)
    {
        Invariant.Holds(values.AsSpan().IndexOfAny('v', 'r') < 0, $"a trace's values are numbers and dates: «{values}»");
        Span<char> v = stackalloc char[40], r = stackalloc char[40];
        v = v[..ChargeTraces.Format(volume, v)];
        r = r[..ChargeTraces.Format(rate, r)];
        var rest = values.AsSpan();
        while (true)
        {
            int end = rest.IndexOfAny(';', '|', '~');
            var value = end < 0 ? rest : rest[..end];
            if (value.Length >= ShortestToken && value.SequenceEqual(v)) sb.Append('v');
            else if (value.Length >= ShortestToken && value.SequenceEqual(r)) sb.Append('r');
            else sb.Append(value);
            if (end < 0) return;
            sb.Append(rest[end]);
            rest = rest[(end + 1)..];
        }
    }

    private static string Field(string text)
    {
        Invariant.Holds(text.AsSpan().IndexOfAny('\t', '\n') < 0 && text != @"\N", $"a charge detail field has no tab or line break: «{text}»");
        return text;
    }
}
