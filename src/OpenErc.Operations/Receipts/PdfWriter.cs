// drawing-only: page coordinates are float points; no money is computed here.
using System.IO.Compression;
using System.Text;

namespace OpenErc.Operations.Receipts;

/// <summary>
/// A PDF 1.4 writer for what a receipt draws: filled and stroked rectangles, one set of rules per page, text in
/// embedded TrueType fonts and 1-bit images. Coordinates are points from the top left corner of the page. Pages are
/// written to the stream as they end, so a building's file of hundreds of pages is never held in memory; the file
/// depends on what is drawn alone (no dates, no /ID), so drawing the same pages again gives the same bytes.
/// </summary>
/// <remarks>
/// Why not SkiaSharp's PDF backend (<c>SKDocument.CreatePdf</c>): it spends about 4 ms of a receipt's page on text
/// and the QR image alone (positioning every glyph, re-encoding the image), which caps a core at under 200 receipts
/// a second; the region's target is 300. This writer puts each string down as one <c>Tj</c> of glyph ids and the QR
/// code as a 1-bit image, which costs a tenth of that.
/// </remarks>
internal sealed class PdfWriter
{
    private const int Catalog = 1, Pages = 2, Info = 3, FirstFont = 4, ObjectsPerFont = 5;

    private readonly Stream output;
    private readonly string title;
    private readonly PdfFont[] fonts;
    private readonly float ruleGray, ruleWidth;
    // Offsets of the objects by number (index 0 unused).
    private readonly List<long> offsets = [0];
    private readonly List<int> pages = [];
    private readonly List<int> images = [];
    private long position;

    // A page is three layers drawn in this order: fills, strokes and images; the rules; the text.
    private readonly Content graphics = new(), rules = new(), text = new();
    private readonly MemoryStream deflated = new();
    private float pageWidth, pageHeight;
    private bool inPage;
    private float fillGray, strokeGray, lineWidth;
    private PdfFont? textFont;
    private float textSize, textGray;
    // The text's current line start in hundredths of a point: each run moves from it by a relative Td.
    private int lineX, lineY;

    public PdfWriter(Stream output, string title, PdfFont[] fonts, float ruleGray, float ruleWidth)
    {
        ArgumentNullException.ThrowIfNull(output);
        this.output = output;
        this.title = title;
        this.fonts = fonts;
        this.ruleGray = ruleGray;
        this.ruleWidth = ruleWidth;
        // The binary comment line tells transfer programs the file is binary.
        Raw("%PDF-1.4\n%\u00E2\u00E3\u00CF\u00D3\n"u8);
        Reserve(Catalog);
        Reserve(Pages);
        Reserve(Info);
        for (int i = 0; i < fonts.Length; i++)
        {
            var objects = fonts[i].PdfObjects(FirstFont + ObjectsPerFont * i);
            foreach (var body in objects) WriteObject(body);
        }
    }

    public void BeginPage(float width, float height)
    {
        if (inPage) throw new InvalidOperationException("Предыдущая страница не закончена");
        inPage = true;
        pageWidth = width;
        pageHeight = height;
        graphics.Clear();
        rules.Clear();
        text.Clear();
        images.Clear();
        // A content stream starts in the default state: black, lines 1 pt wide.
        fillGray = strokeGray = 0f;
        lineWidth = 1f;
        textFont = null;
    }

    public void FillRect(float x, float y, float width, float height, float gray)
    {
        if (gray != fillGray) graphics.Number(gray).Ascii(" g\n");
        fillGray = gray;
        Rectangle(x, y, width, height).Ascii(" re f\n");
    }

    public void StrokeRect(float x, float y, float width, float height, float gray, float line)
    {
        if (gray != strokeGray) graphics.Number(gray).Ascii(" G\n");
        if (line != lineWidth) graphics.Number(line).Ascii(" w\n");
        strokeGray = gray;
        lineWidth = line;
        Rectangle(x, y, width, height).Ascii(" re S\n");
    }

    /// <summary>A rule of the page; all of them are stroked in one go when the page ends.</summary>
    public void Line(float x1, float y1, float x2, float y2) =>
        rules.Number(x1).Space().Number(pageHeight - y1).Ascii(" m ").Number(x2).Space().Number(pageHeight - y2).Ascii(" l\n");

    /// <summary>One line of text with its baseline at <paramref name="baseline"/>.</summary>
    public void Text(PdfFont font, float size, float x, float baseline, ReadOnlySpan<char> value, float gray)
    {
        if (value.IsEmpty) return;
        if (textFont is null)
        {
            text.Ascii("BT\n");
            lineX = lineY = 0;
            textGray = float.NaN;
        }
        if (font != textFont || size != textSize)
        {
            text.Ascii("/F").Integer(Array.IndexOf(fonts, font)).Space().Number(size).Ascii(" Tf\n");
            textFont = font;
            textSize = size;
        }
        if (gray != textGray) text.Number(gray).Ascii(" g\n");
        textGray = gray;
        int newX = Hundredths(x), newY = Hundredths(pageHeight - baseline);
        text.Hundredths(newX - lineX).Space().Hundredths(newY - lineY).Ascii(" Td<");
        lineX = newX;
        lineY = newY;
        text.Glyphs(font, value).Ascii(">Tj\n");
    }

