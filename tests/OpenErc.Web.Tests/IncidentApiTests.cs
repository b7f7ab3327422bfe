using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Quality;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>Service incidents and acts of technical impossibility of a meter in the registry API and the workstation.</summary>
public sealed class IncidentApiTests(WebHost host) : IClassFixture<WebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Building Building, Premise Premise, Service Service)> BuildingAsync(string serviceCode)
    {
        var town = await host.PostAsync<Municipality>("/api/v1/municipalities", new { name = "Городской округ Заречный" });
        var building = await host.PostAsync<Building>("/api/v1/buildings", new
        {
            municipalityId = town.Id, region = "Новоградская область", settlement = "г. Заречный", street = "ул. Мира", house = "3", floors = 5,
            totalArea = 3000m, residentialArea = 2800m,
        });
        var premise = await host.PostAsync<Premise>("/api/v1/premises", new { buildingId = building.Id, number = "12", totalArea = 48.5m });
        var service = await host.PostAsync<Service>("/api/v1/services", new { code = serviceCode, name = "Холодное водоснабжение", kind = "Communal", resource = "ColdWater", unit = "м³" });
        return (building, premise, service);
    }

    [Fact]
    public async Task An_incident_is_validated_in_russian_saved_in_local_time_archived_and_listed_in_the_workstation()
    {
        var (building, premise, service) = await BuildingAsync("cold_water");
        var bad = await Http.PostAsJsonAsync("/api/v1/incidents", new
        {
            buildingId = building.Id, serviceId = service.Id, kind = "PressureDeviation", startedAt = "2026-09-10T08:00:00", endedAt = "2026-09-10T07:00:00", document = "",
        }, Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.GetProperty("endedAt")[0].GetString().ShouldBe("Окончание нарушения должно быть позже начала");
        errors.GetProperty("deviationPercent")[0].GetString().ShouldBe("Укажите отклонение давления");
        errors.GetProperty("document")[0].GetString().ShouldBe("Укажите основание (акт или запись журнала)");
        await using (var db = host.CreateContext())
            (await db.Incidents.CountAsync(i => i.BuildingId == building.Id, Ct)).ShouldBe(0);

        // A time zone sent with the time is dropped: the dispatch log is kept in local time.
        var incident = await host.PostAsync<Incident>("/api/v1/incidents", new
        {
            buildingId = building.Id, premiseId = premise.Id, serviceId = service.Id, kind = "Interruption",
            startedAt = "2026-09-10T08:00:00Z", endedAt = "2026-09-10T22:00:00", document = "Журнал АДС, запись 512",
        });
        await using (var db = host.CreateContext())
        {
            var saved = await db.Incidents.SingleAsync(i => i.Id == incident.Id, Ct);
            saved.StartedAt.ShouldBe(new DateTime(2026, 9, 10, 8, 0, 0));
            saved.EndedAt.ShouldBe(new DateTime(2026, 9, 10, 22, 0, 0));
        }
        var history = await Http.GetFromJsonAsync<List<AuditEntry>>($"/api/v1/incidents/{incident.Id}/history", WebHost.Json, Ct);
        var created = history.ShouldNotBeNull().ShouldHaveSingleItem();
        created.Action.ShouldBe(AuditAction.Created);
        var started = created.Changes.Single(c => c.Field == "StartedAt");
        started.To.ShouldBe("2026-09-10T08:00:00");
        Components.Shared.FieldLabels.AuditValue("Incident", "StartedAt", started.To).ShouldBe("10.09.2026 08:00");
        Components.Shared.FieldLabels.Of("Incident", "Document").ShouldBe("Основание (акт или запись журнала)");
        var list = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents?buildingId={building.Id}", Ct);
        list.GetProperty("total").GetInt32().ShouldBe(1);

        // The workstation's reference page lists it (in the browser: the page is rendered interactively).
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser);
        await page.GotoAsync("/incidents");
        await Assertions.Expect(page.GetByText("Перерывы и нарушения качества услуг")).ToBeVisibleAsync();
        var row = page.Locator("tr", new() { HasText = "Журнал АДС, запись 512" });
        await Assertions.Expect(row).ToContainTextAsync("10.09.2026 08:00");
        await Assertions.Expect(row).ToContainTextAsync("Перерыв в предоставлении");
        await Assertions.Expect(row).ToContainTextAsync("Холодное водоснабжение");
    }

    [Fact]
    public async Task An_act_of_technical_impossibility_needs_a_metered_resource_and_its_document()
    {
        var (_, premise, _) = await BuildingAsync("cold_water_2");
        var bad = await Http.PostAsJsonAsync("/api/v1/meter-impossibility-acts", new { premiseId = premise.Id, resource = "Sewage", validFrom = "2026-01-15" }, Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.GetProperty("resource")[0].GetString().ShouldBe("Укажите ресурс, для которого нужен прибор учёта");
        errors.GetProperty("document")[0].GetString().ShouldBe("Укажите номер и дату акта");

        var act = await host.PostAsync<MeterImpossibilityAct>("/api/v1/meter-impossibility-acts",
            new { premiseId = premise.Id, resource = "HotWater", validFrom = "2026-01-15", document = "Акт №7 от 15.01.2026" });
        act.Resource.ShouldBe(Resource.HotWater);
        var doc = await Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        foreach (var path in new[] { "/api/v1/incidents", "/api/v1/meter-impossibility-acts/{id}/history", "/api/v1/heating-average-volumes" })
            doc.GetProperty("paths").TryGetProperty(path, out _).ShouldBeTrue(path);
    }
}
