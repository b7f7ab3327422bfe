using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Storage;

namespace OpenErc.Operations.Tests;

/// <summary>What <see cref="NormFlatRegion.CreateAsync"/> made.</summary>
internal sealed record NormFlat(long MunicipalityId, long AccountId, string Number, long PersonId);

/// <summary>
/// One flat of three residents from 01.01.2026, billed for maintenance by area (28.40 ₽/m², housing.md §1) to УК «Ромашка»
/// and for cold water by norm (3 × 4.745 m³ × 52.37 ₽ = 745.49 ₽, charges.md §3; a meter technically impossible, so no
/// coefficient) to Водоканал — the figures behind reports.md §22 and benefits.md §7.
/// </summary>
internal static class NormFlatRegion
{
    /// <param name="more">Other organisations to register with the region (a bank, the centre); their ids are set when this returns.</param>
    public static async Task<NormFlat> CreateAsync(string cs, RegionClock clock, decimal area, long number, CancellationToken ct, params Organisation[] more)
    {
        var since = new DateOnly(2020, 1, 1);
        var year = new DateOnly(2026, 1, 1);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), clock) { Actor = "тест", Reason = "тестовый регион" };
        var municipality = new Municipality { Name = "Тестовый городской округ" };
        var water = new Organisation { Kind = OrganisationKind.ResourceSupplier, Name = "АО «Водоканал»", ShortName = "Водоканал", Inn = "7707083893" };
        var manager = new Organisation { Kind = OrganisationKind.ManagementCompany, Name = "ООО «УК «Ромашка»", ShortName = "УК «Ромашка»", Inn = "7736050003" };
        var person = new Person { LastName = "Сидоров", FirstName = "Семён", MiddleName = "Ильич", BirthDate = new DateOnly(1950, 3, 8) };
        db.AddRange(municipality, water, manager, person);
        db.AddRange(more);
        await db.SaveChangesAsync(ct);

        var building = new Building
        {
            MunicipalityId = municipality.Id, Region = "Тестовая область", Settlement = "г. Тестовск", Street = "ул. Садовая", House = "1",
            YearBuilt = 1975, Floors = 5, TotalArea = area, ResidentialArea = area,
        };
        var cold = new Service { Code = "cold_water", Name = "Холодное водоснабжение", Kind = ServiceKind.Communal, Resource = Resource.ColdWater, Unit = "м³" };
        var maintenance = new Service { Code = "maintenance", Name = "Содержание жилого помещения", Kind = ServiceKind.Housing, Resource = Resource.None, Unit = "м²" };
        db.AddRange(building, cold, maintenance);
        await db.SaveChangesAsync(ct);

        var premise = new Premise { BuildingId = building.Id, Number = "1", TotalArea = area, Rooms = 3 };
        db.Add(premise);
        db.Add(new BuildingManagement { BuildingId = building.Id, OrganisationId = manager.Id, ValidFrom = since });
        foreach (var (service, method, supplier) in new[] { (cold, CalculationMethod.IndividualMeter, water), (maintenance, CalculationMethod.Area, manager) })
        {
            db.Add(new BuildingServiceMethod { BuildingId = building.Id, ServiceId = service.Id, Method = method, ValidFrom = since });
            db.Add(new ServiceContract { BuildingId = building.Id, ServiceId = service.Id, SupplierId = supplier.Id, ValidFrom = since });
        }
        db.AddRange(
            new Tariff { SupplierId = water.Id, ServiceId = cold.Id, Rate = 52.37m, ValidFrom = year },
            new Tariff { SupplierId = manager.Id, ServiceId = maintenance.Id, Rate = 28.40m, ValidFrom = year },
            new ConsumptionNorm { ServiceId = cold.Id, Category = "mkd_no_hot_water", Value = 4.745m, Unit = "м³ на человека в месяц", ValidFrom = year });
        await db.SaveChangesAsync(ct);

        var account = new PersonalAccount { Number = AccountNumber.Create(number), PremiseId = premise.Id, PayerPersonId = person.Id, OpenedOn = year };
        db.Add(account);
        db.Add(new MeterImpossibilityAct { PremiseId = premise.Id, Resource = Resource.ColdWater, ValidFrom = new DateOnly(2025, 6, 1), Document = "Акт №3 от 01.06.2025" });
        await db.SaveChangesAsync(ct);
        db.Add(new ResidentCount { AccountId = account.Id, Count = 3, ValidFrom = year, Basis = "регистрация" });
        db.Add(new Ownership { AccountId = account.Id, PersonId = person.Id, ValidFrom = year });
        db.Add(new Registration { AccountId = account.Id, PersonId = person.Id, ValidFrom = year });
        await db.SaveChangesAsync(ct);
        return new NormFlat(municipality.Id, account.Id, account.Number, person.Id);
    }
}
