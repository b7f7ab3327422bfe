using System.Globalization;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Demo;

/// <summary>Meters (ИПУ, room meters, ОДПУ) and their readings of the months before the current one.</summary>
internal sealed partial class DemoGenerator
{
    /// <summary>Share (percent) of a winter month's heat by calendar month: the heating season runs October to May.</summary>
    private static readonly int[] HeatSeason = [100, 90, 80, 55, 20, 0, 0, 0, 5, 50, 80, 95];

    private static readonly string[] Operators = ["Иванова Е. А.", "Петрова О. В.", "Сидоренко М. С.", "Кузнецова Т. Н."];

    private sealed record MeterSpec(int VerificationYears, int Scale, int SerialDigits, string[] Models);

    private static readonly MeterSpec ColdWaterSpec = new(6, 3, 6, ["СВК-15Х", "ВСХ-15", "Пульсар 15Х", "Декаст ВСХ-15"]);
    private static readonly MeterSpec HotWaterSpec = new(4, 3, 6, ["СГВ-15", "ВСГ-15", "Пульсар 15Г", "Декаст ВСГ-15"]);
    private static readonly MeterSpec PowerSpec = new(16, 0, 10, ["Меркурий 201.8", "Нева 101 1S0", "СЕ 101 R5"]);
    private static readonly MeterSpec TwoZonePowerSpec = new(16, 0, 10, ["Меркурий 200.02", "Нева МТ 114", "СЕ 102М R5"]);
    private static readonly MeterSpec GasSpec = new(10, 3, 7, ["Гранд-4", "BK-G4", "СГМН-1 G6"]);
    private static readonly MeterSpec HeatSpec = new(4, 3, 8, ["ВКТ-7", "ТВ7", "СПТ 944"]);
    private static readonly MeterSpec CommonWaterSpec = new(4, 3, 8, ["ВСХН-50", "Взлёт ЭР", "ВСГН-50"]);
    private static readonly MeterSpec CommonPowerSpec = new(16, 0, 10, ["Меркурий 230 ART", "СЕ 303", "Нева МТ 315"]);

