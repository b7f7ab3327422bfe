using Npgsql;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// A two-component hot-water tariff registered in the registry — the heat-energy component T_тэ (a tariff row of part
/// <see cref="TariffPart.HeatEnergy"/>) and the norm q (a norm row of category <c>heat_energy</c>) — reaches the run
/// (charges.md §7, ПП 354 прил. 2 ф. 23).
/// </summary>
public sealed class TwoComponentHotWaterTests(PostgresCluster cluster)
{
    private static readonly RegionClock Clock = TestClock.On(2026, 9, 20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod August = new(2026, 8);
    private static readonly BillingPeriod September = new(2026, 9);
    private static readonly DateOnly TariffYear = new(2026, 1, 1);

    private static async Task<LoadedBuilding> LoadAsync(string cs, long building, BillingPeriod month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        var reference = await BillingReference.LoadAsync(conn, month, Ct);
        return (await SnapshotLoader.LoadAsync(conn, reference, [building], month, Ct)).ShouldHaveSingleItem();
    }

    private static async Task<AccountChargeLine> HotWaterLineAsync(string cs, long account, BillingPeriod month)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(Ct);
        return (await AccountCharges.LoadAsync(conn, account, Ct)).Single(m => m.Month == month).Lines
            .Single(l => l.Service == "Горячее водоснабжение" && l.Kind == ChargeLineKind.Charge);
    }

    [Fact]
    public async Task A_heat_energy_tariff_and_the_norm_q_make_the_hot_water_line_two_component_in_a_real_run()
    {
        var cs = await cluster.CreateDatabaseAsync("hotwater");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        long municipality = await Sql.ScalarAsync<long>(cs, $"SELECT municipality_id FROM buildings WHERE id = {flat.BuildingId}");
        // The hot-water rate of the flat (220.00 ₽/m³ from July) is the cold-water component T_хв. T_тэ is in force from
        // September; q is regional, and the municipality's own q replaces it.
        await OneFlatRegion.RegisterAsync(cs, "тарифы", Ct,
            new Tariff { SupplierId = flat.WaterSupplierId, ServiceId = flat.HotWaterId, Part = TariffPart.HeatEnergy, Rate = 2845.60m, ValidFrom = new DateOnly(2026, 9, 1) },
            new ConsumptionNorm { ServiceId = flat.HotWaterId, Category = ConsumptionNorm.HeatEnergyCategory, Value = 0.0700m, Unit = "Гкал/м³", ValidFrom = TariffYear },
            new ConsumptionNorm
            {
                ServiceId = flat.HotWaterId, MunicipalityId = municipality, Category = ConsumptionNorm.HeatEnergyCategory, Value = 0.0612m, Unit = "Гкал/м³",
                ValidFrom = TariffYear,
            });

        var hot = (await LoadAsync(cs, flat.BuildingId, September)).Snapshot.ShouldNotBeNull().Services.Single(s => s.Code == "hot_water");
        hot.HeatEnergyNorm.ShouldBe([new Dated<decimal>(TariffYear, null, 0.0612m)]);
        hot.Norms.ShouldHaveSingleItem().Category.ShouldBe("mkd_bath");
        hot.Tariffs.Single(t => t.Part == TariffPart.HeatEnergy).Rate.ShouldBe(2845.60m);

        // August, before T_тэ: one-component. 17.200 − 13.500 = 3.7 m³ × 220.00 = 814.00 ₽.
        (await BillingRun.RunAsync(cs, August, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var august = await HotWaterLineAsync(cs, flat.AccountId, August);
        august.Amount.ShouldBe(814.00m);
        august.Trace.ShouldNotBeNull().Formula.ShouldBe("P = V × T");

        // September: V = 21.000 − 17.200 = 3.8 m³; 3.8 × 220.00 = 836.00; 3.8 × 0.0612 = 0.23256 Гкал × 2845.60 =
        // 661.772736; P = 1497.772736 → 1497.77 ₽ (rounded once).
        await BillingPeriods.CloseAsync(cs, August, Clock, "тест", Ct);
        (await BillingRun.RunAsync(cs, September, BillingScope.All, new BillingRunOptions(Clock), ct: Ct)).Failures.ShouldBeEmpty();
        var september = await HotWaterLineAsync(cs, flat.AccountId, September);
        september.Amount.ShouldBe(1497.77m);
        september.Rate.ShouldBe(220.00m + 0.0612m * 2845.60m);
        var trace = september.Trace.ShouldNotBeNull();
        trace.Formula.ShouldBe("P = V × T_хв + V × q × T_тэ");
        trace.LegalReference.ShouldContain("ф. 23");
        trace.Inputs.Single(i => i.Name == "Норматив на подогрев q").Value.ShouldBe(0.0612m);
        trace.Inputs.Single(i => i.Name == "Компонент на тепловую энергию T_тэ").Value.ShouldBe(2845.60m);
    }

    [Fact]
    public async Task A_heat_energy_part_outside_hot_water_fails_the_building_in_russian()
    {
        var cs = await cluster.CreateDatabaseAsync("hotwater");
        var flat = await OneFlatRegion.CreateAsync(cs, Ct);
        await OneFlatRegion.RegisterAsync(cs, "тарифы", Ct,
            new Tariff { SupplierId = flat.WaterSupplierId, ServiceId = flat.ColdWaterId, Part = TariffPart.HeatEnergy, Rate = 2845.60m, ValidFrom = TariffYear });
        var loaded = await LoadAsync(cs, flat.BuildingId, September);
        loaded.Snapshot.ShouldBeNull();
        loaded.Error.ShouldBe("Услуга cold_water: компонент тарифа на тепловую энергию допустим только для горячей воды");

        await Sql.ExecAsync(cs, $"DELETE FROM tariffs WHERE part = {(int)TariffPart.HeatEnergy}");
        await OneFlatRegion.RegisterAsync(cs, "нормативы", Ct,
            new ConsumptionNorm { ServiceId = flat.ColdWaterId, Category = ConsumptionNorm.HeatEnergyCategory, Value = 0.0612m, Unit = "Гкал/м³", ValidFrom = TariffYear });
        (await LoadAsync(cs, flat.BuildingId, September)).Error
            .ShouldBe("Услуга cold_water: норматив тепловой энергии на подогрев воды допустим только для горячей воды");
    }
}
