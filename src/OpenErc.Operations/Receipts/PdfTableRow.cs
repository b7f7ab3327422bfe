// drawing-only: page coordinates and font sizes are float points; no money is computed here.
namespace OpenErc.Operations.Receipts;

/// <summary>
/// One framed row of a table between <c>edges</c>: each cell's text wrapped within its column (at most
/// <paramref name="maxLines"/> lines), right-aligned where asked (not in a shaded header), lines around and between cells.
/// Shared by the printed forms (<see cref="FormPdf"/>) and reports (<c>ReportPdf</c>).
/// </summary>
internal static class PdfTableRow
{
    /// <summary>Draws the row at <paramref name="y"/> and moves it down; false (nothing drawn) when the row would pass <paramref name="bottom"/>. Without a writer it only measures.</summary>
    public static bool Draw(PdfWriter? pdf, float[] edges, IReadOnlyList<string> cells, PdfFace face, Func<int, bool> right, bool shade,
        ref float y, float bottom, float pad, int maxLines, List<string> lines, List<float> widths)
    {
        var wrapped = new List<(List<string> Lines, List<float> Widths)>(cells.Count);
        for (int i = 0; i < cells.Count; i++)
        {
            face.Wrap(cells[i], edges[i + 1] - edges[i] - 2 * pad, maxLines, lines, widths);
            wrapped.Add((lines.ToList(), widths.ToList()));
        }
        float height = Math.Max(1, wrapped.Max(w => w.Lines.Count)) * face.Line + 2 * pad;
        if (y + height > bottom) return false;
        if (pdf is not null)
        {
            if (shade) pdf.FillRect(edges[0], y, edges[^1] - edges[0], height, 0.9f);
            for (int i = 0; i < cells.Count; i++)
            {
                var (cellLines, cellWidths) = wrapped[i];
                for (int k = 0; k < cellLines.Count; k++)
                {
                    float x = right(i) && !shade ? edges[i + 1] - pad - cellWidths[k] : edges[i] + pad;
                    pdf.Text(face.Font, face.Size, x, y + pad + k * face.Line + face.Ascent, cellLines[k], 0f);
                }
            }
            pdf.Line(edges[0], y, edges[^1], y);
            pdf.Line(edges[0], y + height, edges[^1], y + height);
            foreach (var x in edges) pdf.Line(x, y, x, y + height);
        }
        y += height;
        return true;
    }
}
