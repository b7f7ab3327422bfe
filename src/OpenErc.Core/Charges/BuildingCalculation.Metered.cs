using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

internal sealed partial class BuildingCalculation
{
    private readonly Dictionary<(long Premise, Resource Resource), List<MeterMonth>> _meterMonths = [];

    private List<MeterMonth> MeterMonths(PremiseSnapshot premise, Resource resource)
    {
        if (_meterMonths.TryGetValue((premise.PremiseId, resource), out var cached)) return cached;
        int limit = premise.Kind == PremiseKind.Residential ? S.AverageMonthsLimit : S.AverageMonthsLimitNonResidential;
        var months = new List<MeterMonth>();
        foreach (var m in premise.Meters)
            if (m.Resource == resource && m.Kind is MeterKind.Individual or MeterKind.CommunalFlat && MeterMonth.Evaluate(m, P, limit, S) is { } month)
                months.Add(month);
        if (months.Count > 1) months.Sort((a, b) => a.Meter.MeterId.CompareTo(b.Meter.MeterId));
        _meterMonths[(premise.PremiseId, resource)] = months;
        return months;
    }

    /// <summary>
    /// Cold and hot water, electricity, gas: by the individual meter (ф. 1, zones by п. 38), the п. 59 average, or the
    /// norm × persons (ф. 4) with the increasing coefficient where due (п. 42, п. 60).
    /// </summary>
    private List<Piece> Metered(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service)
    {
        var meters = MeterMonths(premise, service.Resource);
        // A meter of a room of a communal flat is its account's alone.
        if (meters.Exists(m => m.Meter.AccountId is { } owner && owner != account.AccountId))
            meters = meters.FindAll(m => m.Meter.AccountId is null || m.Meter.AccountId == account.AccountId);
        var points = ServicePoints(service).Concat(AccountPoints(account)).Concat(meters.SelectMany(m => new[] { m.From, m.To }));
        var pieces = new List<Piece>();
        foreach (var (from, to) in Segments(account, points))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            if (method == CalculationMethod.Norm)
            {
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, NormReason.Method, null));
                continue;
            }
            if (method != CalculationMethod.IndividualMeter)
                throw new ChargeDataException($"Услуга {service.Code}: способ расчёта {method} не применим к ресурсу {service.Resource}");

            var covering = meters.Where(m => m.From <= from && to <= m.To).ToList();
            if (covering.Count == 0)
            {
                string? note = meters.Count > 0 ? "Дни без прибора учёта: по нормативу." : null;
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, NormReason.NoMeter, note));
            }
            else if (covering.FirstOrDefault(m => m.Mode == MeterMode.Norm) is { } failed)
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, failed.Reason, failed.Note));
            else
                foreach (var meter in covering)
                    pieces.AddRange(MeterPieces(account, service, meter, from, to, supplier));
        }
        return pieces;
    }

    private IEnumerable<Piece> MeterPieces(AccountSnapshot account, ServiceSnapshot service, MeterMonth meter, DateOnly from, DateOnly to, long supplier)
    {
        decimal share = meter.Meter.AccountId == account.AccountId ? 1m : account.Share;
        bool average = meter.Mode == MeterMode.Average;
        foreach (var register in meter.Registers)
        {
            var zone = register.Zone;
            string? zoneNote = null;
            if (zone != TariffZone.Single && RateOrNull(service, supplier, zone, from) is null)
            {
                zoneNote = $"Нет тарифа зоны {zone}: объём по одноставочному тарифу.";
                zone = TariffZone.Single;
            }
            var (rate, rateInputs, twoComponent) = UnitPrice(service, supplier, zone, from);
            var inputs = new List<TraceInput>(register.Inputs) { new(average ? "Объём V (среднемесячный)" : "Объём V", register.Volume, service.Unit) };
            if (share != 1m) inputs.Add(new("Доля в помещении", share, ""));
            inputs.AddRange(rateInputs);
            decimal volume = register.Volume * share;
            string formula = twoComponent ? "P = V × T_хв + V × q × T_тэ" : average ? "P = V_ср × T" : "P = V × T";
            string legal = (average ? "ПП 354, п. 59; прил. 2, ф. 1" : meter.Meter.Zones > 1 ? "ПП 354, п. 38; прил. 2, ф. 1" : "ПП 354, прил. 2, ф. 1")
                           + (twoComponent ? ", ф. 23" : "");
            yield return new Piece(from, to, average ? D : meter.ServiceDays, supplier, zone, average ? VolumeSource.Average : VolumeSource.Meter,
                volume, rate, 1m, ChargeFormulas.ByMeter(volume, rate), formula, legal, inputs, JoinNotes([meter.Note, register.Note, zoneNote]));
        }
    }

    /// <summary>ПП 354 п. 42, прил. 2 ф. 4: <c>n × N × T × K</c> for the segment; null when nobody is counted.</summary>
    private Piece? NormPiece(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, DateOnly from, DateOnly to, long supplier, NormReason reason, string? note)
    {
        var (persons, byOwners) = Persons(premise, account, from);
        if (persons == 0) return null;
        var norm = Norm(service, premise, from, persons, required: true)!;
        decimal monthlyNorm = Monthly(norm);
        var (rate, rateInputs, twoComponent) = UnitPrice(service, supplier, TariffZone.Single, from);

        bool due = reason is NormReason.NoMeter or NormReason.Method or NormReason.Failed
                   || (reason == NormReason.MissingReadings && S.CoefficientAfterMissingReadings);
        bool impossible = premise.MeterTechnicallyImpossible.Contains(service.Resource);
        due = due && !impossible && premise.Kind == PremiseKind.Residential;
        var resource = service.Resource;
        decimal k = due && (resource != Resource.Sewage || S.CoefficientOnSewage) ? Coefficient(resource, from) : 1m;

        decimal volume = persons * monthlyNorm;
        var inputs = new List<TraceInput>
        {
            new(byOwners ? "Собственники n" : "Проживающие n", persons, "чел."),
            new(NormName(norm), monthlyNorm, Units(service.Unit, "/чел.")),
        };
        inputs.AddRange(rateInputs);
        if (k != 1m) inputs.Add(new("Повышающий коэффициент K", k, ""));
        var notes = new List<string?> { note };
        if (byOwners) notes.Add("Никто не проживает: по числу собственников (п. 56(2)).");
        if (impossible) notes.Add("Акт о технической невозможности установки ПУ: без повышающего коэффициента.");
        string formula = (twoComponent ? "P = n × N × (T_хв + q × T_тэ)" : "P = n × N × T") + (k != 1m ? " × K" : "");
        string legal = "ПП 354, п. 42; прил. 2, ф. 4" + (twoComponent ? ", ф. 23" : "") + (byOwners ? "; п. 56(2)" : "")
                       + (reason is NormReason.Failed or NormReason.MissingReadings ? "; п. 60" : "");
        return new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Norm, volume, rate, k,
            ChargeFormulas.ByNorm(persons, monthlyNorm, rate, k), formula, legal, inputs, JoinNotes(notes))
        {
            Norm = new NormBasis(persons, byOwners, monthlyNorm, Profile(premise, service), premise.Rooms),
            CoefficientDue = due,
        };
    }

    /// <summary>
    /// Sewage (charges.md §5): the sum of the account's cold and hot water volumes (meter, average or norm, without the
    /// coefficient); when neither water is metered, the sewage norm × persons (ф. 4).
    /// </summary>
    private List<Piece> Sewage(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service)
    {
        var water = B.Services
            .Where(s => s.Kind == ServiceKind.Communal && s.Resource is Resource.ColdWater or Resource.HotWater)
            .SelectMany(s => (_pieces.GetValueOrDefault((account.AccountId, s.Code)) ?? []).Select(p => (s.Resource, Piece: p)))
            .ToList();
        var points = ServicePoints(service).Concat(AccountPoints(account)).Concat(water.SelectMany(w => new[] { w.Piece.From, w.Piece.To }));
        var pieces = new List<Piece>();
        foreach (var (from, to) in Segments(account, points))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            var overlappingWater = water.Where(w => Overlaps(w.Piece, from, to)).ToList();
            var overlapping = overlappingWater.Select(w => w.Piece).ToList();
            bool metered = overlapping.Any(p => p.Source is VolumeSource.Meter or VolumeSource.Average);
            bool hasNorm = service.Norms.ValidOn(from).Any();
            if (method == CalculationMethod.Norm || (!metered && hasNorm))
            {
                var reason = overlapping.Count == 0 || overlapping.Any(p => p.CoefficientDue) ? NormReason.NoMeter : NormReason.Plain;
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, method == CalculationMethod.Norm ? NormReason.Method : reason, null));
                continue;
            }
            if (method != CalculationMethod.IndividualMeter)
                throw new ChargeDataException($"Услуга {service.Code}: способ расчёта {method} не применим к водоотведению");
            if (overlapping.Count == 0) continue;

            decimal Part(Resource r, bool due) => overlappingWater
                .Where(w => w.Resource == r && (!S.CoefficientOnSewage || w.Piece.CoefficientDue == due))
                .Sum(w => w.Piece.Volume * OverlapDays(w.Piece, from, to) / w.Piece.Days);
            var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
            var source = overlapping.Any(p => p.Source == VolumeSource.Meter) ? VolumeSource.Meter
                : overlapping.Any(p => p.Source == VolumeSource.Average) ? VolumeSource.Average : VolumeSource.Norm;
            foreach (bool due in S.CoefficientOnSewage ? new[] { false, true } : [false])
            {
                decimal cold = Part(Resource.ColdWater, due), hot = Part(Resource.HotWater, due);
                if (due && cold + hot == 0m) continue;
                decimal k = due ? Coefficient(Resource.Sewage, from) : 1m;
                var inputs = new List<TraceInput> { new("Объём ХВС", cold, service.Unit), new("Объём ГВС", hot, service.Unit) };
                inputs.AddRange(rateInputs);
                if (k != 1m) inputs.Add(new("Повышающий коэффициент K", k, ""));
                int days = to.DayNumber - from.DayNumber;
                pieces.Add(new Piece(from, to, days, supplier, TariffZone.Single, source, cold + hot, rate, k, (cold + hot) * rate * k,
                    k != 1m ? "P = (V_хв + V_гв) × T × K" : "P = (V_хв + V_гв) × T", "ПП 354, прил. 2, ф. 1 (объём водоотведения = ХВС + ГВС)", inputs,
                    source == VolumeSource.Meter ? null : "Объём водоотведения равен сумме объёмов ХВС и ГВС."));
            }
        }
        return pieces;
    }

    private static void AddNotNull(List<Piece> pieces, Piece? piece)
    {
        if (piece is not null) pieces.Add(piece);
    }
}
