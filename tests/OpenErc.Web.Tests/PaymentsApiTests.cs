using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenErc.Operations.Payments;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>Payments over real HTTP: search and detail, reversal once, a move to an unknown account refused with nothing changed, transfers and terms.</summary>
public sealed class PaymentsApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    private Task<T> ScalarAsync<T>(string sql) => Sql.ScalarAsync<T>(host.ConnectionString, sql);

    [Fact]
    public async Task A_payment_is_found_reversed_once_and_a_move_to_an_unknown_account_changes_nothing()
    {
        var (accountId, number) = await host.ChargedAccountAsync();
        long bank = await ScalarAsync<long>("SELECT organisation_id FROM payment_agent_accesses WHERE login = 'demo-bank'");
        var options = new PostingOptions("тест", host.Clock);
        async Task<long> PayAsync(string key) => (await PaymentPosting.PostAsync(host.ConnectionString,
            new PaymentIntake(bank, key, PaymentChannel.Sber, number, 1000.00m, host.Clock.Now), options, Ct)).PaymentId!.Value;
        long paid = await PayAsync("API-1");

        // Found by its account, with the demo bank's 1.2 % out of the payment split over the lines.
        var found = await JsonAsync(await Http.GetAsync($"/api/v1/payments?accountNumber={number}&channel=Sber&amount=1000.00", Ct), HttpStatusCode.OK);
        found.GetProperty("total").GetInt32().ShouldBe(1);
        found.GetProperty("items")[0].GetProperty("status").GetString().ShouldBe("Posted");
        var detail = await JsonAsync(await Http.GetAsync($"/api/v1/payments/{paid}", Ct), HttpStatusCode.OK);
        detail.GetProperty("payment").GetProperty("commission").GetDecimal().ShouldBe(12.00m);
        var lines = detail.GetProperty("lines").EnumerateArray().ToList();
        lines.Sum(l => l.GetProperty("amount").GetDecimal()).ShouldBe(1000.00m);
        lines.Sum(l => l.GetProperty("commission").GetDecimal()).ShouldBe(12.00m);
        (await JsonAsync(await Http.GetAsync("/api/v1/payments?from=01.06.2026&channel=Касса", Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ShouldBe(["channel", "from"]);
        (await JsonAsync(await Http.GetAsync("/api/v1/payments/999999", Ct), HttpStatusCode.NotFound)).GetProperty("detail").GetString()
            .ShouldBe("Платёж №999999 не найден");

        // Reversal: a reason is required; once done, a second one is refused with the reason.
        (await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{paid}/reverse", new { reason = " " }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("reason")[0].GetString().ShouldBe("Укажите причину сторно");
        var reversed = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{paid}/reverse", new { reason = "Ошибочный платёж" }, Ct), HttpStatusCode.OK);
        long reversal = reversed.GetProperty("reversalId").GetInt64();
        (await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{paid}/reverse", new { reason = "ещё раз" }, Ct), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString().ShouldBe($"Платёж №{paid} уже исправлен (сторно №{reversal})");
        (await JsonAsync(await Http.GetAsync($"/api/v1/payments/{paid}", Ct), HttpStatusCode.OK)).GetProperty("payment").GetProperty("status").GetString()
            .ShouldBe("Reversed");
        (await ScalarAsync<decimal>($"SELECT sum(amount) FROM payment_allocations WHERE account_id = {accountId}")).ShouldBe(0m);

        // A move to an account that does not exist: refused in Russian, nothing posted.
        long second = await PayAsync("API-2");
        long payments = await ScalarAsync<long>("SELECT count(*) FROM payments");
        string unknown = Core.Accounts.AccountNumber.Create(999_999_998);
        (await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{second}/move", new { accountNumber = unknown, reason = "Ошибка в номере" }, Ct),
                HttpStatusCode.Conflict))
            .GetProperty("detail").GetString().ShouldBe($"Лицевой счёт {unknown} не найден");
        var bad = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{second}/move", new { accountNumber = "12345" }, Ct), HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("accountNumber")[0].GetString().ShouldBe("Номер лицевого счёта должен состоять из 10 цифр");
        bad.GetProperty("errors").GetProperty("reason")[0].GetString().ShouldBe("Укажите причину переноса");
        (await ScalarAsync<long>("SELECT count(*) FROM payments")).ShouldBe(payments);
        (await ScalarAsync<decimal>($"SELECT sum(amount) FROM payment_allocations WHERE account_id = {accountId}")).ShouldBe(1000.00m);
        (await JsonAsync(await Http.GetAsync($"/api/v1/payments/{second}", Ct), HttpStatusCode.OK)).GetProperty("payment").GetProperty("status").GetString()
            .ShouldBe("Posted");

        // Today's receipts are listed for transfer but cannot be prepared yet; the registry file is there to download.
        string today = options.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var transfers = await JsonAsync(await Http.GetAsync("/api/v1/payments/transfers", Ct), HttpStatusCode.OK);
        transfers.EnumerateArray().Sum(t => t.GetProperty("net").GetDecimal()).ShouldBe(1000.00m - 12.00m);
        (await JsonAsync(await Http.PostAsJsonAsync("/api/v1/payments/transfers/prepare", new { day = today }, Ct), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString()!.ShouldStartWith("Перечисление за ");
        long supplier = transfers[0].GetProperty("supplierId").GetInt64();
        var csv = await Http.GetAsync($"/api/v1/payments/transfers/registry?supplierId={supplier}&day={today}", Ct);
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync(Ct)).ShouldContain("Итого;");

        // Terms: the demo bank's are there; new ones may not start on a day already received.
        var terms = await JsonAsync(await Http.GetAsync($"/api/v1/payments/agents/terms?agentId={bank}", Ct), HttpStatusCode.OK);
        terms.EnumerateArray().ShouldHaveSingleItem().GetProperty("commissionPercent").GetDecimal().ShouldBe(1.2m);
        (await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/agents/{bank}/terms",
                new { validFrom = today, commissionPercent = 1.0m, paidBy = "Payer" }, Ct), HttpStatusCode.Conflict))
            .GetProperty("detail").GetString()!.ShouldStartWith("Платежи агента уже приняты по ");
        (await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/agents/{bank}/terms",
                new { validFrom = today, commissionPercent = 100m, paidBy = "Payer" }, Ct), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("commissionPercent")[0].GetString()!.ShouldStartWith("Комиссия — от 0 до 100 %");
    }
}
