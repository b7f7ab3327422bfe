using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Npgsql;
using OpenErc.Operations.Security;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>Sign-in, lockout, citizen registration by the receipt's code and the password reset, over real HTTP, with the journal.</summary>
public sealed class SignInTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_wrong_passwords_lock_the_login_until_the_administrator_unlocks_it()
    {
        var login = await host.CreateUserAsync(Roles.Calculator);
        using var client = host.AnonymousClient();
        for (int i = 0; i < 4; i++)
        {
            var wrong = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = "не тот" }, Ct), HttpStatusCode.Unauthorized);
            wrong.GetProperty("detail").GetString().ShouldBe("Неверный логин или пароль");
        }
        var locked = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = "не тот" }, Ct), (HttpStatusCode)423);
        locked.GetProperty("detail").GetString()!.ShouldStartWith("Вход заблокирован после 5 неудачных попыток до ");
        // The right password does not help while locked.
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = WebHost.Password }, Ct)).StatusCode.ShouldBe((HttpStatusCode)423);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events e JOIN users u ON u.id = e.user_id WHERE u.user_name = '{login}' AND e.event = 'sign-in' AND NOT e.success"))
            .ShouldBe(4);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE login = '{login}' AND event = 'locked-out'")).ShouldBe(2);

        long id = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{login}'");
        var user = await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/users/{id}", Ct), HttpStatusCode.OK);
        user.GetProperty("lockedUntil").ValueKind.ShouldNotBe(System.Text.Json.JsonValueKind.Null);
        (await host.Client.PostAsync($"/api/v1/users/{id}/unlock", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var me = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = WebHost.Password }, Ct), HttpStatusCode.OK);
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe([Roles.Calculator]);
        (await host.ScalarAsync<string>($"SELECT actor FROM auth_events WHERE login = '{login}' AND event = 'unlocked'")).ShouldBe(host.AdminLogin);
    }

    [Fact]
    public async Task A_citizen_registers_with_the_code_of_the_receipt_and_a_wrong_code_changes_nothing()
    {
        var (accountId, number, code, surname) = await AccountWithCodeAsync(0);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        int users = await host.ScalarAsync<int>("SELECT count(*)::int FROM users");

        var wrong = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code = "AAAAA-BBBBB", login = "ivanova@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct),
            HttpStatusCode.BadRequest);
        wrong.GetProperty("errors").GetProperty("code")[0].GetString().ShouldStartWith("Неверный номер лицевого счёта или код регистрации");
        var mismatch = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code, login = "ivanova@example.ru", password = "пароль-надёжный", confirmPassword = "другой" }, Ct), HttpStatusCode.BadRequest);
        mismatch.GetProperty("errors").GetProperty("confirmPassword")[0].GetString().ShouldBe("Пароли не совпадают");
        var badLogin = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code, login = "12345", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct), HttpStatusCode.BadRequest);
        badLogin.GetProperty("errors").GetProperty("login")[0].GetString()!.ShouldContain("+7 и 10 цифр");
        var shortPassword = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code, login = "ivanova@example.ru", password = "123", confirmPassword = "123" }, Ct), HttpStatusCode.BadRequest);
        shortPassword.GetProperty("errors").GetProperty("password")[0].GetString().ShouldBe("Пароль должен быть не короче 8 символов");
        (await host.ScalarAsync<int>("SELECT count(*)::int FROM users")).ShouldBe(users);
        (await host.ScalarAsync<long>("SELECT count(*) FROM cabinet_accounts")).ShouldBe(0);

        // The code is typed as people type it: lower case, spaces, no dash.
        var typed = code.Replace("-", " ").ToLowerInvariant();
        (await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code = typed, login = "+7 (916) 123-45-67", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var accounts = await WebHost.JsonAsync(await client.GetAsync("/api/v1/me/accounts", Ct), HttpStatusCode.OK);
        accounts.EnumerateArray().Select(a => a.GetProperty("number").GetString()).ShouldBe([number]);
        (await host.ScalarAsync<long>($"SELECT account_id FROM cabinet_accounts c JOIN users u ON u.id = c.user_id WHERE u.user_name = '+79161234567'")).ShouldBe(accountId);
        // The same login again: refused, with a hint.
        var again = await WebHost.JsonAsync(await host.AnonymousClient().PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code, login = "89161234567", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct), HttpStatusCode.BadRequest);
        again.GetProperty("errors").GetProperty("login")[0].GetString()!.ShouldContain("уже зарегистрирован");
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE event = 'register' AND details = '{number}' AND NOT success")).ShouldBe(1);
    }

    [Fact]
    public async Task Five_wrong_codes_for_an_account_stop_registration_for_it_even_with_the_right_code()
    {
        var (_, number, code, surname) = await AccountWithCodeAsync(1);
        using var client = host.AnonymousClient();
        for (int i = 0; i < AuthService.MaxCodeFailures; i++)
            (await client.PostAsJsonAsync("/api/v1/auth/register",
                new { accountNumber = number, surname, code = $"WRONG-{i}", login = $"guess{i}@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct))
                .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var refused = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { accountNumber = number, surname, code, login = "owner@example.ru", password = "пароль-надёжный", confirmPassword = "пароль-надёжный" }, Ct), HttpStatusCode.BadRequest);
        refused.GetProperty("errors").GetProperty("code")[0].GetString().ShouldBe($"Слишком много неверных попыток для лицевого счёта {number}: повторите через 15 минут");
        (await host.ScalarAsync<long>("SELECT count(*) FROM users WHERE user_name = 'owner@example.ru'")).ShouldBe(0);
    }

    [Fact]
    public async Task A_password_reset_link_arrives_by_mail_sets_a_new_password_once_and_lifts_a_lockout()
    {
        var login = await host.CreateUserAsync(Roles.Financier);
        long id = await host.ScalarAsync<long>($"SELECT id FROM users WHERE user_name = '{login}'");
        await OpenErc.Testing.Sql.ExecAsync(host.ConnectionString, $"UPDATE users SET email = 'finance@example.ru', lockout_end = '9999-12-31' WHERE id = {id}");
        using var client = host.AnonymousClient();
        (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        // An unknown login gets the same answer and no letter.
        (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = "никто" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var letter = Directory.GetFiles(host.MailDirectory, "*.eml").Select(File.ReadAllText).Single(t => t.Contains("finance@example.ru"));
        Letter(letter).Subject.ShouldBe("Восстановление пароля — личный кабинет ЕРЦ");
        var body = Body(letter);
        var link = Regex.Match(body, @"/reset-password\?login=(?<login>[^&\s]+)&token=(?<token>\S+)");
        link.Success.ShouldBeTrue(body);
        var token = Uri.UnescapeDataString(link.Groups["token"].Value);
        Uri.UnescapeDataString(link.Groups["login"].Value).ShouldBe(login);

        var mismatch = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/password",
            new { login, token, password = "новый-пароль", confirmPassword = "другой" }, Ct), HttpStatusCode.BadRequest);
        mismatch.GetProperty("errors").GetProperty("confirmPassword")[0].GetString().ShouldBe("Пароли не совпадают");
        (await client.PostAsJsonAsync("/api/v1/auth/password", new { login, token, password = "новый-пароль", confirmPassword = "новый-пароль" }, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var reused = await WebHost.JsonAsync(await client.PostAsJsonAsync("/api/v1/auth/password",
            new { login, token, password = "ещё-пароль", confirmPassword = "ещё-пароль" }, Ct), HttpStatusCode.BadRequest);
        reused.GetProperty("errors").GetProperty("")[0].GetString()!.ShouldStartWith("Ссылка недействительна");
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = "новый-пароль" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM auth_events WHERE user_id = {id} AND event = 'password-reset' AND success")).ShouldBe(1);
    }

    private Task<(long Id, string Number, string Code, string Surname)> AccountWithCodeAsync(int index) => host.AccountWithCodeAsync(index * 7 + 3);

    /// <summary>A letter of the pickup folder (MIME, 7-bit as it would travel), read back.</summary>
    internal static MimeKit.MimeMessage Letter(string letter) => MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(letter)));

    /// <summary>The decoded text of a letter of the pickup folder.</summary>
    internal static string Body(string letter) => Letter(letter).TextBody ?? "";
}
