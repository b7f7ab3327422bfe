// drawing-only: font sizes and widths are float points; no money is computed here.
namespace OpenErc.Operations.Receipts;

/// <summary>A font at one size with the metrics the layout needs.</summary>
internal sealed class PdfFace
{
    public PdfFace(PdfFont font, float size, float leading = 1.2f)
    {
        Font = font;
        Size = size;
        Line = size * leading;
        Ascent = size * 0.93f;
    }

    public PdfFont Font { get; }
    public float Size { get; }
    /// <summary>Distance between baselines.</summary>
    public float Line { get; }
    /// <summary>From the top of a line to its baseline.</summary>
    public float Ascent { get; }

    public float Measure(ReadOnlySpan<char> text)
    {
        float width = 0f;
        foreach (char c in text) width += Font.Advance(c);
        return width * Size;
    }

    /// <summary>How many characters from the start of <paramref name="text"/> fit in <paramref name="width"/>.</summary>
    public int Fit(ReadOnlySpan<char> text, float width)
    {
        float limit = width / Size, sum = 0f;
        for (int i = 0; i < text.Length; i++)
        {
            sum += Font.Advance(text[i]);
            if (sum > limit) return i;
        }
        return text.Length;
    }

    /// <summary>
    /// <paramref name="text"/> broken into lines at spaces and line breaks to fit <paramref name="width"/> (the first line
    /// <paramref name="firstIndent"/> narrower), at most <paramref name="maxLines"/>, the last cut with «…».
    /// </summary>
    public void Wrap(string text, float width, int maxLines, List<string> into, List<float> intoWidths, float firstIndent = 0f)
    {
        into.Clear();
        intoWidths.Clear();
        if (maxLines <= 0) return;
        if (text.IndexOf('\n') < 0)
        {
            float whole = Measure(text);
            if (whole <= width - firstIndent)
            {
                into.Add(text);
                intoWidths.Add(whole);
                return;
            }
        }
        var rest = text.AsSpan().Trim();
        while (rest.Length > 0)
        {
            float lineWidth = into.Count == 0 ? width - firstIndent : width;
            int paragraphEnd = rest.IndexOf('\n');
            var paragraph = paragraphEnd < 0 ? rest : rest[..paragraphEnd];
            int fits = Fit(paragraph, lineWidth);
            int take;
            if (fits >= paragraph.Length) take = paragraph.Length;
            else
            {
                int space = paragraph[..(fits + 1)].LastIndexOf(' ');
                take = space > 0 ? space : Math.Max(1, fits);
            }
            if (into.Count == maxLines - 1 && take < rest.Length)
            {
                var cut = Ellipsis(rest, lineWidth);
                into.Add(cut);
                intoWidths.Add(Measure(cut));
                return;
            }
            var line = paragraph[..take].TrimEnd().ToString();
            into.Add(line);
            intoWidths.Add(Measure(line));
            rest = rest[take..].TrimStart();
        }
    }

    /// <summary>The start of the text that fits with «…» after it.</summary>
    private string Ellipsis(ReadOnlySpan<char> text, float width)
    {
        const string ellipsis = "…";
        int newline = text.IndexOf('\n');
        var line = newline < 0 ? text : text[..newline];
        int fits = Fit(line, Math.Max(0f, width - Measure(ellipsis)));
        return string.Concat(line[..Math.Min(fits, line.Length)].TrimEnd(), ellipsis);
    }
}
