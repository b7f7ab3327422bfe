// drawing-only: advances are float points for layout; no money is computed here.
using System.Buffers.Binary;
using System.Text;

namespace OpenErc.Operations.Receipts;

/// <summary>
/// A TrueType font embedded whole in a PDF as a Type0 font with Identity-H encoding: a text string is the font's glyph
/// ids, and a ToUnicode map lets readers (and PdfPig) extract the text. The receipt fonts are already subset to the
/// characters a receipt prints (Fonts/subset.sh: Latin, the whole Cyrillic block, about 33 KB each), so there is nothing to subset per file. The font
/// file and its Unicode map are compressed once per process.
/// </summary>
internal sealed class PdfFont
{
    /// <summary>Characters below this have a glyph look-up; the subset fonts have nothing past U+2265.</summary>
    private const int Size = 0x2300;
    private readonly ushort[] glyphs = new ushort[Size];
    private readonly float[] advances = new float[Size];
    // Advances in 1/1000 em, as the PDF's /W array gives them; the layout measures with the same rounded values.
    private readonly int[] glyphWidths;
    private readonly float missing;
    // The font's descriptor: its bounding box, ascent, descent and cap height in 1/1000 em, as PDF gives them.
    private readonly string metrics;
    private readonly int fileLength;
    private readonly byte[] fontFile, toUnicode;
    private readonly string widths, baseFont;

    public static readonly PdfFont Regular = Load("DejaVuSansCondensed");
    public static readonly PdfFont Bold = Load("DejaVuSansCondensed-Bold");

    private PdfFont(string name, byte[] file)
    {
        // A subset font's PDF name starts with a tag of six capitals; this one is the file's hash, so it stays the same.
        var hash = System.Security.Cryptography.SHA256.HashData(file);
        baseFont = string.Concat(hash.Take(6).Select(b => (char)('A' + b % 26))) + "+" + name;
        var tables = Tables(file);
        var head = tables["head"].Span;
        int unitsPerEm = BinaryPrimitives.ReadUInt16BigEndian(head[18..]);
        int Scale(int units) => (int)Math.Round(units * 1000.0 / unitsPerEm, MidpointRounding.AwayFromZero);
        var hhea = tables["hhea"].Span;
        int ascent = Scale(I16(hhea, 4)), hMetrics = BinaryPrimitives.ReadUInt16BigEndian(hhea[34..]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(tables["maxp"].Span[4..]);
        var os2 = tables.TryGetValue("OS/2", out var os2Table) ? os2Table.Span : default;
        // Invariant: the descent and the box are negative, and some cultures' minus sign is not ASCII.
        metrics = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/FontBBox [{Scale(I16(head, 36))} {Scale(I16(head, 38))} {Scale(I16(head, 40))} {Scale(I16(head, 42))}] /ItalicAngle 0 " +
                  $"/Ascent {ascent} /Descent {Scale(I16(hhea, 6))} /CapHeight {(os2.Length >= 90 ? Scale(I16(os2, 88)) : ascent)}");

        var hmtx = tables["hmtx"].Span;
        glyphWidths = new int[count];
        for (int g = 0; g < count; g++)
            glyphWidths[g] = Scale(BinaryPrimitives.ReadUInt16BigEndian(hmtx[(4 * Math.Min(g, hMetrics - 1))..]));

        ReadCmap(tables["cmap"].Span, glyphs);
        for (int c = 0; c < Size; c++) advances[c] = glyphWidths[glyphs[c]] / 1000f;
        missing = glyphWidths[0] / 1000f;
        fileLength = file.Length;
        // Made once: the font file is deflated once for every PDF of the process.
        fontFile = PdfWriter.Deflate(file);
        widths = string.Join(' ', glyphWidths);
        toUnicode = PdfWriter.Deflate(Encoding.ASCII.GetBytes(ToUnicode()));
    }


    /// <summary>The glyph of a character; 0 (.notdef) when the font has none.</summary>
    public ushort Glyph(char c) => c < Size ? glyphs[c] : (ushort)0;

    /// <summary>Advance of a character at 1 pt.</summary>
    public float Advance(char c) => c < Size ? advances[c] : missing;


    /// <summary>
    /// The font's five PDF objects (Type0 font, CID font, descriptor, font file, ToUnicode) numbered from
    /// <paramref name="first"/>, the first being the font to name in a page's resources.
    /// </summary>
    internal byte[][] PdfObjects(int first) =>
    [
        Ascii($"<< /Type /Font /Subtype /Type0 /BaseFont /{baseFont} /Encoding /Identity-H /DescendantFonts [{first + 1} 0 R] /ToUnicode {first + 4} 0 R >>"),
        Ascii($"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{baseFont} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> " +
              $"/FontDescriptor {first + 2} 0 R /CIDToGIDMap /Identity /W [0 [{widths}]] >>"),
        Ascii($"<< /Type /FontDescriptor /FontName /{baseFont} /Flags 32 {metrics} /StemV 80 /FontFile2 {first + 3} 0 R >>"),
        PdfWriter.StreamObject($"/Length1 {fileLength} /Filter /FlateDecode", fontFile),
        PdfWriter.StreamObject("/Filter /FlateDecode", toUnicode),
    ];

