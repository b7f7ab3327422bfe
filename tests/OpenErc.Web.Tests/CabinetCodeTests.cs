using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Npgsql;
using OpenErc.Core.Housing;
using OpenErc.Operations.Security;
using OpenErc.Testing;
using OpenErc.Web.Security;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The cabinet registration code is for the account's people: a management company's user gets receipts without it, the
/// centre's printing of it is journaled, registering also asks for the payer's surname, and earlier cabinet users are told.
/// </summary>
public sealed class CabinetCodeTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_management_companys_user_downloads_the_receipt_without_the_code_and_the_centres_print_is_journaled()
    {
        var (account, number) = await host.ChargedAccountAsync();
        var month = host.Clock.CurrentMonth;
        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        (await host.Client.PostAsync($"/api/v1/billing/periods/{month}/close", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var pdf = $"/api/v1/accounts/{account}/receipts/{month}/pdf";

        long org = await host.ScalarAsync<long>($"""
            SELECT m.organisation_id FROM building_managements m JOIN premises p ON p.building_id = m.building_id
            JOIN personal_accounts a ON a.premise_id = p.id WHERE a.id = {account} ORDER BY m.valid_from DESC LIMIT 1
            """);
        long group;
        await using (var db = host.CreateContext())
        {
            var made = new AccessGroup { Kind = AccessGroupKind.ManagementCompany, Name = "УК счёта", OrganisationId = org };
            db.Add(made);
            await db.SaveChangesAsync(Ct);
            group = made.Id;
        }
        using var company = await host.ClientAsync(Roles.ManagementCompany, group);
        var companyText = Text(await company.GetByteArrayAsync(pdf, Ct));
        companyText.ShouldContain(number);
        companyText.ShouldNotContain("Код для регистрации");
        Code(companyText).ShouldBeEmpty();
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'cabinet-code-printed' AND details = '{number}'")).ShouldBe(0);

        var adminText = Text(await host.Client.GetByteArrayAsync(pdf, Ct));
        Code(adminText).Length.ShouldBe(11);
        (await host.ScalarAsync<string>($"SELECT login FROM auth_events WHERE event = 'cabinet-code-printed' AND details = '{number}' AND success"))
            .ShouldBe(host.AdminLogin);
        // The stored document keeps its code: the citizen's own download has it and is not journaled as a staff print.
        var (citizen, _, _) = await host.CitizenAsync(account);
        Code(Text(await citizen.GetByteArrayAsync($"/api/v1/cabinet/accounts/{number}/receipts/{month}/pdf", Ct))).ShouldBe(Code(adminText));
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'cabinet-code-printed' AND details = '{number}'")).ShouldBe(1);
    }

    [Fact]
    public async Task A_citizen_registers_with_the_number_of_the_earlier_system_on_his_old_receipts()
    {
        var (account, number, code, surname) = await host.AccountWithCodeAsync(12);
        await Sql.ExecAsync(host.ConnectionString, $"INSERT INTO account_aliases (account_id, kind, number, source) VALUES ({account}, 1, '0077-123', 'Квадо')");
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        (await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = " 0077-123 ", code, surname, login = "oldnumber@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var mine = await WebHost.JsonAsync(await client.GetAsync("/api/v1/me/accounts", Ct), HttpStatusCode.OK);
        mine.EnumerateArray().Select(a => a.GetProperty("number").GetString()).ShouldBe([number]);
    }

    [Fact]
    public async Task Registering_asks_for_the_payers_surname_a_wrong_one_counts_and_the_earlier_user_is_told()
    {
        var (account, number, code, surname) = await host.AccountWithCodeAsync(11);
        var (earlier, _, earlierLogin) = await host.CitizenAsync(account);
        await Sql.ExecAsync(host.ConnectionString, $"UPDATE cabinet_accounts SET linked_at = '{host.Clock.Now.AddDays(-10):O}' WHERE account_id = {account}");

        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        var wrong = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, code, surname = "Неправильнова", login = "newcomer@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct),
            HttpStatusCode.BadRequest);
        wrong.GetProperty("errors").GetProperty("code")[0].GetString().ShouldBe("Фамилия плательщика не совпадает с указанной в платёжном документе");
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'register' AND details = '{number}' AND NOT success")).ShouldBe(1);
        var missing = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, code, login = "newcomer@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct),
            HttpStatusCode.BadRequest);
        missing.GetProperty("errors").GetProperty("surname")[0].GetString().ShouldBe("Укажите фамилию плательщика, как в платёжном документе");

        // Typed as people type it: in capitals, with spaces around, «ё» as «е».
        var typed = "  " + surname.ToUpperInvariant().Replace('Ё', 'Е') + " ";
        (await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, code, surname = typed, login = "newcomer@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);

        var notices = await WebHost.JsonAsync(await earlier.GetAsync("/api/v1/me/notifications", Ct), HttpStatusCode.OK);
        notices.EnumerateArray().Select(n => n.GetProperty("text").GetString()).ShouldContain(
            $"К лицевому счёту {number} подключён новый пользователь личного кабинета: n***@example.ru");
        // The newcomer is not told about themselves, and the earlier user has a letter.
        var own = await WebHost.JsonAsync(await client.GetAsync("/api/v1/me/notifications", Ct), HttpStatusCode.OK);
        own.EnumerateArray().ShouldNotContain(n => n.GetProperty("text").GetString()!.Contains("новый пользователь"));
        Directory.GetFiles(host.MailDirectory, "*.eml").Select(File.ReadAllText)
            .Where(t => t.Contains(earlierLogin)).Select(SignInTests.Body).ShouldContain(b => b.Contains($"К лицевому счёту {number} подключён новый пользователь"));
    }

    [Fact]
    public async Task Adding_another_account_in_the_cabinet_asks_for_the_payers_surname_too()
    {
        var (own, _, _, _) = await host.AccountWithCodeAsync(21);
        var (other, number, code, surname) = await host.AccountWithCodeAsync(22);
        var (citizen, _, login) = await host.CitizenAsync(own);
        async Task<long> LinkedAsync() => await host.ScalarAsync<long>(
            $"SELECT count(*) FROM cabinet_accounts c JOIN users u ON u.id = c.user_id WHERE u.user_name = '{login}' AND c.account_id = {other}");

        var missing = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/accounts", new { accountNumber = number, code }, Ct), HttpStatusCode.BadRequest);
        missing.GetProperty("errors").GetProperty("code")[0].GetString().ShouldBe("Укажите фамилию плательщика, как в платёжном документе");
        var wrong = await WebHost.JsonAsync(await citizen.PostAsJsonAsync("/api/v1/me/accounts", new { accountNumber = number, code, surname = "Неправильнова" }, Ct),
            HttpStatusCode.BadRequest);
        wrong.GetProperty("errors").GetProperty("code")[0].GetString().ShouldBe("Фамилия плательщика не совпадает с указанной в платёжном документе");
        // A wrong surname counts as a wrong code towards the account's limit.
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'register' AND details = '{number}' AND NOT success")).ShouldBe(1);
        (await LinkedAsync()).ShouldBe(0);

        (await citizen.PostAsJsonAsync("/api/v1/me/accounts", new { accountNumber = number, code, surname = surname.ToLowerInvariant() }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await LinkedAsync()).ShouldBe(1);
        var accounts = await WebHost.JsonAsync(await citizen.GetAsync("/api/v1/me/accounts", Ct), HttpStatusCode.OK);
        accounts.EnumerateArray().Select(a => a.GetProperty("number").GetString()).ShouldContain(number);
    }

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().Select(p => p.Text));
    }

    private static string Code(string text) => Regex.Match(text, @"кабинете:\s*([A-Z0-9]{5}-[A-Z0-9]{5})").Groups[1].Value;
}
