using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Billing;

/// <summary>
/// The words of a trace, shared by every line computed the same way: the formula, its legal reference, the note and
/// the names and units of the inputs (of the whole line and of each segment). Numbers inside the words (a meter
/// number, the dates of an averaging period: "Объём ПУ 131 с 24.06.2026 по 22.10.2026") are placeholders
/// <see cref="ChargeTraces.Placeholder"/> filled from the line's values, so that a region's lines share a few hundred
/// templates. Stored once in <c>charge_trace_templates</c> under <see cref="Id"/>, a 63-bit FNV-1a hash of the words,
/// so that workers, processes and databases agree on the id without asking anyone.
/// </summary>
public sealed record TraceTemplate(long Id, string Formula, string LegalReference, string? Note, IReadOnlyList<(string Name, string Unit)> Inputs,
    IReadOnlyList<IReadOnlyList<(string Name, string Unit)>> Segments);

/// <summary>
/// Stores a <see cref="ChargeTrace"/> compactly: a line keeps its <see cref="TraceTemplate"/> id and the values only —
/// <c>v;v;…</c> for the line's inputs, then <c>|from;to;day factor;volume;unrounded;v;…</c> per segment, then
/// <c>~a;a;…</c>, the numbers taken out of the names and the note, when there are any. A line of a million-account
/// run carries some 40 characters of trace instead of ~550 bytes of self-describing JSON, which is what the ledger's
/// write speed was bound by.
/// </summary>
public static class ChargeTraces
{
    /// <summary>Stands in a template's words for a number taken out into the line's values.</summary>
    public const string Placeholder = "{}";

    private static readonly ConcurrentDictionary<long, TraceTemplate> Known = new();

    /// <summary>The template of a trace (built once per distinct template per process) and the line's values.</summary>
    public static (TraceTemplate Template, string Values) Encode(ChargeTrace trace)
    {
        long id = TemplateId(trace);
        var template = Known.GetOrAdd(id, static (key, t) => new TraceTemplate(key, t.Formula, t.LegalReference,
            t.Note is null ? null : Pattern(t.Note),
            t.Inputs.Select(i => (Pattern(i.Name), i.Unit)).ToList(),
            t.Segments.Select(s => (IReadOnlyList<(string, string)>)s.Inputs.Select(i => (Pattern(i.Name), i.Unit)).ToList()).ToList()), trace);
        return (template, Values(trace));
    }

