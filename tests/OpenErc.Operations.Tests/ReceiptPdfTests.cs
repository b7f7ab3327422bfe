using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Receipts;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The ЕПД PDF prints what the document says in the order of the form, its QR code scans back to the very payment string,
/// a reprint is the same file, and long texts stay on the page. The QR code is read by pdftoppm (poppler-utils) and
/// zbarimg (zbar-tools), as a bank app would read the paper.
/// </summary>
public sealed class ReceiptPdfTests
{
    private const double Margin = 28.35 - 0.5;

    [Fact]
    public void The_page_shows_the_account_the_month_every_service_and_the_total_to_pay()
    {
        var document = SampleReceipts.Build();
        document.Totals.ToPay.ShouldBe(8355.23m);

        using var pdf = PdfDocument.Open(ReceiptPdf.Render(document));

        pdf.NumberOfPages.ShouldBe(1);
        var text = Compact(pdf.GetPage(1).Text);
        text.ShouldContain(Compact("ЛС № 1002003001"));
        text.ShouldContain(Compact("Документ № 2026110001 от 01.12.2026"));
        text.ShouldContain(Compact("Платёжный документ (единый платёжный документ) для внесения платы за содержание и ремонт жилого помещения " +
                                   "и предоставление коммунальных услуг за ноябрь 2026"));
        foreach (var row in document.Services) text.ShouldContain(Compact(row.Service));
        text.ShouldContain(Compact("ИТОГО К ОПЛАТЕ: 8 355,23 ₽"));
        text.ShouldContain(Compact("2 987,364512")); // a rate with all its six decimals
        text.ShouldContain(Compact("−84,12")); // the recalculation, with a true minus sign
        foreach (var section in (string[])["Раздел 1.", "Раздел 2.", "Раздел 3.", "Раздел 4.", "Раздел 5.", "Раздел 6.", "Объявления"])
            text.ShouldContain(Compact(section));
        text.ShouldContain(Compact("Оплаты, поступившие по 30.11.2026 включительно, учтены"));
        text.ShouldContain(Compact("Рассрочка платежа не предоставлялась"));
        text.ShouldContain(Compact("Код для регистрации в личном кабинете: 7KQ2M-XH4PA"));
        text.ShouldContain(Compact(document.Recalculations[0].Reason));
        text.ShouldContain(Compact(document.Announcements[0]));
        text.IndexOf("Раздел1.", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("Раздел3.", StringComparison.Ordinal));
    }

    /// <summary>
    /// Names and streets of Russia's republics use the whole Cyrillic block (U+0400–U+04FF): every letter of it has its
    /// own glyph in both fonts, and a payer named in Tatar, Bashkir, Chuvash or Yakut reads back from the PDF as written.
    /// </summary>
    [Fact]
    public void Every_cyrillic_letter_of_the_republics_has_a_glyph_and_reads_back()
    {
        foreach (var font in new[] { PdfFont.Regular, PdfFont.Bold })
            for (char c = '\u0400'; c <= '\u04FF'; c++)
                if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter)
                    font.Glyph(c).ShouldNotBe((ushort)0, $"U+{(int)c:X4} «{c}»");

