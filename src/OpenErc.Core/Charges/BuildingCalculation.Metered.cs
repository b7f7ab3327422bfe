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
        List<DateOnly>? meterPoints = null;
        foreach (var m in meters) (meterPoints ??= []).AddRange([m.From, m.To]);
        var pieces = new List<Piece>();
        List<MeterMonth>? covering = null;
        foreach (var (from, to) in Segments(account, ServicePoints(service), AccountPoints(account), meterPoints))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            if (method == CalculationMethod.Norm)
            {
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, NormReason.Method, null));
                continue;
            }
            if (method != CalculationMethod.IndividualMeter)
                throw new ChargeDataException($"Услуга {service.Code}: способ расчёта {method} не применим к ресурсу {service.Resource}");

            (covering ??= []).Clear();
            MeterMonth? failed = null;
            foreach (var m in meters)
                if (m.From <= from && to <= m.To)
                {
                    covering.Add(m);
                    if (failed is null && m.Mode == MeterMode.Norm) failed = m;
                }
            if (covering.Count == 0)
            {
                string? note = meters.Count > 0 ? "Дни без прибора учёта: по нормативу." : null;
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, NormReason.NoMeter, note));
            }
            else if (failed is not null)
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, failed.Reason, failed.Note));
            else
                foreach (var meter in covering)
                    MeterPieces(pieces, account, service, meter, from, to, supplier);
        }
        return pieces;
    }

    private void MeterPieces(List<Piece> pieces, AccountSnapshot account, ServiceSnapshot service, MeterMonth meter, DateOnly from, DateOnly to, long supplier)
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
            var inputs = new List<TraceInput>(register.Inputs.Count + 2 + rateInputs.Count);
            inputs.AddRange(register.Inputs);
            inputs.Add(new(average ? "Объём V (среднемесячный)" : "Объём V", register.Volume, service.Unit));
            if (share != 1m) inputs.Add(new("Доля в помещении", share, ""));
            inputs.AddRange(rateInputs);
            decimal volume = register.Volume * share;
            string formula = twoComponent ? "P = V × T_хв + V × q × T_тэ" : average ? "P = V_ср × T" : "P = V × T";
            string legal = (average ? "ПП 354, п. 59; прил. 2, ф. 1" : meter.Meter.Zones > 1 ? "ПП 354, п. 38; прил. 2, ф. 1" : "ПП 354, прил. 2, ф. 1")
                           + (twoComponent ? ", ф. 23" : "");
            pieces.Add(new Piece(from, to, average ? D : meter.ServiceDays, supplier, zone, average ? VolumeSource.Average : VolumeSource.Meter,
                volume, rate, 1m, ChargeFormulas.ByMeter(volume, rate), formula, legal, inputs,
                JoinNotes(meter.Note, register.Note, zoneNote)));
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
        var inputs = new List<TraceInput>(3 + rateInputs.Count)
        {
            new(byOwners ? "Собственники n" : "Проживающие n", persons, "чел."),
            new(NormName(norm), monthlyNorm, Units(service.Unit, "/чел.")),
        };
        inputs.AddRange(rateInputs);
        if (k != 1m) inputs.Add(new("Повышающий коэффициент K", k, ""));
        string? notes = JoinNotes(note,
            byOwners ? "Никто не проживает: по числу собственников (п. 56(2))." : null,
            impossible ? "Акт о технической невозможности установки ПУ: без повышающего коэффициента." : null);
        string formula = (twoComponent ? "P = n × N × (T_хв + q × T_тэ)" : "P = n × N × T") + (k != 1m ? " × K" : "");
        string legal = "ПП 354, п. 42; прил. 2, ф. 4" + (twoComponent ? ", ф. 23" : "") + (byOwners ? "; п. 56(2)" : "")
                       + (reason is NormReason.Failed or NormReason.MissingReadings ? "; п. 60" : "");
        return new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Norm, volume, rate, k,
            ChargeFormulas.ByNorm(persons, monthlyNorm, rate, k), formula, legal, inputs, notes)
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
        var water = WaterPieces(account, ServiceKind.Communal);
        var pieces = new List<Piece>();
        var overlapping = new List<(Resource Resource, Piece Piece)>();
        foreach (var (from, to) in Segments(account, ServicePoints(service), AccountPoints(account), PiecePoints(water)))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            overlapping.Clear();
            bool metered = false, due = false, byMeter = false, byAverage = false;
            foreach (var w in water)
            {
                if (!Overlaps(w.Piece, from, to)) continue;
                overlapping.Add(w);
                metered |= w.Piece.Source is VolumeSource.Meter or VolumeSource.Average;
                due |= w.Piece.CoefficientDue;
                byMeter |= w.Piece.Source == VolumeSource.Meter;
                byAverage |= w.Piece.Source == VolumeSource.Average;
            }
            if (method == CalculationMethod.Norm || (!metered && HasNorm(service, from)))
            {
                var reason = overlapping.Count == 0 || due ? NormReason.NoMeter : NormReason.Plain;
                AddNotNull(pieces, NormPiece(premise, account, service, from, to, supplier, method == CalculationMethod.Norm ? NormReason.Method : reason, null));
                continue;
            }
            if (method != CalculationMethod.IndividualMeter)
                throw new ChargeDataException($"Услуга {service.Code}: способ расчёта {method} не применим к водоотведению");
            if (overlapping.Count == 0) continue;

            var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
            var source = byMeter ? VolumeSource.Meter : byAverage ? VolumeSource.Average : VolumeSource.Norm;
            for (int pass = 0; pass < (S.CoefficientOnSewage ? 2 : 1); pass++)
            {
                bool withK = pass == 1;
                decimal cold = Part(Resource.ColdWater, withK), hot = Part(Resource.HotWater, withK);
                if (withK && cold + hot == 0m) continue;
                decimal k = withK ? Coefficient(Resource.Sewage, from) : 1m;
                var inputs = new List<TraceInput>(2 + rateInputs.Count + 1) { new("Объём ХВС", cold, service.Unit), new("Объём ГВС", hot, service.Unit) };
                inputs.AddRange(rateInputs);
                if (k != 1m) inputs.Add(new("Повышающий коэффициент K", k, ""));
                int days = to.DayNumber - from.DayNumber;
                pieces.Add(new Piece(from, to, days, supplier, TariffZone.Single, source, cold + hot, rate, k, (cold + hot) * rate * k,
                    k != 1m ? "P = (V_хв + V_гв) × T × K" : "P = (V_хв + V_гв) × T", "ПП 354, прил. 2, ф. 1 (объём водоотведения = ХВС + ГВС)", inputs,
                    source == VolumeSource.Meter ? null : "Объём водоотведения равен сумме объёмов ХВС и ГВС."));
            }

            decimal Part(Resource r, bool withK)
            {
                decimal sum = 0m;
                foreach (var w in overlapping)
                    if (w.Resource == r && (!S.CoefficientOnSewage || w.Piece.CoefficientDue == withK))
                        sum += w.Piece.Volume * OverlapDays(w.Piece, from, to) / w.Piece.Days;
                return sum;
            }
        }
        return pieces;
    }

    /// <summary>The month's pieces of the account's cold and hot water of a kind (its own or for common property), in the order of the services.</summary>
    private List<(Resource Resource, Piece Piece)> WaterPieces(AccountSnapshot account, ServiceKind kind)
    {
        var water = new List<(Resource, Piece)>();
        foreach (var s in B.Services)
            if (s.Kind == kind && s.Resource is Resource.ColdWater or Resource.HotWater && _pieces.TryGetValue((account.AccountId, s.Code), out var list))
                foreach (var p in list) water.Add((s.Resource, p));
        return water;
    }

    /// <summary>Where the pieces begin and end: change points of the lines made from them.</summary>
    private static List<DateOnly>? PiecePoints(List<(Resource Resource, Piece Piece)> pieces)
    {
        if (pieces.Count == 0) return null;
        var points = new List<DateOnly>(pieces.Count * 2);
        foreach (var (_, p) in pieces) points.AddRange([p.From, p.To]);
        return points;
    }

    /// <summary>Whether the service has a norm row in force on the day.</summary>
    private static bool HasNorm(ServiceSnapshot s, DateOnly day)
    {
        foreach (var n in s.Norms)
            if (n.IsValidOn(day)) return true;
        return false;
    }

    private static void AddNotNull(List<Piece> pieces, Piece? piece)
    {
        if (piece is not null) pieces.Add(piece);
    }
}
