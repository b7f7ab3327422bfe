using System.Globalization;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Demo;

/// <summary>
/// Generates the demo region building by building from one seeded <see cref="Random"/>: every value, date and id
/// follows from (accounts, seed, current month), never from the clock. Rows go straight to the COPY streams, so
/// memory stays flat whatever the size of the region.
/// </summary>
internal sealed partial class DemoGenerator
{
    private const string RegionName = "Новоградская область";

    private readonly DemoTables _t;
    private readonly CopySession _session;
    private readonly DemoBaseline _baseline;
    private readonly Random _rng;

    /// <summary>"Today" of the data: the first day of the current month.</summary>
    private readonly DateOnly _today;

    /// <summary>1 July on which tariffs and norms change; the previous rates run for the year before it.</summary>
    private readonly DateOnly _tariffChange;

    /// <summary>The first 1 July of the tariff history: a year before <see cref="_tariffChange"/>, or earlier, so that the rates cover the first month of the region's history.</summary>
    private readonly DateOnly _tariffsSince;

    /// <summary>Months of meter readings before the current month: the history's months and the month before them (their base), at least six.</summary>
    private readonly int _readingMonths;

    private int _accountsLeft;
    private long _accountSerial;
    private int _buildingIndex;

    public DemoGenerator(DemoTables tables, CopySession session, DemoBaseline baseline, int seed, BillingPeriod month, int historyMonths)
    {
        _t = tables;
        _session = session;
        _baseline = baseline;
        _rng = new Random(seed);
        _today = month.FirstDay;
        _tariffChange = new DateOnly(month.Month >= 7 ? month.Year : month.Year - 1, 7, 1);
        var firstHistoryDay = _today.AddMonths(-historyMonths);
        _tariffsSince = _tariffChange.AddYears(-1);
        while (_tariffsSince > firstHistoryDay) _tariffsSince = _tariffsSince.AddYears(-1);
        _readingMonths = Math.Max(6, historyMonths + 1);
        _cityStreets = CityStreets();
        StartBenefits(seed, historyMonths);
    }

    public void Run(int accounts, IProgress<DemoProgress>? progress, string stage)
    {
        _accountsLeft = accounts;
        SetValidation(true);
        WriteReference();
        long reported = 0;
        while (_accountsLeft > 0)
        {
            _session.Token.ThrowIfCancellationRequested();
            // The registry's own validation checks the first buildings' rows: a generator bug fails fast and loudly.
            SetValidation(_buildingIndex < 3);
            Building();
            _session.EndOfBuilding();
            long done = accounts - _accountsLeft;
            if (done - reported >= 5000 || _accountsLeft == 0)
            {
                progress?.Report(new DemoProgress(stage, done, accounts));
                reported = done;
            }
        }
    }

    private void SetValidation(bool on)
    {
        foreach (var t in _t.All) t.ValidateRows = on;
    }

    // ---------------------------------------------------------------- buildings

    private void Building()
    {
        // The first building of each municipality is an apartment building, so that even a small region shows all of them.
        var municipality = _buildingIndex < _municipalities.Length ? _municipalities[_buildingIndex] : Pick(_municipalities, m => m.Weight);
        var settlement = Pick(municipality.Settlements, s => s.Weight);
        bool detached = _buildingIndex >= _municipalities.Length && Chance(settlement.DetachedPercent);
        _buildingIndex++;
        if (detached) DetachedHouse(municipality, settlement);
        else ApartmentBuilding(municipality, settlement);
    }

