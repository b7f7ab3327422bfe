using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Payments;
using OpenErc.Core.Receipts;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Demo;
using OpenErc.Operations.Mail;
using OpenErc.Operations.Payments;
using OpenErc.Operations.Receipts;
using OpenErc.Testing;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// Payment documents of a demo region whose October and November are charged and closed, with payments in November:
/// the documents hold the ledger's figures, their QR codes pay them, a reprint is the same file, printing resumes.
/// </summary>
public sealed class ReceiptIssuingTests(PostgresCluster cluster) : IDisposable
{
    private static readonly RegionClock Clock = TestClock.On(2026, 12, 3);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly BillingPeriod November = new(2026, 11);
    private static readonly DateOnly IssuedOn = new(2026, 12, 1);
    private const string Announcement = "Плановое отключение горячей воды 15.12.2026 с 9:00 до 18:00";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _region;

    /// <summary>The region, made once for the class: documents are insert-only, so the tests share it.</summary>
    private async Task<string> RegionAsync()
    {
        await Gate.WaitAsync(Ct);
        try
        {
            if (_region is not null) return _region;
            var cs = await cluster.CreateDatabaseAsync("receipts");
            await DemoRegion.GenerateAsync(cs, new DemoOptions(120, 42, November), ct: Ct);
            (await BillingRun.RunAsync(cs, October, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
            await BillingPeriods.CloseAsync(cs, October, Clock, "тест", Ct);
            var numbers = await NumbersAsync(cs, "ORDER BY a.number LIMIT 40");
            var agent = await PaymentRegistries.FindAgentAsync(cs, DemoRegion.BankLogin, Ct) ?? throw new InvalidOperationException("no demo bank");
            var options = new PostingOptions("тест", Clock: TestClock.On(new DateOnly(2026, 11, 10)));
            for (int i = 0; i < numbers.Count; i++)
            {
                // Some pay part of the debt, some pay it all and more (an advance on the November document).
                decimal amount = i % 4 == 0 ? 30000m : 250m + i;
                (await PaymentPosting.PostAsync(cs, new PaymentIntake(agent, $"r{i}", PaymentChannel.Sber, numbers[i], amount,
                    new DateTimeOffset(2026, 11, 9, 12, 0, 0, TimeSpan.FromHours(3))), options, Ct)).Accepted.ShouldBeTrue();
            }
            (await BillingRun.RunAsync(cs, November, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
            await BillingPeriods.CloseAsync(cs, November, Clock, "тест", Ct);
            await using (var conn = await OpenAsync(cs))
                (await Announcements.AddAsync(conn, Announcement, null, null, new DateOnly(2026, 11, 1), null, "тест", Ct)).Id.ShouldNotBeNull();
            return _region = cs;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string cs)
    {
        var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        return conn;
    }

    private static async Task<List<string>> NumbersAsync(string cs, string tail)
    {
        await using var conn = await OpenAsync(cs);
        await using var cmd = new NpgsqlCommand($"SELECT a.number FROM personal_accounts a {tail}", conn);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        while (await r.ReadAsync(Ct)) list.Add(r.GetString(0));
        return list;
    }

    private static Task<PrintReport> PrintAsync(string cs, string dir) =>
        ReceiptPrinting.PrintAsync(cs, November, dir, new ReceiptSettings(), "тест", IssuedOn, ct: Ct);

    private readonly List<string> _dirs = [];

    /// <summary>A temporary folder for printed receipts, deleted with the test.</summary>
    private string TempDir()
    {
        var dir = Directory.CreateTempSubdirectory("openerc-receipts-").FullName;
        _dirs.Add(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (var dir in _dirs.Where(Directory.Exists)) Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Every_account_gets_one_document_whose_figures_are_the_ledgers()
    {
        var cs = await RegionAsync();
        var report = await PrintAsync(cs, TempDir());
        long accounts = await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT account_id) FROM account_balances WHERE month = '2026-11-01'");
        report.Receipts.ShouldBe(accounts);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts WHERE month = '2026-11-01' AND kind IN (1, 3)")).ShouldBe(accounts);

        await using var conn = await OpenAsync(cs);
        var documents = await ReceiptIssuing.LoadAsync(conn, November, null, null, Ct);
        documents.Count.ShouldBe((int)accounts);
        var ledger = new Dictionary<string, (decimal Opening, decimal Charged, decimal Recalculated, decimal Penalties, decimal Paid, decimal Closing)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT a.number, sum(opening), sum(charged), sum(recalculated), sum(penalties), sum(paid), sum(closing)
            FROM account_balances b JOIN personal_accounts a ON a.id = b.account_id WHERE month = '2026-11-01' GROUP BY a.number
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(Ct))
            while (await r.ReadAsync(Ct))
                ledger[r.GetString(0)] = (r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6));

        foreach (var d in documents)
        {
            var l = ledger[d.Payer.AccountNumber];
            var t = d.Totals;
            // The ledger counts the month's benefits in kind among the recalculations; the document shows them apart («Льготы, субсидии»).
            (t.Opening, t.Charged, t.Recalculated - t.Benefits, t.Penalties, t.Paid, t.Closing).ShouldBe(l, d.Payer.AccountNumber);
            t.ToPay.ShouldBe(Math.Max(l.Closing, 0m));
            d.Kind.ShouldBe(l.Closing < 0 ? ReceiptKind.Advance : ReceiptKind.Monthly);
            d.Services.Sum(s => s.ToPay).ShouldBe(t.Closing);
            d.Services.ShouldAllBe(s => s.Opening + s.Charged + s.Recalculated - s.Benefits + s.Penalties - s.Paid == s.ToPay);
            d.Recipients.Sum(r => r.ToPay).ShouldBe(t.Closing);
            d.Recipients.ShouldAllBe(r => !string.IsNullOrEmpty(r.Party.Inn));
            d.Announcements.ShouldContain(Announcement);
            d.Payee.SettlementAccount.ShouldNotBeNullOrEmpty();
            d.PaymentsUntil.ShouldBe(new DateOnly(2026, 11, 30));

            PaymentQr.Check(d.QrPayload).ShouldBeEmpty();
            var qr = PaymentQr.Parse(d.QrPayload);
            qr["PersAcc"].ShouldBe(d.Payer.AccountNumber);
            qr["PaymPeriod"].ShouldBe("112026");
            qr["PersonalAcc"].ShouldBe(d.Payee.SettlementAccount);
            if (t.ToPay > 0) qr["Sum"].ShouldBe(((long)(t.ToPay * 100)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            else qr.ContainsKey("Sum").ShouldBeFalse();
        }
        documents.ShouldContain(d => d.Kind == ReceiptKind.Advance);
        documents.ShouldContain(d => d.Totals.Paid > 0 && d.Totals.ToPay > 0);
        documents.ShouldContain(d => d.Meters.Count > 0 && d.Meters.Any(m => m.Previous != null));
        documents.ShouldContain(d => d.Services.Any(s => s.Method == "С") && d.Meters.Count > 0);
        documents.ShouldContain(d => d.Services.Any(s => s.CommonProperty));
        documents.ShouldContain(d => d.Reference.Any(r => r.Norm != null));
        documents.Select(d => d.Number).Distinct().Count().ShouldBe(documents.Count);
        // Every account has a cabinet registration code of its own.
        documents.ShouldAllBe(d => d.Payer.RegistrationCode != null);
        documents.Select(d => d.Payer.RegistrationCode).Distinct().Count().ShouldBe(documents.Count);

        // The region's total to pay in the print registry is the ledger's positive closing balances.
        decimal positive = ledger.Values.Sum(v => Math.Max(v.Closing, 0m));
        report.ToPay.ShouldBe(positive);
        documents.Sum(d => d.Totals.ToPay).ShouldBe(positive);
    }

    [Fact]
    public async Task A_reprint_gives_the_same_files_and_an_interrupted_print_resumes_where_it_stopped()
    {
        var cs = await RegionAsync();
        string first = TempDir(), second = TempDir();
        var a = await PrintAsync(cs, first);
        var b = await PrintAsync(cs, second);
        b.Issued.ShouldBe(0);
        var files = Directory.GetFiles(first, "*.pdf").Select(Path.GetFileName).Order().ToList();
        files.Count.ShouldBe(a.Buildings - (int)(await Sql.ScalarAsync<long>(cs,
            "SELECT count(*) FROM buildings b WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.building_id = b.id AND r.month = '2026-11-01')")));
        Directory.GetFiles(second, "*.pdf").Select(Path.GetFileName).Order().ShouldBe(files);
        foreach (var f in files)
            File.ReadAllBytes(Path.Combine(second, f!)).ShouldBe(File.ReadAllBytes(Path.Combine(first, f!)), f);

        // A print that stopped after some buildings: the finished files are kept, a lost one and the rest are printed again.
        File.Delete(Path.Combine(second, files[0]!));
        var resumed = await PrintAsync(cs, second);
        resumed.Skipped.ShouldBe(resumed.Buildings - 1);
        File.ReadAllBytes(Path.Combine(second, files[0]!)).ShouldBe(File.ReadAllBytes(Path.Combine(first, files[0]!)));
        File.ReadAllText(resumed.RegistryFile).ShouldContain(files[0]!);

        // Within a building's file the documents go by entrance, then flat.
        await using var conn = await OpenAsync(cs);
        var building = await Sql.ScalarAsync<long>(cs, "SELECT building_id FROM receipts WHERE month = '2026-11-01' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
        var documents = await ReceiptIssuing.LoadAsync(conn, November, building, null, Ct);
        documents.Select(d => d.Payer.Entrance ?? int.MaxValue).ShouldBeInOrder();
        using var pdf = PdfDocument.Open(File.ReadAllBytes(Directory.GetFiles(first, $"{building:D6} *.pdf").ShouldHaveSingleItem()));
        pdf.NumberOfPages.ShouldBeGreaterThanOrEqualTo(documents.Count);
        string Text(int page) => string.Concat(pdf.GetPage(page).Letters.Select(l => l.Value)).Replace(" ", "");
        Text(1).ShouldContain(documents[0].Payer.AccountNumber);
    }

    [Fact]
    public async Task The_pdf_of_a_real_document_holds_its_account_month_services_and_total_and_the_qr_reads_back()
    {
        var cs = await RegionAsync();
        var number = (await NumbersAsync(cs, "ORDER BY a.number OFFSET 5 LIMIT 1")).Single();
        await using var conn = await OpenAsync(cs);
        var document = await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", IssuedOn, number, November, Ct);
        (await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "другой", IssuedOn.AddDays(3), number, November, Ct)).ShouldBe(document,
            new DocumentComparer());
        var bytes = ReceiptPdf.Render(document);
        ReceiptPdf.Render((await ReceiptIssuing.LoadAsync(conn, November, null, null, Ct)).Single(d => d.Number == document.Number)).ShouldBe(bytes);

        using var pdf = PdfDocument.Open(bytes);
        var text = string.Concat(pdf.GetPages().SelectMany(p => p.Letters).Select(l => l.Value)).Replace(" ", "").Replace("\u00a0", "").Replace("\u202f", "");
        text.ShouldContain(number);
        text.ShouldContain("ноябрь2026");
        foreach (var s in document.Services) text.ShouldContain(s.Service.Replace(" ", "")[..Math.Min(12, s.Service.Replace(" ", "").Length)]);
        text.ShouldContain(document.Totals.ToPay.ToString("#,0.00", System.Globalization.CultureInfo.GetCultureInfo("ru-RU")).Replace("\u00a0", "").Replace(" ", ""));

        // The cabinet registration code is printed, is the account's, and stays the same from month to month.
        var code = document.Payer.RegistrationCode.ShouldNotBeNull();
        code.ShouldMatch("^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$");
        text.ShouldContain(code);
        (await Sql.ScalarAsync<string>(cs, $"SELECT c.code FROM cabinet_codes c JOIN personal_accounts a ON a.id = c.account_id WHERE a.number = '{number}'"))
            .ShouldBe(code);
        (await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", IssuedOn, number, October, Ct)).Payer.RegistrationCode.ShouldBe(code);

        var decoded = ReceiptPdfTests.ScanQr(bytes);
        decoded.ShouldBe(document.QrPayload);
        if (document.Totals.ToPay > 0) PaymentQr.Parse(decoded)["Sum"].ShouldBe(((long)(document.Totals.ToPay * 100)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Debt_notices_go_to_the_debtors_only_and_leave_the_monthly_documents_as_they_are()
    {
        var cs = await RegionAsync();
        long monthly = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts WHERE kind IN (1, 3)");
        long debtors = await Sql.ScalarAsync<long>(cs,
            "SELECT count(*) FROM (SELECT account_id FROM account_balances WHERE month = '2026-11-01' GROUP BY 1 HAVING sum(closing) >= 1000) d");
        debtors.ShouldBeGreaterThan(0);
        var dir = TempDir();
        var report = await ReceiptPrinting.PrintAsync(cs, November, dir, new ReceiptSettings(), "тест", IssuedOn, new PrintSelection(DebtAtLeast: 1000m), ct: Ct);
        report.Receipts.ShouldBe(debtors);
        Directory.GetFiles(dir, "*.pdf").ShouldAllBe(f => f.EndsWith("(уведомления о задолженности).pdf"));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts WHERE kind = 2")).ShouldBe(debtors);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts WHERE kind IN (1, 3)")).ShouldBe(monthly);
        (await ReceiptPrinting.PrintAsync(cs, November, TempDir(), new ReceiptSettings(), "тест", IssuedOn, new PrintSelection(DebtAtLeast: 1000m), ct: Ct))
            .Issued.ShouldBe(0);

        await using var conn = await OpenAsync(cs);
        var notices = await ReceiptIssuing.LoadAsync(conn, November, null, null, Ct, debtNotices: true);
        notices.ShouldAllBe(d => d.Kind == ReceiptKind.DebtNotice && d.Totals.Closing >= 1000m);
        using var pdf = PdfDocument.Open(ReceiptPdf.Render(notices[0]));
        string.Concat(pdf.GetPage(1).Letters.Select(l => l.Value)).ShouldContain("задолженност");
    }

    [Fact]
    public async Task A_payment_made_by_the_qr_code_pays_the_month_of_the_code()
    {
        var cs = await RegionAsync();
        await using var conn = await OpenAsync(cs);
        // An account that owes more than 100 ₽ of November's own charges (from the balances: whether other tests of the
        // class have issued its document yet does not matter).
        var debtors = await NumbersAsync(cs, """
            JOIN LATERAL (SELECT sum(closing) AS closing FROM account_balances b WHERE b.month = '2026-11-01' AND b.account_id = a.id) n ON true
            WHERE n.closing > 100 AND n.closing > (SELECT coalesce(sum(closing), 0)
              FROM account_balances b WHERE b.month = '2026-10-01' AND b.account_id = a.id) + 100 ORDER BY a.number DESC LIMIT 1
            """);
        var document = await ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", IssuedOn, debtors.Single(), November, Ct);
        var qr = PaymentQr.Parse(document.QrPayload);
        var period = BillingPeriod.Of(DateOnly.ParseExact("01" + qr["PaymPeriod"], "ddMMyyyy", System.Globalization.CultureInfo.InvariantCulture));
        period.ShouldBe(November);
        var agent = await PaymentRegistries.FindAgentAsync(cs, DemoRegion.BankLogin, Ct) ?? throw new InvalidOperationException("no demo bank");
        var posted = await PaymentPosting.PostAsync(cs, new PaymentIntake(agent, "qr-1", PaymentChannel.Sber, qr["PersAcc"], 100m,
            new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.FromHours(3)), period), new PostingOptions("тест", Clock: TestClock.On(new DateOnly(2026, 12, 3))), Ct);
        posted.Outcome.ShouldBe(PostingOutcome.Posted);
        (await Sql.ScalarAsync<long>(cs, $"""
            SELECT count(*) FROM payment_allocations WHERE payment_id = {posted.PaymentId} AND service_month <> '2026-11-01'
            """)).ShouldBe(0);
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {posted.PaymentId}")).ShouldBe(100m);
    }

    [Fact]
    public async Task An_open_month_or_an_unknown_account_is_refused_in_russian_and_nothing_is_issued()
    {
        var cs = await RegionAsync();
        long before = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts");
        var open = await Should.ThrowAsync<ReceiptException>(() =>
            ReceiptPrinting.PrintAsync(cs, new BillingPeriod(2026, 12), TempDir(), new ReceiptSettings(), "тест", IssuedOn, ct: Ct));
        open.Message.ShouldBe("Месяц декабрь 2026 не закрыт: платёжные документы выпускаются за закрытый месяц");
        await using var conn = await OpenAsync(cs);
        (await Should.ThrowAsync<ReceiptException>(() =>
            ReceiptIssuing.ForAccountAsync(conn, new ReceiptSettings(), "тест", IssuedOn, "0000000000", November, Ct))).Message.ShouldBe("Лицевой счёт 0000000000 не найден");
        (await Should.ThrowAsync<ReceiptException>(() =>
            ReceiptPrinting.PrintAsync(cs, November, TempDir(), new ReceiptSettings { PayeeInn = "7700000000" }, "тест", IssuedOn, ct: Ct)))
            .Message.ShouldContain("Не найдена организация с ИНН 7700000000");
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM receipts")).ShouldBe(before);
    }

    [Fact]
    public async Task A_document_sent_by_email_is_queued_once_and_delivered_as_a_letter_with_the_pdf()
    {
        var cs = await RegionAsync();
        await using var conn = await OpenAsync(cs);
        long account = await Sql.ScalarAsync<long>(cs, "SELECT min(account_id) FROM account_balances WHERE month = '2026-11-01'");
        (await Should.ThrowAsync<ReceiptException>(() =>
            ReceiptDelivery.QueueAsync(conn, new ReceiptSettings(), "тест", IssuedOn, account, November, "не почта"))).Message.ShouldBe("Неверный адрес электронной почты «не почта»");
        var number = await ReceiptDelivery.QueueAsync(conn, new ReceiptSettings(), "тест", IssuedOn, account, November, "ivanov@example.ru", Ct);
        (await ReceiptDelivery.QueueAsync(conn, new ReceiptSettings(), "тест", IssuedOn, account, November, " ivanov@example.ru ", Ct)).ShouldBe(number);
        (await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM receipt_deliveries WHERE receipt_id = {number}")).ShouldBe(1);

        var pickup = new SmtpMailSender(new MailSettings { PickupDirectory = TempDir() });
        (await ReceiptDelivery.SendQueuedAsync(cs, pickup, "epd@erc.example", Clock, ct: Ct)).ShouldBe(1);
        var file = Directory.GetFiles(pickup.Settings.PickupDirectory, "*.eml").ShouldHaveSingleItem();
        File.ReadAllText(file).ShouldContain("To: ivanov@example.ru");
        var letter = await MimeKit.MimeMessage.LoadAsync(file, Ct);
        var number10 = await Sql.ScalarAsync<string>(cs, $"SELECT number FROM personal_accounts WHERE id = {account}");
        letter.Subject.ShouldBe($"Платёжный документ за ноябрь 2026, лицевой счёт {number10}");
        letter.Date.ShouldBe(Clock.Now);
        letter.TextBody!.ShouldContain($"единый платёжный документ № {number} за ноябрь 2026");
        var attachment = letter.Attachments.OfType<MimeKit.MimePart>().ShouldHaveSingleItem();
        attachment.FileName.ShouldBe($"ЕПД {number10} 2026-11.pdf");
        attachment.ContentType.MimeType.ShouldBe("application/pdf");
        using (var pdf = new MemoryStream())
        {
            await attachment.Content!.DecodeToAsync(pdf, Ct);
            // The stored document has the cabinet code; the letter's copy goes without it.
            var stored = (await ReceiptIssuing.LoadAsync(conn, November, null, null, Ct)).Single(d => d.Number == number);
            stored.Payer.RegistrationCode.ShouldNotBeNullOrEmpty();
            pdf.ToArray().ShouldBe(ReceiptPdf.Render(ReceiptDelivery.WithoutCode(stored)));
            pdf.ToArray().ShouldNotBe(ReceiptPdf.Render(stored));
        }
        (await Sql.ScalarAsync<string>(cs, $"SELECT state FROM receipt_deliveries WHERE receipt_id = {number}")).ShouldBe("sent");
        (await ReceiptDelivery.SendQueuedAsync(cs, pickup, "epd@erc.example", Clock, ct: Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task A_letter_the_smtp_server_refuses_at_sign_in_stays_queued_and_goes_out_once_the_login_is_right()
    {
        var (cs, number) = await QueueLetterAsync("SELECT DISTINCT account_id FROM account_balances WHERE month = '2026-11-01' ORDER BY account_id OFFSET 1 LIMIT 1",
            "petrov@example.ru");
        await using var server = new FakeSmtpServer("epd", "верный");
        var settings = new MailSettings { Host = "127.0.0.1", Port = server.Port, User = "epd", Security = MailSecurity.None, TimeoutSeconds = 10 };

        (await ReceiptDelivery.SendQueuedAsync(cs, new SmtpMailSender(settings with { Password = "старый" }), "epd@erc.example", Clock, ct: Ct)).ShouldBe(0);
        (await Sql.ScalarAsync<string>(cs, $"SELECT state || ' ' || attempts FROM receipt_deliveries WHERE receipt_id = {number}")).ShouldBe("queued 1");
        (await Sql.ScalarAsync<string>(cs, $"SELECT error FROM receipt_deliveries WHERE receipt_id = {number}")).ShouldNotBeNullOrWhiteSpace();
        server.Letters.ShouldBeEmpty();

        (await ReceiptDelivery.SendQueuedAsync(cs, new SmtpMailSender(settings with { Password = "верный" }), "epd@erc.example", Clock, ct: Ct)).ShouldBe(1);
        (await Sql.ScalarAsync<string>(cs, $"SELECT state || ' ' || attempts FROM receipt_deliveries WHERE receipt_id = {number}")).ShouldBe("sent 2");
        server.Logins.Select(l => l.Password).Distinct().ShouldBe(["старый", "верный"]);
        var (from, to, data) = server.Letters.ShouldHaveSingleItem();
        (from, to.ShouldHaveSingleItem()).ShouldBe(("epd@erc.example", "petrov@example.ru"));
        MimeKit.MimeMessage.Load(new MemoryStream(data), Ct).Attachments.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_letter_the_mail_server_refuses_stays_queued_and_fails_after_the_last_attempt()
    {
        var (cs, number) = await QueueLetterAsync("SELECT max(account_id) FROM account_balances WHERE month = '2026-11-01'", "sidorov@example.ru");
        var refusing = new RefusingMailSender();
        for (int attempt = 1; attempt <= ReceiptDelivery.MaxAttempts; attempt++)
        {
            (await ReceiptDelivery.SendQueuedAsync(cs, refusing, "epd@erc.example", Clock, ct: Ct)).ShouldBe(0);
            (await Sql.ScalarAsync<string>(cs, $"SELECT state || ' ' || attempts || ' ' || error FROM receipt_deliveries WHERE receipt_id = {number}"))
                .ShouldBe($"{(attempt < ReceiptDelivery.MaxAttempts ? "queued" : "failed")} {attempt} Сервер почты недоступен");
        }
        refusing.Tries.ShouldBe(ReceiptDelivery.MaxAttempts);
    }

    /// <summary>Queues the November document of the account <paramref name="accountSql"/> selects for <paramref name="email"/>.</summary>
    private async Task<(string Cs, long Number)> QueueLetterAsync(string accountSql, string email)
    {
        var cs = await RegionAsync();
        await using var conn = await OpenAsync(cs);
        long account = await Sql.ScalarAsync<long>(cs, accountSql);
        return (cs, await ReceiptDelivery.QueueAsync(conn, new ReceiptSettings(), "тест", IssuedOn, account, November, email, Ct));
    }

    private sealed class RefusingMailSender : IMailSender
    {
        public int Tries { get; private set; }

        public Task SendAsync(MimeKit.MimeMessage message, CancellationToken ct)
        {
            Tries++;
            throw new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.MessageNotAccepted, MailKit.Net.Smtp.SmtpStatusCode.MailboxBusy,
                "Сервер почты недоступен");
        }
    }

    /// <summary>Documents compare by their JSON: records hold lists, which compare by reference.</summary>
    private sealed class DocumentComparer : IEqualityComparer<UnifiedPaymentDocument>
    {
        public bool Equals(UnifiedPaymentDocument? x, UnifiedPaymentDocument? y) =>
            System.Text.Json.JsonSerializer.Serialize(x, ReceiptIssuing.Json) == System.Text.Json.JsonSerializer.Serialize(y, ReceiptIssuing.Json);

        public int GetHashCode(UnifiedPaymentDocument obj) => obj.Number.GetHashCode();
    }
}