        const string name = "Әхмәтҗанова Гөлнара Үзәковна-Ңүһҗ Ӑӗҫ Өөүү Ҕҕ";
        const string street = "г. Казань, ул. Җәлил Мөселимова Ҙҙ Һһ, д. 7";
        var sample = SampleReceipts.Build();
        var document = sample with { Payer = sample.Payer with { Name = name, Address = street } };
        using var pdf = PdfDocument.Open(ReceiptPdf.Render(document));
        var text = Compact(string.Concat(pdf.GetPages().Select(p => p.Text)));
        text.ShouldContain(Compact(name));
        text.ShouldContain(Compact(street));
    }

    [Fact]
    public void The_QR_code_scans_back_to_the_payment_string_with_the_total_in_kopecks()
    {
        var document = SampleReceipts.Build();

        var decoded = ScanQr(ReceiptPdf.Render(document));

        decoded.ShouldBe(document.QrPayload);
        PaymentQr.Parse(decoded)["Sum"].ShouldBe(((long)(document.Totals.ToPay * 100)).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_reprint_is_the_same_file_and_a_building_gets_a_page_per_document()
    {
        var document = SampleReceipts.Build();
        ReceiptPdf.Render(document).AsSpan().SequenceEqual(ReceiptPdf.Render(document)).ShouldBeTrue();

        var building = SampleReceipts.Building(3).ToList();
        var first = WriteAll(building);
        WriteAll(building).AsSpan().SequenceEqual(first).ShouldBeTrue();

        using var pdf = PdfDocument.Open(first);
        pdf.NumberOfPages.ShouldBe(3);
        for (int i = 0; i < building.Count; i++)
            Compact(pdf.GetPage(i + 1).Text).ShouldContain(Compact($"ЛС № {building[i].Payer.AccountNumber}"));
    }

    [Fact]
    public void An_advance_shows_the_advance_with_nothing_to_pay_and_the_QR_code_has_no_sum()
    {
        var document = SampleReceipts.Build(ReceiptKind.Advance);
        document.Totals.Closing.ShouldBe(-4757.61m);
        PaymentQr.Parse(document.QrPayload).ContainsKey("Sum").ShouldBeFalse();

        var bytes = ReceiptPdf.Render(document);

        using var pdf = PdfDocument.Open(bytes);
        var text = Compact(pdf.GetPage(1).Text);
        text.ShouldContain(Compact("Аванс на конец периода: 4 757,61 ₽"));
        text.ShouldContain(Compact("К оплате: 0,00 ₽"));
        text.ShouldNotContain(Compact("ИТОГО К ОПЛАТЕ"), Case.Sensitive); // the header of Раздел 3 says «Итого к оплате»
        PaymentQr.Parse(ScanQr(bytes)).ContainsKey("Sum").ShouldBeFalse();
    }

    [Fact]
    public void A_debt_notice_has_its_title_and_cites_the_housing_code()
    {
        var document = SampleReceipts.Build(ReceiptKind.DebtNotice);

        using var pdf = PdfDocument.Open(ReceiptPdf.Render(document));

        var text = Compact(pdf.GetPage(1).Text);
        text.ShouldContain(Compact("Уведомление о задолженности по оплате жилищно-коммунальных услуг на 01.12.2026"));
        text.ShouldContain(Compact("частью 14 статьи 155 Жилищного кодекса"));
        text.ShouldContain(Compact("Сумма задолженности к оплате: 31 682,22 ₽"));
        document.Totals.ToPay.ShouldBe(31682.22m);
    }

    [Fact]
    public void Long_texts_stay_inside_the_page_and_a_long_calculation_goes_on_to_a_second_page()
    {
        var address = "г. Пример, " + string.Join(", ", Enumerable.Repeat("микрорайон Северо-Западный промышленный", 10)) + ", кв. 5";
        var announcement = string.Concat(Enumerable.Repeat("Управляющая компания сообщает о плановых работах на сетях водоснабжения. ", 60));
        var document = SampleReceipts.Build(address: address, announcement: announcement, extraRows: 25);

        using var pdf = PdfDocument.Open(ReceiptPdf.Render(document));

        pdf.NumberOfPages.ShouldBe(2);
        var text = new StringBuilder();
        foreach (var page in pdf.GetPages())
        {
            var box = page.MediaBox.Bounds;
            foreach (var letter in page.Letters)
            {
                // Inside the 10 mm margins, not merely on the paper (a glyph's outline may reach half a point past its advance).
                var glyph = letter.BoundingBox;
                (glyph.Left >= box.Left + Margin && glyph.Right <= box.Right - Margin && glyph.Bottom >= box.Bottom + Margin && glyph.Top <= box.Top - Margin)
                    .ShouldBeTrue($"«{letter.Value}» at {glyph} is outside the margins of the page {box}");
            }
            text.Append(Compact(page.Text));
        }
        foreach (var row in document.Services) text.ToString().ShouldContain(Compact(row.Service));
        text.ToString().ShouldContain(Compact("(продолжение, лист 2)"));
    }

    [Fact]
    public void The_file_is_well_formed_and_embeds_both_fonts_as_subsets_with_their_unicode_maps()
    {
        var bytes = WriteAll(SampleReceipts.Building(3));

        // Every entry of the cross-reference table is the offset of its object.
        var text = Encoding.Latin1.GetString(bytes);
        text.ShouldStartWith("%PDF-1.4\n");
        text.ShouldEndWith("%%EOF\n");
        int startxref = text.LastIndexOf("startxref\n", StringComparison.Ordinal);
        int xref = int.Parse(text[(startxref + 10)..].Split('\n')[0], CultureInfo.InvariantCulture);
        var table = text[xref..].Split('\n');
        table[0].ShouldBe("xref");
        int count = int.Parse(table[1].Split(' ')[1], CultureInfo.InvariantCulture);
        count.ShouldBeGreaterThan(3 * 3 + 2 * 5);
        for (int n = 1; n < count; n++)
        {
            int offset = int.Parse(table[2 + n][..10], CultureInfo.InvariantCulture);
            text[offset..].ShouldStartWith($"{n} 0 obj\n");
        }

        // Poppler reads it without a complaint (Run fails on one), with three pages and both faces embedded, subset and mapped to Unicode.
        var folder = Directory.CreateTempSubdirectory("openerc-receipt-");
        try
        {
            var file = Path.Combine(folder.FullName, "receipts.pdf");
            File.WriteAllBytes(file, bytes);
            Encoding.UTF8.GetString(Run("pdfinfo", file)).ShouldContain("Pages:           3");
            var fonts = Encoding.UTF8.GetString(Run("pdffonts", file)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[2..];
            fonts.Length.ShouldBe(2);
            foreach (var font in fonts)
            {
                font.ShouldMatch(@"^[A-Z]{6}\+DejaVuSansCondensed(-Bold)? +CID TrueType +Identity-H +yes yes yes ");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static byte[] WriteAll(IEnumerable<UnifiedPaymentDocument> documents)
    {
        using var output = new MemoryStream();
        ReceiptPdf.Write(output, documents);
        return output.ToArray();
    }

    /// <summary>PdfPig returns the page's spaces as it finds them (and the amounts' no-break spaces): compare without any.</summary>
    private static string Compact(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>The first page at 300 dpi, as a scanner sees the paper, and the text of the QR code on it.</summary>
    internal static string ScanQr(byte[] pdf)
    {
        var folder = Directory.CreateTempSubdirectory("openerc-receipt-");
        try
        {
            var file = Path.Combine(folder.FullName, "receipt.pdf");
            File.WriteAllBytes(file, pdf);
            Run("pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", file, Path.Combine(folder.FullName, "page"));
            var image = Directory.GetFiles(folder.FullName, "page*.png").ShouldHaveSingleItem();
            // -Sbinary: the symbol's bytes as they are, with no guess at their character set and no line break added;
            // the payment string is UTF-8, so decoding them gives back the string exactly.
            return Encoding.UTF8.GetString(Run("zbarimg", "--quiet", "--raw", "-Sbinary", image));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static byte[] Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (Win32Exception e)
        {
            // Not a skip: CI installs the tools, and a missing one must not pass for a readable QR code.
            throw new InvalidOperationException($"{tool} is not installed: the receipt tests need poppler-utils (pdftoppm) and zbar-tools (zbarimg)", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            process.ExitCode.ShouldBe(0, $"{tool} {string.Join(' ', arguments)}: {error.Result}");
            // Poppler (pdftoppm, pdfinfo, pdffonts) reports a malformed file on standard error and goes on.
            if (tool.StartsWith("pdf", StringComparison.Ordinal))
                error.Result.ShouldNotContain("Error", Case.Sensitive, $"{tool} {string.Join(' ', arguments)}");
            return output.ToArray();
        }
    }
}
