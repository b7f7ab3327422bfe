using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace OpenErc.Operations.Reports;

/// <summary>
/// A report as the XLSX accountants expect (reports.md §21.1), written row by row into the zip so that a report of a
/// million rows never sits in memory: the title block over the table's width (organisation, report in bold 14 pt, period,
/// «Отбор», «Параметры», «Сформирован»), the header in row 8 with panes frozen under it and an autofilter, numbers as numeric
/// cells with their formats (money <c>#,##0.00</c>, volumes to three decimals), dates as dates, months as the 1st with
/// <c>[$-419]mmmm yyyy</c>, codes (accounts, serials) and any text as strings — never a formula — subtotals and «Всего» in
/// bold with a top border, A4 landscape one page wide with the header repeated and «Стр. N из M» in the footer. A report
/// longer than a sheet (1,048,576 rows) continues on the next sheet, «Отчёт (2)», with its own title and header.
/// </summary>
/// <remarks>
/// Our own writer rather than MiniExcel (which the project uses for plain tables): merged title rows, fonts, borders,
/// number formats, frozen panes, print titles and page setup are what this file is about, and MiniExcel writes values only.
/// </remarks>
public static class ReportXlsx
{
    public const int SheetRows = 1_048_576;
    private const int HeaderRow = 8;

    /// <summary>The styles' indexes (<c>cellXfs</c> in <see cref="Styles"/>); a bold total is the plain style + <see cref="Bold"/>.</summary>
    private const int Text = 0, Money = 1, Volume = 2, Rate = 3, Percent = 4, Date = 5, Month = 6, Count = 7, Bold = 8, Header = 16, Title = 17, Caption = 18;

