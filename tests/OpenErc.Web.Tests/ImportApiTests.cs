using System.Net;
using System.Text.Json;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>An earlier system's export over HTTP into the demo region: dry, for real with its balances and history, and refused whole in Russian.</summary>
public sealed class ImportApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    private async Task<HttpResponseMessage> UploadAsync(string format, IReadOnlyList<(string Name, byte[] Content)> files, params (string, string)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files) form.Add(new ByteArrayContent(content), "files", name);
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return await host.Client.PostAsync($"/api/v1/imports/{format}", form, Ct);
    }

    [Fact]
    public async Task A_kvado_export_with_balances_and_history_imports_whole_and_a_broken_one_changes_nothing()
    {
        string cs = host.ConnectionString;
        long municipality = await Sql.ScalarAsync<long>(cs, "SELECT min(id) FROM municipalities");
        string service = await Sql.ScalarAsync<string>(cs, "SELECT code FROM services WHERE code = 'maintenance'");
        string inn = await Sql.ScalarAsync<string>(cs, """
            SELECT o.inn FROM service_contracts c JOIN services s ON s.id = c.service_id JOIN organisations o ON o.id = c.supplier_id
            WHERE s.code = 'maintenance' ORDER BY c.id LIMIT 1
            """);
        long accounts = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts");
        (string, string)[] fields = [("municipalityId", municipality.ToString()), ("region", "Новоградская область"), ("balanceService", service), ("balanceSupplierInn", inn)];

        var dry = await JsonAsync(await UploadAsync("kvado", KvadoSample.Files(), [.. fields, ("dryRun", "true")]), HttpStatusCode.OK);
        (dry.GetProperty("applied").GetBoolean(), dry.GetProperty("created").GetProperty("Входящее сальдо").GetInt32()).ShouldBe((false, 2));
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts")).ShouldBe(accounts);

        var report = await JsonAsync(await UploadAsync("kvado", KvadoSample.Files(), fields), HttpStatusCode.OK);
        report.GetProperty("applied").GetBoolean().ShouldBeTrue();
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts")).ShouldBe(accounts + 5);
        long orlovs = await Sql.ScalarAsync<long>(cs, "SELECT account_id FROM account_aliases WHERE number = '0500123'");
        (await Sql.ScalarAsync<decimal>(cs, $"SELECT sum(kopecks) * 0.01 FROM charge_lines WHERE kind = 7 AND account_id = {orlovs}")).ShouldBe(1520.35m);
        var history = await JsonAsync(await host.Client.GetAsync($"/api/v1/accounts/{orlovs}/legacy-history", Ct), HttpStatusCode.OK);
        (history.GetProperty("charges").GetArrayLength(), history.GetProperty("payments").GetArrayLength()).ShouldBe((3, 1));

        // A broken share and an unknown premise type: refused with each place and reason, and nothing changes.
        string broken = KvadoSample.Houses.Replace("\"share\": \"142/584\"", "\"share\": \"142/0\"").Replace("\"premises_type\": \"нежилое\"", "\"premises_type\": \"гараж\"");
        var refused = await JsonAsync(await UploadAsync("kvado", KvadoSample.Files(broken), fields), HttpStatusCode.BadRequest);
        refused.GetProperty("title").GetString().ShouldBe("Ничего не загружено");
        refused.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("place").GetString()).ShouldBe(
            ["houses.json: [0].premises[0].accounts[0].residents[0].share", "houses.json: [1].premises[1].premises_type"], ignoreOrder: true);
        (await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM personal_accounts")).ShouldBe(accounts + 5);
        (await JsonAsync(await UploadAsync("excel", KvadoSample.Files(), fields), HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("format")[0]
            .GetString().ShouldStartWith("Формат: kvado");
    }

    [Fact]
    public async Task The_region_goes_out_as_one_workbook_and_comes_back_only_into_an_empty_database()
    {
        var export = await host.Client.GetAsync("/api/v1/exports/registry", Ct);
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        byte[] book = await export.Content.ReadAsByteArrayAsync(Ct);
        using (var stream = new MemoryStream(book))
            MiniExcelLibs.MiniExcel.GetSheetNames(stream).ShouldBe([.. Operations.Registry.RegistryWorkbook.Kinds.Select(k => k.Sheet), "month", "balances"], ignoreOrder: true);
        var refused = await JsonAsync(await UploadAsync("registry", [("region.xlsx", book)]), HttpStatusCode.BadRequest);
        refused.GetProperty("errors")[0].GetProperty("reason").GetString().ShouldStartWith("Выгрузка OpenErc загружается только в пустую базу");
    }
}
