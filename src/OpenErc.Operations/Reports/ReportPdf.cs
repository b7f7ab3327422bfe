// drawing-only: page coordinates and font sizes are float points; the figures arrive as text.
using OpenErc.Operations.Receipts;

namespace OpenErc.Operations.Reports;

/// <summary>
/// A report for print (reports.md §21.3) through the project's <see cref="PdfWriter"/>: A4 landscape, 10 mm margins,
/// DejaVu Sans; the title block on the first page, the table's header on every page, figures right-aligned as
/// «1 234 567,89» (<see cref="ReportFormat"/>), subtotals and «Всего» in bold, and a footer with the report's name, the
/// moment it was formed and «Стр. N из M». The layout runs twice — once to count the pages, once to draw them.
/// </summary>
public static class ReportPdf
{
    /// <summary>The most rows a printed report takes; a longer one goes to XLSX or CSV.</summary>
    public const int MaxRows = 20_000;

    private const float PageWidth = 841.89f, PageHeight = 595.28f, Margin = 28.35f;
    private const float Left = Margin, Right = PageWidth - Margin, Top = Margin, Bottom = PageHeight - Margin - 14f, Width = Right - Left, Pad = 1.5f;

    public static byte[] Render(ReportHead head, IReadOnlyList<ReportRow> rows, TimeZoneInfo zone)
    {
        if (rows.Count > MaxRows)
            throw new ReportException("format", $"Для печати — не более {MaxRows} строк, а в отчёте {rows.Count}: выгрузите его в XLSX или CSV");
        var count = new Painter(null, head, zone, 0);
        count.Draw(rows);
        using var buffer = new MemoryStream(64 * 1024);
        var pdf = new PdfWriter(buffer, head.Title, [PdfFont.Regular, PdfFont.Bold], ruleGray: 0.3f, ruleWidth: 0.4f);
        new Painter(pdf, head, zone, count.Pages).Draw(rows);
        pdf.Close();
        return buffer.ToArray();
    }

    /// <summary>Lays the report out; draws only when given a writer (the first pass counts the pages).</summary>
    private sealed class Painter(PdfWriter? pdf, ReportHead head, TimeZoneInfo zone, int total)
    {
        private readonly PdfFace small = new(PdfFont.Regular, 7f), body = new(PdfFont.Regular, 8.5f), title = new(PdfFont.Bold, 12f),
            cell = new(PdfFont.Regular, 7f, 1.15f), strong = new(PdfFont.Bold, 7f, 1.15f), header = new(PdfFont.Bold, 7f, 1.15f);
        private readonly List<string> lines = [];
        private readonly List<float> widths = [];
        private float[] edges = [];
        private float y;

        public int Pages { get; private set; }

        public void Draw(IReadOnlyList<ReportRow> rows)
        {
            int weight(ReportCell c) => c switch { ReportCell.Text => 5, ReportCell.Code => 3, ReportCell.Count => 2, _ => 3 };
            int sum = head.Columns.Sum(c => weight(c.Cell));
            edges = new float[head.Columns.Count + 1];
            edges[0] = Left;
            for (int i = 0; i < head.Columns.Count; i++) edges[i + 1] = edges[i] + Width * weight(head.Columns[i].Cell) / sum;
            edges[^1] = Right;

            NewPage();
            Paragraph(head.Organisation, body);
            Paragraph(head.Title, title);
            Paragraph(head.Period, body);
            if (head.Selection.Length > 0) Paragraph("Отбор: " + head.Selection, small);
            Paragraph("Параметры: " + head.Options, small);
            y += 6f;
            Header();
            foreach (var row in rows)
            {
                var face = row.Kind == ReportRowKind.Row ? cell : strong;
                var texts = head.Columns.Select((c, i) => ReportFormat.Text(row.Values[i], c.Cell)).ToArray();
                if (!Row(texts, face, shade: false))
                {
                    NewPage();
                    Header();
                    Row(texts, face, shade: false);
                }
            }
            EndPage();
        }

        private void Header()
        {
            var titles = head.Columns.Select(c => c.Title).ToArray();
            if (!Row(titles, header, shade: true))
            {
                NewPage();
                Row(titles, header, shade: true);
            }
        }

        private void NewPage()
        {
            if (Pages > 0) EndPage();
            Pages++;
            pdf?.BeginPage(PageWidth, PageHeight);
            y = Top;
        }

        private void EndPage()
        {
            if (pdf is not null)
            {
                float baseline = PageHeight - Margin;
                pdf.Text(small.Font, small.Size, Left, baseline, $"{head.Title}. {head.Formed(zone)}", 0.3f);
                var page = $"Стр. {Pages} из {total}";
                pdf.Text(small.Font, small.Size, Right - small.Measure(page), baseline, page, 0.3f);
                pdf.EndPage();
            }
        }

        private void Paragraph(string text, PdfFace face)
        {
            face.Wrap(text, Width, 6, lines, widths);
            foreach (var l in lines)
            {
                pdf?.Text(face.Font, face.Size, Left, y + face.Ascent, l, 0f);
                y += face.Line;
            }
        }

        /// <summary>One framed row; false (nothing drawn) when it does not fit on the page.</summary>
        private bool Row(string[] cells, PdfFace face, bool shade) =>
            PdfTableRow.Draw(pdf, edges, cells, face, i => ReportFormat.IsNumber(head.Columns[i].Cell), shade, ref y, Bottom, Pad, 6, lines, widths);
    }
}
