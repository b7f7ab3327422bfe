using System.Globalization;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

internal sealed partial class BuildingCalculation
{
    /// <summary>
    /// Temporary absence (ПП 354 п. 86–90; recalculations.md §1): for an absence of more than 5 full days, the full
    /// days of this month (departure and arrival days excluded) reduce the norm × residents charges of the services
    /// whose meter is technically impossible (sewage follows the water), and waste by residents (п. 148(44)).
    /// <c>ΔP = − (n × N(n) − (n − m) × N(n − m)) × T × K × D_abs / D_month</c>, i.e. <c>− m × N × T × D_abs / D</c> when
    /// the norm does not depend on the count (the electricity row is chosen for the persons actually present).
    /// Not: heating, КР на СОИ, housing services, waste by area (Приложение 4 awaits its text).
    /// </summary>
    private void TemporaryAbsence(PremiseSnapshot premise, AccountSnapshot account, List<ServiceSnapshot> services)
    {
        var absent = new SortedDictionary<DateOnly, int>();
        foreach (var absence in account.Absences)
        {
            if (absence.Returned.DayNumber - absence.Departed.DayNumber - 1 <= 5) continue;
            for (var day = absence.Departed.AddDays(1); day < absence.Returned; day = day.AddDays(1))
                if (P.Range.Contains(day)) absent[day] = absent.GetValueOrDefault(day) + absence.Persons;
        }
        if (absent.Count == 0) return;

        var waterReductions = new List<(Resource Resource, Piece Piece)>();
        foreach (var service in services.OrderBy(s => s.Resource == Resource.Sewage))
        {
            if (!_pieces.TryGetValue((account.AccountId, service.Code), out var pieces) || !AbsenceApplies(premise, service)) continue;
            var result = new List<Piece>();
            foreach (var piece in pieces)
            {
                foreach (var (from, to, persons) in Runs(absent, piece.From, piece.To))
                {
                    if (piece.Norm is { ByOwners: false } basis)
                        result.Add(AbsencePiece(premise, service, piece, basis, from, to, persons));
                    else if (service.Resource == Resource.Sewage && piece.Norm is null)
                        AddNotNull(result, SewageAbsencePiece(service, piece, from, to, waterReductions));
                }
            }
            if (service.Resource is Resource.ColdWater or Resource.HotWater)
                waterReductions.AddRange(result.Select(p => (service.Resource, p)));
            Charge(account, service, result, ChargeLineKind.TemporaryAbsence);
        }
    }

    private static bool AbsenceApplies(PremiseSnapshot premise, ServiceSnapshot service) => service.Kind switch
    {
        ServiceKind.Communal => service.Resource switch
        {
            Resource.None => true,
            Resource.Heat => false,
            Resource.Sewage => premise.MeterTechnicallyImpossible.Overlaps([Resource.ColdWater, Resource.HotWater, Resource.Sewage]),
            var r => premise.MeterTechnicallyImpossible.Contains(r),
        },
        _ => false,
    };