    private void ApartmentBuilding(MunicipalityPlan municipality, SettlementPlan settlement)
    {
        var b = NewBuilding(municipality, settlement, BuildingKind.ApartmentBuilding);
        var (floors, perFloor) = Layout(b.YearBuilt!.Value, settlement.Rural);
        int target = settlement.Rural ? _rng.Next(20, 41) : Pct() switch
        {
            < 60 => _rng.Next(20, 81),
            < 90 => _rng.Next(80, 181),
            _ => _rng.Next(180, 301),
        };
        int perEntrance = floors * perFloor;
        int entrances = Math.Clamp((target + perEntrance / 2) / perEntrance, 1, 10);
        while (entrances > 1 && entrances * perEntrance > 300) entrances--;
        while (entrances * perEntrance < 20) entrances++;
        b.Floors = floors;
        b.Entrances = entrances;
        b.WearPercent = Wear(b.YearBuilt.Value);

        var profile = new BuildingProfile
        {
            Year = b.YearBuilt.Value,
            HotWater = Chance(b.YearBuilt < 1971 ? 70 : 95),
            Lift = floors >= 6,
        };
        profile.Gas = !profile.HotWater || floors <= 9 && b.YearBuilt < 2000 && Chance(70);
        profile.Commissioned = Commissioned(b.YearBuilt.Value);
        // Common-house meters (ОДПУ) became mandatory in 2012 (261-ФЗ); not every building has all of them.
        profile.HeatMeter = b.YearBuilt >= 1960 && Chance(75);
        profile.ColdWaterMeter = Chance(60);
        profile.HotWaterMeter = profile.HotWater && Chance(40);
        profile.PowerMeter = Chance(70);
        b.CapitalRepairFundMethod = Pct() switch
        {
            < 4 => CapitalRepairFundMethod.NotIncluded,
            < 16 => CapitalRepairFundMethod.SpecialAccount,
            _ => CapitalRepairFundMethod.RegionalOperator,
        };
        _capitalRepair = b.CapitalRepairFundMethod != CapitalRepairFundMethod.NotIncluded;

        // Flats stacked over each other share a layout: one pattern of rooms and areas per floor.
        var rooms = new int[perFloor];
        var areas = new int[perFloor];
        for (int p = 0; p < perFloor; p++)
        {
            rooms[p] = Pct() switch { < 25 => 1, < 65 => 2, < 93 => 3, _ => 4 };
            areas[p] = FlatAreaHundredths(rooms[p], b.YearBuilt.Value);
        }

        var units = new List<PremiseUnit>();
        int flats = entrances * perEntrance;
        for (int k = 0; k < flats && _accountsLeft > 0; k++)
        {
            int pos = k % perFloor;
            // BTI measurements differ a little from flat to flat of the same riser.
            int area = areas[pos];
            if (Chance(40))
            {
                int delta = _rng.Next(-40, 41);
                area += Chance(70) ? delta / 10 * 10 : delta; // mostly whole tenths, sometimes hundredths
            }
            units.Add(Flat(b, profile, (k + 1).ToString(CultureInfo.InvariantCulture),
                k / perEntrance + 1, k % perEntrance / perFloor + 1, rooms[pos], area));
        }
        if (!settlement.Rural && flats >= 60 && Chance(35))
        {
            int count = _rng.Next(1, 4);
            for (int n = 1; n <= count && _accountsLeft > 0; n++)
                units.Add(NonResidential(b, profile, "Н" + n.ToString(CultureInfo.InvariantCulture)));
        }

        decimal residential = units.Where(u => u.Premise.Kind == PremiseKind.Residential).Sum(u => u.Premise.TotalArea);
        decimal nonResidential = units.Where(u => u.Premise.Kind == PremiseKind.NonResidential).Sum(u => u.Premise.TotalArea);
        b.ResidentialArea = residential;
        b.NonResidentialArea = nonResidential;
        b.CommonPropertyArea = decimal.Round(residential * _rng.Next(12, 23) / 100m, 1, MidpointRounding.AwayFromZero);
        b.TotalArea = residential + nonResidential + b.CommonPropertyArea;

        var managers = Management(b, municipality, profile);
        Services(b, profile, managers, municipality);
        CommonHouseMeters(b, profile, units);
        _t.Buildings.Add(b);
    }

