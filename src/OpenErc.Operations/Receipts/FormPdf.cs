// drawing-only: page coordinates and font sizes are float points; no money is computed here.
namespace OpenErc.Operations.Receipts;

/// <summary>
/// A certificate or extract as printed: the issuer, the title and number, fields, the text before the tables, tables and
/// notes, the signature (none when <see cref="FormDocument.Signer"/> is empty). The
/// values are already the words and figures the paper shows; <see cref="FormPdf"/> only lays them out.
/// </summary>
public sealed record FormDocument(string Issuer, string? IssuerAddress, string Title, string NumberLine, IReadOnlyList<FormField> Fields,
    IReadOnlyList<string> Intro, IReadOnlyList<FormTable> Tables, IReadOnlyList<string> Notes, IReadOnlyList<string> Footer, string Signer, bool Seal);

public sealed record FormField(string Label, string Value);

/// <summary>A table: its columns' relative widths (<see cref="FormColumn.Weight"/>), the rows, a line printed when there are none.</summary>
public sealed record FormTable(string Caption, IReadOnlyList<FormColumn> Columns, IReadOnlyList<string[]> Rows, string Empty);

public sealed record FormColumn(string Header, int Weight, bool Right = false);

/// <summary>
/// The A4 PDF of a <see cref="FormDocument"/> through the project's <see cref="PdfWriter"/>: text wraps within its
/// column, a table continues on the next page with its header repeated. Like a receipt, the file depends on the document
/// alone, so the same document prints the same bytes.
/// </summary>
public static class FormPdf
{
    private const float PageWidth = 595.28f, PageHeight = 841.89f, Margin = 42.5f;
    private const float Left = Margin, Right = PageWidth - Margin, Top = Margin, Bottom = PageHeight - Margin, Width = Right - Left, Pad = 2f;

    public static byte[] Render(FormDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream(48 * 1024);
        var pdf = new PdfWriter(buffer, document.Title, [PdfFont.Regular, PdfFont.Bold], ruleGray: 0.2f, ruleWidth: 0.5f);
        new Painter(pdf).Draw(document);
        pdf.Close();
        return buffer.ToArray();
    }

    private sealed class Painter(PdfWriter pdf)
    {
        private readonly PdfFace small = new(PdfFont.Regular, 8f), body = new(PdfFont.Regular, 10f), bold = new(PdfFont.Bold, 10f),
            title = new(PdfFont.Bold, 13f), cell = new(PdfFont.Regular, 8.5f, 1.15f), header = new(PdfFont.Bold, 8f, 1.15f);
        private readonly List<string> lines = [];
        private readonly List<float> widths = [];
        private float y;
        private bool open;

        public void Draw(FormDocument d)
        {
            NewPage();
            Paragraph(d.Issuer, bold, center: true);
            if (d.IssuerAddress is { } address) Paragraph(address, small, center: true);
            y += 14f;
            Paragraph(d.Title, title, center: true);
            Paragraph(d.NumberLine, body, center: true);
            y += 8f;
            foreach (var f in d.Fields) Field(f);
            if (d.Intro.Count > 0) y += 4f;
            foreach (var p in d.Intro) Paragraph(p, body);
            foreach (var t in d.Tables) Table(t);
            y += 4f;
            foreach (var n in d.Notes) Paragraph(n, body);
            y += 10f;
            foreach (var f in d.Footer) Paragraph(f, body);
            if (d.Signer.Length > 0)
            {
                y += 22f;
                Need(body.Line * 2);
                pdf.Text(body.Font, body.Size, Left, y + body.Ascent, "Уполномоченное лицо", 0f);
                pdf.Line(Left + 150f, y + body.Ascent + 2f, Left + 290f, y + body.Ascent + 2f);
                pdf.Text(body.Font, body.Size, Left + 296f, y + body.Ascent, $"/{d.Signer}/", 0f);
                y += body.Line;
                pdf.Text(small.Font, small.Size, Left + 190f, y + small.Ascent, "(подпись)", 0.4f);
                if (d.Seal) pdf.Text(body.Font, body.Size, Left, y + body.Line + body.Ascent, "М.П.", 0f);
            }
            pdf.EndPage();
        }

        private void NewPage()
        {
            if (open) pdf.EndPage();
            pdf.BeginPage(PageWidth, PageHeight);
            open = true;
            y = Top;
        }

        private void Need(float height)
        {
            if (y + height > Bottom) NewPage();
        }

        private void Paragraph(string text, PdfFace face, bool center = false)
        {
            face.Wrap(text, Width, 100, lines, widths);
            for (int i = 0; i < lines.Count; i++)
            {
                Need(face.Line);
                float x = center ? Left + (Width - widths[i]) / 2f : Left;
                pdf.Text(face.Font, face.Size, x, y + face.Ascent, lines[i], 0f);
                y += face.Line;
            }
        }

        private void Field(FormField f)
        {
            const float labelWidth = 170f;
            bold.Wrap(f.Label, labelWidth - 6f, 4, lines, widths);
            var labels = lines.ToList();
            body.Wrap(f.Value.Length > 0 ? f.Value : "—", Width - labelWidth, 20, lines, widths);
            int rows = Math.Max(labels.Count, lines.Count);
            Need(rows * body.Line);
            for (int i = 0; i < rows; i++)
            {
                if (i < labels.Count) pdf.Text(bold.Font, bold.Size, Left, y + body.Ascent, labels[i], 0f);
                if (i < lines.Count) pdf.Text(body.Font, body.Size, Left + labelWidth, y + body.Ascent, lines[i], 0f);
                y += body.Line;
            }
            y += 2f;
        }

        private void Table(FormTable t)
        {
            y += 8f;
            Need(bold.Line + header.Line * 3 + cell.Line * 2);
            Paragraph(t.Caption, bold);
            y += 2f;
            int total = t.Columns.Sum(c => c.Weight);
            var edges = new float[t.Columns.Count + 1];
            edges[0] = Left;
            for (int i = 0; i < t.Columns.Count; i++) edges[i + 1] = edges[i] + Width * t.Columns[i].Weight / total;
            edges[^1] = Right;
            var headers = t.Columns.Select(c => c.Header).ToArray();
            Row(edges, headers, header, t.Columns, shade: true);
            if (t.Rows.Count == 0)
            {
                Paragraph(t.Empty, body);
                return;
            }
            foreach (var row in t.Rows)
                if (!Row(edges, row, cell, t.Columns, shade: false))
                {
                    NewPage();
                    Row(edges, headers, header, t.Columns, shade: true);
                    Row(edges, row, cell, t.Columns, shade: false);
                }
        }

        /// <summary>One row with its frame; false (nothing drawn) when it does not fit on the page.</summary>
        private bool Row(float[] edges, string[] cells, PdfFace face, IReadOnlyList<FormColumn> columns, bool shade) =>
            PdfTableRow.Draw(pdf, edges, cells, face, i => columns[i].Right, shade, ref y, Bottom, Pad, 12, lines, widths);
    }
}
