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
/// <see cref="Money.RoundToKopecks"/> and SQL's <c>round</c>), so is an unrounded amount that is the product of volume,
/// rate, coefficient and day factor as the database computes it (<see cref="ImpliedAmounts"/>), and a trace value
/// equal to the line's volume or rate (of three characters or more) is written <c>v</c> or <c>r</c> (a trace's values
/// are numbers and dates, never letters).
/// The view <c>charge_line_details</c> (migration <c>CompactLedger</c>) reads it back as rows with every field; text
/// rather than a binary format so that the database itself reads it (the view, the migrations, a DBA's query). By
/// column, the server's lz4 finds a column's repeats (a building's rates, norms, templates, a premise's volume shared by
/// its services) as long matches: some 18 bytes a line against 38 by line.
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
        var order = new (long Service, long Supplier, short Zone, short Kind, int Index)[count];
        for (int i = 0; i < count; i++)
        {
            var p = lines[start + i];
            order[i] = (p.ServiceId, p.Line.SupplierId, (short)p.Line.Zone, (short)p.Line.Kind, start + i);
        }
        Array.Sort(order);
        // Each line's volume and rate as text, written once: their columns and the trace values' tokens read them.
        var texts = new Numbers(count);
        var implied = new (bool Unrounded, bool Amount)[count];
        for (int k = 0; k < count; k++)
        {
            var l = lines[order[k].Index].Line;
            texts.Add(l.Volume);
            texts.Add(l.Rate);
            implied[k] = ImpliedAmounts.Of(l);
        }
        sb.Clear();
        for (int field = 1; field <= Fields; field++)
        {
            if (field > 1) sb.Append('\n');
            for (int k = 0; k < count; k++)
            {
                if (k > 0) sb.Append('\t');
                int i = order[k].Index;
                switch (field)
                {
                    case 7: sb.Append(texts[2 * k]); break;
                    case 9: sb.Append(texts[2 * k + 1]); break;
                    case 13:
                        if (!implied[k].Unrounded) ChargeTraces.Append(sb, lines[i].Line.Unrounded);
                        break;
                    case 14:
                        if (!implied[k].Amount) ChargeTraces.Append(sb, lines[i].Line.Amount.Amount);
                        break;
                    case 15: sb.Append(templates[i]); break;
                    case 16: AppendValues(sb, Field(values[i]), texts[2 * k], texts[2 * k + 1]); break;
                    default: AppendField(sb, field, lines[i]); break;
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>Numbers written as <see cref="ChargeTraces.Append"/> writes them, kept side by side in one buffer.</summary>
    private struct Numbers(int lines)
    {
        private char[] _chars = new char[lines * 24];
        private readonly int[] _ends = new int[2 * lines];
        private int _count;

        public void Add(decimal value)
        {
            int from = _count == 0 ? 0 : _ends[_count - 1];
            if (_chars.Length - from < 40) Array.Resize(ref _chars, Math.Max(2 * _chars.Length, from + 40));
            _ends[_count++] = from + ChargeTraces.Format(value, _chars.AsSpan(from));
        }

        public readonly ReadOnlySpan<char> this[int index] => _chars.AsSpan((index == 0 ? 0 : _ends[index - 1])..(_ends[index]));
    }

    private static void AppendField(StringBuilder sb, int field, PostedLine p)
    {
        var l = p.Line;
        switch (field)
        {
            case 1: sb.Append(l.AccountId); break;
            case 2: sb.Append(p.ServiceId); break;
            case 3: sb.Append(l.SupplierId); break;
            case 4: sb.Append((short)l.Zone); break;
            case 5: sb.Append((short)l.Kind); break;
            case 6:
                Span<char> day = stackalloc char[10];
                SqlMonths.Date(l.Period).TryFormat(day, out _, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                sb.Append(day);
                break;
            case 8: sb.Append(Field(l.Unit)); break;
            case 10: ChargeTraces.Append(sb, l.Coefficient); break;
            case 11: ChargeTraces.Append(sb, l.DayFactor); break;
            case 12: sb.Append((short)l.Source); break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    /// <summary>The trace's values with each value equal to the volume's or the rate's text written <c>v</c> or <c>r</c>.</summary>
    private static void AppendValues(StringBuilder sb, string values, ReadOnlySpan<char> v, ReadOnlySpan<char> r)
    {
        Invariant.Holds(values.AsSpan().IndexOfAny('v', 'r') < 0, $"a trace's values are numbers and dates: «{values}»");
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