    private void DetachedHouse(MunicipalityPlan municipality, SettlementPlan settlement)
    {
        var b = NewBuilding(municipality, settlement, BuildingKind.DetachedHouse);
        b.Floors = Chance(75) ? 1 : 2;
        b.Entrances = 1;
        b.WearPercent = Wear(b.YearBuilt!.Value);
        b.CapitalRepairFundMethod = CapitalRepairFundMethod.NotIncluded; // not an apartment building (ЖК ст. 169)
        _capitalRepair = false;
        var profile = new BuildingProfile
        {
            Year = b.YearBuilt.Value, Detached = true, Gas = Chance(75), ColdWater = Chance(85),
            Commissioned = Commissioned(b.YearBuilt.Value),
        };
        profile.Sewage = profile.ColdWater && Chance(35);
        int rooms = _rng.Next(2, 6);
        var unit = Flat(b, profile, "1", null, null, rooms, _rng.Next(40_00, 150_01) / 10 * 10);
        b.ResidentialArea = b.TotalArea = unit.Premise.TotalArea;
        Services(b, profile, [], municipality);
        _t.Buildings.Add(b);
    }

    private Building NewBuilding(MunicipalityPlan municipality, SettlementPlan settlement, BuildingKind kind)
    {
        var address = NextAddress(settlement, kind == BuildingKind.ApartmentBuilding);
        _settlement = settlement;
        _addressSlot = address.Slot;
        int year = kind == BuildingKind.DetachedHouse ? _rng.Next(1950, _today.Year)
            : settlement.Rural ? _rng.Next(1965, 1996)
            : Pct() switch
            {
                < 5 => _rng.Next(1950, 1960),
                < 30 => _rng.Next(1960, 1971),
                < 65 => _rng.Next(1971, 1991),
                < 80 => _rng.Next(1991, 2011),
                _ => _rng.Next(2011, _today.Year),
            };
        return new Building
        {
            Id = _t.Buildings.NextId(),
            MunicipalityId = municipality.Id,
            Kind = kind,
            Region = RegionName,
            Settlement = settlement.Name,
            Street = address.Street,
            House = address.House,
            Block = address.Block,
            PostalCode = address.PostalCode,
            FiasGuid = NewGuid(),
            CadastralNumber = NextCadastral(settlement, address.Slot, gap: _rng.Next(1, 30)),
            YearBuilt = year,
            HeatingPaymentMethod = municipality.Heating,
        };
    }

    /// <summary>Floors and flats per floor by the era of construction.</summary>
    private (int Floors, int PerFloor) Layout(int year, bool rural)
    {
        if (rural) return (_rng.Next(2, 4), _rng.Next(2, 5));
        return year switch
        {
            < 1960 => (_rng.Next(2, 5), _rng.Next(2, 4)),
            < 1971 => (Chance(90) ? 5 : 4, 4),
            < 1991 => (Pct() switch { < 35 => 5, < 80 => 9, < 90 => 12, _ => 14 }, 4),
            < 2011 => (Pick([9, 10, 12, 14, 16, 17]), _rng.Next(4, 7)),
            _ => (_rng.Next(10, 26), _rng.Next(6, 11)),
        };
    }

    /// <summary>Total area of a flat in hundredths of m² (28–120 m²) by rooms and era.</summary>
    private int FlatAreaHundredths(int rooms, int year)
    {
        (int lo, int hi) = (year, rooms) switch
        {
            ( < 1971, 1) => (29, 33), ( < 1971, 2) => (41, 46), ( < 1971, 3) => (55, 60), ( < 1971, _) => (62, 70),
            ( < 2001, 1) => (32, 38), ( < 2001, 2) => (47, 54), ( < 2001, 3) => (60, 72), ( < 2001, _) => (75, 85),
            (_, 1) => (28, 45), (_, 2) => (52, 65), (_, 3) => (72, 95), _ => (95, 120),
        };
        return _rng.Next(lo * 10, hi * 10 + 1) * 10;
    }

    private decimal Wear(int year) =>
        Math.Clamp((_today.Year - year) * _rng.Next(60, 111) / 10, 30, 750) / 10m;

