using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenErc.Operations.Payments;
using OpenErc.Web.Api;
using OpenErc.Testing;
using Shouldly;
using Xunit;
using OpenErc.Exchange.Registries;

namespace OpenErc.Web.Tests;

/// <summary>Payment registries over real HTTP: upload accepted or rejected in Russian, lists, reconciliation, the suspense queue and its resolution.</summary>
public sealed class PaymentRegistryApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The day before the host's day (<see cref="WebHost.Today"/>, 20.11.2026): a registry comes the day after the payments.</summary>
    internal static readonly DateOnly Yesterday = new(2026, 11, 19);

    /// <summary>A Windows-1251 registry of the built-in format paid yesterday; each line is (operation, account, amount, payer).</summary>
    internal static byte[] Registry(string footer, params (string Operation, string Account, string Amount, string Payer)[] lines) =>
        RegistryParser.Windows1251.GetBytes(string.Concat(lines.Select(l =>
            $"{Yesterday:dd-MM-yyyy};10-15-00;8593;8593/0001;{l.Operation};{l.Account};{l.Payer};ул. Новая, д. 1;;{l.Amount};\r\n")) + footer + "\r\n");

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    private Task<HttpResponseMessage> UploadAsync(byte[]? file, string? agent, string name = "reestr.txt")
    {
        var form = new MultipartFormDataContent();
        if (file is not null) form.Add(new ByteArrayContent(file), "file", name);
        if (agent is not null) form.Add(new StringContent(agent), "agentId");
        return Http.PostAsync("/api/v1/payments/registries", form, Ct);
    }

    private Task<long> PaymentsAsync() => Sql.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM payments");

    [Fact]
    public async Task A_registry_is_uploaded_listed_reconciled_and_its_suspense_payment_resolved_and_bad_requests_change_nothing()
    {
        var account = await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT min(number) FROM personal_accounts");
        var unknown = Core.Accounts.AccountNumber.Create(999_999_999);
        long bank = (await PaymentRegistries.FindAgentAsync(host.ConnectionString, "demo-bank", Ct))!.Value;

        // Bad requests: no file, an unknown agent; a registry with errors is 400 with every bad line, and posts nothing.
        var empty = await JsonAsync(await UploadAsync(null, null), HttpStatusCode.BadRequest);
        empty.GetProperty("errors").GetProperty("")[0].GetString().ShouldBe("Передайте реестр как multipart/form-data: поле file — файл, поле agentId — банк или агент");
        var noFile = await JsonAsync(await UploadAsync(null, "demo-bank"), HttpStatusCode.BadRequest);
        noFile.GetProperty("errors").GetProperty("file")[0].GetString().ShouldBe("Приложите файл реестра (поле file)");
        var agentMissing = await JsonAsync(await UploadAsync(Registry("=0;0"), null), HttpStatusCode.BadRequest);
        agentMissing.GetProperty("errors").GetProperty("agentId")[0].GetString().ShouldBe("Укажите банк или платёжного агента (поле agentId)");
        var noAgent = await JsonAsync(await UploadAsync(Registry("=0;0"), "no-such-bank"), HttpStatusCode.BadRequest);
        noAgent.GetProperty("errors").GetProperty("agentId")[0].GetString().ShouldBe("Банк или платёжный агент «no-such-bank» не найден");

        var rejected = await JsonAsync(await UploadAsync(Registry("=2;300,00", ("A1", account, "100,00", "Иванов"), ("A2", "123", "-200,00", "Петров")), "demo-bank"),
            HttpStatusCode.BadRequest);
        rejected.GetProperty("title").GetString().ShouldBe("Реестр отклонён: ничего не проведено");
        rejected.GetProperty("code").GetString().ShouldBe("registry_rejected");
        rejected.GetProperty("errors").EnumerateArray().Select(e => $"{e.GetProperty("line").GetInt32()}: {e.GetProperty("reason").GetString()}").ShouldBe(
            ["2: Номер лицевого счёта должен состоять из 10 цифр: «123»", "2: Сумма платежа должна быть больше нуля: «-200,00»"]);
        long rejectedId = rejected.GetProperty("registry").GetProperty("id").GetInt64();
        (await PaymentsAsync()).ShouldBe(0);

        // Accepted: one line onto the account, one to suspense.
        var response = await UploadAsync(Registry("=2;350,50", ("B1", account, "100,00", "Иванов Иван"), ("B2", unknown, "250,50", "Сидорова Анна")),
            bank.ToString(System.Globalization.CultureInfo.InvariantCulture), "sber-реестр.txt");
        var accepted = await JsonAsync(response, HttpStatusCode.Created);
        var registry = accepted.GetProperty("registry");
        long id = registry.GetProperty("id").GetInt64();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/payments/registries/{id}");
        (registry.GetProperty("state").GetString(), registry.GetProperty("posted").GetInt32(), registry.GetProperty("suspense").GetInt32(),
            registry.GetProperty("total").GetDecimal(), registry.GetProperty("fileName").GetString()).ShouldBe(("Accepted", 1, 1, 350.50m, "sber-реестр.txt"));
        (await PaymentsAsync()).ShouldBe(2);

        var list = await JsonAsync(await Http.GetAsync($"/api/v1/payments/registries?agentId={bank}", Ct), HttpStatusCode.OK);
        list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ShouldBe([id, rejectedId]);
        var rejectedOnly = await JsonAsync(await Http.GetAsync("/api/v1/payments/registries?state=Rejected", Ct), HttpStatusCode.OK);
        rejectedOnly.GetProperty("total").GetInt32().ShouldBe(1);
        var detail = await JsonAsync(await Http.GetAsync($"/api/v1/payments/registries/{id}", Ct), HttpStatusCode.OK);
        detail.GetProperty("lines").GetProperty("items").EnumerateArray().Select(l => l.GetProperty("outcome").GetString()).ShouldBe(["Posted", "Suspense"]);
        var rejectedDetail = await JsonAsync(await Http.GetAsync($"/api/v1/payments/registries/{rejectedId}", Ct), HttpStatusCode.OK);
        rejectedDetail.GetProperty("errors").GetArrayLength().ShouldBe(2);
        (await Http.GetAsync("/api/v1/payments/registries/999999", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Reconciliation: the registry's two lines are the two payments posted from the bank yesterday.
        var from = Yesterday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var to = Yesterday.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var days = await JsonAsync(await Http.GetAsync($"/api/v1/payments/reconciliation?from={from}&to={to}&agent={bank}", Ct), HttpStatusCode.OK);
        var day = days.EnumerateArray().ShouldHaveSingleItem();
        (day.GetProperty("listedCount").GetInt32(), day.GetProperty("postedSum").GetDecimal(), day.GetProperty("differences").GetInt32()).ShouldBe((2, 350.50m, 0));
        var badRange = await JsonAsync(await Http.GetAsync($"/api/v1/payments/reconciliation?to=1.12.2026", Ct), HttpStatusCode.BadRequest);
        badRange.GetProperty("errors").GetProperty("from")[0].GetString().ShouldBe("Укажите дату from в виде ГГГГ-ММ-ДД");
        badRange.GetProperty("errors").GetProperty("to")[0].GetString().ShouldBe("Дата должна иметь вид ГГГГ-ММ-ДД: «1.12.2026»");

        // The suspense queue and the resolution: bad input refused in Russian, then resolved once.
        var queue = await JsonAsync(await Http.GetAsync("/api/v1/payments/suspense?search=Сидорова", Ct), HttpStatusCode.OK);
        long payment = queue.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetInt64();
        var bad = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{payment}/resolve", new { accountNumber = "12", reason = " " }, Ct),
            HttpStatusCode.BadRequest);
        bad.GetProperty("errors").GetProperty("accountNumber")[0].GetString().ShouldBe("Номер лицевого счёта должен состоять из 10 цифр");
        bad.GetProperty("errors").GetProperty("reason")[0].GetString().ShouldBe("Укажите причину разнесения");
        var notFound = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{payment}/resolve", new { accountNumber = unknown, reason = "письмо" }, Ct),
            HttpStatusCode.Conflict);
        notFound.GetProperty("detail").GetString().ShouldBe($"Лицевой счёт {unknown} не найден");
        (await PaymentsAsync()).ShouldBe(2);

        var resolved = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{payment}/resolve",
            new { accountNumber = account, reason = "Письмо плательщицы: ЛС указан с ошибкой" }, Ct), HttpStatusCode.OK);
        resolved.GetProperty("postingId").GetInt64().ShouldBeGreaterThan(payment);
        var twice = await JsonAsync(await Http.PostAsJsonAsync($"/api/v1/payments/{payment}/resolve", new { accountNumber = account, reason = "ещё раз" }, Ct),
            HttpStatusCode.Conflict);
        twice.GetProperty("detail").GetString()!.ShouldStartWith($"Платёж №{payment} уже разнесён");
        (await JsonAsync(await Http.GetAsync("/api/v1/payments/suspense", Ct), HttpStatusCode.OK)).GetProperty("total").GetInt32().ShouldBe(0);
        var malformed = new StringContent("{\"accountNumber\": ", Encoding.UTF8, "application/json");
        (await Http.PostAsync($"/api/v1/payments/{payment}/resolve", malformed, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Registry_profiles_are_read_from_configuration_as_changes_to_the_built_in_one()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenErc:Payments:RegistryProfiles:city:Separator"] = "|",
            ["OpenErc:Payments:RegistryProfiles:city:DateFormats:0"] = "yyyy-MM-dd",
            ["OpenErc:Payments:RegistryProfiles:city:Amount"] = "3",
            ["OpenErc:Payments:RegistryProfiles:city:Commission"] = "",
        }).Build();
        var profiles = new ServiceCollection().AddPaymentRegistries(config).BuildServiceProvider().GetRequiredService<RegistryProfiles>();
        var city = profiles.Find("city").ShouldNotBeNull();
        (city.Separator, city.Amount, city.Commission, city.Account, city.FooterPrefix).ShouldBe(('|', 3, (int?)null, 5, "="));
        city.DateFormats.ShouldBe(["yyyy-MM-dd"]);
        profiles.Find("sber").ShouldBe(RegistryProfile.Sber);
        profiles.Find("other").ShouldBeNull();
    }
}
