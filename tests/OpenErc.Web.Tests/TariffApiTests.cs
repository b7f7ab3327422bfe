using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Tariffs;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>The heat-energy component of a two-component hot-water tariff and its norm q in the registry API and the workstation.</summary>
public sealed class TariffApiTests(WebHost host) : IClassFixture<WebHost>
{
    private HttpClient Http => host.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_heat_energy_tariff_and_its_norm_are_accepted_a_bad_one_is_refused_in_russian_and_the_list_shows_the_part()
    {
        var supplier = await host.PostAsync<Organisation>("/api/v1/organisations", new
        {
            kind = "ResourceSupplier", name = "АО «Теплосеть»", inn = "7707083893", kpp = "770701001", ogrn = "1027700132195",
        });
        var hot = await host.PostAsync<Service>("/api/v1/services", new { code = "hot_water", name = "Горячее водоснабжение", kind = "Communal", resource = "HotWater", unit = "м³" });

        var bad = await Http.PostAsJsonAsync("/api/v1/tariffs", new
        {
            supplierId = supplier.Id, serviceId = hot.Id, part = "HeatEnergy", zone = "Night", rate = 2845.60m, validFrom = "2026-01-01",
        }, Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("zone")[0].GetString()
            .ShouldBe("Компонент на тепловую энергию не делится по зонам суток: укажите зону «Одноставочный»");
        var badNorm = await Http.PostAsJsonAsync("/api/v1/norms", new
        {
            serviceId = hot.Id, category = ConsumptionNorm.HeatEnergyCategory, value = 0.0612m, unit = "Гкал", validFrom = "2026-01-01",
        }, Ct);
        badNorm.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badNorm.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").GetProperty("unit")[0].GetString()
            .ShouldBe("Норматив тепловой энергии на подогрев воды указывается в Гкал/м³");
        await using (var db = host.CreateContext())
            (await db.Tariffs.CountAsync(t => t.ServiceId == hot.Id, Ct)).ShouldBe(0);

        var tariff = await host.PostAsync<Tariff>("/api/v1/tariffs", new
        {
            supplierId = supplier.Id, serviceId = hot.Id, part = "HeatEnergy", rate = 2845.60m, validFrom = "2026-01-01",
        });
        tariff.Part.ShouldBe(TariffPart.HeatEnergy);
        tariff.Zone.ShouldBe(TariffZone.Single);
        await host.PostAsync<ConsumptionNorm>("/api/v1/norms", new
        {
            serviceId = hot.Id, category = ConsumptionNorm.HeatEnergyCategory, value = 0.0612m, unit = "Гкал/м³", validFrom = "2026-01-01",
        });
        await using (var db = host.CreateContext())
            (await db.Tariffs.SingleAsync(t => t.Id == tariff.Id, Ct)).Part.ShouldBe(TariffPart.HeatEnergy);
        var history = await Http.GetFromJsonAsync<List<AuditEntry>>($"/api/v1/tariffs/{tariff.Id}/history", WebHost.Json, Ct);
        var part = history.ShouldNotBeNull().ShouldHaveSingleItem().Changes.Single(c => c.Field == "Part");
        Components.Shared.FieldLabels.Of("Tariff", "Part").ShouldBe("Часть тарифа");
        Components.Shared.FieldLabels.AuditValue("Tariff", "Part", part.To).ShouldBe("Компонент на тепловую энергию");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser);
        await page.GotoAsync("/tariffs");
        var row = page.Locator("tr", new() { HasText = "Компонент на тепловую энергию" });
        await Assertions.Expect(row).ToContainTextAsync("Горячее водоснабжение");
        await Assertions.Expect(row).ToContainTextAsync("Гкал");
    }

    [Fact]
    public async Task A_limit_index_is_kept_by_municipality_with_its_base_month_and_refused_in_russian_when_the_base_is_not_before_it()
    {
        var town = await host.PostAsync<Municipality>("/api/v1/municipalities", new { name = "Индексный округ", oktmo = "65701000" });
        var late = await WebHost.JsonAsync(await Http.PostAsJsonAsync("/api/v1/limit-indices",
            new { municipalityId = town.Id, percent = 12.8m, deviationPercent = 1.5m, baseMonth = "2026-10-01", validFrom = "2026-10-01" }, Ct), HttpStatusCode.BadRequest);
        late.GetProperty("errors").GetProperty("baseMonth")[0].GetString().ShouldBe("Базовый месяц — раньше начала действия индекса");
        await host.PostAsync<LimitIndex>("/api/v1/limit-indices",
            new { municipalityId = town.Id, percent = 12.8m, deviationPercent = 1.5m, baseMonth = "2025-12-01", validFrom = "2026-10-01" });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await OperatorJourneyTests.LaunchAsync(playwright);
        var page = await host.NewPageAsync(browser);
        await page.GotoAsync("/limit-indices");
        await Assertions.Expect(page.Locator("tr", new() { HasText = "12,8" })).ToContainTextAsync("01.10.2026");
    }
}
