using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The web host with a small demo region, for browser journeys.</summary>
public sealed class DemoWebHost(PostgresCluster cluster) : WebHost(cluster)
{
    protected override int DemoAccounts => 60;
}

/// <summary>Browser journeys in Debian's Chromium driven by Playwright, against the real host.</summary>
public sealed class OperatorJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Assertions wait as long as page actions do: a full run keeps both cores busy with four test assemblies, and a
        // server round trip of a journey can take longer than Playwright's default of five seconds.
        Assertions.SetDefaultExpectTimeout(60_000);
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OPENERC_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // As root Chromium needs --no-sandbox; the closed network here refuses its background connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            // The browser is the citizen's or operator's machine, not the centre's: when .ci/run moves the centre's clock
            // with libfaketime, Chromium keeps the real one (it does not shut down under libfaketime).
            Env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => (Key: (string)e.Key, Value: (string?)e.Value ?? ""))
                .Where(e => e.Key != "LD_PRELOAD" && !e.Key.StartsWith("FAKETIME", StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => e.Value),
        });
    }

    [Fact]
    public async Task Operator_finds_an_account_changes_the_residents_and_sees_it_in_the_history()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = host.CreateContext();
        var account = await db.Accounts.Where(a => a.ClosedOn == null && a.PayerPersonId != null).OrderBy(a => a.Number).FirstAsync(ct);
        int current = await db.ResidentCounts.Where(r => r.AccountId == account.Id && r.ValidTo == null).Select(r => r.Count).FirstOrDefaultAsync(ct);
        int wanted = current + 2;
        const string reason = "Акт о фактическом проживании №17";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser);

        await page.GotoAsync("/");
        var search = page.Locator("input[data-testid=account-search], [data-testid=account-search] input").First;
        await search.FillAsync(account.Number);
        await search.PressAsync("Enter");
        var link = page.GetByTestId("account-link").Filter(new() { HasText = account.Number });
        await link.First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($@"/accounts/{account.Id}$"));

        await WebHost.OpenTabAsync(page, "Проживающие");
        await page.GetByTestId("change-residents").ClickAsync();
        await Input(page, "residents-count").FillAsync("два");
        await Input(page, "change-reason").FillAsync(reason);
        await page.GetByTestId("save-residents").ClickAsync();
        await Assertions.Expect(page.GetByText("Введите целое число проживающих")).ToBeVisibleAsync();
        await Input(page, "residents-count").FillAsync(wanted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Input(page, "change-reason").FillAsync(reason);
        await page.GetByTestId("save-residents").ClickAsync();
        await Assertions.Expect(page.GetByTestId("residents-current")).ToContainTextAsync(wanted.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await WebHost.OpenTabAsync(page, "История");
        var history = page.GetByTestId("history");
        await Assertions.Expect(history).ToContainTextAsync(reason);
        await Assertions.Expect(history).ToContainTextAsync(wanted.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await using var check = host.CreateContext();
        (await check.ResidentCounts.Where(r => r.AccountId == account.Id && r.ValidTo == null).Select(r => r.Count).SingleAsync(ct)).ShouldBe(wanted);
        (await check.AuditEntries.AnyAsync(e => e.Reason == reason, ct)).ShouldBeTrue();
    }

    /// <summary>The input of a MudBlazor text field by its test id (the attribute lands on the input or on its wrapper).</summary>
    internal static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input, textarea[data-testid={testId}], [data-testid={testId}] textarea").First;
}
