using System.Globalization;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>How a meter's month is charged.</summary>
internal enum MeterMode
{
    Reading,
    Average,
    Norm,
}

/// <summary>Why a norm replaces the meter; decides the increasing coefficient (charges.md §4, §9.2).</summary>
internal enum NormReason
{
    /// <summary>No meter on these days though metering is required: coefficient.</summary>
    NoMeter,

    /// <summary>The building's method is the norm: coefficient where the resource has one.</summary>
    Method,

    /// <summary>Failure, expired verification or refused access beyond the п. 59 limit (п. 60, п. 85): coefficient.</summary>
    Failed,

    /// <summary>Missing readings beyond the п. 59 limit (case «б»): coefficient only with the option.</summary>
    MissingReadings,

    /// <summary>A norm without any coefficient (sewage when the water norms carried none).</summary>
    Plain,
}

/// <summary>The volume of one register of a meter for the month, with what happened on that register alone (a rollover, a gap).</summary>
internal sealed record RegisterVolume(int Register, TariffZone Zone, decimal Volume, IReadOnlyList<TraceInput> Inputs, string? Note = null);

/// <summary>A meter's month: in service over <c>[From, To)</c>, charged by readings, the п. 59 average, or handed to the norm.</summary>
internal sealed record MeterMonth(MeterSnapshot Meter, DateOnly From, DateOnly To, MeterMode Mode, NormReason Reason, IReadOnlyList<RegisterVolume> Registers, string? Note)
{
    public int ServiceDays => To.DayNumber - From.DayNumber;

