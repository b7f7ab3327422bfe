using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Npgsql;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The расчётчик charges the month from the workstation and the account card explains each amount.</summary>
public sealed class BillingJourneyTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    [Fact]
    public async Task Month_is_charged_from_the_workstation_and_the_account_card_explains_the_amounts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser, 60_000);

        await page.GotoAsync("/billing");
        await page.GetByTestId("billing-run").ClickAsync();
        var report = page.GetByTestId("billing-report");
        // The run goes on in the host; on a loaded machine it takes longer than the assertion's default 5 s.
        await Assertions.Expect(report).ToContainTextAsync("Лицевых счетов");

        await using var conn = new NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT account_id, sum(amount) FROM charge_line_details GROUP BY account_id ORDER BY account_id LIMIT 1", conn);
        long accountId;
        decimal total;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            (await r.ReadAsync(ct)).ShouldBeTrue("the run posted charge lines");
            (accountId, total) = (r.GetInt64(0), r.GetDecimal(1));
        }

        await page.GotoAsync($"/accounts/{accountId}");
        await WebHost.OpenTabAsync(page, "Начисления");
        var charges = page.GetByTestId("charges");
        await Assertions.Expect(charges).ToContainTextAsync(total.ToString("#,0.00", System.Globalization.CultureInfo.GetCultureInfo("ru-RU")));
        await page.GetByTestId("why").First.ClickAsync();
        var trace = page.GetByTestId("trace").First;
        await Assertions.Expect(trace).ToContainTextAsync("Формула");
        await Assertions.Expect(trace).ToContainTextAsync(new System.Text.RegularExpressions.Regex("ПП 354|ЖК РФ"));

        // The penalty statement for a court claim: November's charges are due on 15 December; on 15 April 2027 they are
        // 121 days overdue, so 1/300 and 1/130 rows appear, and the total is the one the ledger's penalty posting would accrue.
        await Assertions.Expect(page.GetByTestId("penalty-statement")).ToHaveAttributeAsync("href", $"/accounts/{accountId}/penalties");
        await page.GotoAsync($"/accounts/{accountId}/penalties?on=2027-04-15");
        var statement = await OpenErc.Operations.Billing.PenaltyPosting.StatementAsync(host.ConnectionString, accountId, new DateOnly(2027, 4, 15), ct: ct);
        statement.Total.ShouldBeGreaterThan(0m);
        await Assertions.Expect(page.GetByTestId("penalty-total")).ToHaveTextAsync(statement.Total.ToString("#,0.00", System.Globalization.CultureInfo.GetCultureInfo("ru-RU")));
        await Assertions.Expect(page.GetByTestId("penalty-rows").First).ToContainTextAsync("1/300");
        await Assertions.Expect(page.GetByTestId("penalty-rows").First).ToContainTextAsync("1/130");

        // A manual correction appears in the registry of recalculations.
        await using var line = new NpgsqlCommand(
            "SELECT s.code, l.supplier_id, l.booking_month FROM charge_line_details l JOIN services s ON s.id = l.service_id WHERE l.account_id = @a LIMIT 1", conn);
        line.Parameters.AddWithValue("a", accountId);
        string code;
        long supplier;
        DateTime booked;
        await using (var r = await line.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (code, supplier, booked) = (r.GetString(0), r.GetInt64(1), r.GetDateTime(2));
        }
        var month = OpenErc.Core.Common.BillingPeriod.Of(DateOnly.FromDateTime(booked));
        const string reason = "Акт проверки № 5: неверно учтён объём";
        await OpenErc.Operations.Billing.Recalculations.PostCorrectionAsync(host.ConnectionString, month, accountId, code, supplier, month, -12.34m, reason, "тест", host.Clock, ct);
        await page.GotoAsync("/recalculations");
        var registry = page.GetByTestId("recalculations");
        await Assertions.Expect(registry).ToContainTextAsync(reason);
        await Assertions.Expect(registry).ToContainTextAsync("-12,34");
    }
}
