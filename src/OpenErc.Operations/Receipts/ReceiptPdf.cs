// drawing-only: page coordinates and font sizes are float points; no money is computed here.
using System.Globalization;
using System.Text;
using OpenErc.Core.Receipts;
using Face = OpenErc.Operations.Receipts.PdfFace;

namespace OpenErc.Operations.Receipts;

/// <summary>
/// The A4 PDF of a unified payment document (ЕПД) in the order of the form of Приказ Минстроя №43/пр
/// (epd-and-qr.md §3): the header with the payment QR code, Разделы 1–6 and the announcements. The page is drawn from
/// the document alone, so a reprint is byte for byte the same PDF. Bulk printing puts a building's documents in one
/// file, so the fonts are embedded once and the tables are laid out once per file. <see cref="PdfWriter"/> writes the
/// file (its remarks say why not SkiaSharp).
/// </summary>
public static class ReceiptPdf
{
    /// <summary>One PDF with one A4 page per document (more when Раздел 3 is long), fonts embedded once.</summary>
    /// <remarks>
    /// The file carries no date, although the document has one (IssuedOn), and no /ID: it depends on the documents
    /// alone, so a reprint is byte for byte the same. A failed print leaves the file without its cross-reference table,
    /// which no reader takes for a complete PDF (bulk printing writes to a temporary file anyway).
    /// </remarks>
    public static void Write(Stream output, IEnumerable<UnifiedPaymentDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(documents);
        using var each = documents.GetEnumerator();
        if (!each.MoveNext()) throw new ArgumentException("Нет документов для печати", nameof(documents));
        var pdf = new PdfWriter(output, Title(each.Current), [PdfFont.Regular, PdfFont.Bold], ruleGray: 0.25f, ruleWidth: 0.4f);
        var painter = new Painter(pdf);
        do painter.Draw(each.Current);
        while (each.MoveNext());
        pdf.Close();
    }

    /// <summary>A single document's PDF (downloads).</summary>
    public static byte[] Render(UnifiedPaymentDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream(64 * 1024);
        Write(buffer, [document]);
        return buffer.ToArray();
    }

    private static string MonthName(UnifiedPaymentDocument d) => d.Month.Name();

    private static string Title(UnifiedPaymentDocument d) => d.Kind == ReceiptKind.DebtNotice
        ? $"Уведомление о задолженности по оплате жилищно-коммунальных услуг на {d.IssuedOn:dd.MM.yyyy}"
        : "Платёжный документ (единый платёжный документ) для внесения платы за содержание и ремонт жилого помещения " +
          $"и предоставление коммунальных услуг за {MonthName(d)}";

    // Russian money: «1 234,56» with a no-break space (the subset font has U+00A0 but not the narrow U+202F) and a
    // true minus sign, so that a negative amount does not read as a dash.
    private static readonly NumberFormatInfo Russian = new()
    {
        NumberDecimalSeparator = ",", NumberGroupSeparator = "\u00A0", NumberGroupSizes = [3], NegativeSign = "\u2212",
    };

    private const string Missing = "—";