    private static MeterSpec Spec(Resource resource, MeterKind kind, int zones) => (resource, kind == MeterKind.CommonHouse) switch
    {
        (Resource.ColdWater, false) => ColdWaterSpec,
        (Resource.HotWater, false) => HotWaterSpec,
        (Resource.ColdWater or Resource.HotWater, true) => CommonWaterSpec,
        (Resource.Electricity, false) => zones > 1 ? TwoZonePowerSpec : PowerSpec,
        (Resource.Electricity, true) => CommonPowerSpec,
        (Resource.Gas, _) => GasSpec,
        (Resource.Heat, _) => HeatSpec,
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "no demo meter for this resource"),
    };

    private void WaterMeters(Building b, BuildingProfile p, Premise premise, int residents, int percent)
    {
        if (!Chance(percent)) return;
        // Older buildings often have two risers: a pair of meters in the kitchen and another in the bathroom.
        int risers = p.Year < 1995 && !p.Detached && Chance(20) ? 2 : 1;
        for (int r = 0; r < risers; r++)
        {
            IndividualMeter(b, p, premise, null, MeterKind.Individual, Resource.ColdWater, 1, residents, risers);
            if (p.HotWater) IndividualMeter(b, p, premise, null, MeterKind.Individual, Resource.HotWater, 1, residents, risers);
        }
    }

    private void IndividualMeter(Building b, BuildingProfile p, Premise premise, long? accountId, MeterKind kind, Resource resource,
        int zones, int residents, int risers = 1)
    {
        // Monthly consumption in the register's units (m³ in thousandths, kWh whole), each household with its own habits.
        long monthly = resource switch
        {
            Resource.ColdWater => Math.Clamp(1500 + 1800 * residents, 2000, 8000),
            Resource.HotWater => Math.Clamp(900 + 1100 * residents, 1200, 5000),
            Resource.Electricity => Math.Clamp(40 + 55 * residents, 80, 300),
            _ => 60_000, // gas of a detached house, heating included; scaled by the season below
        };
        monthly = monthly * _rng.Next(75, 126) / 100 / risers;
        var meter = NewMeter(b, premise.Id, accountId, kind, resource, zones, p.Commissioned);
        Readings(meter, monthly, seasonal: resource == Resource.Gas, PreferredSource(commonHouse: false));
    }

    private void CommonHouseMeters(Building b, BuildingProfile p, List<PremiseUnit> units)
    {
        int residents = units.Sum(u => u.Residents);
        var earliest = Max(p.Commissioned, new DateOnly(2012, 1, 1));
        if (p.HeatMeter)
            Readings(NewMeter(b, null, null, MeterKind.CommonHouse, Resource.Heat, 1, earliest),
                (long)(b.TotalArea * 18), seasonal: true, PreferredSource(commonHouse: true));
        if (p.ColdWaterMeter)
            Readings(NewMeter(b, null, null, MeterKind.CommonHouse, Resource.ColdWater, 1, earliest),
                (3300L * residents + 600L * units.Count) * _rng.Next(100, 112) / 100, seasonal: false, PreferredSource(commonHouse: true));
        if (p.HotWaterMeter)
            Readings(NewMeter(b, null, null, MeterKind.CommonHouse, Resource.HotWater, 1, earliest),
                (2000L * residents + 300L * units.Count) * _rng.Next(100, 112) / 100, seasonal: false, PreferredSource(commonHouse: true));
        if (p.PowerMeter)
            Readings(NewMeter(b, null, null, MeterKind.CommonHouse, Resource.Electricity, 1, earliest),
                40L * units.Count + 55L * residents + (long)(b.CommonPropertyArea * (p.Lift ? 2 : 1)), seasonal: false, PreferredSource(commonHouse: true));
    }

    /// <summary>
    /// A meter with its service history: installed after <paramref name="earliest"/>, and at each due verification
    /// either replaced, verified again or — now and then — left to expire.
    /// </summary>
    private Meter NewMeter(Building b, long? premiseId, long? accountId, MeterKind kind, Resource resource, int zones, DateOnly earliest)
    {
        var spec = Spec(resource, kind, zones);
        var installed = RandomDate(Max(earliest, new DateOnly(2010, 1, 1)), _today.AddDays(-20));
        var verified = installed;
        var next = installed.AddYears(spec.VerificationYears);
        while (next <= _today)
        {
            int roll = Pct();
            if (roll < 8) break; // nobody came: the verification interval has run out
            var on = next.AddDays(-_rng.Next(0, 45));
            if (roll < 60) installed = on; // replacing a cheap water meter is the usual "verification"
            verified = on;
            next = on.AddYears(spec.VerificationYears);
        }
        var sealedOn = installed.AddDays(_rng.Next(0, 15));
        long serial = _rng.NextInt64(1, Pow10(spec.SerialDigits));
        return _t.Meters.Add(new Meter
        {
            Id = _t.Meters.NextId(), Kind = kind, Resource = resource, BuildingId = b.Id, PremiseId = premiseId, AccountId = accountId,
            SerialNumber = string.Create(CultureInfo.InvariantCulture, $"{installed.Year % 100:D2}{serial.ToString("D" + spec.SerialDigits, CultureInfo.InvariantCulture)}"),
            Model = Pick(spec.Models), Zones = zones,
            Digits = (kind, resource) switch
            {
                (MeterKind.CommonHouse, Resource.Electricity) => 8,
                (MeterKind.CommonHouse, _) => 7,
                (_, Resource.Electricity) => Chance(40) ? 6 : 5,
                _ => 5,
            },
            InstalledOn = installed, SealedOn = sealedOn < _today ? sealedOn : null, VerifiedOn = verified, NextVerificationOn = next,
        });
    }

    /// <summary>
    /// Readings on the 20th–25th of each of the months before the current one (<see cref="_readingMonths"/>), one row per zone, growing by
    /// <paramref name="monthly"/> (±40 %). Some meters skip months, a few never report, readings of an expired
    /// meter are not taken, and the register rolls over at 10^Digits.
    /// </summary>
    private void Readings(Meter meter, long monthly, bool seasonal, ReadingSource preferred)
    {
        if (Chance(2)) return;
        bool gaps = Chance(10);
        var spec = Spec(meter.Resource, meter.Kind, meter.Zones);
        long unit = Pow10(spec.Scale);
        long modulus = Pow10(meter.Digits + spec.Scale);
        var first = _today.AddMonths(-_readingMonths);
        int monthsBefore = Math.Max(0, (first.Year - meter.InstalledOn.Year) * 12 + first.Month - meter.InstalledOn.Month);

        Span<long> value = stackalloc long[meter.Zones];
        for (int z = 0; z < value.Length; z++)
            value[z] = (monthsBefore * monthly * _rng.Next(85, 116) / 100 + _rng.Next(0, 20) * unit / 10) * ZoneShare(meter.Zones, z) / 100;

        for (int i = 0; i < _readingMonths; i++)
        {
            var month = first.AddMonths(i);
            var readOn = month.AddDays(_rng.Next(19, 25));
            if (readOn <= meter.InstalledOn) continue;
            long use = monthly * _rng.Next(60, 141) / 100 * (seasonal ? HeatSeason[month.Month - 1] : 100) / 100;
            for (int z = 0; z < value.Length; z++) value[z] += use * ZoneShare(meter.Zones, z) / 100;
            if (meter.NextVerificationOn <= readOn || gaps && Chance(30)) continue;

            var source = Chance(85) ? preferred : (ReadingSource)_rng.Next(1, 6);
            var enteredAt = EnteredAt(readOn, source);
            string? enteredBy = source switch
            {
                ReadingSource.Operator => Pick(Operators),
                ReadingSource.Cabinet => "личный кабинет",
                ReadingSource.Bank => "ПАО «Новоградкомбанк»",
                ReadingSource.Import => "реестр показаний управляющей организации",
                _ => "АСКУЭ",
            };
            for (int z = 0; z < value.Length; z++)
                _t.MeterReadings.Add(new MeterReading
                {
                    Id = _t.MeterReadings.NextId(), MeterId = meter.Id, Zone = z + 1, ReadOn = readOn,
                    Value = Units(value[z] % modulus, spec.Scale), Source = source, EnteredBy = enteredBy, EnteredAt = enteredAt,
                });
        }
    }

    private static long Pow10(int n)
    {
        long result = 1;
        for (int i = 0; i < n; i++) result *= 10;
        return result;
    }

    /// <summary>Percent of the consumption on a zone: a two-zone meter counts about 70 % by day and 30 % by night.</summary>
    private static int ZoneShare(int zones, int zone) => zones == 1 ? 100 : zone == 0 ? 70 : 30;

    private ReadingSource PreferredSource(bool commonHouse) => commonHouse
        ? Chance(70) ? ReadingSource.Automatic : ReadingSource.Operator
        : Pct() switch
        {
            < 40 => ReadingSource.Cabinet,
            < 60 => ReadingSource.Bank,
            < 75 => ReadingSource.Operator,
            < 90 => ReadingSource.Import,
            _ => ReadingSource.Automatic,
        };

    /// <summary>When the reading reached us, in UTC (the region lives at UTC+5): files and banks come a day or three later.</summary>
    private DateTimeOffset EnteredAt(DateOnly readOn, ReadingSource source)
    {
        var (delayDays, fromHour, toHour) = source switch
        {
            ReadingSource.Bank or ReadingSource.Import => (_rng.Next(1, 4), 3, 13),
            ReadingSource.Operator => (0, 4, 12),
            ReadingSource.Automatic => (0, 19, 20), // the night poll at midnight local time
            _ => (0, 0, 19),
        };
        var at = readOn.AddDays(delayDays).ToDateTime(new TimeOnly(_rng.Next(fromHour, toHour), _rng.Next(0, 60), _rng.Next(0, 60)));
        return new DateTimeOffset(at, TimeSpan.Zero);
    }
}