    public static async Task WriteAsync(Stream output, ReportHead head, IAsyncEnumerable<ReportRow> rows, TimeZoneInfo zone, CancellationToken ct = default)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        int sheets = 0;
        Sheet? sheet = null;
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (sheet is null || sheet.Row == SheetRows)
            {
                sheet?.Close();
                sheet = new Sheet(zip, ++sheets, head, zone);
            }
            sheet.Write(row);
        }
        sheet ??= new Sheet(zip, ++sheets, head, zone);
        sheet.Close();
        Entry(zip, "[Content_Types].xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))}</Types>
            """);
        Entry(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Entry(zip, "xl/workbook.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<sheet name=\"{SheetName(i)}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>"))}</sheets><definedNames>{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i - 1}\" hidden=\"1\">'{SheetName(i)}'!$A${HeaderRow}:${Column(head.Columns.Count - 1)}${HeaderRow}</definedName><definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i - 1}\">'{SheetName(i)}'!${HeaderRow}:${HeaderRow}</definedName>"))}</definedNames></workbook>
            """);
        Entry(zip, "xl/_rels/workbook.xml.rels", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))}<Relationship Id="rId{sheets + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """);
        Entry(zip, "xl/styles.xml", Styles);
    }

    /// <summary>«Отчёт», then «Отчёт (2)» …: short, and free of the characters a sheet name may not hold.</summary>
    public static string SheetName(int number) => number == 1 ? "Отчёт" : $"Отчёт ({number})";

    private static void Entry(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    /// <summary>The column's letters: 0 → A, 25 → Z, 26 → AA.</summary>
    private static string Column(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26) name = (char)('A' + (index - 1) % 26) + name;
        return name;
    }

    private static int Style(ReportCell cell) => cell switch
    {
        ReportCell.Money => Money,
        ReportCell.Volume => Volume,
        ReportCell.Rate => Rate,
        ReportCell.Percent => Percent,
        ReportCell.Date => Date,
        ReportCell.Month => Month,
        ReportCell.Count => Count,
        _ => Text,
    };

    private static int Width(ReportCell cell) => cell switch
    {
        ReportCell.Text => 40,
        ReportCell.Code => 16,
        ReportCell.Month => 15,
        ReportCell.Date => 12,
        ReportCell.Count => 11,
        _ => 16,
    };

    /// <summary>One sheet being written: its title block and header first, then the rows as they come.</summary>
    private sealed class Sheet
    {
        private readonly StreamWriter writer;
        private readonly ReportHead head;
        private readonly StringBuilder line = new(512);

        public int Row { get; private set; }

        public Sheet(ZipArchive zip, int number, ReportHead head, TimeZoneInfo zone)
        {
            this.head = head;
            writer = new StreamWriter(zip.CreateEntry($"xl/worksheets/sheet{number}.xml", CompressionLevel.Fastest).Open(), new UTF8Encoding(false), 1 << 16);
            writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">");
            writer.Write($"<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr><sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"{HeaderRow}\" topLeftCell=\"A{HeaderRow + 1}\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>");
            writer.Write("<cols>");
            for (int i = 0; i < head.Columns.Count; i++)
                writer.Write($"<col min=\"{i + 1}\" max=\"{i + 1}\" width=\"{Width(head.Columns[i].Cell)}\" customWidth=\"1\"/>");
            writer.Write("</cols><sheetData>");
            string[] block =
            [
                head.Organisation, head.Title, head.Period,
                "Отбор: " + (head.Selection.Length > 0 ? head.Selection : "все"),
                "Параметры: " + head.Options,
                head.Formed(zone),
            ];
            foreach (var text in block)
            {
                Row++;
                line.Clear().Append(CultureInfo.InvariantCulture, $"<row r=\"{Row}\">");
                AppendText(0, text, Row == 2 ? Title : Caption);
                writer.Write(line.Append("</row>"));
            }
            Row++;
            Row++;
            line.Clear().Append(CultureInfo.InvariantCulture, $"<row r=\"{Row}\">");
            for (int i = 0; i < head.Columns.Count; i++) AppendText(i, head.Columns[i].Title, Header);
            writer.Write(line.Append("</row>"));
        }

        public void Write(ReportRow row)
        {
            Row++;
            bool bold = row.Kind != ReportRowKind.Row;
            line.Clear().Append(CultureInfo.InvariantCulture, $"<row r=\"{Row}\">");
            for (int i = 0; i < head.Columns.Count; i++)
            {
                var cell = head.Columns[i].Cell;
                int style = Style(cell) + (bold ? Bold : 0);
                switch (row.Values[i])
                {
                    case null:
                        if (bold) line.Append(CultureInfo.InvariantCulture, $"<c r=\"{Column(i)}{Row}\" s=\"{style}\"/>");
                        break;
                    case decimal d:
                        line.Append(CultureInfo.InvariantCulture, $"<c r=\"{Column(i)}{Row}\" s=\"{style}\"><v>{d.ToString(CultureInfo.InvariantCulture)}</v></c>");
                        break;
                    case long n:
                        line.Append(CultureInfo.InvariantCulture, $"<c r=\"{Column(i)}{Row}\" s=\"{style}\"><v>{n}</v></c>");
                        break;
                    case DateOnly day:
                        line.Append(CultureInfo.InvariantCulture, $"<c r=\"{Column(i)}{Row}\" s=\"{style}\"><v>{day.DayNumber - new DateOnly(1899, 12, 30).DayNumber}</v></c>");
                        break;
                    case var other:
                        AppendText(i, Convert.ToString(other, CultureInfo.InvariantCulture) ?? "", bold ? Text + Bold : Text);
                        break;
                }
            }
            writer.Write(line.Append("</row>"));
        }

        private void AppendText(int column, string text, int style) =>
            line.Append(CultureInfo.InvariantCulture, $"<c r=\"{Column(column)}{Row}\" s=\"{style}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{Escape(text)}</t></is></c>");

        /// <summary>XML-escaped, without the control characters XML 1.0 cannot hold.</summary>
        private static string Escape(string text) =>
            SecurityElement.Escape(text.Any(c => c < ' ' && c is not ('\t' or '\n' or '\r')) ? new string(text.Where(c => c >= ' ' || c is '\t' or '\n' or '\r').ToArray()) : text);

        public void Close()
        {
            var last = Column(head.Columns.Count - 1);
            writer.Write("</sheetData>");
            writer.Write($"<autoFilter ref=\"A{HeaderRow}:{last}{Math.Max(Row, HeaderRow)}\"/>");
            writer.Write("<mergeCells count=\"6\">");
            for (int r = 1; r <= 6; r++) writer.Write($"<mergeCell ref=\"A{r}:{(head.Columns.Count > 1 ? last : "B")}{r}\"/>");
            writer.Write("</mergeCells>");
            writer.Write("<pageMargins left=\"0.4\" right=\"0.4\" top=\"0.4\" bottom=\"0.5\" header=\"0.2\" footer=\"0.2\"/>");
            writer.Write("<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/>");
            writer.Write("<headerFooter><oddFooter>&amp;CСтр. &amp;P из &amp;N</oddFooter></headerFooter></worksheet>");
            writer.Dispose();
        }
    }

    /// <summary>
    /// Fonts: regular, bold, bold 14 pt. Formats: money (built-in 4, <c>#,##0.00</c>), volumes, rates, per cent (built-in 2),
    /// dates, months in Russian in any locale, counts (built-in 3). The eight cell styles, their bold versions with a top
    /// border (totals), the header (bold, framed, shaded, wrapped), the title and the title block's lines.
    /// </summary>
    private const string Styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <numFmts count="4"><numFmt numFmtId="164" formatCode="#,##0.000"/><numFmt numFmtId="165" formatCode="#,##0.00####"/><numFmt numFmtId="166" formatCode="dd.mm.yyyy"/><numFmt numFmtId="167" formatCode="[$-419]mmmm yyyy"/></numFmts>
        <fonts count="3"><font><sz val="10"/><name val="Arial"/><family val="2"/><charset val="204"/></font><font><b/><sz val="10"/><name val="Arial"/><family val="2"/><charset val="204"/></font><font><b/><sz val="14"/><name val="Arial"/><family val="2"/><charset val="204"/></font></fonts>
        <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill></fills>
        <borders count="3"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top style="thin"/><bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
        <cellXfs count="19">
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
        <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
        <xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>
        <xf numFmtId="4" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="164" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="165" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="2" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="166" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="167" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="3" fontId="1" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1"/>
        <xf numFmtId="0" fontId="1" fillId="2" borderId="2" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
        <xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
        </cellXfs>
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
        </styleSheet>
        """;
}