    /// <summary>
    /// A 1-bit image, <paramref name="bits"/> rows of (<paramref name="columns"/> + 7) / 8 bytes each, a set bit white,
    /// drawn without smoothing into the square at (<paramref name="x"/>, <paramref name="y"/>).
    /// </summary>
    public void Image(ReadOnlySpan<byte> bits, int columns, int rows, float x, float y, float width, float height)
    {
        int number = WriteStream(
            $"/Type /XObject /Subtype /Image /Width {columns} /Height {rows} /ColorSpace /DeviceGray /BitsPerComponent 1 /Interpolate false",
            bits);
        images.Add(number);
        graphics.Ascii("q ").Number(width).Ascii(" 0 0 ").Number(height).Space().Number(x).Space().Number(pageHeight - y - height)
            .Ascii(" cm /Im").Integer(images.Count).Ascii(" Do Q\n");
    }

    public void EndPage()
    {
        if (!inPage) throw new InvalidOperationException("Страница не начата");
        inPage = false;
        if (rules.Length > 0)
        {
            graphics.Number(ruleGray).Ascii(" G ").Number(ruleWidth).Ascii(" w\n");
            graphics.Append(rules.Span).Ascii("S\n");
        }
        if (textFont is not null) graphics.Append(text.Span).Ascii("ET\n");
        int content = WriteStream("", graphics.Span);

        var page = new StringBuilder(256)
            .Append("<< /Type /Page /Parent ").Append(Pages).Append(" 0 R /MediaBox [0 0 ")
            .Append(Invariant(pageWidth)).Append(' ').Append(Invariant(pageHeight)).Append("] /Resources << /Font <<");
        for (int i = 0; i < fonts.Length; i++) page.Append(" /F").Append(i).Append(' ').Append(FirstFont + ObjectsPerFont * i).Append(" 0 R");
        page.Append(" >>");
        if (images.Count > 0)
        {
            page.Append(" /XObject <<");
            for (int i = 0; i < images.Count; i++) page.Append(" /Im").Append(i + 1).Append(' ').Append(images[i]).Append(" 0 R");
            page.Append(" >>");
        }
        page.Append(" >> /Contents ").Append(content).Append(" 0 R >>");
        pages.Add(WriteObject(Encoding.ASCII.GetBytes(page.ToString())));
    }

    /// <summary>Writes the page tree, the catalog and the cross-reference table; the file is complete after this.</summary>
    public void Close()
    {
        if (inPage) throw new InvalidOperationException("Страница не закончена");
        var kids = string.Join(' ', pages.Select(p => $"{p} 0 R"));
        WriteObject(Pages, Encoding.ASCII.GetBytes($"<< /Type /Pages /Kids [{kids}] /Count {pages.Count} >>"));
        WriteObject(Catalog, Encoding.ASCII.GetBytes($"<< /Type /Catalog /Pages {Pages} 0 R >>"));
        WriteObject(Info, Encoding.ASCII.GetBytes($"<< /Title {TextString(title)} /Creator (OpenErc) /Producer (OpenErc) >>"));

        long xref = position;
        var table = new StringBuilder(32 + 20 * offsets.Count)
            .Append("xref\n0 ").Append(offsets.Count).Append("\n0000000000 65535 f \n");
        for (int i = 1; i < offsets.Count; i++) table.Append(offsets[i].ToString("D10", Culture)).Append(" 00000 n \n");
        table.Append("trailer\n<< /Size ").Append(offsets.Count).Append($" /Root {Catalog} 0 R /Info {Info} 0 R >>\nstartxref\n")
            .Append(xref).Append("\n%%EOF\n");
        Raw(Encoding.ASCII.GetBytes(table.ToString()));
        output.Flush();
    }

    // ——— Objects ———

    private static readonly IFormatProvider Culture = System.Globalization.CultureInfo.InvariantCulture;

    private static string Invariant(float value) => value.ToString("0.##", Culture);

    private void Reserve(int number)
    {
        if (offsets.Count != number) throw new InvalidOperationException("Номера объектов PDF идут по порядку");
        offsets.Add(-1);
    }

    private int WriteObject(ReadOnlySpan<byte> body)
    {
        offsets.Add(-1);
        int number = offsets.Count - 1;
        WriteObject(number, body);
        return number;
    }

    private void WriteObject(int number, ReadOnlySpan<byte> body)
    {
        offsets[number] = position;
        Raw(Encoding.ASCII.GetBytes($"{number} 0 obj\n"));
        Raw(body);
        Raw("\nendobj\n"u8);
    }

