using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>Card payments of the cabinet over real HTTP: order → the fake acquirer's page → its callback posts the payment once.</summary>
public sealed partial class CabinetPaymentTests(ChargedWebHost host) : IClassFixture<ChargedWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private HttpClient Http => host.Client;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    [GeneratedRegex("""data-order="(?<order>[^"]+)".*data-status="paid" data-signature="(?<paid>[^"]+)".*data-status="cancelled" data-signature="(?<cancelled>[^"]+)""", RegexOptions.Singleline)]
    private static partial Regex Buttons();

    /// <summary>Opens the acquirer's page as a browser would and returns what its two buttons send back.</summary>
    private async Task<(Dictionary<string, string> Pay, Dictionary<string, string> Cancel)> PageAsync(string payUrl)
    {
        var page = await Http.GetStringAsync(payUrl, Ct);
        page.ShouldContain("Оплата картой (тестовый эквайринг)");
        var m = Buttons().Match(page);
        m.Success.ShouldBeTrue(page);
        Dictionary<string, string> Notice(string status, string signature) =>
            new() { ["orderId"] = m.Groups["order"].Value, ["status"] = status, ["signature"] = signature };
        return (Notice("paid", m.Groups["paid"].Value), Notice("cancelled", m.Groups["cancelled"].Value));
    }

    private async Task<HttpResponseMessage> CallbackAsync(Dictionary<string, string> fields) =>
        await Http.PostAsync("/api/v1/cabinet/payments/callback", new FormUrlEncodedContent(fields), Ct);

    [Fact]
    public async Task An_order_paid_on_the_acquirers_page_posts_one_payment_however_often_the_callback_comes()
    {
        var account = (await host.ChargedAccountsAsync(Ct))[5];
        var created = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments",
            new { accountNumber = account, amount = 500.25m, period = host.Month.ToString() }, Ct), HttpStatusCode.Created);
        var orderId = created.GetProperty("orderId").GetString()!;
        created.GetProperty("state").GetString().ShouldBe("Created");
        var (pay, cancel) = await PageAsync(created.GetProperty("payUrl").GetString()!);
        (await Http.GetStringAsync(created.GetProperty("payUrl").GetString(), Ct)).ShouldContain(account);

        // A forged signature is refused and changes nothing.
        var forged = new Dictionary<string, string>(pay) { ["signature"] = new string('0', 64) };
        (await CallbackAsync(forged)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Sql.ScalarAsync<long>(host.ConnectionString, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{Guid.Parse(orderId):N}'")).ShouldBe(0);

        // The bank calls back ten times at once, then once more after a cancellation: one payment.
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () => await JsonAsync(await CallbackAsync(pay), HttpStatusCode.OK), Ct)));
        answers.ShouldAllBe(a => a.GetProperty("state").GetString() == "Paid");
        answers.Select(a => a.GetProperty("paymentId").GetInt64()).Distinct().Count().ShouldBe(1);
        (await JsonAsync(await CallbackAsync(cancel), HttpStatusCode.OK)).GetProperty("state").GetString().ShouldBe("Paid");
        (await JsonAsync(await CallbackAsync(pay), HttpStatusCode.OK)).GetProperty("paymentId").GetInt64().ShouldBe(answers[0].GetProperty("paymentId").GetInt64());

        long paymentId = answers[0].GetProperty("paymentId").GetInt64();
        (await Sql.ScalarAsync<long>(host.ConnectionString, $"SELECT count(*) FROM payments WHERE agent_payment_id = '{Guid.Parse(orderId):N}' AND channel = 5 AND id = {paymentId}")).ShouldBe(1);
        (await Sql.ScalarAsync<decimal>(host.ConnectionString, $"SELECT sum(amount) FROM payment_allocations WHERE payment_id = {paymentId}")).ShouldBe(500.25m);
        var state = await JsonAsync(await Http.GetAsync($"/api/v1/cabinet/payments/{orderId}", Ct), HttpStatusCode.OK);
        state.GetProperty("state").GetString().ShouldBe("Paid");
        state.GetProperty("paymentId").GetInt64().ShouldBe(paymentId);
    }

    [Fact]
    public async Task A_cancelled_order_posts_nothing_and_bad_orders_are_refused_in_russian()
    {
        var account = (await host.ChargedAccountsAsync(Ct))[6];
        long before = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments");
        var created = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = account, amount = 10m }, Ct), HttpStatusCode.Created);
        var (_, cancel) = await PageAsync(created.GetProperty("payUrl").GetString()!);
        (await JsonAsync(await CallbackAsync(cancel), HttpStatusCode.OK)).GetProperty("state").GetString().ShouldBe("Cancelled");
        (await JsonAsync(await Http.GetAsync($"/api/v1/cabinet/payments/{created.GetProperty("orderId").GetString()}", Ct), HttpStatusCode.OK))
            .GetProperty("state").GetString().ShouldBe("Cancelled");

        var zero = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = account, amount = 0m }, Ct), HttpStatusCode.BadRequest);
        zero.GetProperty("errors").GetProperty("amount")[0].GetString().ShouldBe("Сумма платежа должна быть больше нуля");
        var kopecks = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = account, amount = 1.005m }, Ct), HttpStatusCode.BadRequest);
        kopecks.GetProperty("errors").GetProperty("amount")[0].GetString()!.ShouldContain("копейками");
        var unknown = Core.Accounts.AccountNumber.Create(999_999_998);
        var missing = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = unknown, amount = 10m }, Ct), HttpStatusCode.BadRequest);
        missing.GetProperty("errors").GetProperty("accountNumber")[0].GetString().ShouldBe($"Лицевой счёт {unknown} не найден или закрыт");
        var malformed = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/cabinet/payments", new { accountNumber = "12", amount = "много" }, Ct), HttpStatusCode.BadRequest);
        malformed.GetProperty("errors").EnumerateObject().ShouldNotBeEmpty();
        (await Http.GetAsync($"/api/v1/cabinet/payments/{Guid.NewGuid()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments")).ShouldBe(before);
    }
}
