using OpenErc.Testing;
using OpenErc.Core.Accounts;
using OpenErc.Core.Charges;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using Microsoft.EntityFrameworkCore;
using OpenErc.Storage;
using Shouldly;

namespace OpenErc.Operations.Tests;

/// <summary>The centre, a bank and a payment agent of <see cref="OneFlatRegion.ChargedWithAgentsAsync"/>.</summary>
internal sealed record PaymentParties(long CentreId, long BankId, long AgentId);

/// <summary>What <see cref="OneFlatRegion.CreateAsync"/> made.</summary>
internal sealed record OneFlat(long BuildingId, long PremiseId, long AccountId, long PersonId, long WaterSupplierId, long ManagerId,
    long ColdWaterId, long HotWaterId, long ColdMeterId, long HotMeterId, long ActId);

/// <summary>
/// A region of one building with one flat and one account, small enough to compute every kopeck by hand:
/// <list type="bullet">
/// <item>Flat 1, 50 m², 2 rooms; the account opens on 16.04.2026 with 2 residents.</item>
/// <item>Cold water (<c>cold_water</c>) by meter: the meter was installed on 20.09.2025 and has readings on the 20th of
/// every month up to 20.03.2026 (100, 106, …, 136 m³: 6 m³ a month), none after. Tariff 50.00 ₽/m³, 55.00 from
/// 01.07.2026; norm 5 m³ per person (category <c>mkd_bath</c>: the building has hot water).</item>
/// <item>Hot water (<c>hot_water</c>) by meter, but a meter is technically impossible until 01.07.2026 (an act of
/// 15.01.2026); the hot-water meter is installed on 01.07.2026 with readings 10.000 (01.07), 13.500 (25.07), 17.200
/// (25.08), 21.000 (25.09). Tariff 200.00 ₽/m³, 220.00 from 01.07.2026; norm 3 m³ per person.</item>
/// <item>Maintenance (<c>maintenance</c>) by area: 30.00 ₽/m², to the management company.</item>
/// </list>
/// </summary>
internal static class OneFlatRegion
{
    /// <summary>The region's clock of these tests.</summary>
    internal static readonly RegionClock Clock = TestClock.On(2026, 4, 16);
    public static readonly DateOnly Opened = new(2026, 4, 16);
    private static readonly DateOnly Since = new(2020, 1, 1);
    private static readonly DateOnly TariffYear = new(2026, 1, 1);
    private static readonly DateOnly July = new(2026, 7, 1);

