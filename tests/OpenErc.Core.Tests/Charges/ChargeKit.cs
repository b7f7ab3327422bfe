using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using Shouldly;

namespace OpenErc.Core.Tests.Charges;

/// <summary>Small snapshots for the charge tests: the figures of the domain examples by default (S_i 54.3 m², S_об 6 150 m², S_ои 820 m²).</summary>
internal static class Kit
{
    public const long Supplier = 7;
    public static readonly DateOnly Ever = new(2015, 1, 1);
    public static readonly BillingPeriod March2026 = new(2026, 3);

    public static DateOnly D(int y, int m, int d) => new(y, m, d);

    public static Dated<T> Always<T>(T value) => new(Ever, null, value);

    public static NormSnapshot Norm(decimal value, string category = "", bool perYear = false) => new(category, Ever, null, value) { PerYear = perYear };

    public static TariffSnapshot Tariff(decimal rate, TariffZone zone = TariffZone.Single, DateOnly? from = null, DateOnly? to = null) =>
        new(Supplier, zone, from ?? Ever, to, rate);

    public static ServiceSnapshot Service(string code, ServiceKind kind, Resource resource, string unit, CalculationMethod method, IEnumerable<TariffSnapshot> tariffs, params NormSnapshot[] norms) =>
        new(code, kind, resource, unit, [Always(method)], [Always(Supplier)], tariffs.ToList(), norms);

    public static ServiceSnapshot ColdWater(CalculationMethod method = CalculationMethod.IndividualMeter, decimal norm = 4.745m) =>
        Service("cold_water", ServiceKind.Communal, Resource.ColdWater, "м³", method, [Tariff(52.37m)], Norm(norm, "mkd_bath"));

    public static ServiceSnapshot HotWater(decimal rate = 245.82m) =>
        Service("hot_water", ServiceKind.Communal, Resource.HotWater, "м³", CalculationMethod.IndividualMeter, [Tariff(rate)], Norm(3.118m, "mkd_bath"));

    public static ServiceSnapshot Sewage(params NormSnapshot[] norms) =>
        Service("sewage", ServiceKind.Communal, Resource.Sewage, "м³", CalculationMethod.IndividualMeter, [Tariff(38.15m)], norms);

    public static ServiceSnapshot Electricity(params NormSnapshot[] norms) =>
        Service("electricity", ServiceKind.Communal, Resource.Electricity, "кВт·ч", CalculationMethod.IndividualMeter,
            [Tariff(6.43m), Tariff(6.43m, TariffZone.Day), Tariff(3.21m, TariffZone.Night)], norms.Length == 0 ? [Norm(85m)] : norms);

    public static ServiceSnapshot Heating(CalculationMethod method = CalculationMethod.Area) =>
        Service("heating", ServiceKind.Communal, Resource.Heat, "Гкал", method, [Tariff(2845.60m)], Norm(0.0198m, "mkd_before_1999"));

    public static AccountSnapshot Account(long id = 1, int residents = 3, int owners = 1, decimal share = 1m, DateOnly? opened = null, DateOnly? closed = null) =>
        new(id, share, opened ?? Ever, closed, residents == 0 ? [] : [Always(residents)], owners == 0 ? [] : [Always(owners)], []);

    public static MeterSnapshot Meter(long id, Resource resource, params (DateOnly Day, decimal Value)[] readings) =>
        new(id, MeterKind.Individual, resource, 1, 5, Ever, null, null, readings.Select(r => new ReadingSnapshot(1, r.Day, r.Value)).ToList());

    public static MeterSnapshot ZonalMeter(long id, params (int Zone, DateOnly Day, decimal Value)[] readings) =>
        new(id, MeterKind.Individual, Resource.Electricity, 2, 6, Ever, null, null, readings.Select(r => new ReadingSnapshot(r.Zone, r.Day, r.Value)).ToList());

    public static PremiseSnapshot Flat(long id = 1, decimal area = 54.3m, int? rooms = 2, AccountSnapshot[]? accounts = null, MeterSnapshot[]? meters = null,
        Resource[]? impossible = null, PremiseKind kind = PremiseKind.Residential) =>
        new(id, id.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, area, rooms, new HashSet<Resource>(impossible ?? []),
            accounts ?? [Account(id)], meters ?? []);

    public static BuildingSnapshot Building(IEnumerable<PremiseSnapshot> premises, IEnumerable<ServiceSnapshot> services, BuildingKind kind = BuildingKind.ApartmentBuilding,
        HeatingPaymentMethod heating = HeatingPaymentMethod.DuringHeatingSeason, IEnumerable<MeterSnapshot>? commonMeters = null, IEnumerable<ServiceIncident>? incidents = null) =>
        new(100, kind, heating, 6150m,
            new Dictionary<Resource, decimal> { [Resource.ColdWater] = 820m, [Resource.Electricity] = 820m, [Resource.Heat] = 820m },
            premises.ToList(), services.ToList(), (commonMeters ?? []).ToList(), (incidents ?? []).ToList());

    public static BuildingSnapshot Building(PremiseSnapshot premise, params ServiceSnapshot[] services) => Building([premise], services);

    public static IReadOnlyList<ChargeLine> Calc(this BuildingSnapshot building, BillingPeriod? period = null, ChargeSettings? settings = null) =>
        ChargeCalculator.Calculate(building, period ?? March2026, settings ?? new ChargeSettings());

    public static ChargeLine Line(this IReadOnlyList<ChargeLine> lines, string service, long account = 1, ChargeLineKind kind = ChargeLineKind.Charge, TariffZone zone = TariffZone.Single) =>
        lines.Where(l => l.ServiceCode == service && l.AccountId == account && l.Kind == kind && l.Zone == zone).ShouldHaveSingleItem();

    public static Money Rub(decimal amount) => Money.Exact(amount);

    public static decimal Input(this ChargeLine line, string startsWith) =>
        line.Trace.Inputs.First(i => i.Name.StartsWith(startsWith, StringComparison.Ordinal)).Value;
}