    internal static string Money(decimal amount) => Number(amount, "#,0.00");
    private static string Rate(decimal? rate) => rate is { } value ? Number(value, "#,0.######") : Missing;
    private static string Volume(decimal? volume) => volume is { } value ? Number(value, "#,0.###") : Missing;
    internal static string Date(DateOnly? date) => date is { } value ? value.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture) : Missing;
    /// <summary>«Субсидия на оплату ЖКУ: 1 880,00 ₽ (решение № 12-С/2026 от 20.09.2026), перечисляет УСЗН».</summary>
    internal static string SubsidyText(ReceiptSubsidy subsidy) =>
        $"Субсидия на оплату ЖКУ: {Money(subsidy.Amount)} ₽ (решение № {subsidy.DecisionNumber} от {Date(subsidy.DecisionDate)}), перечисляет УСЗН";

    private static string OrDash(string? text) => string.IsNullOrWhiteSpace(text) ? Missing : text;

    // A zero that rounds from a negative amount would print as «−0,00».
    private static string Number(decimal value, string format) =>
        decimal.Round(value, 6) == 0m ? 0m.ToString(format, Russian) : value.ToString(format, Russian);

    private enum Align { Left, Right, Center }

    /// <param name="Width">Points; 0 takes what the other columns leave.</param>
    /// <param name="Lines">Lines a cell may wrap to before it is cut with «…».</param>
    /// <param name="BoldFirst">The cell's first paragraph (up to the first line break) is a name printed bold.</param>
    private sealed record Column(string Header, float Width, Align Align = Align.Right, int Lines = 1, bool BoldFirst = false);

    /// <summary>A table's columns laid out once per file; the per-row buffers are reused by every row.</summary>
    private sealed class Table
    {
        public Table(float x, float width, Column[] columns)
        {
            Columns = columns;
            Edges = new float[columns.Length + 1];
            float fixedWidth = columns.Sum(c => c.Width);
            float rest = width - fixedWidth;
            Edges[0] = x;
            for (int i = 0; i < columns.Length; i++) Edges[i + 1] = Edges[i] + (columns[i].Width > 0 ? columns[i].Width : rest);
            Cells = new string?[columns.Length];
            Lines = new List<string>[columns.Length];
            Widths = new List<float>[columns.Length];
            BoldLines = new int[columns.Length];
            Faces = new Face?[columns.Length];
            for (int i = 0; i < columns.Length; i++) (Lines[i], Widths[i]) = (new List<string>(4), new List<float>(4));
            HeaderLines = new List<string>[columns.Length];
            HeaderWidths = new List<float>[columns.Length];
        }

        public Column[] Columns { get; }
        /// <summary>Left edge of every column and the right edge of the last.</summary>
        public float[] Edges { get; }
        public float Left => Edges[0];
        public float Right => Edges[^1];
        public string?[] Cells { get; }
        public List<string>[] Lines { get; }
        public List<float>[] Widths { get; }
        public int[] BoldLines { get; }
        /// <summary>A face other than the row's for a cell, when an amount had to be set smaller to fit.</summary>
        public Face?[] Faces { get; }
        public List<string>[] HeaderLines { get; }
        public List<float>[] HeaderWidths { get; }
        public float HeaderHeight { get; set; }
        /// <summary>Where the part of the table on the current page starts: its vertical lines are drawn from here.</summary>
        public float Top { get; set; }

        public void Set(params ReadOnlySpan<string?> cells) => cells.CopyTo(Cells);
    }

    /// <summary>Draws documents into one PDF: everything that costs to set up is made once per file and reused by every page.</summary>
    private sealed class Painter
    {
        // A4 in points, 10 mm margins.
        private const float PageWidth = 595.28f, PageHeight = 841.89f, Margin = 28.35f;
        private const float Left = Margin, Right = PageWidth - Margin, Top = Margin, Bottom = PageHeight - Margin, Width = Right - Left;
        private const float Pad = 1.2f;
        private const float SectionGap = 3f;
        // The QR code's modules are a whole number of printer dots (1/300 in) so that every module prints the same
        // size at 300 and 600 dpi: four dots (0.34 mm) give a usual 424-byte string (version 16, 89 modules with the quiet
        // zone) 30 mm; a longer string gets three-dot modules and, past that, whatever fits QrMaxSize.
        private const float Dot = 72f / 300f;
        private const float QrMaxSize = 93f;

        private readonly PdfWriter pdf;
        private static readonly PdfFont Regular = PdfFont.Regular, Bold = PdfFont.Bold;
        private readonly Face title = new(Bold, 9f, 1.18f), big = new(Bold, 10f), heading = new(Bold, 7.2f);
        private readonly Face body = new(Regular, 7f), bodyBold = new(Bold, 7f);
        private readonly Face cell = new(Regular, 6.5f, 1.15f), cellBold = new(Bold, 6.5f, 1.15f);
        private readonly Face header = new(Bold, 6f, 1.12f);
        // For an amount too wide for its column: smaller rather than cut.
        private readonly Face tight = new(Regular, 5.2f, 1.15f), tightBold = new(Bold, 5.2f, 1.15f);
        // Greys (0 black, 1 white): muted text, section bars, table headers and shaded rows; the frame's line width.
        private const float Ink = 0f, Grey = 0.33f, Shade = 0.89f, Light = 0.95f, FrameWidth = 0.9f;
        private readonly List<string> lines = new(8);
        private readonly List<float> widths = new(8);
        private readonly List<string> fitLines = new(1);
        private readonly List<float> fitWidths = new(1);
        private byte[] qrBits = [];
        private readonly Table recipients, meters, services, reference, readings, recalculations;

        private UnifiedPaymentDocument doc = null!;
        private int page;
        private float y;

        public Painter(PdfWriter pdf)
        {
            this.pdf = pdf;
            recipients = Prepare(new Table(Left, Width,
            [
                new("Получатель платежа, банковские реквизиты", 0, Align.Left, 6, BoldFirst: true),
                new("Виды услуг", 182, Align.Left, 6),
                new("Долг (+),\nаванс (−)\nна начало, ₽", 42), new("Начис-\nлено за период, ₽", 38), new("Пени, ₽", 28),
                new("Опла-\nчено, ₽", 38), new("К оплате, ₽", 40),
            ]));
            meters = Prepare(new Table(Left, Width,
            [
                new("Показания индивидуальных приборов учёта (ИПУ): услуга, зона", 0, Align.Left), new("Заводской №", 78, Align.Left),
                new("Ед. изм.", 30, Align.Center), new("Дата поверки", 44, Align.Center), new("Предыдущие показания", 56),
                new("Дата", 40, Align.Center), new("Текущие показания (заполняет потребитель)", 96), new("Дата", 46, Align.Center),
            ]));
            services = Prepare(new Table(Left, Width,
            [
                new("Вид услуги", 0, Align.Left, 2), new("Ед. изм.", 24, Align.Center), new("Объём", 32), new("Спо-\nсоб", 19, Align.Center),
                new("Тариф, ₽", 45), new("Начис-\nлено, ₽", 37), new("Перерас-\nчёт, ₽", 34), new("Льготы,\nсубси-\nдии, ₽", 32),
                new("Итого за период, ₽", 37), new("Долг (+),\nаванс (−)\nна начало, ₽", 42), new("Пени, ₽", 28),
                new("Опла-\nчено, ₽", 37), new("Итого к оплате, ₽", 40),
            ]));
            const float referenceWidth = 270f, gap = 8f;
            reference = Prepare(new Table(Left, referenceWidth,
            [
                new("Справочно: услуга", 0, Align.Left), new("Ед. изм.", 28, Align.Center), new("Норматив потребления", 50),
                new("Объём по дому за месяц", 56),
            ]));
            readings = Prepare(new Table(Left + referenceWidth + gap, Width - referenceWidth - gap,
            [
                new("Показания ИПУ, учтённые в расчёте", 0, Align.Left), new("Предыдущие показания", 46), new("Текущие показания", 46),
                new("Дата", 38, Align.Center), new("Расход", 34),
            ]));
            recalculations = Prepare(new Table(Left, Width,
            [
                new("Вид услуги", 160, Align.Left, 2), new("Основание перерасчёта", 0, Align.Left, 4), new("Сумма, ₽", 60),
            ]));
        }

        public void Draw(UnifiedPaymentDocument document)
        {
            doc = document;
            page = 0;
            NewPage();
            Header();
            PayerAndExecutor();
            Recipients();
            Services();
            Reference();
            Section("Раздел 5. Расчёт суммы к оплате с учётом рассрочки платежа", 0f, "Рассрочка платежа не предоставлялась");
            Recalculations();
            Subsidies();
            Announcements();
            pdf.EndPage();
        }

        private void Header()
        {
            float qrBottom = DrawQr();
            float textWidth = Width - QrMaxSize - 8f;
            Paragraph(Title(doc), title, Left, textWidth, 3);
            y += 2f;
            float baseline = y + big.Ascent;
            float x = Text($"ЛС № {doc.Payer.AccountNumber}", Left, baseline, big);
            x = Text($"Документ № {doc.Number} от {doc.IssuedOn:dd.MM.yyyy}", x + 14f, baseline, body);
            Text($"Расчётный период: {MonthName(doc)}", x + 14f, baseline, body);
            y += big.Line + 1f;
            // Name and address at the top, where a window envelope shows them.
            Field("Плательщик", $"{doc.Payer.Name}, {doc.Payer.Address}", Left, textWidth, 2, face: body);
            y += 2f;

            if (doc.Kind == ReceiptKind.DebtNotice)
            {
                Paragraph("В соответствии с частью 14 статьи 155 Жилищного кодекса Российской Федерации лица, несвоевременно и (или) " +
                          "не полностью внёсшие плату за жилое помещение и коммунальные услуги, обязаны уплатить кредитору пени. " +
                          $"Просим погасить задолженность в сумме {Money(doc.Totals.ToPay)} ₽ в ближайшее время, чтобы избежать " +
                          "начисления пеней и взыскания долга в судебном порядке.", body, Left, textWidth, 6);
                y += 2f;
            }

            // The amount to pay boxed beside the QR code, as the stub of a paper bill shows it.
            float boxHeight = big.Line + 4f;
            pdf.FillRect(Left, y, textWidth, boxHeight, Light);
            pdf.StrokeRect(Left, y, textWidth, boxHeight, Ink, FrameWidth);
            string amount = doc.Kind switch
            {
                ReceiptKind.Advance => $"Аванс на конец периода: {Money(-doc.Totals.Closing)} ₽     К оплате: {Money(0m)} ₽",
                ReceiptKind.DebtNotice => $"Сумма задолженности к оплате: {Money(doc.Totals.ToPay)} ₽",
                _ => $"Итого к оплате за {MonthName(doc)}: {Money(doc.Totals.ToPay)} ₽",
            };
            Text(Fit(amount, big, textWidth - 8f), Left + 4f, y + 2f + big.Ascent, big);
            y += boxHeight + 1f;
            Text("Оплатить можно по QR-коду в приложении банка: реквизиты и сумма заполнятся сами.", Left, y + header.Ascent, header, muted: true);
            y += header.Line;
            if (doc.Payer.RegistrationCode is { } code)
            {
                float after = Text("Код для регистрации в личном кабинете: ", Left, y + header.Ascent, header, muted: true);
                Text(code, after, y + header.Ascent, header);
                y += header.Line;
            }
            y = Math.Max(y, qrBottom) + SectionGap;
        }

        /// <summary>Draws the payment QR code in the top right corner; returns its bottom.</summary>
        private float DrawQr()
        {
            // The exact UTF-8 bytes of the string in byte mode, with no BOM and no ECI header: a scanner reads back the
            // very string (the ST00012 header already says UTF-8), and old bank apps that ignore ECI are not confused.
            var symbol = QrEncoder.Encode(Encoding.UTF8.GetBytes(doc.QrPayload));
            // The standard's quiet zone of 4 light modules on every side; one bit a module, a set bit light.
            const int quiet = 4;
            int size = symbol.Size, side = size + 2 * quiet, stride = (side + 7) / 8;
            if (qrBits.Length < side * stride) qrBits = new byte[side * stride];
            var bits = qrBits.AsSpan(0, side * stride);
            bits.Fill(0xFF);
            for (int row = 0; row < size; row++)
            {
                var line = bits.Slice((row + quiet) * stride, stride);
                for (int col = 0; col < size; col++)
                    if (symbol[col, row])
                    {
                        int x = col + quiet;
                        line[x >> 3] &= (byte)(0xFF ^ (0x80 >> (x & 7)));
                    }
            }
            float module = side * 4 * Dot <= QrMaxSize ? 4 * Dot : side * 3 * Dot <= QrMaxSize ? 3 * Dot : QrMaxSize / side;
            float extent = side * module;
            // On the dot grid as well, so that module edges fall between dots rather than across them.
            float left = MathF.Floor((Right - extent) / Dot) * Dot, top = MathF.Round(Top / Dot) * Dot;
            // Scaled without smoothing: the modules stay sharp at any resolution.
            pdf.Image(bits, side, side, left, top, extent, extent);
            return top + extent;
        }

        private void PayerAndExecutor()
        {
            Section("Раздел 1. Сведения о плательщике и исполнителе услуг", 5 * cell.Line);
            // The payer's column is short; the payee's requisites need the room.
            const float gap = 8f, payerWidth = 132f, payeeWidth = 212f;
            const float executorWidth = Width - payerWidth - payeeWidth - 2 * gap;
            float top = y;
            var payer = doc.Payer;

            float x = Left;
            Field("Плательщик", payer.Name, x, payerWidth, 2, bold: true);
            Field("Адрес", payer.Address, x, payerWidth, 3);
            Field("Площадь", $"{Volume(payer.Area)} м²", x, payerWidth, 1);
            string residents = $"{payer.Residents} чел.";
            if (payer.Entrance is { } entrance) residents += $", подъезд {entrance}";
            Field("Проживает", residents, x, payerWidth, 1);
            Field("Расчётный период", MonthName(doc), x, payerWidth, 1);
            float bottom = y;

            y = top;
            x += payerWidth + gap;
            if (doc.Executor is { } executor)
            {
                Field("Исполнитель услуг", executor.Name, x, executorWidth, 2, bold: true);
                Contacts(executor, x, executorWidth);
            }
            else Field("Исполнитель услуг", Missing, x, executorWidth, 1, bold: true);
            bottom = Math.Max(bottom, y);

            y = top;
            x += executorWidth + gap;
            var payee = doc.Payee;
            Field("Получатель платежа", payee.Name, x, payeeWidth, 2, bold: true);
            Paragraph(Requisites(payee), cell, x, payeeWidth, 4);
            Contacts(payee, x, payeeWidth);
            y = Math.Max(bottom, y) + SectionGap;
        }

        private void Contacts(ReceiptParty party, float x, float width)
        {
            Field("Адрес", party.Address, x, width, 2);
            Field("Тел.", $"{OrDash(party.Phone)}, e-mail: {OrDash(party.Email)}", x, width, 2);
            if (party.Website is not null) Field("Сайт", party.Website, x, width, 1);
            if (party.OfficeHours is not null) Field("Часы приёма", party.OfficeHours, x, width, 2);
        }

        /// <summary>Bank requisites in three short lines that read the way a payment order is filled in.</summary>
        private static string Requisites(ReceiptParty party) =>
            $"ИНН {party.Inn}, КПП {OrDash(party.Kpp)}\nр/с {OrDash(party.SettlementAccount)} в {OrDash(party.BankName)}\n" +
            $"БИК {OrDash(party.Bic)}, к/с {OrDash(party.CorrespondentAccount)}";

        private void Recipients()
        {
            Section("Раздел 2. Информация для внесения платы получателю платежа (получателям платежей)",
                recipients.HeaderHeight + 4 * cell.Line);
            BeginTable(recipients);
            foreach (var recipient in doc.Recipients)
            {
                var party = recipient.Party;
                recipients.Set(party.Name + "\n" + Requisites(party), string.Join(", ", recipient.Services), Money(recipient.Opening),
                    Money(recipient.Charged), Money(recipient.Penalties), Money(recipient.Paid), Money(recipient.ToPay));
                Row(recipients, cell);
            }
            EndTable(recipients);
            y += 1.5f;

            var totals = doc.Totals;
            string opening = totals.Opening >= 0
                ? $"задолженность за предыдущие периоды {Money(totals.Opening)} ₽"
                : $"аванс на начало периода {Money(-totals.Opening)} ₽";
            Paragraph($"ЛС № {doc.Payer.AccountNumber}: {opening}. Оплаты, поступившие по {doc.PaymentsUntil:dd.MM.yyyy} включительно, учтены; " +
                      $"дата последней оплаты: {Date(totals.LastPaymentOn)}.", cell, Left, Width, 3);
            y += 2f;

            if (doc.Meters.Count == 0) return;
            BeginTable(meters);
            foreach (var meter in doc.Meters)
            {
                // The consumer's next reading starts from the last one the month was billed by.
                meters.Set(Meter(meter), OrDash(meter.SerialNumber), meter.Unit, Date(meter.VerifiedOn), Volume(meter.Current ?? meter.Previous),
                    Date(meter.CurrentOn ?? meter.PreviousOn), null, null);
                Row(meters, cell, minHeight: 11f);
            }
            EndTable(meters);
            y += SectionGap - 2f;
        }

        private static string Meter(ReceiptMeter meter) => string.IsNullOrEmpty(meter.Zone) ? meter.Service : $"{meter.Service}, {meter.Zone.ToLowerInvariant()}";

        private void Services()
        {
            Section("Раздел 3. Расчёт размера платы за содержание и ремонт жилого помещения и коммунальные услуги, взноса на капитальный ремонт",
                services.HeaderHeight + 2 * cell.Line);
            BeginTable(services);
            foreach (var row in doc.Services)
            {
                // Resources used on common property are indented under the rows they belong to and say so.
                string name = row.CommonProperty && !row.Service.Contains("СОИ", StringComparison.Ordinal) ? row.Service + " на СОИ" : row.Service;
                services.Set(name, row.Unit, Volume(row.Volume), OrDash(row.Method), Rate(row.Rate), Money(row.Charged), Money(row.Recalculated),
                    Money(row.Benefits), Money(row.ForPeriod), Money(row.Opening), Money(row.Penalties), Money(row.Paid), Money(row.ToPay));
                Row(services, cell, indent: row.CommonProperty ? 7f : 0f);
            }
            var t = doc.Totals;
            services.Set("Итого", null, null, null, null, Money(t.Charged), Money(t.Recalculated), Money(t.Benefits),
                Money(t.Charged + t.Recalculated - t.Benefits), Money(t.Opening), Money(t.Penalties), Money(t.Paid), Money(t.Closing));
            Row(services, cellBold, shaded: true);
            EndTable(services);
            y += 1.5f;

            Paragraph("Способ определения объёма: М — по показаниям ИПУ, Н — по нормативу, С — по среднемесячному объёму, " +
                      "П — по площади, О — по общедомовому прибору учёта.", header, Left, Width, 2);
            y += 2f;
            string total = doc.Kind == ReceiptKind.Advance
                ? $"Аванс на конец периода: {Money(-t.Closing)} ₽     К оплате: {Money(0m)} ₽"
                : $"ИТОГО К ОПЛАТЕ: {Money(t.ToPay)} ₽";
            Paragraph(total, big, Left, Width, 1);
            y += SectionGap - 2f;
        }

        private void Reference()
        {
            int rows = Math.Max(doc.Reference.Count, doc.Meters.Count);
            float needed = reference.HeaderHeight + rows * (cell.Line + 2 * Pad);
            Section("Раздел 4. Справочная информация", Math.Min(needed, Bottom - Top - 40f));
            float top = y;
            int startPage = page;
            if (doc.Reference.Count > 0)
            {
                BeginTable(reference);
                foreach (var item in doc.Reference)
                {
                    reference.Set(item.Service, item.Unit, Rate(item.Norm), Volume(item.BuildingVolume));
                    Row(reference, cell);
                }
                EndTable(reference);
            }
            float bottom = y;
            // Side by side while both fit the page; after a page break the readings simply follow.
            bool beside = page == startPage && doc.Reference.Count > 0;
            if (beside) y = top;
            float x = beside ? readings.Left : Left, width = beside ? readings.Right - readings.Left : Width;
            if (doc.Meters.Count > 0)
            {
                BeginTable(readings);
                foreach (var meter in doc.Meters)
                {
                    decimal? used = meter.Current - meter.Previous;
                    readings.Set(Meter(meter), Volume(meter.Previous), Volume(meter.Current), Date(meter.CurrentOn), Volume(used));
                    Row(readings, cell);
                }
                EndTable(readings);
                y += 2f;
            }
            if (doc.CapIndex is { } cap)
                Paragraph($"Предельный индекс изменения размера вносимой гражданами платы за коммунальные услуги: {Rate(cap)} %", cell, x, width, 3);
            if (beside && page == startPage) y = Math.Max(y, bottom);
            y += SectionGap;
        }

        private void Recalculations()
        {
            if (doc.Recalculations.Count == 0) return;
            y += SectionGap;
            Section("Раздел 6. Сведения о перерасчётах (доначисления +, уменьшения −)", recalculations.HeaderHeight + cell.Line + 2 * Pad);
            BeginTable(recalculations);
            foreach (var item in doc.Recalculations)
            {
                recalculations.Set(item.Service, OrDash(item.Reason), Money(item.Amount));
                Row(recalculations, cell);
            }
            EndTable(recalculations);
        }

        /// <summary>The subsidies in force, for information only (benefits.md §4): УСЗН pays them to the citizen, the totals do not count them.</summary>
        private void Subsidies()
        {
            if (doc.Subsidies is not { Count: > 0 } subsidies) return;
            y += SectionGap;
            Section("Меры социальной поддержки (для сведения, в сумму к оплате не входят)", body.Line);
            foreach (var subsidy in subsidies)
            {
                Paragraph(SubsidyText(subsidy), body, Left, Width, 3);
                y += 1.5f;
            }
        }

        private void Announcements()
        {
            if (doc.Announcements.Count == 0) return;
            y += SectionGap;
            Section("Объявления", body.Line);
            foreach (var announcement in doc.Announcements)
            {
                Paragraph(announcement, body, Left, Width, 12);
                y += 1.5f;
            }
        }

        // ——— Layout primitives ———

        private void NewPage()
        {
            // Page 0: the document's first page is about to begin, nothing is open.
            if (page > 0) pdf.EndPage();
            pdf.BeginPage(PageWidth, PageHeight);
            page++;
            y = Top;
            if (page > 1)
            {
                // Not a Paragraph: a page may begin in the middle of one, whose lines are still in the shared buffer.
                Text($"ЛС № {doc.Payer.AccountNumber}   Документ № {doc.Number} от {doc.IssuedOn:dd.MM.yyyy}   (продолжение, лист {page})",
                    Left, y + body.Ascent, body);
                y += body.Line + 4f;
            }
        }

        /// <summary>One line of text at (<paramref name="x"/>, <paramref name="baseline"/>); returns where it ends.</summary>
        private float Text(ReadOnlySpan<char> text, float x, float baseline, Face face, bool muted = false)
        {
            if (text.IsEmpty) return x;
            pdf.Text(face.Font, face.Size, x, baseline, text, muted ? Grey : Ink);
            return x + face.Measure(text);
        }

        /// <summary>A new page unless <paramref name="height"/> more points fit on this one.</summary>
        private void Reserve(float height)
        {
            if (y + height > Bottom) NewPage();
        }

        /// <summary>A shaded heading bar, kept on one page with <paramref name="keepWith"/> points of what follows; <paramref name="note"/> goes on the bar's right.</summary>
        private void Section(string text, float keepWith, string? note = null)
        {
            float height = heading.Line + 2f;
            Reserve(height + 2f + keepWith);
            pdf.FillRect(Left, y, Width, height, Shade);
            float noteWidth = note is null ? 0f : body.Measure(note) + 10f;
            Text(Fit(text, heading, Width - 6f - noteWidth), Left + 3f, y + 1f + heading.Ascent, heading);
            if (note is not null) Text(note, Right - 3f - body.Measure(note), y + 1f + heading.Ascent, body);
            y += height + 2f;
        }

        /// <summary>Wrapped text from the current line down; lines that would leave the page continue on the next.</summary>
        private void Paragraph(string text, Face face, float x, float width, int maxLines, float keepWith = 0f)
        {
            Wrap(text, face, width, maxLines, lines, widths);
            Reserve(face.Line + keepWith);
            foreach (var line in lines)
            {
                Reserve(face.Line);
                Text(line, x, y + face.Ascent, face);
                y += face.Line;
            }
        }

        /// <summary>«Label: value» with the label in grey; the value's first line runs after the label, the rest use the whole width.</summary>
        private void Field(string label, string? value, float x, float width, int maxLines, bool bold = false, Face? face = null)
        {
            face ??= cell;
            var labelText = label + ": ";
            float labelWidth = face.Measure(labelText);
            Text(labelText, x, y + face.Ascent, face, muted: true);
            var valueFace = bold ? Bolder(face) : face;
            Wrap(OrDash(value), valueFace, width, maxLines, lines, widths, labelWidth);
            for (int i = 0; i < lines.Count; i++)
            {
                Text(lines[i], i == 0 ? x + labelWidth : x, y + face.Ascent, valueFace);
                y += face.Line;
            }
        }

        private Face Bolder(Face face) => face == cell ? cellBold : face == body ? bodyBold : face == tight ? tightBold : face;

        private Table Prepare(Table table)
        {
            float lines = 1;
            for (int i = 0; i < table.Columns.Length; i++)
            {
                (table.HeaderLines[i], table.HeaderWidths[i]) = (new List<string>(3), new List<float>(3));
                Wrap(table.Columns[i].Header, header, table.Edges[i + 1] - table.Edges[i] - 2 * Pad, 4, table.HeaderLines[i], table.HeaderWidths[i]);
                lines = Math.Max(lines, table.HeaderLines[i].Count);
            }
            table.HeaderHeight = lines * header.Line + 2 * Pad + 1f;
            return table;
        }

        private void BeginTable(Table table)
        {
            Reserve(table.HeaderHeight + cell.Line + 2 * Pad);
            TableHeader(table);
        }

        private void TableHeader(Table table)
        {
            table.Top = y;
            float height = table.HeaderHeight;
            pdf.FillRect(table.Left, y, table.Right - table.Left, height, Light);
            HorizontalRule(table, y);
            for (int i = 0; i < table.Columns.Length; i++)
            {
                var headerLines = table.HeaderLines[i];
                float center = (table.Edges[i] + table.Edges[i + 1]) / 2;
                // Headers of fewer lines are centred vertically against the tallest.
                float lineY = y + Pad + (height - 2 * Pad - headerLines.Count * header.Line) / 2 + header.Ascent;
                for (int n = 0; n < headerLines.Count; n++)
                {
                    Text(headerLines[n], center - table.HeaderWidths[i][n] / 2, lineY, header);
                    lineY += header.Line;
                }
            }
            y += height;
            HorizontalRule(table, y);
        }

        private void EndTable(Table table)
        {
            for (int i = 0; i < table.Edges.Length; i++)
            {
                pdf.Line(table.Edges[i], table.Top, table.Edges[i], y);
            }
        }

        private void HorizontalRule(Table table, float at)
        {
            pdf.Line(table.Left, at, table.Right, at);
        }

        /// <summary>Draws the row in <see cref="Table.Cells"/>; a row that does not fit goes to a new page under a repeated header.</summary>
        private void Row(Table table, Face face, float indent = 0f, bool shaded = false, float minHeight = 0f)
        {
            int count = 1;
            for (int i = 0; i < table.Columns.Length; i++)
                count = Math.Max(count, Layout(table, i, face, i == 0 ? indent : 0f));
            float height = Math.Max(minHeight, count * face.Line + 2 * Pad);
            if (y + height > Bottom)
            {
                EndTable(table);
                NewPage();
                TableHeader(table);
            }

            if (shaded) pdf.FillRect(table.Left, y, table.Right - table.Left, height, Light);
            var bold = Bolder(face);
            for (int i = 0; i < table.Columns.Length; i++)
            {
                var column = table.Columns[i];
                float left = table.Edges[i] + Pad + (i == 0 ? indent : 0f), right = table.Edges[i + 1] - Pad;
                float lineY = y + Pad + face.Ascent;
                var cellLines = table.Lines[i];
                var cellWidths = table.Widths[i];
                for (int n = 0; n < cellLines.Count; n++)
                {
                    float x = column.Align switch
                    {
                        Align.Right => right - cellWidths[n],
                        Align.Center => (left + right - cellWidths[n]) / 2,
                        _ => left,
                    };
                    Text(cellLines[n], x, lineY, table.Faces[i] ?? (n < table.BoldLines[i] ? bold : face));
                    lineY += face.Line;
                }
            }
            y += height;
            HorizontalRule(table, y);
        }

        /// <summary>Wraps one cell into its line buffers; returns the number of lines.</summary>
        private int Layout(Table table, int index, Face face, float indent)
        {
            var column = table.Columns[index];
            var cellLines = table.Lines[index];
            var cellWidths = table.Widths[index];
            float width = table.Edges[index + 1] - table.Edges[index] - 2 * Pad - indent;
            string? text = table.Cells[index];
            table.BoldLines[index] = 0;
            table.Faces[index] = null;
            if (string.IsNullOrEmpty(text))
            {
                cellLines.Clear();
                cellWidths.Clear();
                return 0;
            }
            if (column.Align != Align.Left && column.Lines == 1)
            {
                // An amount is never cut: one too wide for its column is set in a smaller face.
                if (face.Measure(text) > width) face = table.Faces[index] = face == cellBold ? tightBold : tight;
                Wrap(text, face, width, 1, cellLines, cellWidths);
                return 1;
            }
            int newline = column.BoldFirst ? text.IndexOf('\n') : -1;
            if (newline < 0)
            {
                Wrap(text, face, width, column.Lines, cellLines, cellWidths);
                return cellLines.Count;
            }
            // A name in bold, then the rest in the regular face, within the same number of lines.
            var bold = Bolder(face);
            Wrap(text[..newline], bold, width, Math.Max(1, column.Lines - 1), cellLines, cellWidths);
            table.BoldLines[index] = cellLines.Count;
            Wrap(text[(newline + 1)..], face, width, column.Lines - cellLines.Count, lines, widths);
            cellLines.AddRange(lines);
            cellWidths.AddRange(widths);
            return cellLines.Count;
        }

        /// <summary>
        /// Breaks <paramref name="text"/> at spaces (and at its own line breaks) into lines no wider than
        /// <paramref name="width"/>, the first <paramref name="firstIndent"/> narrower; at most <paramref name="maxLines"/>,
        /// the last cut with «…» when the text goes on. A word longer than the line is broken where the line ends.
        /// </summary>
        private static void Wrap(string text, Face font, float width, int maxLines, List<string> into, List<float> intoWidths, float firstIndent = 0f) =>
            font.Wrap(text, width, maxLines, into, intoWidths, firstIndent);

        /// <summary>The text itself when it fits on one line, else cut with «…».</summary>
        private string Fit(string text, Face font, float width)
        {
            Wrap(text, font, width, 1, fitLines, fitWidths);
            return fitLines.Count > 0 ? fitLines[0] : "";
        }
    }
}