    public static async Task<OneFlat> CreateAsync(string cs, CancellationToken ct)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "тест", Reason = "тестовый регион" };
        var municipality = new Municipality { Name = "Тестовый городской округ" };
        var water = new Organisation { Kind = OrganisationKind.ResourceSupplier, Name = "АО «Водоканал»", Inn = "7707083893" };
        var manager = new Organisation { Kind = OrganisationKind.ManagementCompany, Name = "ООО «УК Ленинская»", Inn = "7736050003" };
        var person = new Person { LastName = "Иванов", FirstName = "Иван", MiddleName = "Иванович" };
        db.AddRange(municipality, water, manager, person);
        await db.SaveChangesAsync(ct);

        var building = new Building
        {
            MunicipalityId = municipality.Id, Region = "Тестовая область", Settlement = "г. Тестовск", Street = "ул. Ленина", House = "5",
            YearBuilt = 1985, Floors = 5, TotalArea = 50m, ResidentialArea = 50m,
        };
        var cold = new Service { Code = "cold_water", Name = "Холодное водоснабжение", Kind = ServiceKind.Communal, Resource = Resource.ColdWater, Unit = "м³" };
        var hot = new Service { Code = "hot_water", Name = "Горячее водоснабжение", Kind = ServiceKind.Communal, Resource = Resource.HotWater, Unit = "м³" };
        var maintenance = new Service { Code = "maintenance", Name = "Содержание жилого помещения", Kind = ServiceKind.Housing, Resource = Resource.None, Unit = "м²" };
        db.AddRange(building, cold, hot, maintenance);
        await db.SaveChangesAsync(ct);

        var premise = new Premise { BuildingId = building.Id, Number = "1", TotalArea = 50m, LivingArea = 30m, Rooms = 2 };
        db.Add(premise);
        db.Add(new BuildingManagement { BuildingId = building.Id, OrganisationId = manager.Id, ValidFrom = Since });
        foreach (var (service, method, supplier) in new[] { (cold, CalculationMethod.IndividualMeter, water), (hot, CalculationMethod.IndividualMeter, water), (maintenance, CalculationMethod.Area, manager) })
        {
            db.Add(new BuildingServiceMethod { BuildingId = building.Id, ServiceId = service.Id, Method = method, ValidFrom = Since });
            db.Add(new ServiceContract { BuildingId = building.Id, ServiceId = service.Id, SupplierId = supplier.Id, ValidFrom = Since });
        }
        db.AddRange(
            new Tariff { SupplierId = water.Id, ServiceId = cold.Id, Rate = 50.00m, ValidFrom = TariffYear, ValidTo = July },
            new Tariff { SupplierId = water.Id, ServiceId = cold.Id, Rate = 55.00m, ValidFrom = July },
            new Tariff { SupplierId = water.Id, ServiceId = hot.Id, Rate = 200.00m, ValidFrom = TariffYear, ValidTo = July },
            new Tariff { SupplierId = water.Id, ServiceId = hot.Id, Rate = 220.00m, ValidFrom = July },
            new Tariff { SupplierId = manager.Id, ServiceId = maintenance.Id, Rate = 30.00m, ValidFrom = TariffYear },
            new ConsumptionNorm { ServiceId = cold.Id, Category = "mkd_bath", Value = 5m, Unit = "м³ на человека в месяц", ValidFrom = TariffYear },
            new ConsumptionNorm { ServiceId = hot.Id, Category = "mkd_bath", Value = 3m, Unit = "м³ на человека в месяц", ValidFrom = TariffYear });
        await db.SaveChangesAsync(ct);

        var account = new PersonalAccount { Number = AccountNumber.Create(1), PremiseId = premise.Id, PayerPersonId = person.Id, OpenedOn = Opened };
        var coldMeter = new Meter
        {
            Kind = MeterKind.Individual, Resource = Resource.ColdWater, BuildingId = building.Id, PremiseId = premise.Id, SerialNumber = "ХВ-100",
            InstalledOn = new DateOnly(2025, 9, 20), NextVerificationOn = new DateOnly(2031, 9, 20),
        };
        var hotMeter = new Meter
        {
            Kind = MeterKind.Individual, Resource = Resource.HotWater, BuildingId = building.Id, PremiseId = premise.Id, SerialNumber = "ГВ-200",
            InstalledOn = July, NextVerificationOn = new DateOnly(2032, 7, 1),
        };
        var act = new MeterImpossibilityAct
        {
            PremiseId = premise.Id, Resource = Resource.HotWater, ValidFrom = new DateOnly(2026, 1, 15), ValidTo = July, Document = "Акт №7 от 15.01.2026",
        };
        db.AddRange(account, coldMeter, hotMeter, act);
        await db.SaveChangesAsync(ct);

        db.Add(new ResidentCount { AccountId = account.Id, Count = 2, ValidFrom = Opened, Basis = "регистрация" });
        db.Add(new Ownership { AccountId = account.Id, PersonId = person.Id, ValidFrom = Opened });
        db.Add(new Registration { AccountId = account.Id, PersonId = person.Id, ValidFrom = Opened });
        for (int i = 0; i <= 6; i++)
            db.Add(new MeterReading { MeterId = coldMeter.Id, ReadOn = new DateOnly(2025, 9, 20).AddMonths(i), Value = 100m + 6m * i, EnteredAt = Clock.Now });
        foreach (var (day, value) in new[] { (July, 10.000m), (new DateOnly(2026, 7, 25), 13.500m), (new DateOnly(2026, 8, 25), 17.200m), (new DateOnly(2026, 9, 25), 21.000m) })
            db.Add(new MeterReading { MeterId = hotMeter.Id, ReadOn = day, Value = value, EnteredAt = Clock.Now });
        await db.SaveChangesAsync(ct);

        return new OneFlat(building.Id, premise.Id, account.Id, person.Id, water.Id, manager.Id, cold.Id, hot.Id, coldMeter.Id, hotMeter.Id, act.Id);
    }

    /// <summary>
    /// The region charged for April and May 2026, with the centre itself (the cash desk's agent), a bank and a payment agent;
    /// returns the account's number.
    /// </summary>
    public static async Task<(OneFlat Flat, string Number, PaymentParties Parties)> ChargedWithAgentsAsync(string cs, CancellationToken ct)
    {
        var flat = await ChargeAprilAndMayAsync(cs, ct);
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = "тест", Reason = "тестовый регион" };
        var centre = new Organisation { Kind = OrganisationKind.BillingCentre, Name = "АО «ЕРЦ»", Inn = "7728168971" };
        var bank = new Organisation { Kind = OrganisationKind.Bank, Name = "ПАО «Банк»", Inn = "7702070139" };
        var agent = new Organisation { Kind = OrganisationKind.PaymentAgent, Name = "ООО «Платёж»", Inn = "7744001497" };
        db.AddRange(centre, bank, agent);
        await db.SaveChangesAsync(ct);
        var number = await db.Accounts.Where(a => a.Id == flat.AccountId).Select(a => a.Number).SingleAsync(ct);
        return (flat, number, new PaymentParties(centre.Id, bank.Id, agent.Id));
    }

    /// <summary>Cold water interrupted in the whole building on 10.09.2026 from 08:00 to 22:00: 14 h at once.</summary>
    public static Incident ColdWaterInterruption(OneFlat flat) => new()
    {
        BuildingId = flat.BuildingId, ServiceId = flat.ColdWaterId, Kind = IncidentKind.Interruption,
        StartedAt = new DateTime(2026, 9, 10, 8, 0, 0), EndedAt = new DateTime(2026, 9, 10, 22, 0, 0), Document = "Журнал АДС, запись 512",
    };

    /// <summary>The resident away from 06.05.2026 to 15.05.2026 inclusive (departed 05.05, back 16.05): 10 full days.</summary>
    public static TemporaryAbsence AbsenceInMay(OneFlat flat, string document) => new()
    {
        AccountId = flat.AccountId, PersonId = flat.PersonId, ValidFrom = new DateOnly(2026, 5, 6), ValidTo = new DateOnly(2026, 5, 16), Document = document,
    };

    /// <summary>
    /// A fresh database with the flat charged for April and May 2026, each closed after its month (on 5 May and on
    /// 1 June): June is the open month. Returns the account's number too.
    /// </summary>
    public static async Task<(string Cs, OneFlat Flat, string Number)> ChargedAprilAndMayAsync(Testing.PostgresCluster cluster, string name, CancellationToken ct)
    {
        var cs = await cluster.CreateDatabaseAsync(name);
        var flat = await ChargeAprilAndMayAsync(cs, ct);
        return (cs, flat, await Testing.Sql.ScalarAsync<string>(cs, $"SELECT number FROM personal_accounts WHERE id = {flat.AccountId}"));
    }

    private static async Task<OneFlat> ChargeAprilAndMayAsync(string cs, CancellationToken ct)
    {
        var flat = await CreateAsync(cs, ct);
        var clock = TestClock.On(Opened);
        foreach (var (month, closedOn) in new[] { (new BillingPeriod(2026, 4), new DateOnly(2026, 5, 5)), (new BillingPeriod(2026, 5), new DateOnly(2026, 6, 1)) })
        {
            (await BillingRun.RunAsync(cs, month, BillingScope.All, new BillingRunOptions(clock), ct: ct)).Failures.ShouldBeEmpty();
            clock.MoveTo(closedOn);
            await BillingPeriods.CloseAsync(cs, month, clock, "тест", ct);
        }
        return flat;
    }

    /// <summary>Registers rows as a person of the back office would (audited under <paramref name="actor"/>).</summary>
    public static async Task RegisterAsync(string cs, string actor, CancellationToken ct, params object[] rows)
    {
        await using var db = new OpenErcDbContext(OpenErcDatabase.Options(cs), Clock) { Actor = actor };
        db.AddRange(rows);
        await db.SaveChangesAsync(ct);
    }
}