    private static PdfFont Load(string name)
    {
        using var stream = typeof(PdfFont).Assembly.GetManifestResourceStream($"OpenErc.Fonts.{name}.ttf")
            ?? throw new InvalidOperationException($"Нет встроенного шрифта {name}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return new PdfFont(name, bytes);
    }

    private static short I16(ReadOnlySpan<byte> table, int at) => BinaryPrimitives.ReadInt16BigEndian(table[at..]);

    private static Dictionary<string, ReadOnlyMemory<byte>> Tables(byte[] file)
    {
        int count = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(4));
        var tables = new Dictionary<string, ReadOnlyMemory<byte>>(count);
        for (int i = 0; i < count; i++)
        {
            var entry = file.AsSpan(12 + 16 * i, 16);
            int offset = (int)BinaryPrimitives.ReadUInt32BigEndian(entry[8..]), length = (int)BinaryPrimitives.ReadUInt32BigEndian(entry[12..]);
            tables[Encoding.ASCII.GetString(entry[..4])] = file.AsMemory(offset, length);
        }
        foreach (var required in (ReadOnlySpan<string>)["head", "hhea", "hmtx", "maxp", "cmap"])
            if (!tables.ContainsKey(required)) throw new InvalidOperationException($"В шрифте нет таблицы {required}");
        return tables;
    }

    /// <summary>Reads the Windows Unicode BMP subtable (format 4) into glyph ids by character.</summary>
    private static void ReadCmap(ReadOnlySpan<byte> cmap, ushort[] into)
    {
        int subtables = BinaryPrimitives.ReadUInt16BigEndian(cmap[2..]);
        for (int i = 0; i < subtables; i++)
        {
            var record = cmap[(4 + 8 * i)..];
            int platform = BinaryPrimitives.ReadUInt16BigEndian(record), encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            var table = cmap[(int)BinaryPrimitives.ReadUInt32BigEndian(record[4..])..];
            if (!(platform == 3 && encoding == 1 || platform == 0) || BinaryPrimitives.ReadUInt16BigEndian(table) != 4) continue;
            int segments = BinaryPrimitives.ReadUInt16BigEndian(table[6..]) / 2;
            int ends = 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, ranges = deltas + 2 * segments;
            for (int s = 0; s < segments; s++)
            {
                int end = BinaryPrimitives.ReadUInt16BigEndian(table[(ends + 2 * s)..]);
                int start = BinaryPrimitives.ReadUInt16BigEndian(table[(starts + 2 * s)..]);
                int delta = BinaryPrimitives.ReadInt16BigEndian(table[(deltas + 2 * s)..]);
                int rangeAt = ranges + 2 * s, range = BinaryPrimitives.ReadUInt16BigEndian(table[rangeAt..]);
                for (int c = start; c <= end && c < into.Length; c++)
                {
                    int glyph;
                    if (range == 0) glyph = (c + delta) & 0xFFFF;
                    else
                    {
                        glyph = BinaryPrimitives.ReadUInt16BigEndian(table[(rangeAt + range + 2 * (c - start))..]);
                        if (glyph != 0) glyph = (glyph + delta) & 0xFFFF;
                    }
                    into[c] = (ushort)glyph;
                }
            }
            return;
        }
        throw new InvalidOperationException("В шрифте нет таблицы символов Unicode");
    }

    /// <summary>The ToUnicode CMap: each glyph back to its character, for copying and searching the text.</summary>
    private string ToUnicode()
    {
        var mapped = new bool[glyphWidths.Length];
        var pairs = new List<(ushort Glyph, char Char)>();
        for (int c = 0; c < Size; c++)
        {
            // The first character of a glyph shared by several is the one extracted.
            ushort g = glyphs[c];
            if (g == 0 || mapped[g]) continue;
            mapped[g] = true;
            pairs.Add((g, (char)c));
        }
        pairs.Sort((a, b) => a.Glyph.CompareTo(b.Glyph));
        var map = new StringBuilder(64 * 1024)
            .Append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
            .Append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
            .Append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        foreach (var chunk in pairs.Chunk(100))
        {
            map.Append(chunk.Length).Append(" beginbfchar\n");
            foreach (var (g, c) in chunk) map.Append($"<{g:X4}> <{(int)c:X4}>\n");
            map.Append("endbfchar\n");
        }
        return map.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").ToString();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
