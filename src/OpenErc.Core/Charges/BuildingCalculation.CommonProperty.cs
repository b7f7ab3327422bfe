using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>How the building's КР на СОИ volume of a resource is found this month.</summary>
internal enum CommonPropertyMode
{
    /// <summary>ОДПУ: ф. 11 (ф. 12 for hot water), capped at the norm where configured.</summary>
    Meter,

    /// <summary>No ОДПУ (or no readings): ф. 15.</summary>
    Norm,

    /// <summary>Sewage for common property = the cold and hot water for common property of the same account.</summary>
    WaterSum,
}

internal sealed record CommonPropertyBasis(CommonPropertyMode Mode, decimal Volume, IReadOnlyList<TraceInput> Inputs, bool Capped, string? Note);

internal sealed partial class BuildingCalculation
{
    /// <summary>
    /// The building step of КР на СОИ (charges.md §10): with an ОДПУ <c>V_д − Σ V_u</c> over all premises' volumes of
    /// the resource (meter, average or norm, without the coefficient), a negative result billed as 0 with the figure
    /// in the trace [uncertain], at most the norm volume <c>N_одн × S_ои</c> when
    /// <see cref="ChargeSettings.CapCommonPropertyAtNorm"/> (ЖК ст. 156 ч. 9.2); without readings of the ОДПУ the norm (ф. 15).
    /// </summary>
    private CommonPropertyBasis CommonPropertyBasis(ServiceSnapshot service, List<(PremiseSnapshot Premise, AccountSnapshot Account)> accounts)
    {
        var resource = service.Resource;
        bool hasMeter = B.CommonHouseMeters.Any(m => m.Resource == resource);
        if (BuildingMeterVolume(resource) is { } meter)
        {
            decimal premises = B.Services
                .Where(s => s.Kind == ServiceKind.Communal && s.Resource == resource)
                .SelectMany(s => accounts.SelectMany(a => _pieces.GetValueOrDefault((a.Account.AccountId, s.Code)) ?? []))
                .Sum(p => p.Volume);
            decimal raw = ChargeFormulas.CommonPropertyVolumeByMeter(meter.Volume, premises);
            var inputs = new List<TraceInput>(meter.Inputs)
            {
                new("Объём по ОДПУ V_д", meter.Volume, service.Unit),
                new("Объём всех помещений Σ V_u", premises, service.Unit),
                new("Объём на СОИ V_д − Σ V_u", raw, service.Unit),
            };
            var notes = new List<string?> { meter.Note };
            decimal billed = raw;
            if (raw < 0)
            {
                billed = 0m;
                notes.Add("Объём по ОДПУ меньше суммы объёмов помещений: к распределению 0.");
            }
            bool capped = false;
            if (S.CapCommonPropertyAtNorm && MonthCommonPropertyNorm(service) is { } normVolume)
            {
                inputs.Add(new("Объём по нормативу N_одн × S_ои", normVolume, service.Unit));
                if (billed > normVolume)
                {
                    billed = normVolume;
                    capped = true;
                    notes.Add("Объём ограничен нормативом (ЖК РФ ст. 156 ч. 9.2); превышение — за счёт исполнителя.");
                }
            }
            inputs.Add(new("Объём на СОИ к распределению", billed, service.Unit));
            return new(CommonPropertyMode.Meter, billed, inputs, capped, JoinNotes(notes));
        }
        string? note = hasMeter ? "Нет показаний ОДПУ за месяц: по нормативу (ф. 15)." : null;
        if (resource == Resource.Sewage && (!service.Norms.Any() || B.CommonHouseMeters.Any(m => m.Resource is Resource.ColdWater or Resource.HotWater)))
            return new(CommonPropertyMode.WaterSum, 0m, [], false, "Водоотведение на СОИ равно сумме ХВС и ГВС на СОИ.");
        return new(CommonPropertyMode.Norm, 0m, [], false, note);
    }

    /// <summary>The norm volume of the whole month, <c>Σ N_одн × S_ои × days / D</c> over norm changes; null without norms.</summary>
    private decimal? MonthCommonPropertyNorm(ServiceSnapshot service)
    {
        if (service.Norms.Count == 0) return null;
        decimal area = CommonArea(service.Resource);
        var cuts = Points(service.Norms).Where(d => d > P.FirstDay && d < P.End).Append(P.FirstDay).Append(P.End).Distinct().Order().ToList();
        decimal total = 0m;
        for (int i = 0; i + 1 < cuts.Count; i++)
        {
            if (Norm(service, null, cuts[i], 0, required: false) is not { } norm) return null;
            int days = cuts[i + 1].DayNumber - cuts[i].DayNumber;
            total += days == D ? ChargeFormulas.CommonPropertyVolumeByNorm(Monthly(norm), area) : Monthly(norm) * area * days / D;
        }
        return total;
    }