    /// <summary>
    /// zlib level 2 for pages: on a receipt's page it is about 1.7 times as fast as the default level 6 (compression
    /// was a third of a page's time) for 9 KB a page instead of 7; level 1 saves a little more time but gives 13 KB.
    /// </summary>
    private static readonly ZLibCompressionOptions PageCompression = new() { CompressionLevel = 2 };

    /// <summary>A deflated stream object; returns its number.</summary>
    private int WriteStream(string dictionary, ReadOnlySpan<byte> data)
    {
        deflated.SetLength(0);
        using (var zlib = new ZLibStream(deflated, PageCompression, leaveOpen: true)) zlib.Write(data);
        return WriteObject(StreamObject(dictionary.Length == 0 ? "/Filter /FlateDecode" : dictionary + " /Filter /FlateDecode",
            deflated.GetBuffer().AsSpan(0, (int)deflated.Length)));
    }

    /// <summary>The body of a stream object: its dictionary (with the length added) and its data.</summary>
    internal static byte[] StreamObject(string dictionary, ReadOnlySpan<byte> data)
    {
        var head = Encoding.ASCII.GetBytes($"<< /Length {data.Length} {dictionary} >>\nstream\n");
        var tail = "\nendstream"u8;
        var body = new byte[head.Length + data.Length + tail.Length];
        head.CopyTo(body, 0);
        data.CopyTo(body.AsSpan(head.Length));
        tail.CopyTo(body.AsSpan(head.Length + data.Length));
        return body;
    }

    internal static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(data);
        return buffer.ToArray();
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        position += bytes.Length;
    }

    /// <summary>A text string in UTF-16BE with its byte order mark, as PDF wants for anything past ASCII.</summary>
    private static string TextString(string value)
    {
        var hex = new StringBuilder(6 + 4 * value.Length).Append("<FEFF");
        foreach (char c in value) hex.Append(((int)c).ToString("X4", Culture));
        return hex.Append('>').ToString();
    }

    private Content Rectangle(float x, float y, float width, float height) =>
        graphics.Number(x).Space().Number(pageHeight - y - height).Space().Number(width).Space().Number(height);

    private static int Hundredths(float value) => (int)MathF.Round(value * 100f);

    /// <summary>A growing byte buffer of content-stream text, with the number formats PDF reads.</summary>
    private sealed class Content
    {
        private static readonly byte[] HexDigits = "0123456789ABCDEF"u8.ToArray();
        private byte[] bytes = new byte[32 * 1024];

        public int Length { get; private set; }
        public ReadOnlySpan<byte> Span => bytes.AsSpan(0, Length);

        public void Clear() => Length = 0;

        private Span<byte> Room(int count)
        {
            if (Length + count > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, Length + count));
            return bytes.AsSpan(Length, count);
        }

        public Content Append(ReadOnlySpan<byte> value)
        {
            value.CopyTo(Room(value.Length));
            Length += value.Length;
            return this;
        }

        public Content Ascii(string value)
        {
            var room = Room(value.Length);
            for (int i = 0; i < value.Length; i++) room[i] = (byte)value[i];
            Length += value.Length;
            return this;
        }

        public Content Space()
        {
            Room(1)[0] = (byte)' ';
            Length++;
            return this;
        }

        public Content Integer(int value)
        {
            value.TryFormat(Room(11), out int written, default, Culture);
            Length += written;
            return this;
        }

        public Content Number(float value) => Hundredths(PdfWriter.Hundredths(value));

        /// <summary>A number given in hundredths: «12.5», «-0.05», «7».</summary>
        public Content Hundredths(int value)
        {
            if (value < 0)
            {
                Room(1)[0] = (byte)'-';
                Length++;
                value = -value;
            }
            Integer(value / 100);
            int fraction = value % 100;
            if (fraction != 0)
            {
                var room = Room(3);
                room[0] = (byte)'.';
                room[1] = (byte)('0' + fraction / 10);
                if (fraction % 10 == 0) Length += 2;
                else
                {
                    room[2] = (byte)('0' + fraction % 10);
                    Length += 3;
                }
            }
            return this;
        }

        /// <summary>The glyph ids of <paramref name="value"/> as hex digits (Identity-H: two bytes a glyph).</summary>
        public Content Glyphs(PdfFont font, ReadOnlySpan<char> value)
        {
            var room = Room(4 * value.Length);
            for (int i = 0; i < value.Length; i++)
            {
                ushort glyph = font.Glyph(value[i]);
                room[4 * i] = HexDigits[glyph >> 12];
                room[4 * i + 1] = HexDigits[(glyph >> 8) & 0xF];
                room[4 * i + 2] = HexDigits[(glyph >> 4) & 0xF];
                room[4 * i + 3] = HexDigits[glyph & 0xF];
            }
            Length += 4 * value.Length;
            return this;
        }
    }
}