    private DateOnly Commissioned(int year) => new(year, _rng.Next(1, 13), _rng.Next(1, 29));

    // ---------------------------------------------------------------- management and services

    /// <summary>Who manages the building over time; returns the periods (organisation, from, to).</summary>
    private List<(long Org, DateOnly From, DateOnly? To)> Management(Building b, MunicipalityPlan municipality, BuildingProfile profile)
    {
        var from = Max(profile.Commissioned, new DateOnly(_rng.Next(2007, 2016), _rng.Next(1, 13), 1));
        from = new DateOnly(from.Year, from.Month, 1);
        long current = ChooseManager(municipality, profile.Year);
        var periods = new List<(long, DateOnly, DateOnly?)>();
        // Some buildings changed their manager before the tariff year (owners' meeting, ЖК ст. 161).
        var latestChange = _tariffChange.AddYears(-1).AddMonths(-1);
        if (municipality.Managers.Length > 1 && Chance(10) && from.AddYears(1) < latestChange)
        {
            long previous = municipality.Managers.First(m => m != current);
            var change = FirstOfMonth(RandomDate(from.AddYears(1), latestChange));
            periods.Add((previous, from, change));
            from = change;
        }
        periods.Add((current, from, null));
        foreach (var (org, f, to) in periods)
            _t.BuildingManagements.Add(new BuildingManagement { Id = _t.BuildingManagements.NextId(), BuildingId = b.Id, OrganisationId = org, ValidFrom = f, ValidTo = to });
        return periods;
    }

    private void Services(Building b, BuildingProfile p, List<(long Org, DateOnly From, DateOnly? To)> managers, MunicipalityPlan municipality)
    {
        var since = managers.Count > 0 ? managers[0].From : Max(FirstOfMonth(p.Commissioned.AddMonths(1)), new DateOnly(2012, 1, 1));
        var mkd = !p.Detached;
        if (p.ColdWater) Supplied(b, "cold_water", _org.Water, "ВК", since, CalculationMethod.IndividualMeter);
        if (p.HotWater) Supplied(b, "hot_water", _org.Heat, "ТС", since, CalculationMethod.IndividualMeter);
        if (p.Sewage) Supplied(b, "sewage", _org.Water, "ВК", since, CalculationMethod.IndividualMeter);
        Supplied(b, "electricity", _org.Power, "ЭС", since, CalculationMethod.IndividualMeter);
        if (mkd) Supplied(b, "heating", _org.Heat, "ТС", since, p.HeatMeter ? CalculationMethod.CommonHouseMeter : CalculationMethod.Area);
        if (p.Gas) Supplied(b, "gas", _org.Gas, "ГС", since, mkd ? CalculationMethod.Norm : CalculationMethod.IndividualMeter);
        // The regional operators of solid waste started on 1 January 2019.
        Supplied(b, "waste", _org.Waste, "ТКО", Max(since, new DateOnly(2019, 1, 1)),
            municipality.WasteByArea ? CalculationMethod.Area : CalculationMethod.PerResident);
        if (!mkd) return;

        if (b.CapitalRepairFundMethod == CapitalRepairFundMethod.RegionalOperator)
            Supplied(b, "capital_repair", _org.CapitalRepair, "КР", Max(since, new DateOnly(2014, 10, 1)), CalculationMethod.Area);
        var rate = _rng.Next(p.Lift ? 2800 : 1850, p.Lift ? 3891 : 3001) / 100m;
        var capitalRate = _rng.Next(1713, 2201) / 100m;
        foreach (var (org, from, to) in managers)
        {
            // The manager bills maintenance and the resources for common property (КР на СОИ), ЖК ст. 154 ч. 2.
            Supplied(b, "maintenance", org, "ДУ", from, CalculationMethod.Area, to);
            Supplied(b, "cpr_cold_water", org, "ДУ", from, CalculationMethod.CommonPropertyByArea, to);
            Supplied(b, "cpr_sewage", org, "ДУ", from, CalculationMethod.CommonPropertyByArea, to);
            Supplied(b, "cpr_electricity", org, "ДУ", from, CalculationMethod.CommonPropertyByArea, to);
            if (p.HotWater) Supplied(b, "cpr_hot_water", org, "ДУ", from, CalculationMethod.CommonPropertyByArea, to);
            if (b.CapitalRepairFundMethod == CapitalRepairFundMethod.SpecialAccount)
                Supplied(b, "capital_repair", org, "СС", Max(from, new DateOnly(2014, 10, 1)), CalculationMethod.Area, to);
            if (to is not null) continue;
            // The owners' meeting approves the maintenance rate of their building (ЖК ст. 156 ч. 7); it is revised with the tariffs.
            AddTariff(org, "maintenance", TariffZone.Single, rate, decimal.Round(rate * _rng.Next(104, 111) / 100m, 2, MidpointRounding.AwayFromZero), b.Id);
            if (b.CapitalRepairFundMethod == CapitalRepairFundMethod.SpecialAccount)
                AddTariff(org, "capital_repair", TariffZone.Single, capitalRate - 1.30m, capitalRate, b.Id);
        }
    }

