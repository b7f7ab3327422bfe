using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OpenErc.Core.Housing;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The reports and the region's analytics on the demo region's year, through the API and in the browser.</summary>
public sealed partial class DemoYearJourneyTests
{
    [Fact]
    public async Task Reports_through_the_api_in_every_format_within_the_users_scope()
    {
        var list = await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/reports", Ct), HttpStatusCode.OK);
        var codes = list.EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        codes.ShouldContain("OSV");
        codes.ShouldContain("DEBTORS");
        list.EnumerateArray().First(r => r.GetProperty("code").GetString() == "OSV").GetProperty("filters").EnumerateArray()
            .Select(f => f.GetProperty("key").GetString()).ShouldContain("manager");

        var osv = await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/reports/OSV?from={LastClosed}&to={LastClosed}&group=manager", Ct), HttpStatusCode.OK);
        osv.GetProperty("period").GetString().ShouldBe("за октябрь 2026 г.");
        var columns = osv.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("key").GetString()).ToList();
        int charged = columns.IndexOf("charged");
        decimal total = osv.GetProperty("total").GetProperty("values")[charged].GetDecimal();
        total.ShouldBeGreaterThan(0m);
        osv.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("values")[charged].GetDecimal()).ShouldBe(total);

        // Refusals: a 404 for an unknown report, a 400 in Russian naming the parameter.
        (await host.Client.GetAsync("/api/v1/reports/NOPE", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var bad = await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/reports/OSV?from=2026-13", Ct), HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("from")[0].GetString()!.ShouldContain("2026-13");
        var future = await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/reports/DEBT?to=2026-11", Ct), HttpStatusCode.BadRequest);
        future.GetProperty("detail").GetString()!.ShouldContain("не закрыт");
        (await WebHost.JsonAsync(await host.Client.GetAsync("/api/v1/reports/OSV?format=docx", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("format").GetArrayLength().ShouldBe(1);

        // Files: XLSX, CSV in either encoding, PDF — named as reports.md §21.3 says.
        var xlsx = await host.Client.GetAsync($"/api/v1/reports/OSV?from={LastClosed}&to={LastClosed}&format=xlsx", Ct);
        xlsx.StatusCode.ShouldBe(HttpStatusCode.OK);
        xlsx.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("OSV_2026-10_region_20261120-1200.xlsx");
        var sheet = MiniExcelLibs.MiniExcel.Query(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync(Ct)), excelType: MiniExcelLibs.ExcelType.XLSX)
            .Cast<IDictionary<string, object?>>().ToList();
        sheet[^1]["A"].ShouldBe("Всего");
        var csv = await host.Client.GetAsync($"/api/v1/reports/PAY_CHANNELS?from={LastClosed}&to={LastClosed}&format=csv&encoding=cp1251", Ct);
        csv.Content.Headers.ContentType!.CharSet.ShouldBe("windows-1251");
        System.Text.Encoding.GetEncoding(1251).GetString(await csv.Content.ReadAsByteArrayAsync(Ct)).ShouldStartWith("Способ оплаты;Платежей;Сумма;");
        var pdf = await host.Client.GetAsync($"/api/v1/reports/DEBT?to={LastClosed}&format=pdf", Ct);
        pdf.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        (await pdf.Content.ReadAsByteArrayAsync(Ct))[..5].ShouldBe("%PDF-"u8.ToArray());

        // A management company's user: the same report, only its buildings.
        long manager = await host.ScalarAsync<long>("SELECT organisation_id FROM building_managements GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1");
        var group = await WebHost.JsonAsync(await host.Client.PostAsJsonAsync("/api/v1/access-groups",
            new { kind = "ManagementCompany", name = "УК для отчётов", organisationId = manager }, Ct), HttpStatusCode.Created);
        using var company = await host.ClientAsync(Roles.ManagementCompany, group.GetProperty("id").GetInt64());
        var own = await WebHost.JsonAsync(await company.GetAsync($"/api/v1/reports/OSV?from={LastClosed}&to={LastClosed}&group=building", Ct), HttpStatusCode.OK);
        var mine = (await host.ScalarAsync<string[]>($"""
            SELECT array_agg(b.address) FROM buildings b JOIN building_managements m ON m.building_id = b.id
            WHERE m.organisation_id = {manager} AND m.valid_from <= '2026-11-20' AND (m.valid_to IS NULL OR m.valid_to >= '2026-11-20')
            """)).ToHashSet();
        var rows = own.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("values")[0].GetString()!).ToList();
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(address => mine.Contains(address));
        own.GetProperty("total").GetProperty("values")[charged].GetDecimal().ShouldBeLessThan(total);

        // A supplier's user: its own rows only.
        long water = await host.ScalarAsync<long>("SELECT id FROM organisations WHERE short_name = 'АО «Водоканал»'");
        using var supplier = await OpenApiSweep.SupplierClientAsync(host, "reports-supplier", water);
        var bySupplier = await WebHost.JsonAsync(await supplier.GetAsync($"/api/v1/reports/OSV?from={LastClosed}&to={LastClosed}&group=supplier", Ct), HttpStatusCode.OK);
        bySupplier.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("values")[0].GetString()).ShouldBe(["АО «Водоканал»"]);
        var analytics = await WebHost.JsonAsync(await supplier.GetAsync($"/api/v1/reports/analytics?month={LastClosed}&by=service", Ct), HttpStatusCode.OK);
        analytics.GetProperty("groups").GetArrayLength().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_limit_index_is_computed_on_the_dashboard_and_drills_to_its_report()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/analytics");
        var section = page.GetByTestId("analytics-limit-index");
        await Assertions.Expect(section).ToContainTextAsync("рассчитывается по кнопке");
        for (int attempt = 1; ; attempt++)
        {
            // A click before the page's circuit is connected is lost: click again.
            await page.GetByTestId("analytics-limit-index-run").ClickAsync();
            try
            {
                await Assertions.Expect(section).ToContainTextAsync("база — декабрь 2025", new() { Timeout = 5_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 10)
            {
            }
        }
        await Assertions.Expect(section.Locator("tr").Last).ToContainTextAsync("Всего");
        await section.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-title")).ToHaveTextAsync("Индекс изменения платы за коммунальные услуги");
        await Assertions.Expect(page.GetByTestId("report-period")).ToContainTextAsync("с 01.12.2025 по 31.10.2026");
    }

    [Fact]
    public async Task The_head_of_the_centre_drills_from_a_municipalitys_collection_rate_to_a_buildings_turnover_sheet_and_downloads_it()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/analytics");
        await Assertions.Expect(page.GetByTestId("analytics-table")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("analytics-region")).ToContainTextAsync("Собираемость за месяц");
        await page.GetByTestId("analytics-collection").First.ClickAsync();

        await Assertions.Expect(page.GetByTestId("report-title")).ToHaveTextAsync("Оборотно-сальдовая ведомость");
        await Assertions.Expect(page.GetByTestId("report-period")).ToContainTextAsync("за октябрь 2026 г.");
        await Assertions.Expect(page.GetByTestId("report-selection")).ToContainTextAsync("Муниципальное образование = ");
        var building = page.GetByTestId("report-drill").First;
        var address = await building.InnerTextAsync();
        await building.ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-selection")).ToContainTextAsync($"Здание = {address}");
        await Assertions.Expect(page.Locator("[data-testid=report-table] tr[data-kind=row]").First).ToBeVisibleAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("report-xlsx").ClickAsync());
        download.SuggestedFilename.ShouldStartWith("OSV_2026-10_region_");
        var path = Path.Combine(Path.GetTempPath(), $"osv-{Guid.NewGuid():N}.xlsx");
        await download.SaveAsAsync(path);
        try
        {
            var sheet = MiniExcelLibs.MiniExcel.Query(path, excelType: MiniExcelLibs.ExcelType.XLSX).Cast<IDictionary<string, object?>>().ToList();
            sheet[1]["A"].ShouldBe("Оборотно-сальдовая ведомость");
            ((string)sheet[3]["A"]!).ShouldContain(address);
            sheet[^1]["A"].ShouldBe("Всего");
            sheet.Count(r => r["B"] is string s && s.Length == 10 && s.All(char.IsDigit)).ShouldBeGreaterThan(0); // the accounts' numbers, as text
        }
        finally
        {
            File.Delete(path);
        }
    }
}