    /// <summary>
    /// The meter's month. Readings of a month: the last valid reading dated within the month against the last valid
    /// reading dated before the month (or, for a meter commissioned in the month, its first reading). A reading that
    /// would give a negative volume and is no plausible rollover is rejected and the month goes on as without
    /// readings. Readings from the day of a failure, expired verification or refused access on are invalid.
    /// Null when the meter is not in service on any day of the month.
    /// </summary>
    public static MeterMonth? Evaluate(MeterSnapshot meter, BillingPeriod period, int averageLimit, ChargeSettings settings)
    {
        var from = Later(period.FirstDay, meter.InstalledOn);
        var to = meter.RemovedOn is { } removed && removed < period.End ? removed : period.End;
        if (from >= to) return null;

        var zones = ZonesOf(meter, settings);
        DateOnly? eventDay = Earliest(meter.NextVerificationOn, meter.FailedOn, meter.AccessRefusedOn);
        var registers = Enumerable.Range(1, meter.Zones).Select(r => Clean(meter, r, eventDay, settings)).ToList();
        string id = meter.MeterId.ToString(CultureInfo.InvariantCulture);
        int month = Index(period);

        // п. 59 «а», «в»: from the event, the average for up to the limit, then the norm with the coefficient (whole months).
        if (eventDay is { } e && e < period.End)
        {
            string what = e == meter.FailedOn ? "прибор учёта вышел из строя" : e == meter.AccessRefusedOn ? "потребитель не допустил к проверке прибора учёта" : "истёк межповерочный интервал";
            int k = month - Index(BillingPeriod.Of(e)) + 1;
            // The average is over the readings before the event, the same for every month of the limit.
            if (k <= averageLimit && Averages(meter, registers, zones, e, settings) is { } averages)
                return new(meter, from, to, MeterMode.Average, NormReason.Failed, averages,
                    $"ПУ {id}: {what} {e:dd.MM.yyyy}; среднемесячный объём, месяц {k} из {averageLimit} (п. 59 «а»)");
            return new(meter, from, to, MeterMode.Norm, NormReason.Failed, [],
                $"ПУ {id}: {what} {e:dd.MM.yyyy}; по нормативу с повышающим коэффициентом (п. 60)");
        }

        var rejected = registers.SelectMany(r => r.Rejected).Where(x => period.Range.Contains(x.ReadOn)).ToList();
        string? rejectedNote = rejected.Count == 0 ? null : string.Join(" ", rejected.Select(x =>
            string.Create(CultureInfo.InvariantCulture, $"ПУ {id}: показание {x.Value} от {x.ReadOn:dd.MM.yyyy} меньше предыдущего и не является переходом через ноль — отклонено, объём определён как при отсутствии показаний.")));

        if (registers.All(r => r.Kept.Any(x => period.Range.Contains(x.Reading.ReadOn))))
        {
            var volumes = new List<RegisterVolume>();
            foreach (var r in registers)
            {
                var notes = new List<string>();
                var current = r.Kept.Last(x => period.Range.Contains(x.Reading.ReadOn));
                int currentIndex = r.Kept.LastIndexOf(current);
                int previousIndex = r.Kept.FindLastIndex(x => x.Reading.ReadOn < period.FirstDay);
                if (previousIndex < 0) previousIndex = r.Kept.FindIndex(x => period.Range.Contains(x.Reading.ReadOn));
                var previous = r.Kept[previousIndex];
                decimal delta = 0m;
                bool rolled = false;
                for (int i = previousIndex + 1; i <= currentIndex; i++)
                {
                    delta += r.Kept[i].Volume;
                    rolled |= r.Kept[i].RolledOver;
                }
                string zone = meter.Zones > 1 ? $", T{r.Register}" : "";
                var inputs = new List<TraceInput>
                {
                    new($"Предыдущее показание ПУ {id}{zone} от {previous.Reading.ReadOn:dd.MM.yyyy}", previous.Reading.Value, ""),
                    new($"Текущее показание ПУ {id}{zone} от {current.Reading.ReadOn:dd.MM.yyyy}", current.Reading.Value, ""),
                };
                if (rolled) notes.Add($"ПУ {id}{zone}: переход счётчика через ноль (разрядность {meter.Digits}).");
                decimal volume = delta;
                int gap = previous.Reading.ReadOn < period.FirstDay ? month - Index(BillingPeriod.Of(previous.Reading.ReadOn)) - 1 : 0;
                if (gap > 0)
                {
                    // п. 59 «б»: the months without readings were charged by the average (or, past the limit, by the norm);
                    // the reading now covers them, so their average is taken off (the true-up to the actual volume).
                    var cutoff = BillingPeriod.Of(previous.Reading.ReadOn).Next().FirstDay;
                    inputs.Add(new("Объём по показаниям за период", delta, ""));
                    inputs.Add(new("Месяцев без показаний", gap, "мес."));
                    if (Average(r, cutoff, settings) is { } avg)
                    {
                        volume = delta - avg.Value * gap;
                        inputs.Add(new("Среднемесячный объём, учтённый за месяцы без показаний", avg.Value, ""));
                        notes.Add($"ПУ {id}{zone}: показания переданы после {gap} мес. без показаний; из объёма вычтен среднемесячный объём за эти месяцы (перерасчёт по п. 59 «б»).");
                    }
                    else
                    {
                        volume = delta / (gap + 1);
                        notes.Add($"ПУ {id}{zone}: показания переданы после {gap} мес. без показаний, среднего нет; объём распределён поровну на {gap + 1} мес.");
                    }
                }
                volumes.Add(new(r.Register, zones[r.Register - 1], volume, inputs, Join(notes)));
            }
            // Each register's notes stay on its own line: a rollover of the day register is not the night line's.
            return new(meter, from, to, MeterMode.Reading, NormReason.MissingReadings, volumes, null);
        }

        // п. 59 «б»: no readings this month.
        var lastMonths = registers.Select(r => r.Kept.LastOrDefault(x => x.Reading.ReadOn < period.FirstDay)).ToList();
        if (lastMonths.Any(x => x is null))
            return new(meter, from, to, MeterMode.Norm, NormReason.MissingReadings, [], Join([rejectedNote, $"ПУ {id}: нет показаний; по нормативу."]));
        int missing = month - lastMonths.Min(x => Index(BillingPeriod.Of(x!.Reading.ReadOn)));
        if (missing <= averageLimit && Averages(meter, registers, zones, period.FirstDay, settings) is { } substitute)
            return new(meter, from, to, MeterMode.Average, NormReason.MissingReadings, substitute,
                Join([rejectedNote, $"ПУ {id}: нет показаний {missing}-й месяц подряд; среднемесячный объём (п. 59 «б»)."]));
        return new(meter, from, to, MeterMode.Norm, NormReason.MissingReadings, [],
            Join([rejectedNote, missing <= averageLimit
                ? $"ПУ {id}: нет показаний, история меньше {settings.AverageMinimumMonths} мес.; по нормативу (п. 59, п. 60)."
                : $"ПУ {id}: нет показаний {missing}-й месяц подряд, дольше {averageLimit} мес.; по нормативу (п. 60)."]));
    }

    /// <summary>The volume of a building meter for the month (sum of registers), or null without readings.</summary>
    public static (decimal Volume, IReadOnlyList<TraceInput> Inputs, string? Note)? BuildingVolume(MeterSnapshot meter, BillingPeriod period, ChargeSettings settings)
    {
        var month = Evaluate(meter, period, averageLimit: 0, settings);
        if (month is not { Mode: MeterMode.Reading }) return null;
        return (month.Registers.Sum(r => r.Volume), month.Registers.SelectMany(r => r.Inputs).ToList(), Join([month.Note, .. month.Registers.Select(r => r.Note)]));
    }