    /// <summary>The inverse of <see cref="Encode"/>.</summary>
    public static ChargeTrace Decode(TraceTemplate template, string values)
    {
        var args = new Queue<string>();
        int tilde = values.IndexOf('~', StringComparison.Ordinal);
        if (tilde >= 0)
        {
            foreach (var a in values[(tilde + 1)..].Split(';')) args.Enqueue(a);
            values = values[..tilde];
        }
        var groups = values.Split('|');
        var inputs = Inputs(template.Inputs, Numbers(groups[0]), 0, args);
        var segments = new List<TraceSegment>(template.Segments.Count);
        for (int s = 0; s < template.Segments.Count; s++)
        {
            var parts = groups[s + 1].Split(';');
            var numbers = parts.Skip(2).Select(Number).ToArray();
            segments.Add(new TraceSegment(DateOnly.ParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture), numbers[0], numbers[1],
                Inputs(template.Segments[s], numbers, 3, args), numbers[2]));
        }
        var note = template.Note is null ? null : Fill(template.Note, args);
        Invariant.Holds(args.Count == 0, $"trace values do not match template {template.Id}: {args.Count} numbers of the words left over");
        return new ChargeTrace(template.Formula, template.LegalReference, inputs, note) { Segments = segments };
    }

    /// <summary>Reads a template row (<c>formula, legal, note, inputs::text, segments::text</c>) from <paramref name="first"/> on.</summary>
    public static TraceTemplate ReadTemplate(NpgsqlDataReader r, long id, int first)
    {
        static List<(string, string)> Names(JsonElement array) =>
            array.EnumerateArray().Select(i => (i[0].GetString() ?? "", i[1].GetString() ?? "")).ToList();
        using var inputs = JsonDocument.Parse(r.GetString(first + 3));
        using var segments = JsonDocument.Parse(r.GetString(first + 4));
        return new TraceTemplate(id, r.GetString(first), r.GetString(first + 1), r.IsDBNull(first + 2) ? null : r.GetString(first + 2),
            Names(inputs.RootElement), segments.RootElement.EnumerateArray().Select(s => (IReadOnlyList<(string, string)>)Names(s)).ToList());
    }

    /// <summary>
    /// Makes sure the templates exist, in a statement of their own outside the lines' transaction: a template is
    /// reference data, so concurrent batches never wait on each other for it, and one left by a rolled-back batch is
    /// harmless.
    /// </summary>
    public static async Task SaveTemplatesAsync(NpgsqlConnection conn, IEnumerable<TraceTemplate> templates, CancellationToken ct)
    {
        var list = templates.DistinctBy(t => t.Id).ToList();
        if (list.Count == 0) return;
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO charge_trace_templates (id, formula, legal, note, inputs, segments)
            SELECT * FROM unnest(@ids, @formulas, @legals, @notes, @inputs::jsonb[], @segments::jsonb[])
            ON CONFLICT (id) DO NOTHING
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", list.Select(t => t.Id).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("formulas", list.Select(t => t.Formula).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("legals", list.Select(t => t.LegalReference).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("notes", list.Select(t => t.Note).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("inputs", list.Select(t => NamesJson(t.Inputs)).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("segments",
            list.Select(t => "[" + string.Join(",", t.Segments.Select(NamesJson)) + "]").ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string NamesJson(IReadOnlyList<(string Name, string Unit)> names) =>
        JsonSerializer.Serialize(names.Select(n => new[] { n.Name, n.Unit }));

    private static List<TraceInput> Inputs(IReadOnlyList<(string Name, string Unit)> names, IReadOnlyList<decimal> values, int offset, Queue<string> args)
    {
        Invariant.Holds(values.Count - offset == names.Count, $"trace values do not match the template: {values.Count - offset} values, {names.Count} names");
        return names.Select((n, i) => new TraceInput(Fill(n.Name, args), values[offset + i], n.Unit)).ToList();
    }

    private static decimal[] Numbers(string group) => group.Length == 0 ? [] : group.Split(';').Select(Number).ToArray();

    private static decimal Number(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    // ---- numbers inside words: a run of ASCII digits, possibly with '.', ',' or ':' between digits ("24.06.2026", "1,5").

    private static int RunEnd(string text, int start)
    {
        int i = start;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || (text[i] is '.' or ',' or ':') && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && i > start))
            i++;
        return i;
    }

    private static string Pattern(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                i = RunEnd(text, i);
                sb.Append(Placeholder);
            }
            else sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    private static void AppendArgs(StringBuilder sb, string text, ref bool first)
    {
        for (int i = 0; i < text.Length;)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                i++;
                continue;
            }
            int end = RunEnd(text, i);
            sb.Append(first ? '~' : ';').Append(text, i, end - i);
            first = false;
            i = end;
        }
    }

    private static string Fill(string pattern, Queue<string> args)
    {
        if (!pattern.Contains(Placeholder, StringComparison.Ordinal)) return pattern;
        var parts = pattern.Split(Placeholder);
        var sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.Length; i++)
        {
            Invariant.Holds(args.Count > 0, "trace values do not match the template: a number of the words is missing");
            sb.Append(args.Dequeue()).Append(parts[i]);
        }
        return sb.ToString();
    }

    private static long TemplateId(ChargeTrace trace)
    {
        ulong h = 14695981039346656037UL;
        h = Mix(h, trace.Formula, '\u0001');
        h = Mix(h, trace.LegalReference, '\u0001');
        h = trace.Note is null ? Step(h, '\u0006') : MixPattern(h, trace.Note, '\u0001');
        foreach (var i in trace.Inputs) h = Mix(MixPattern(h, i.Name, '\u0002'), i.Unit, '\u0003');
        foreach (var s in trace.Segments)
        {
            h = Step(h, '\u0004');
            foreach (var i in s.Inputs) h = Mix(MixPattern(h, i.Name, '\u0002'), i.Unit, '\u0003');
        }
        return (long)(h & 0x7FFF_FFFF_FFFF_FFFFUL);
    }

    private static ulong Step(ulong h, char c) => unchecked((h ^ c) * 1099511628211UL);

    private static ulong Mix(ulong h, string text, char separator)
    {
        foreach (char c in text) h = Step(h, c);
        return Step(h, separator);
    }

    /// <summary>As <see cref="Mix"/>, with each number of the text hashed as one placeholder.</summary>
    private static ulong MixPattern(ulong h, string text, char separator)
    {
        for (int i = 0; i < text.Length;)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                i = RunEnd(text, i);
                h = Step(h, '\u0005');
            }
            else h = Step(h, text[i++]);
        }
        return Step(h, separator);
    }

    [ThreadStatic] private static StringBuilder? _builder;

    private static string Values(ChargeTrace trace)
    {
        var sb = _builder ??= new StringBuilder(128);
        sb.Clear();
        for (int i = 0; i < trace.Inputs.Count; i++)
        {
            if (i > 0) sb.Append(';');
            Append(sb, trace.Inputs[i].Value);
        }
        foreach (var s in trace.Segments)
        {
            sb.Append('|').Append(s.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
              .Append(';').Append(s.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(';');
            Append(sb, s.DayFactor);
            sb.Append(';');
            Append(sb, s.Volume);
            sb.Append(';');
            Append(sb, s.Unrounded);
            foreach (var i in s.Inputs)
            {
                sb.Append(';');
                Append(sb, i.Value);
            }
        }
        bool first = true;
        foreach (var i in trace.Inputs) AppendArgs(sb, i.Name, ref first);
        foreach (var s in trace.Segments)
            foreach (var i in s.Inputs) AppendArgs(sb, i.Name, ref first);
        if (trace.Note is not null) AppendArgs(sb, trace.Note, ref first);
        return sb.ToString();
    }

    /// <summary>Invariant digits without trailing zeros (57.340000 → 57.34): the database's scale of a rate or an area is not information.</summary>
    internal static void Append(StringBuilder sb, decimal value)
    {
        Span<char> buffer = stackalloc char[40];
        sb.Append(buffer[..Format(value, buffer)]);
    }

    /// <summary>Writes the number as <see cref="Append"/> does into <paramref name="buffer"/> (40 characters); returns its length.</summary>
    internal static int Format(decimal value, Span<char> buffer)
    {
        value.TryFormat(buffer, out int n, default, CultureInfo.InvariantCulture);
        if (buffer[..n].Contains('.'))
        {
            while (buffer[n - 1] == '0') n--;
            if (buffer[n - 1] == '.') n--;
        }
        return n;
    }
}
