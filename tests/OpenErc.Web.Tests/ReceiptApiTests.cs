using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>Payment documents over real HTTP and from the account card: refused before the month closes, then issued once and the same on every download.</summary>
public sealed class ReceiptApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_document_of_a_closed_month_is_downloaded_the_same_from_the_api_the_cabinet_and_the_account_card()
    {
        var (account, number) = await host.ChargedAccountAsync();
        var month = host.Clock.CurrentMonth; // November, opened by the host and charged
        var pdf = $"/api/v1/accounts/{account}/receipts/{month}/pdf";

        // Before the month is closed, and with bad input: a Russian refusal, nothing issued.
        var open = await WebHost.JsonAsync(await Http.GetAsync(pdf, Ct), HttpStatusCode.Conflict);
        open.GetProperty("detail").GetString().ShouldBe($"Месяц {month.Name()} не закрыт: платёжные документы выпускаются за закрытый месяц");
        var bad = await WebHost.JsonAsync(await Http.GetAsync($"/api/v1/accounts/{account}/receipts/2026-13/pdf", Ct), HttpStatusCode.BadRequest);
        bad.GetProperty("detail").GetString()!.ShouldContain("ГГГГ-ММ");
        var (citizen, _, _) = await host.CitizenAsync(account);
        (await WebHost.JsonAsync(await citizen.GetAsync($"/api/v1/cabinet/accounts/9999999999/receipts/{month}/pdf", Ct), HttpStatusCode.Forbidden))
            .GetProperty("detail").GetString().ShouldBe("Лицевой счёт 9999999999 не добавлен в ваш личный кабинет");
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM receipts")).ShouldBe(0);

        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        (await Http.PostAsync($"/api/v1/billing/periods/{month}/close", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var first = await Http.GetAsync(pdf, Ct);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        first.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe($"ЕПД {number} {month}.pdf");
        var bytes = await first.Content.ReadAsByteArrayAsync(Ct);
        System.Text.Encoding.ASCII.GetString(bytes, 0, 5).ShouldBe("%PDF-");
        (await Http.GetByteArrayAsync(pdf, Ct)).ShouldBe(bytes);
        (await citizen.GetByteArrayAsync($"/api/v1/cabinet/accounts/{number}/receipts/{month}/pdf", Ct)).ShouldBe(bytes);
        (await Http.GetAsync($"/api/v1/cabinet/accounts/{number}/receipts/{month}/pdf", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM receipts")).ShouldBe(1);

        var list = await WebHost.JsonAsync(await Http.GetAsync($"/api/v1/accounts/{account}/receipts", Ct), HttpStatusCode.OK);
        var row = list.EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("month").GetString().ShouldBe(month.ToString());
        long receipt = row.GetProperty("number").GetInt64();
        row.GetProperty("toPay").GetDecimal().ShouldBe(await Sql.ScalarAsync<decimal>(host.ConnectionString,
            $"SELECT greatest(sum(closing), 0) FROM account_balances WHERE account_id = {account} AND month = '{month.FirstDay:yyyy-MM-dd}'"));

        // E-mail: a bad address is refused in Russian; a good one is queued once.
        var wrong = await WebHost.JsonAsync(await Http.PostAsJsonAsync($"/api/v1/accounts/{account}/receipts/{month}/email", new { email = "почта" }, Ct),
            HttpStatusCode.Conflict);
        wrong.GetProperty("detail").GetString().ShouldBe("Неверный адрес электронной почты «почта»");
        for (int i = 0; i < 2; i++)
            (await Http.PostAsJsonAsync($"/api/v1/accounts/{account}/receipts/{month}/email", new { email = "petrov@example.ru" }, Ct)).StatusCode
                .ShouldBe(HttpStatusCode.Accepted);
        (await Sql.ScalarAsync<long>(host.ConnectionString, $"SELECT count(*) FROM receipt_deliveries WHERE receipt_id = {receipt}")).ShouldBe(1);

        // The account card lists the document and links to the same PDF.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync($"/accounts/{account}");
        await WebHost.OpenTabAsync(page, "Платёжные документы");
        await Assertions.Expect(page.GetByTestId("account-receipts")).ToContainTextAsync($"№ {receipt}");
        var link = page.GetByTestId($"receipt-pdf-{month}");
        await Assertions.Expect(link).ToHaveAttributeAsync("href", pdf);
        var download = await page.APIRequest.GetAsync(pdf);
        (await download.BodyAsync()).ShouldBe(bytes);
    }

    [Fact]
    public async Task An_announcement_is_validated_in_russian_and_kept()
    {
        var bad = await WebHost.JsonAsync(await Http.PostAsJsonAsync("/api/v1/announcements", new { text = "", validFrom = "2026-12-01", validTo = "2026-11-01" }, Ct),
            HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("text")[0].GetString().ShouldBe("Введите текст объявления");
        bad.GetProperty("errors").GetProperty("validTo")[0].GetString().ShouldBe("Дата окончания должна быть позже даты начала");
        var created = await WebHost.JsonAsync(await Http.PostAsJsonAsync("/api/v1/announcements",
            new { text = "Поверка счётчиков — по телефону диспетчерской", validFrom = "2026-11-01" }, Ct), HttpStatusCode.Created);
        long id = created.GetProperty("id").GetInt64();
        var list = await WebHost.JsonAsync(await Http.GetAsync("/api/v1/announcements", Ct), HttpStatusCode.OK);
        list.EnumerateArray().ShouldContain(a => a.GetProperty("id").GetInt64() == id && a.GetProperty("text").GetString()!.StartsWith("Поверка"));
    }
}
