using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenErc.Exchange.Registries;
using OpenErc.Testing;
using Shouldly;
using Xunit;
using static OpenErc.Web.Tests.PaymentRegistryApiTests;

namespace OpenErc.Web.Tests;

/// <summary>The collecting account's statement over HTTP, matched to the agents' registries, and a day's payment orders as a 1C file.</summary>
public sealed class BankStatementApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    private Task<HttpResponseMessage> UploadRegistryAsync(byte[] file, string agent, string name)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", name }, { new StringContent(agent), "agentId" } };
        return Http.PostAsync("/api/v1/payments/registries", form, Ct);
    }

    [Fact]
    public async Task A_bank_statement_uploaded_after_a_registry_shows_it_matched_and_a_bad_file_is_refused_in_russian()
    {
        var account = await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT max(number) FROM personal_accounts WHERE closed_on IS NULL");
        var registry = await JsonAsync(await UploadRegistryAsync(Registry("=1;321,09", ("S-1", account, "321,09", "Выпискин")), "demo-bank", "s1.txt"), HttpStatusCode.Created);
        long registryId = registry.GetProperty("registry").GetProperty("id").GetInt64();
        string ours = await Sql.ScalarAsync<string>(host.ConnectionString,
            "SELECT settlement_account FROM organisations WHERE kind = 1 AND settlement_account IS NOT NULL ORDER BY id LIMIT 1");
        string bankInn = await Sql.ScalarAsync<string>(host.ConnectionString,
            "SELECT o.inn FROM organisations o JOIN payment_agent_accesses a ON a.organisation_id = o.id WHERE a.login = 'demo-bank'");
        string statement = string.Join("\r\n",
            "1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "СекцияРасчСчет", "ДатаНачала=20.11.2026", "ДатаКонца=20.11.2026",
            $"РасчСчет={ours}", "НачальныйОстаток=0.00", "ВсегоПоступило=321.09", "ВсегоСписано=0.00", "КонечныйОстаток=321.09", "КонецРасчСчет",
            "СекцияДокумент=Платежное поручение", "Номер=77", "Дата=20.11.2026", "Сумма=321.09", "ПлательщикСчет=30301810000000000123",
            $"ПлательщикИНН={bankInn}", $"ПолучательСчет={ours}", "ДатаПоступило=20.11.2026", "НазначениеПлатежа=Платежи за 19.11.2026", "КонецДокумента",
            "КонецФайла", "");
        Task<HttpResponseMessage> Upload(string text)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(RegistryParser.Windows1251.GetBytes(text)), "file", "vypiska.txt" } };
            return Http.PostAsync("/api/v1/payments/bank-statements", form, Ct);
        }

        var bad = await JsonAsync(await Upload(statement.Replace("КонечныйОстаток=321.09", "КонечныйОстаток=320.00")), HttpStatusCode.BadRequest);
        bad.GetProperty("title").GetString().ShouldBe("Выписка отклонена");
        bad.GetProperty("errors")[0].GetString().ShouldBe($"Счёт {ours}: остаток 0.00 + поступило 321.09 − списано 0.00 ≠ остатку 320.00");
        var report = await JsonAsync(await Upload(statement), HttpStatusCode.Created);
        report.GetProperty("credits")[0].GetProperty("registries").EnumerateArray().Select(r => r.GetInt64()).ShouldBe([registryId]);
        var funds = await JsonAsync(await Http.GetAsync("/api/v1/payments/registries/funds?from=2026-11-19&to=2026-11-20", Ct), HttpStatusCode.OK);
        var mine = funds.EnumerateArray().Single(f => f.GetProperty("registryId").GetInt64() == registryId);
        (mine.GetProperty("matched").GetBoolean(), mine.GetProperty("creditNumber").GetString()).ShouldBe((true, "77"));
    }


    [Fact]
    public async Task A_days_payment_orders_download_as_a_1c_file_and_the_transfers_are_sent()
    {
        // A charged account: the payment is allocated to its suppliers.
        var (_, account) = await host.ChargedAccountAsync();
        await JsonAsync(await UploadRegistryAsync(Registry("=1;500,00", ("O-1", account, "500,00", "Поручениев")), "demo-bank", "o1.txt"), HttpStatusCode.Created);
        var time = (FixedClock)host.Clock.Time;
        var today = time.Now;
        time.Now = today.AddDays(1);
        try
        {
            var day = host.Clock.DateOf(today).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var none = await JsonAsync(await Http.PostAsJsonAsync("/api/v1/payments/transfers/payment-orders", new { day }, Ct), HttpStatusCode.Conflict);
            none.GetProperty("detail").GetString()!.ShouldStartWith("За ");
            (await Http.PostAsJsonAsync("/api/v1/payments/transfers/prepare", new { day }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            var response = await Http.PostAsJsonAsync("/api/v1/payments/transfers/payment-orders", new { day }, Ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(bytes));
            var file = Exchange.Banks.ClientBankExchange.Read(bytes);
            file.Errors.ShouldBeEmpty();
            file.Documents.Sum(d => d.Amount).ShouldBe(await Sql.ScalarAsync<decimal>(host.ConnectionString,
                $"SELECT sum(net) FROM supplier_transfers WHERE day = '{day}' AND state = 'sent'"));
            (await Sql.ScalarAsync<long>(host.ConnectionString, $"SELECT count(*) FROM supplier_transfers WHERE day = '{day}' AND state <> 'sent'")).ShouldBe(0);
        }
        finally
        {
            time.Now = today;
        }
    }
}
