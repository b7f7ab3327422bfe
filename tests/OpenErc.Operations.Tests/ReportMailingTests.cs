using MimeKit;
using MiniExcelLibs;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Operations.Mail;
using OpenErc.Operations.Reports;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The monthly mailing on a copy of the demo region's year: the closing of November queues a letter per subscription,
/// the worker sends each organisation its reports of the month within its scope as XLSX, and a letter sent is not sent again.
/// </summary>
public sealed class ReportMailingTests(DemoYear year, PostgresCluster cluster) : IClassFixture<DemoYear>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Closing_a_month_mails_each_subscriber_its_reports_once()
    {
        var cs = await cluster.CopyDatabaseAsync(year.ConnectionString, "mailing");
        var clock = TestClock.On(2026, 11, 30);
        long manager = await Sql.ScalarAsync<long>(cs, "SELECT organisation_id FROM building_managements GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1");
        long water = await Sql.ScalarAsync<long>(cs, "SELECT id FROM organisations WHERE short_name = 'АО «Водоканал»'");
        long bank = await Sql.ScalarAsync<long>(cs, "SELECT min(id) FROM organisations WHERE kind = 8");

        var (company, errors) = await ReportMailing.SubscribeAsync(cs, manager, "uk@example.ru", null, "админ", clock, Ct);
        errors.ShouldBeEmpty();
        (await ReportMailing.SubscribeAsync(cs, water, "rso@example.ru", ["OSV"], "админ", clock, Ct)).Errors.ShouldBeEmpty();
        (await ReportMailing.SubscribeAsync(cs, water, "не адрес", ["OSV", "NOPE"], "админ", clock, Ct)).Errors.Keys.Order().ShouldBe(["email", "reports"]);
        (await ReportMailing.SubscribeAsync(cs, bank, "bank@example.ru", null, "админ", clock, Ct)).Errors["organisationId"]
            .ShouldBe(["Рассылка — управляющим организациям и поставщикам услуг"]);
        (await ReportMailing.ListAsync(cs, Ct)).Select(s => s.Reports.Count).ShouldBe([4, 1]);

        // G2: a closed month's report formed again after later postings is the same (all but the moment it is formed).
        var osvReport = ReportCatalog.Find("OSV")!;
        var october = ReportRequest.Parse(osvReport, new Dictionary<string, string?> { ["from"] = "2026-10", ["to"] = "2026-10", ["mode"] = "expanded", ["group"] = "" },
            new BillingPeriod(2026, 10), DemoYear.Current, clock.Today);
        static string Text(ReportPage p) => string.Join("\n", p.Rows.Append(p.Total).Select(r => string.Join(";", r.Values)));
        var before = Text(await ReportEngine.PageAsync(cs, osvReport, october, ReportScope.Everything("тест"), clock, 1, 10_000, Ct));

        // November charged and closed: a letter queued per subscription, in the closing's transaction.
        var run = await BillingRun.RunAsync(cs, DemoYear.Current, BillingScope.All, new BillingRunOptions(clock), ct: Ct);
        run.Failures.ShouldBeEmpty();
        await BillingPeriods.CloseAsync(cs, DemoYear.Current, clock, "тест", Ct);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM report_letters WHERE state = 'queued' AND month = '2026-11-01'")).ShouldBe(2);
        Text(await ReportEngine.PageAsync(cs, osvReport, october, ReportScope.Everything("тест"), clock, 1, 10_000, Ct)).ShouldBe(before);

        var folder = Path.Combine(Path.GetTempPath(), $"report-mail-{Guid.NewGuid():N}");
        try
        {
            var sender = new SmtpMailSender(new MailSettings { PickupDirectory = folder });
            (await ReportMailing.SendQueuedAsync(cs, sender, "erc@example.ru", clock, ct: Ct)).ShouldBe(2);
            (await ReportMailing.SendQueuedAsync(cs, sender, "erc@example.ru", clock, ct: Ct)).ShouldBe(0);
            var letters = Directory.GetFiles(folder, "*.eml").Select(f => MimeMessage.Load(f)).ToList();
            letters.Count.ShouldBe(2);
            var toCompany = letters.Single(l => l.To.Mailboxes.Single().Address == "uk@example.ru");
            toCompany.Subject.ShouldStartWith("Отчёты за ноябрь 2026: ");
            var files = toCompany.Attachments.OfType<MimePart>().ToList();
            files.Select(f => f.FileName).ShouldBe(new[] { "OSV", "PAY_CHANNELS", "SPLIT", "DEBTORS" }.Select(c => $"{c}_2026-11_UK-{manager}_20261130-1200.xlsx"));

            // The company's turnover sheet: its buildings only, the same total as the report formed for its scope.
            using var osv = new MemoryStream();
            await files[0].Content!.DecodeToAsync(osv, Ct);
            osv.Position = 0;
            var sheet = MiniExcel.Query(osv, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
            sheet[^1]["A"].ShouldBe("Всего");
            await using var conn = new Npgsql.NpgsqlConnection(cs);
            await conn.OpenAsync(Ct);
            var scope = await ReportMailing.ScopeAsync(conn, manager, DemoYear.Current.LastDay, Ct);
            scope.Buildings.ShouldNotBeNull().ShouldNotBeEmpty();
            var report = ReportCatalog.Find("OSV")!;
            var query = ReportRequest.Parse(report, new Dictionary<string, string?> { ["from"] = "2026-11", ["to"] = "2026-11" }, DemoYear.Current, null, clock.Today);
            var page = await ReportEngine.PageAsync(cs, report, query, scope, clock, 1, 100, Ct);
            int charged = page.Head.Columns.ToList().FindIndex(c => c.Key == "charged");
            Convert.ToDecimal(sheet[^1][((char)('A' + charged)).ToString()], System.Globalization.CultureInfo.InvariantCulture).ShouldBe((decimal)page.Total.Values[charged]!);
            var region = await ReportEngine.PageAsync(cs, report, query, ReportScope.Everything("тест"), clock, 1, 100, Ct);
            ((decimal)page.Total.Values[charged]!).ShouldBeLessThan((decimal)region.Total.Values[charged]!);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
