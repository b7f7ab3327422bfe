using Microsoft.Playwright;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The financier loads a bank's registry in «Реестры платежей» and resolves its unknown-account payment in «Невыясненные платежи».</summary>
public sealed class RegistryJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task A_registry_uploaded_in_the_workstation_is_posted_and_its_suspense_payment_resolved_and_a_bad_file_shows_its_errors()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT min(number) FROM personal_accounts");
        var unknown = Core.Accounts.AccountNumber.Create(999_999_998);
        long bank = (await PaymentRegistries.FindAgentAsync(host.ConnectionString, "demo-bank", ct))!.Value;
        var bankName = (await PaymentRegistries.AgentsAsync(host.ConnectionString, ct)).Single(a => a.Id == bank).Name;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);

        await page.GotoAsync("/payments/registries");
        await CorrectionJourneyTests.ChooseAsync(page, "registry-agent", bankName);

        // A file whose footer does not add up: every error shown, nothing posted.
        await UploadAsync(page, "плохой.txt", PaymentRegistryApiTests.Registry("=1;500,00", ("J0", account, "100,00", "Иванов")));
        await Assertions.Expect(page.GetByTestId("registry-errors"))
            .ToContainTextAsync("Сумма платежей в итоговой строке (500,00) не совпадает с суммой строк реестра (100,00)");
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments")).ShouldBe(0);

        await UploadAsync(page, "реестр-сбер.txt",
            PaymentRegistryApiTests.Registry("=2;1100,00", ("J1", account, "600,00", "Иванов Иван"), ("J2", unknown, "500,00", "Ёжикова Вера Павловна")));
        var report = page.GetByTestId("registry-report");
        await Assertions.Expect(report).ToContainTextAsync("принят");
        await Assertions.Expect(report).ToContainTextAsync("в невыясненные 1");
        await Assertions.Expect(page.GetByTestId("registries")).ToContainTextAsync("реестр-сбер.txt");

        // The suspense queue: the payment with the unknown number, resolved onto the right account with a reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "Разнести невыясненные" }).ClickAsync();
        var queue = page.GetByTestId("suspense");
        await Assertions.Expect(queue).ToContainTextAsync("Ёжикова Вера Павловна");
        await queue.GetByTestId("resolve").ClickAsync();
        await OperatorJourneyTests.Input(page, "resolve-account").FillAsync("123");
        await page.GetByTestId("resolve-post").ClickAsync();
        await Assertions.Expect(page.GetByText("Номер лицевого счёта должен состоять из 10 цифр")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Укажите причину разнесения")).ToBeVisibleAsync();

        await OperatorJourneyTests.Input(page, "resolve-account").FillAsync(account);
        await OperatorJourneyTests.Input(page, "resolve-account").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("resolve-address")).Not.ToBeEmptyAsync();
        await OperatorJourneyTests.Input(page, "resolve-reason").FillAsync("Звонок плательщицы: ЛС перепутан");
        await page.GetByTestId("resolve-post").ClickAsync();
        await Assertions.Expect(page.GetByText("Невыясненных платежей нет")).ToBeVisibleAsync();

        (await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT account_number || ' ' || reason || ' ' || posted_by FROM payments WHERE correction = 'resolution'"))
            .ShouldBe($"{account} Звонок плательщицы: ЛС перепутан {host.AdminLogin}");
        (await Sql.ScalarAsync<decimal>(host.ConnectionString,
            $"SELECT sum(amount) FROM payment_allocations a JOIN personal_accounts p ON p.id = a.account_id WHERE p.number = '{account}'")).ShouldBe(1100m);
    }

    private static async Task UploadAsync(IPage page, string name, byte[] content)
    {
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/plain", Buffer = content });
        await Assertions.Expect(page.GetByTestId("registry-file")).ToContainTextAsync(name);
        await page.GetByTestId("registry-upload").ClickAsync();
    }
}
