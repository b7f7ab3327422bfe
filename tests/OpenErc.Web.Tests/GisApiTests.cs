using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using OpenErc.Exchange.Gis;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The packages for ГИС ЖКХ over HTTP, as the calculator and the signing gateway use them: prepare, take the request, sent, the answer.</summary>
public sealed class GisApiTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => WebHost.JsonAsync(response, expected);

    [Fact]
    public async Task A_package_of_accounts_goes_through_the_gateway_and_bad_requests_are_refused_in_russian()
    {
        var http = host.Client;
        string month = await Sql.ScalarAsync<string>(host.ConnectionString, "SELECT to_char(month, 'YYYY-MM') FROM billing_periods WHERE state = 'open'");
        long building = await Sql.ScalarAsync<long>(host.ConnectionString, "SELECT min(id) FROM buildings");

        // Documents of a month not closed: 409 with the reason; a month that is no month: 400.
        var open = await JsonAsync(await http.PostAsJsonAsync("/api/v1/gis/packages", new { kind = "PaymentDocuments", month }, Ct), HttpStatusCode.Conflict);
        open.GetProperty("detail").GetString()!.ShouldEndWith("платёжные документы размещаются за закрытый месяц");
        (await http.PostAsJsonAsync("/api/v1/gis/packages", new { kind = "Accounts", month = "2026-13" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetAsync("/api/v1/gis/packages?month=1999-00", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var made = await JsonAsync(await http.PostAsJsonAsync("/api/v1/gis/packages", new { kind = "Accounts", month, buildingId = building }, Ct), HttpStatusCode.OK);
        var package = made.GetProperty("packages")[0];
        long id = package.GetProperty("id").GetInt64();
        package.GetProperty("state").GetString().ShouldBe("Prepared");
        var list = await JsonAsync(await http.GetAsync($"/api/v1/gis/packages?month={month}&kind=Accounts", Ct), HttpStatusCode.OK);
        list.EnumerateArray().Select(p => p.GetProperty("id").GetInt64()).ShouldContain(id);

        // The gateway takes the request, sends it, and answers for every account.
        var payload = await http.GetAsync($"/api/v1/gis/packages/{id}/payload", Ct);
        payload.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
        var xml = XDocument.Load(await payload.Content.ReadAsStreamAsync(Ct));
        XNamespace house = GisMessages.Root + "house-management/", @base = GisMessages.Root + "base/";
        var guids = xml.Root!.Elements(house + "Account").Select(a => a.Element(@base + "TransportGUID")!.Value).ToList();
        guids.Count.ShouldBe(package.GetProperty("objects").GetInt32());
        (await JsonAsync(await http.PostAsJsonAsync($"/api/v1/gis/packages/{id}/sent", new { messageGuid = Guid.NewGuid() }, Ct), HttpStatusCode.NoContent))
            .ValueKind.ShouldBe(JsonValueKind.Undefined);
        var unknown = await JsonAsync(await http.PostAsJsonAsync($"/api/v1/gis/packages/{id}/results",
            new { objects = new[] { new { transportGuid = Guid.NewGuid(), guid = Guid.NewGuid() } } }, Ct), HttpStatusCode.BadRequest);
        unknown.GetProperty("detail").GetString()!.ShouldStartWith("Ответ не принят: TransportGUID");
        var answered = await JsonAsync(await http.PostAsJsonAsync($"/api/v1/gis/packages/{id}/results",
            new { objects = guids.Select(g => new { transportGuid = g, guid = Guid.NewGuid() }) }, Ct), HttpStatusCode.OK);
        answered.GetProperty("state").GetString().ShouldBe("Placed");
        (await http.GetAsync("/api/v1/gis/packages/999999/payload", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