    /// <summary>Consecutive days within <c>[from, to)</c> with the same number of absent persons.</summary>
    private static IEnumerable<(DateOnly From, DateOnly To, int Persons)> Runs(SortedDictionary<DateOnly, int> absent, DateOnly from, DateOnly to)
    {
        DateOnly? start = null;
        int persons = 0;
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            int m = day < to ? absent.GetValueOrDefault(day) : 0;
            if (start is { } s && m != persons)
            {
                if (persons > 0) yield return (s, day, persons);
                start = null;
            }
            if (start is null && m > 0)
            {
                start = day;
                persons = m;
            }
        }
    }

    private Piece AbsencePiece(PremiseSnapshot premise, ServiceSnapshot service, Piece piece, NormBasis basis, DateOnly from, DateOnly to, int absentPersons)
    {
        int n = basis.Persons;
        int m = Math.Min(absentPersons, n);
        decimal remainingNorm = basis.MonthlyNorm;
        if (n - m > 0 && NormSelector.Select(service.Norms, from, basis.Profile, basis.Rooms, n - m, service.Code) is { } row)
            remainingNorm = Monthly(row);
        decimal volume = -(n * basis.MonthlyNorm - (n - m) * remainingNorm);
        var inputs = new List<TraceInput>
        {
            new("Проживающие n", n, "чел."),
            new("Временно отсутствовали m", m, "чел."),
            new("Норматив N", basis.MonthlyNorm, service.Unit + "/чел."),
        };
        if (remainingNorm != basis.MonthlyNorm) inputs.Add(new("Норматив для n − m", remainingNorm, service.Unit + "/чел."));
        inputs.Add(new("Тариф", piece.Rate, Units("₽/", service.Unit)));
        if (piece.Coefficient != 1m) inputs.Add(new("Повышающий коэффициент K", piece.Coefficient, ""));
        string formula = remainingNorm == basis.MonthlyNorm ? "ΔP = − m × N × T × D_отс / D_мес" : "ΔP = − (n × N(n) − (n − m) × N(n − m)) × T × D_отс / D_мес";
        string legal = service.Resource == Resource.None ? "ПП 354, п. 148(44)" : "ПП 354, п. 86, 90";
        return new Piece(from, to, D, piece.SupplierId, TariffZone.Single, VolumeSource.Correction, volume, piece.Rate, piece.Coefficient,
            volume * piece.Rate * piece.Coefficient, formula, legal, inputs,
            $"Временное отсутствие: полных дней {(to.DayNumber - from.DayNumber).ToString(CultureInfo.InvariantCulture)}, без дней выбытия и прибытия.");
    }

    /// <summary>Sewage charged as the sum of water volumes follows the water reductions of the same days.</summary>
    private static Piece? SewageAbsencePiece(ServiceSnapshot service, Piece piece, DateOnly from, DateOnly to, List<(Resource Resource, Piece Piece)> water)
    {
        decimal Part(Resource r) => water.Where(w => w.Resource == r && Overlaps(w.Piece, from, to))
            .Sum(w => w.Piece.Volume * OverlapDays(w.Piece, from, to) / w.Piece.Days);
        decimal cold = Part(Resource.ColdWater), hot = Part(Resource.HotWater);
        if (cold + hot == 0m) return null;
        int days = to.DayNumber - from.DayNumber;
        return new Piece(from, to, days, piece.SupplierId, TariffZone.Single, VolumeSource.Correction, cold + hot, piece.Rate, 1m, (cold + hot) * piece.Rate,
            "ΔP = (ΔV_хв + ΔV_гв) × T", "ПП 354, п. 86, 90",
            [new("Снижение объёма ХВС", cold, service.Unit), new("Снижение объёма ГВС", hot, service.Unit), new("Тариф", piece.Rate, "₽/" + service.Unit)],
            "Временное отсутствие: водоотведение по снижению объёмов ХВС и ГВС.");
    }

    /// <summary>
    /// Inadequate quality and interruptions (ПП 354 п. 98–101; прил. 1 as <see cref="QualityTable"/>): each incident kind
    /// of the service gives a share of the month's charge by its table row; the shares add up, capped at 100 %.
    /// One negative line per supplier, <c>ΔP = − P × share</c>, P = the month's unrounded charge of the service.
    /// </summary>
    private void QualityReductions(PremiseSnapshot premise, AccountSnapshot account, List<ServiceSnapshot> services)
    {
        // Most buildings have no incident in a month: nothing to look for per account and service.
        if (B.Incidents.Count == 0) return;
        var monthStart = P.FirstDay.ToDateTime(TimeOnly.MinValue);
        var monthEnd = P.End.ToDateTime(TimeOnly.MinValue);
        foreach (var service in services)
        {
            var incidents = B.Incidents
                .Where(i => i.ServiceCode == service.Code && (i.PremiseIds is null || i.PremiseIds.Contains(premise.PremiseId)) && i.End > monthStart && i.Start < monthEnd)
                .Select(i => i with { Start = i.Start < monthStart ? monthStart : i.Start, End = i.End > monthEnd ? monthEnd : i.End })
                .OrderBy(i => i.Start).ThenBy(i => i.Kind)
                .ToList();
            if (incidents.Count == 0 || !_pieces.TryGetValue((account.AccountId, service.Code), out var pieces)) continue;

            var inputs = new List<TraceInput>();
            var items = new SortedSet<int>();
            var notes = new List<string?>();
            decimal share = 0m;
            foreach (var group in incidents.GroupBy(i => i.Kind).OrderBy(g => g.Key))
            {
                var rule = S.QualityTable.Find(service.Resource, group.Key, B.TwoIndependentPowerSources)
                    ?? throw new ChargeDataException($"Услуга {service.Code}: в таблице качества нет строки для «{group.Key}»");
                items.Add(rule.Item);
                share += RuleShare(rule, group.ToList(), incidents, service, pieces, inputs, notes);
            }
            if (share <= 0m) continue;
            if (share > 1m) notes.Add("Снижение ограничено 100 % платы за месяц.");
            decimal capped = Math.Min(1m, share);
            var reductions = new List<Piece>();
            foreach (var bySupplier in pieces.GroupBy(p => p.SupplierId).OrderBy(g => g.Key))
            {
                decimal charge = bySupplier.Sum(p => p.Unrounded);
                decimal volume = bySupplier.Sum(p => p.Volume);
                var last = bySupplier.OrderBy(p => p.To).Last();
                var lineInputs = new List<TraceInput> { new("Начислено за месяц P", charge, "₽") };
                lineInputs.AddRange(inputs);
                lineInputs.Add(new("Доля снижения", capped, ""));
                reductions.Add(new Piece(P.FirstDay, P.End, D, bySupplier.Key, TariffZone.Single, VolumeSource.Correction, -volume * capped, last.Rate, 1m,
                    ChargeFormulas.QualityReduction(charge, capped), "ΔP = − P × доля снижения",
                    "ПП 354, п. 98, 101; прил. 1, п. " + string.Join(", ", items), lineInputs, JoinNotes(notes)));
            }
            Charge(account, service, reductions, ChargeLineKind.QualityReduction);
        }
    }

    private decimal RuleShare(QualityRule rule, List<ServiceIncident> group, List<ServiceIncident> all, ServiceSnapshot service, List<Piece> pieces,
        List<TraceInput> inputs, List<string?> notes)
    {
        string item = $"п. {rule.Item.ToString(CultureInfo.InvariantCulture)}";
        switch (rule.Basis)
        {
            case ReductionBasis.ExcessHours or ReductionBasis.ExcessDays:
            {
                var events = group.Select(i => (Hours(i.Start, i.End), SingleLimit(rule, i))).ToList();
                decimal excess = ChargeFormulas.ExcessHours(events, rule.MonthlyAllowedHours, S.ExcessHoursRule);
                inputs.Add(new($"{item}: часов всего", events.Sum(e => e.Item1), "ч"));
                inputs.Add(new($"{item}: часов сверх допустимого", excess, "ч"));
                if (rule.Basis == ReductionBasis.ExcessHours) return rule.Rate * excess;
                decimal days = S.WholeWasteDelayDays ? decimal.Floor(excess / 24m) : excess / 24m;
                inputs.Add(new($"{item}: суток сверх допустимого", days, "сут."));
                return rule.Rate * days;
            }
            case ReductionBasis.Days:
                return DaysShare(group, item, inputs);
            case ReductionBasis.DeviationHours:
            {
                var byDays = group.Where(i => rule.DaysAbovePercent is { } limit && i.DeviationPercent > limit).ToList();
                var byHours = group.Except(byDays).ToList();
                decimal hours = byHours.Sum(i => Hours(i.Start, i.End));
                decimal result = 0m;
                if (byHours.Count > 0)
                {
                    inputs.Add(new($"{item}: часов отклонения", hours, "ч"));
                    result += rule.Rate * hours;
                }
                if (byDays.Count > 0) result += DaysShare(byDays, item + " (отклонение более " + rule.DaysAbovePercent?.ToString(CultureInfo.InvariantCulture) + " %)", inputs);
                return result;
            }
            case ReductionBasis.DegreeHours or ReductionBasis.TemperatureSteps:
            {
                var interruptions = rule.NotDuringInterruption ? all.Where(i => i.Kind == IncidentKind.Interruption).ToList() : [];
                decimal units = 0m, coldHours = 0m;
                foreach (var incident in group)
                {
                    decimal deviation = incident.DeviationDegrees
                        ?? throw new ChargeDataException($"Услуга {service.Code}: у инцидента с {incident.Start:dd.MM.yyyy HH:mm} нет отклонения температуры");
                    foreach (var (hours, night) in SplitNight(incident.Start, incident.End, interruptions))
                    {
                        if (rule.ColdRateAboveDeviation is { } cold && deviation > cold)
                        {
                            coldHours += hours;
                            continue;
                        }
                        decimal excess = deviation >= 0
                            ? deviation - (night ? rule.NightAllowedDegrees : rule.DayAllowedDegrees)
                            : rule.AboveNormAllowedDegrees is { } above ? -deviation - above : 0m;
                        if (excess <= 0) continue;
                        decimal steps = rule.Basis == ReductionBasis.DegreeHours ? excess
                            : S.WholeTemperatureSteps ? decimal.Floor(excess / rule.DegreeStep) : excess / rule.DegreeStep;
                        units += hours * steps;
                    }
                }
                decimal result = rule.Rate * units;
                inputs.Add(new(rule.Basis == ReductionBasis.DegreeHours ? $"{item}: градусо-часов сверх допустимого" : $"{item}: часов × шагов по {rule.DegreeStep.ToString(CultureInfo.InvariantCulture)} °C", units, ""));
                if (coldHours > 0) result += ColdRateShare(service, pieces, coldHours, item, inputs, notes);
                return result;
            }
            default:
                throw new ChargeDataException($"Неизвестное основание снижения {rule.Basis}");
        }
    }

    private decimal DaysShare(List<ServiceIncident> incidents, string item, List<TraceInput> inputs)
    {
        // A day counts when any part of it had the deviation (п. 101: "for each day of inadequate quality").
        var days = new HashSet<DateOnly>();
        foreach (var incident in incidents)
            for (var day = DateOnly.FromDateTime(incident.Start); day.ToDateTime(TimeOnly.MinValue) < incident.End; day = day.AddDays(1))
                days.Add(day);
        inputs.Add(new($"{item}: дней ненадлежащего качества", days.Count, "дн."));
        return (decimal)days.Count / D;
    }

    /// <summary>Hot water below 40 °C is paid at the cold-water rate for those hours (прил. 1 п. 5): the share <c>(1 − T_хв / T_гв) × h / (24 × D)</c>.</summary>
    private decimal ColdRateShare(ServiceSnapshot service, List<Piece> pieces, decimal hours, string item, List<TraceInput> inputs, List<string?> notes)
    {
        var last = pieces.OrderBy(p => p.To).Last();
        var day = last.To.AddDays(-1);
        decimal? cold = RateOrNull(service, last.SupplierId, TariffZone.Single, day, TariffPart.Unit) is { } unit
                        && RateOrNull(service, last.SupplierId, TariffZone.Single, day, TariffPart.HeatEnergy) is not null
            ? unit
            : B.Services.Where(s => s.Kind == ServiceKind.Communal && s.Resource == Resource.ColdWater)
                .Select(s => Supplier(s, day) is { } supplier ? RateOrNull(s, supplier, TariffZone.Single, day) : null).FirstOrDefault(r => r is not null);
        if (cold is not { } coldRate || last.Rate <= 0)
        {
            notes.Add("Температура ГВС ниже 40 °C, но тариф ХВС неизвестен: эти часы не учтены.");
            return 0m;
        }
        inputs.Add(new($"{item}: часов с температурой ниже 40 °C (оплата по тарифу ХВС)", hours, "ч"));
        inputs.Add(new("Тариф ХВС", coldRate, "₽/м³"));
        return (1m - coldRate / last.Rate) * hours / (24m * D);
    }

    private static decimal? SingleLimit(QualityRule rule, ServiceIncident incident)
    {
        if (incident.Temperature is { } t)
            foreach (var band in rule.SingleAllowedByTemperature)
                if ((band.Minimum is null || t >= band.Minimum) && (band.Maximum is null || t <= band.Maximum))
                    return band.Hours;
        return rule.SingleAllowedHours;
    }

    private static decimal Hours(DateTime from, DateTime to) => to > from ? (decimal)(to - from).Ticks / TimeSpan.TicksPerHour : 0m;

    /// <summary>The incident's hours cut into night (00:00–05:00) and day parts, without the hours of the given interruptions.</summary>
    private static IEnumerable<(decimal Hours, bool Night)> SplitNight(DateTime start, DateTime end, List<ServiceIncident> excluded)
    {
        var cuts = new SortedSet<DateTime> { start, end };
        for (var day = start.Date; day < end; day = day.AddDays(1))
            foreach (var cut in new[] { day, day.AddHours(5) })
                if (cut > start && cut < end) cuts.Add(cut);
        foreach (var e in excluded)
        {
            if (e.Start > start && e.Start < end) cuts.Add(e.Start);
            if (e.End > start && e.End < end) cuts.Add(e.End);
        }
        var list = cuts.ToList();
        for (int i = 0; i + 1 < list.Count; i++)
        {
            var (a, b) = (list[i], list[i + 1]);
            if (excluded.Any(e => e.Start <= a && b <= e.End)) continue;
            yield return (Hours(a, b), a.TimeOfDay < TimeSpan.FromHours(5));
        }
    }
}
