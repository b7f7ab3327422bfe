using OpenErc.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Web.Components.Shared;
using OpenErc.Web.Security;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;
using static OpenErc.Web.Tests.OperatorJourneyTests;

namespace OpenErc.Web.Tests;

/// <summary>Browser journeys of the people outside the centre: a citizen in the cabinet, a management company's representative.</summary>
public sealed class CabinetJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_citizen_registers_with_the_code_from_the_receipt_submits_a_reading_sees_it_in_the_history_and_downloads_the_receipt()
    {
        var (account, number, _, serial, last) = await CabinetTests.MeteredAccountAsync(host);
        await host.ChargedAccountAsync();
        var month = host.Clock.CurrentMonth; // November, opened by the host, charged and closed on 3 December
        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        (await host.Client.PostAsync($"/api/v1/billing/periods/{month}/close", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var receipt = await host.Client.GetByteArrayAsync($"/api/v1/accounts/{account}/receipts/{month}/pdf", Ct);
        string code;
        using (var pdf = PdfDocument.Open(receipt))
            code = Regex.Match(string.Join(" ", pdf.GetPages().Select(p => p.Text)), @"кабинете:\s*([A-Z0-9]{5}-[A-Z0-9]{5})").Groups[1].Value;
        code.Length.ShouldBe(11);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        // On a phone's screen: the cabinet is one column.
        var page = await host.NewPageAsync(browser, cookies: new CookieContainer(), phone: true);
        await page.GotoAsync("/cabinet");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login"));
        await page.GetByTestId("register-link").ClickAsync();

        // A wrong code: a Russian message, nobody registered.
        await Register(page, number, "AAAAA-BBBBB", "citizen@example.ru");
        await Assertions.Expect(page.GetByTestId("error-code")).ToContainTextAsync("Неверный номер лицевого счёта или код регистрации");
        (await host.ScalarAsync<long>("SELECT count(*) FROM users WHERE user_name = 'citizen@example.ru'")).ShouldBe(0);

        await Register(page, number, code, "citizen@example.ru");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/cabinet$"));
        await Assertions.Expect(page.GetByTestId("account-number")).ToHaveTextAsync(number);

        await WebHost.OpenTabAsync(page, "Показания");
        // Below the previous reading: refused, the message says why.
        await Input(page, $"reading-{serial}-1").FillAsync((last - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId($"submit-{serial}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"reading-message-{serial}")).ToContainTextAsync("меньше предыдущего");
        var value = last + 3;
        await Input(page, $"reading-{serial}-1").FillAsync(value.ToString(System.Globalization.CultureInfo.InvariantCulture).Replace('.', ','));
        await page.GetByTestId($"submit-{serial}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"reading-message-{serial}")).ToContainTextAsync("Показание принято");
        await Assertions.Expect(page.GetByTestId($"history-{serial}").Locator("tbody tr").First).ToContainTextAsync(Fmt.Number(value));
        await Assertions.Expect(page.GetByTestId($"history-{serial}").Locator("tbody tr").First).ToContainTextAsync("Личный кабинет");
        (await host.ScalarAsync<decimal>($"SELECT value FROM meter_readings WHERE entered_by = 'citizen@example.ru'")).ShouldBe(value);

        await WebHost.OpenTabAsync(page, "Документы");
        var link = page.GetByTestId($"receipt-{month}");
        await Assertions.Expect(link).ToBeVisibleAsync();
        var response = await page.APIRequest.GetAsync(await link.GetAttributeAsync("href") ?? "");
        response.Status.ShouldBe(200);
        response.Headers["content-type"].ShouldBe("application/pdf");
        (await response.BodyAsync()).ShouldBe(receipt);
    }

    [Fact]
    public async Task A_management_company_representative_signs_in_and_cannot_open_another_company_s_account()
    {
        var (group, buildingA, buildingB) = await AccessTests.TwoCompaniesAsync(host);
        var login = await host.CreateUserAsync(Roles.ManagementCompany, group);
        long accountA = await host.ScalarAsync<long>($"SELECT min(a.id) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingA}");
        long accountB = await host.ScalarAsync<long>($"SELECT min(a.id) FROM personal_accounts a JOIN premises p ON p.id = a.premise_id WHERE p.building_id = {buildingB}");
        var numberA = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {accountA}");
        var numberB = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {accountB}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, cookies: new CookieContainer());
        await page.GotoAsync($"/accounts/{accountA}");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login"));
        await Input(page, "login").FillAsync(login);
        await Input(page, "password").FillAsync("неверный");
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-error")).ToHaveTextAsync("Неверный логин или пароль");
        await Input(page, "login").FillAsync(login);
        await Input(page, "password").FillAsync(WebHost.Password);
        await page.GetByTestId("sign-in").ClickAsync();

        // Back to the page asked for: the company's own account opens, read-only.
        await Assertions.Expect(page.GetByTestId("account-number")).ToContainTextAsync(numberA);
        await Assertions.Expect(page.GetByTestId("edit-account")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Расчёт месяца")).ToHaveCountAsync(0);

        await page.GotoAsync($"/accounts/{accountB}");
        await Assertions.Expect(page.GetByTestId("access-denied")).ToContainTextAsync("не относится к вашим домам");
        await Assertions.Expect(page.GetByTestId("account-number")).ToHaveCountAsync(0);

        await page.GotoAsync("/");
        var search = page.Locator("input[data-testid=account-search], [data-testid=account-search] input").First;
        await search.FillAsync(numberB);
        await search.PressAsync("Enter");
        await Assertions.Expect(page.GetByText("Ничего не найдено")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("account-link").Filter(new() { HasText = numberB })).ToHaveCountAsync(0);

        await page.GotoAsync("/billing");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/denied"));
    }

    [Fact]
    public async Task The_account_manager_reads_the_cabinet_code_from_the_card_and_the_dispatcher_answers_a_request()
    {
        long account = await host.ScalarAsync<long>("SELECT max(id) FROM personal_accounts");
        var number = await host.ScalarAsync<string>($"SELECT number FROM personal_accounts WHERE id = {account}");
        var (citizen, _, _) = await host.CitizenAsync(account);
        var sent = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/requests",
            new { accountNumber = number, kind = "Request", text = "Прошу заменить счётчик воды" }, Ct), HttpStatusCode.Created);
        long request = sent.GetProperty("id").GetInt64();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var (_, managerCookies) = await host.SignedInAsync(await host.CreateUserAsync(Roles.AccountManager));
        var page = await host.NewPageAsync(browser, cookies: managerCookies);
        await page.GotoAsync($"/accounts/{account}");
        await page.GetByTestId("show-cabinet-code").ClickAsync();
        await Assertions.Expect(page.GetByTestId("cabinet-code")).ToHaveTextAsync(new Regex("^[A-Z2-9]{5}-[A-Z2-9]{5}$"));
        (await page.GetByTestId("cabinet-code").TextContentAsync()).ShouldBe(
            await host.ScalarAsync<string>($"SELECT code FROM cabinet_codes WHERE account_id = {account}"));
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'cabinet-code-shown' AND details = '{number}'")).ShouldBe(1);

        var (_, dispatcherCookies) = await host.SignedInAsync(await host.CreateUserAsync(Roles.Dispatcher));
        var desk = await host.NewPageAsync(browser, cookies: dispatcherCookies);
        await desk.GotoAsync("/requests");
        await Assertions.Expect(desk.GetByTestId("request").Filter(new() { HasText = "Прошу заменить счётчик воды" })).ToBeVisibleAsync();
        await desk.GetByTestId($"done-{request}").ClickAsync();
        await Assertions.Expect(desk.GetByText("Напишите ответ гражданину")).ToBeVisibleAsync();
        await Input(desk, $"answer-{request}").FillAsync("Замена назначена на 2 декабря");
        await desk.GetByTestId($"done-{request}").ClickAsync();
        await Assertions.Expect(desk.GetByTestId("request").Filter(new() { HasText = "Прошу заменить счётчик воды" })).ToHaveCountAsync(0);
        (await host.ScalarAsync<string>($"SELECT answer FROM citizen_requests WHERE id = {request} AND status = 3")).ShouldBe("Замена назначена на 2 декабря");
    }

    private async Task Register(IPage page, string number, string code, string login)
    {
        await Input(page, "account-number").FillAsync(number);
        await Input(page, "code").FillAsync(code);
        await Input(page, "surname").FillAsync(await host.ScalarAsync<string>(
            $"SELECT p.last_name FROM personal_accounts a JOIN people p ON p.id = a.payer_person_id WHERE a.number = '{number}'"));
        await Input(page, "login").FillAsync(login);
        await Input(page, "password").FillAsync("пароль-надёжный");
        await Input(page, "confirm-password").FillAsync("пароль-надёжный");
        await page.GetByTestId("register").ClickAsync();
    }
}