    /// <summary>A premise's КР на СОИ (ф. 10 with 11, 12 or 15): the building volume × S_i × Share / S_об × T.</summary>
    private List<Piece> CommonProperty(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, CommonPropertyBasis basis)
    {
        var pieces = new List<Piece>();
        var water = basis.Mode != CommonPropertyMode.WaterSum ? [] : WaterPieces(account, ServiceKind.CommonPropertyResource);
        decimal area = premise.TotalArea * account.Share;
        foreach (var (from, to) in Segments(account, ServicePoints(service), null, PiecePoints(water)))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            if (method != CalculationMethod.CommonPropertyByArea)
                throw new ChargeDataException($"Услуга {service.Code}: КР на СОИ рассчитывается только пропорционально площади, а не {method}");
            var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
            int areaCount = account.Share != 1m ? 3 : 2;
            switch (basis.Mode)
            {
                case CommonPropertyMode.Meter:
                {
                    var inputs = new List<TraceInput>(basis.Inputs.Count + areaCount + rateInputs.Count);
                    inputs.AddRange(basis.Inputs);
                    AreaInputs(inputs);
                    inputs.AddRange(rateInputs);
                    pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.CommonHouseMeter,
                        ChargeFormulas.CommonPropertyShare(basis.Volume, area, B.TotalPremisesArea), rate, 1m,
                        basis.Volume * area * rate / B.TotalPremisesArea, "P = (V_д − Σ V_u) × S_i / S_об × T",
                        service.Resource == Resource.HotWater
                            ? basis.Capped ? "ПП 354, прил. 2, ф. 10, 12; ЖК РФ ст. 156 ч. 9.2" : "ПП 354, прил. 2, ф. 10, 12"
                            : basis.Capped ? "ПП 354, прил. 2, ф. 10, 11; ЖК РФ ст. 156 ч. 9.2" : "ПП 354, прил. 2, ф. 10, 11", inputs, basis.Note));
                    break;
                }
                case CommonPropertyMode.Norm:
                {
                    var norm = Norm(service, null, from, 0, required: true)!;
                    decimal commonArea = CommonArea(service.Resource);
                    var inputs = new List<TraceInput>(2 + areaCount + rateInputs.Count)
                    {
                        new(NormName(norm, "N_одн"), Monthly(norm), Units(service.Unit, "/м²")),
                        new("Площадь общего имущества S_ои", commonArea, "м²"),
                    };
                    AreaInputs(inputs);
                    inputs.AddRange(rateInputs);
                    decimal buildingVolume = ChargeFormulas.CommonPropertyVolumeByNorm(Monthly(norm), commonArea);
                    pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.CommonPropertyNorm,
                        ChargeFormulas.CommonPropertyShare(buildingVolume, area, B.TotalPremisesArea), rate, 1m,
                        buildingVolume * area * rate / B.TotalPremisesArea, "P = N_одн × S_ои × S_i / S_об × T", "ПП 354, прил. 2, ф. 10, 15", inputs, basis.Note));
                    break;
                }
                default:
                {
                    decimal Part(Resource r) => water.Where(w => w.Resource == r && Overlaps(w.Piece, from, to))
                        .Sum(w => w.Piece.Volume * OverlapDays(w.Piece, from, to) / w.Piece.Days);
                    decimal cold = Part(Resource.ColdWater), hotVolume = Part(Resource.HotWater);
                    var inputs = new List<TraceInput>(2 + rateInputs.Count) { new("Объём ХВС на СОИ", cold, service.Unit), new("Объём ГВС на СОИ", hotVolume, service.Unit) };
                    inputs.AddRange(rateInputs);
                    int days = to.DayNumber - from.DayNumber;
                    pieces.Add(new Piece(from, to, days, supplier, TariffZone.Single, water.Any(w => w.Piece.Source == VolumeSource.CommonHouseMeter) ? VolumeSource.CommonHouseMeter : VolumeSource.CommonPropertyNorm,
                        cold + hotVolume, rate, 1m, (cold + hotVolume) * rate, "P = (V_хв.сои + V_гв.сои) × T", "ПП 354, прил. 2, ф. 10", inputs, basis.Note));
                    break;
                }
            }
        }
        return pieces;

        void AreaInputs(List<TraceInput> inputs)
        {
            inputs.Add(new("Площадь помещения S_i", premise.TotalArea, "м²"));
            inputs.Add(new("Площадь всех помещений S_об", B.TotalPremisesArea, "м²"));
            if (account.Share != 1m) inputs.Add(new("Доля", account.Share, ""));
        }
    }
}