    private static IReadOnlyList<RegisterVolume>? Averages(MeterSnapshot meter, List<CleanRegister> registers, IReadOnlyList<TariffZone> zones, DateOnly cutoff, ChargeSettings settings)
    {
        var result = new List<RegisterVolume>();
        string id = meter.MeterId.ToString(CultureInfo.InvariantCulture);
        foreach (var r in registers)
        {
            if (Average(r, cutoff, settings) is not { } avg) return null;
            string zone = meter.Zones > 1 ? $", T{r.Register}" : "";
            result.Add(new(r.Register, zones[r.Register - 1], avg.Value,
            [
                new($"Объём ПУ {id}{zone} с {avg.From:dd.MM.yyyy} по {avg.To:dd.MM.yyyy}", avg.Consumed, ""),
                new("Месяцев в расчёте среднего", avg.Months, "мес."),
                new($"Среднемесячный объём ПУ {id}{zone}", avg.Value, ""),
            ]));
        }
        return result;
    }

    /// <summary>
    /// п. 59: the average monthly consumption over the readings before <paramref name="cutoff"/>: from the latest reading
    /// back to the latest reading at least <see cref="ChargeSettings.AverageHistoryMonths"/> months earlier; a younger
    /// meter over its whole history if that is at least <see cref="ChargeSettings.AverageMinimumMonths"/>. Months are
    /// counted as billing months between the readings' months.
    /// </summary>
    private static (decimal Value, decimal Consumed, int Months, DateOnly From, DateOnly To)? Average(CleanRegister r, DateOnly cutoff, ChargeSettings settings)
    {
        int lastIndex = r.Kept.FindLastIndex(x => x.Reading.ReadOn < cutoff);
        if (lastIndex < 1) return null;
        int lastMonth = Index(BillingPeriod.Of(r.Kept[lastIndex].Reading.ReadOn));
        int baseIndex = r.Kept.FindLastIndex(lastIndex, x => Index(BillingPeriod.Of(x.Reading.ReadOn)) <= lastMonth - settings.AverageHistoryMonths);
        if (baseIndex < 0) baseIndex = 0;
        int months = lastMonth - Index(BillingPeriod.Of(r.Kept[baseIndex].Reading.ReadOn));
        if (months < settings.AverageMinimumMonths) return null;
        decimal consumed = 0m;
        for (int i = baseIndex + 1; i <= lastIndex; i++) consumed += r.Kept[i].Volume;
        return (consumed / months, consumed, months, r.Kept[baseIndex].Reading.ReadOn, r.Kept[lastIndex].Reading.ReadOn);
    }

    private sealed record Kept(ReadingSnapshot Reading, decimal Volume, bool RolledOver);

    private sealed record CleanRegister(int Register, List<Kept> Kept, List<ReadingSnapshot> Rejected);

    /// <summary>The register's valid readings in date order, each with its volume since the previous kept one; negative non-rollovers rejected.</summary>
    private static CleanRegister Clean(MeterSnapshot meter, int register, DateOnly? invalidFrom, ChargeSettings settings)
    {
        var kept = new List<Kept>();
        var rejected = new List<ReadingSnapshot>();
        var readings = new List<ReadingSnapshot>(meter.Readings.Count);
        bool ordered = true;
        foreach (var x in meter.Readings)
            if (x.Zone == register)
            {
                ordered &= readings.Count == 0 || readings[^1].ReadOn <= x.ReadOn;
                readings.Add(x);
            }
        // Readings come in date order from the loader; sorted here (stably) only when they do not.
        if (!ordered) readings = [.. readings.OrderBy(x => x.ReadOn)];
        foreach (var reading in readings)
        {
            if (reading.ReadOn < meter.InstalledOn || (meter.RemovedOn is { } removed && reading.ReadOn > removed)) continue;
            if (invalidFrom is { } bad && reading.ReadOn >= bad) continue;
            if (kept.Count == 0)
            {
                kept.Add(new(reading, 0m, false));
                continue;
            }
            var last = kept[^1].Reading.Value;
            if (ChargeFormulas.RegisterVolume(last, reading.Value, meter.Digits, settings.RolloverMaxShare) is { } volume)
                kept.Add(new(reading, volume, reading.Value < last));
            else
                rejected.Add(reading);
        }
        return new(register, kept, rejected);
    }

    private static IReadOnlyList<TariffZone> ZonesOf(MeterSnapshot meter, ChargeSettings settings) => meter.Zones switch
    {
        1 => [TariffZone.Single],
        2 => settings.TwoZoneRegisters,
        3 => settings.ThreeZoneRegisters,
        _ => throw new ChargeDataException($"ПУ {meter.MeterId}: число тарифных зон {meter.Zones} вне 1–3"),
    };

    internal static int Index(BillingPeriod period) => period.Year * 12 + period.Month;

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly? Earliest(DateOnly? a, DateOnly? b, DateOnly? c)
    {
        var earliest = a;
        if (b is { } x && (earliest is null || x < earliest)) earliest = x;
        if (c is { } y && (earliest is null || y < earliest)) earliest = y;
        return earliest;
    }

    private static string? Join(IEnumerable<string?> notes)
    {
        var text = string.Join(" ", notes.Where(n => !string.IsNullOrEmpty(n)));
        return text.Length == 0 ? null : text;
    }
}
