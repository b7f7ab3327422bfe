using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenErc.Testing;
using OpenErc.Web.Components.Shared;
using OpenErc.Web.Security;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The administrator's screens: users and roles (create, refuse, change, unlock) and the sign-in journal.</summary>
public sealed class AdminJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private Task<long> CountAsync(string sql) => Sql.ScalarAsync<long>(host.ConnectionString, sql);

    [Fact]
    public async Task The_administrator_creates_a_calculator_who_signs_in_and_sees_billing_but_not_administration_and_a_bad_form_creates_nothing()
    {
        const string login = "ivanova.raschet";
        const string password = "raschet-2026";
        const string name = "Иванова Анна Петровна";
        long users = await CountAsync("SELECT count(*) FROM users");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/admin/users");
        await Assertions.Expect(page.GetByTestId("users")).ToContainTextAsync(host.AdminLogin);

        // No roles: a Russian message next to the roles, the dialog stays open, nobody is created.
        await page.GetByTestId("user-new").ClickAsync();
        await OperatorJourneyTests.Input(page, "user-login").FillAsync(login);
        await OperatorJourneyTests.Input(page, "user-full-name").FillAsync(name);
        await OperatorJourneyTests.Input(page, "user-password").FillAsync(password);
        await page.GetByTestId("user-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Укажите хотя бы одну роль")).ToBeVisibleAsync();
        (await CountAsync("SELECT count(*) FROM users")).ShouldBe(users);
        (await CountAsync($"SELECT count(*) FROM users WHERE user_name = '{login}'")).ShouldBe(0);

        // With the role: created, listed with the role's Russian name, stamped with the administrator in the journal.
        await PickRoleAsync(page, "Расчётчик", selected: true);
        await page.GetByTestId("user-save").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        var row = page.GetByTestId("users").Locator("tbody tr", new() { HasText = login });
        await Assertions.Expect(row).ToContainTextAsync(name);
        await Assertions.Expect(row).ToContainTextAsync("Расчётчик");
        (await CountAsync("SELECT count(*) FROM users")).ShouldBe(users + 1);
        (await Sql.ScalarAsync<string>(host.ConnectionString, $"""
            SELECT string_agg(r.name, ',') FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
            WHERE u.user_name = '{login}'
            """)).ShouldBe(Roles.Calculator);
        (await Sql.ScalarAsync<string>(host.ConnectionString, $"SELECT actor FROM auth_events WHERE login = '{login}' AND event = 'user-created'"))
            .ShouldBe(host.AdminLogin);

        // The new user signs in on the static form and sees the billing menu, not the administrator's.
        var own = await host.NewPageAsync(browser, 60_000, new CookieContainer());
        await own.GotoAsync("/login");
        await own.GetByTestId("login").FillAsync(login);
        await own.GetByTestId("password").FillAsync(password);
        await own.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(own.GetByTestId("signed-in-user")).ToHaveTextAsync(name);
        await Assertions.Expect(own.GetByRole(AriaRole.Link, new() { Name = "Расчёт месяца" })).ToBeVisibleAsync();
        await Assertions.Expect(own.GetByRole(AriaRole.Link, new() { Name = "Сводка месяца" })).ToBeVisibleAsync();
        await Assertions.Expect(own.GetByRole(AriaRole.Link, new() { Name = "Пользователи и роли" })).ToHaveCountAsync(0);
        await Assertions.Expect(own.GetByRole(AriaRole.Link, new() { Name = "Журнал входов" })).ToHaveCountAsync(0);
        await own.GotoAsync("/admin/users");
        await Assertions.Expect(own.GetByTestId("access-denied")).ToBeVisibleAsync();
        await Assertions.Expect(own.GetByTestId("users")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_administrator_changes_a_user_and_unlocks_one_locked_out_by_failed_sign_ins()
    {
        string login = await host.CreateUserAsync(Roles.Cashier);
        using var anonymous = host.AnonymousClient();
        for (int i = 0; i < 5; i++)
            (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { login, password = "не тот пароль" }, TestContext.Current.CancellationToken))
                .StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Locked);
        (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { login, password = WebHost.Password }, TestContext.Current.CancellationToken))
            .StatusCode.ShouldBe(HttpStatusCode.Locked);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);
        var row = await SearchUsersAsync(page, login);
        await Assertions.Expect(row).ToContainTextAsync("Кассир");
        // Locked until the moment the database holds (the failures are counted afresh after a lockout).
        var until = await Sql.ScalarAsync<DateTime>(host.ConnectionString, $"SELECT lockout_end FROM users WHERE user_name = '{login}'");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync(Fmt.Moment(new DateTimeOffset(until, TimeSpan.Zero)));

        // A change refused (a supplier without an access group) saves nothing; then the name and a second role are saved.
        await row.GetByTestId("user-edit").ClickAsync();
        await Assertions.Expect(OperatorJourneyTests.Input(page, "user-roles")).ToHaveValueAsync("Кассир");
        await Assertions.Expect(OperatorJourneyTests.Input(page, "user-login")).ToHaveValueAsync(login);
        await OperatorJourneyTests.Input(page, "user-full-name").FillAsync("Смирнова Людмила Георгиевна");
        await PickRoleAsync(page, "Поставщик услуг (РСО)", selected: true);
        await page.GetByTestId("user-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Для представителя управляющей организации или поставщика укажите группу доступа")).ToBeVisibleAsync();
        (await Sql.ScalarAsync<string>(host.ConnectionString, $"SELECT full_name FROM users WHERE user_name = '{login}'")).ShouldBe("Тестовый пользователь " + login);
        await PickRoleAsync(page, "Поставщик услуг (РСО)", selected: false);
        await PickRoleAsync(page, "Финансист", selected: true);
        await Assertions.Expect(OperatorJourneyTests.Input(page, "user-roles")).ToHaveValueAsync("Финансист, Кассир");
        await page.GetByTestId("user-save").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("Смирнова Людмила Георгиевна");
        await Assertions.Expect(row).ToContainTextAsync("Финансист, Кассир");
        (await Sql.ScalarAsync<string>(host.ConnectionString, $"""
            SELECT string_agg(r.name, ',' ORDER BY r.name) FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
            WHERE u.user_name = '{login}'
            """)).ShouldBe($"{Roles.Cashier},{Roles.Financier}");

        // Unlocked: the lock and the failures are gone, and the user signs in.
        await row.GetByTestId("user-unlock").ClickAsync();
        await Assertions.Expect(row.GetByTestId("user-unlock")).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("0");
        (await CountAsync($"SELECT count(*) FROM users WHERE user_name = '{login}' AND lockout_end IS NULL AND access_failed_count = 0")).ShouldBe(1);
        (await CountAsync($"SELECT count(*) FROM auth_events WHERE login = '{login}' AND event = 'unlocked' AND actor = '{host.AdminLogin}'")).ShouldBe(1);
        using var signedIn = (await host.SignedInAsync(login)).Client;
    }

    [Fact]
    public async Task The_journal_shows_the_sign_ins_of_a_user_failed_and_successful_filtered_by_login()
    {
        string login = await host.CreateUserAsync(Roles.Financier);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);

        // A wrong password, then the right one, on the sign-in form.
        var own = await host.NewPageAsync(browser, 60_000, new CookieContainer());
        await own.GotoAsync("/login");
        await own.GetByTestId("login").FillAsync(login);
        await own.GetByTestId("password").FillAsync("не тот пароль");
        await own.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(own.GetByTestId("login-error")).ToBeVisibleAsync();
        await own.GetByTestId("login").FillAsync(login);
        await own.GetByTestId("password").FillAsync(WebHost.Password);
        await own.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(own.GetByTestId("signed-in-user")).ToBeVisibleAsync();

        var page = await host.NewPageAsync(browser, 60_000);
        await page.GotoAsync("/admin/journal");
        await OperatorJourneyTests.Input(page, "journal-login").FillAsync(login);
        var rows = page.GetByTestId("journal").Locator("tbody tr");
        // Newest first: the sign-in, the failed one, the creation by the test's set-up.
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        (await CountAsync($"SELECT count(*) FROM auth_events WHERE login = '{login}'")).ShouldBe(3);
        await Assertions.Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync([Moment, Exact(login), Exact("Вход"), Exact("Да"), Exact("127.0.0.1"), Exact("—"), Exact("—")]);
        await Assertions.Expect(rows.Nth(1).Locator("td"))
            .ToHaveTextAsync([Moment, Exact(login), Exact("Вход"), Exact("Нет"), Exact("127.0.0.1"), Exact("неверный пароль"), Exact("—")]);
        await Assertions.Expect(rows.Nth(2).Locator("td"))
            .ToHaveTextAsync([Moment, Exact(login), Exact("Создание пользователя"), Exact("Да"), Exact("—"), Exact("роли: Финансист; группа: нет"), Exact("тест")]);

        // The users' list links to the same view.
        await (await SearchUsersAsync(page, login)).GetByRole(AriaRole.Link, new() { Name = "Журнал" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"/admin/journal\?login={Regex.Escape(login)}$"));
        await Assertions.Expect(page.GetByTestId("journal").Locator("tbody tr")).ToHaveCountAsync(3);
    }

    /// <summary>Opens the users' list, searches for <paramref name="login"/> and returns its row once it is the only one.</summary>
    private async Task<ILocator> SearchUsersAsync(IPage page, string login)
    {
        await page.GotoAsync("/admin/users");
        var rows = page.GetByTestId("users").Locator("tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = host.AdminLogin }).First).ToBeVisibleAsync();
        await OperatorJourneyTests.Input(page, "user-search").FillAsync(login);
        await Assertions.Expect(rows.Filter(new() { HasNotText = login })).ToHaveCountAsync(0);
        var row = rows.Filter(new() { HasText = login });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        return row;
    }

    private static readonly Regex Moment = new(@"^\d\d\.\d\d\.\d{4} \d\d:\d\d$");

    private static Regex Exact(string text) => new("^" + Regex.Escape(text) + "$");

    /// <summary>
    /// Toggles <paramref name="role"/> in the roles of the user (or key: <paramref name="prefix"/>) dialog, waits until the server has it
    /// (<paramref name="selected"/> or not: a key pressed before that is lost) and closes the list; the dialog stays.
    /// </summary>
    internal static async Task PickRoleAsync(IPage page, string role, bool selected, string prefix = "user")
    {
        await CorrectionJourneyTests.Select(page, $"{prefix}-roles").ClickAsync();
        var option = page.GetByRole(AriaRole.Option, new() { Name = role, Exact = true });
        await option.ClickAsync();
        await Assertions.Expect(option).ToHaveAttributeAsync("aria-selected", selected ? "true" : "false");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(OperatorJourneyTests.Input(page, $"{prefix}-roles")).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(page.GetByTestId($"{prefix}-save")).ToBeVisibleAsync();
    }
}