    private void Supplied(Building b, string code, long supplier, string contractPrefix, DateOnly from, CalculationMethod method, DateOnly? to = null)
    {
        long service = _services[code];
        _t.ServiceContracts.Add(new ServiceContract
        {
            Id = _t.ServiceContracts.NextId(), BuildingId = b.Id, ServiceId = service, SupplierId = supplier,
            ContractNumber = string.Create(CultureInfo.InvariantCulture, $"{contractPrefix}-{from.Year}/{b.Id:D6}"),
            ValidFrom = from, ValidTo = to,
        });
        _t.BuildingServiceMethods.Add(new BuildingServiceMethod
        {
            Id = _t.BuildingServiceMethods.NextId(), BuildingId = b.Id, ServiceId = service, Method = method, ValidFrom = from, ValidTo = to,
        });
    }

    /// <summary>What a building has, decided once and used by its services, premises and meters.</summary>
    private sealed class BuildingProfile
    {
        public int Year;
        public DateOnly Commissioned;
        public bool Detached, HotWater, Gas, Lift;
        public bool HeatMeter, ColdWaterMeter, HotWaterMeter, PowerMeter;
        public bool ColdWater = true, Sewage = true;
    }

    // ---------------------------------------------------------------- random helpers

    private int Pct() => _rng.Next(100);

    private bool Chance(int percent) => _rng.Next(100) < percent;

    private T Pick<T>(T[] items) => items[_rng.Next(items.Length)];

    private T Pick<T>(T[] items, Func<T, int> weight)
    {
        int roll = _rng.Next(items.Sum(weight));
        foreach (var item in items)
            if ((roll -= weight(item)) < 0) return item;
        throw new InvalidOperationException("unreachable: the roll is below the total weight");
    }

    /// <summary>A day in <c>[from, to)</c>; <paramref name="from"/> itself when the range is empty.</summary>
    private DateOnly RandomDate(DateOnly from, DateOnly to) =>
        to.DayNumber > from.DayNumber ? DateOnly.FromDayNumber(_rng.Next(from.DayNumber, to.DayNumber)) : from;

    private static DateOnly FirstOfMonth(DateOnly d) => new(d.Year, d.Month, 1);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    /// <summary>A version-4 GUID from the seeded generator (a real ФИАС id would come from the ГАР import).</summary>
    private Guid NewGuid() => NewGuid(_rng);

    /// <summary>A version-4 GUID drawn from <paramref name="rng"/>.</summary>
    internal static Guid NewGuid(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40);
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Exact decimal from an integer number of 10^-scale units (no division, no rounding).</summary>
    private static decimal Units(long units, int scale) =>
        new(unchecked((int)units), (int)(units >> 32), 0, false, (byte)scale);
}
