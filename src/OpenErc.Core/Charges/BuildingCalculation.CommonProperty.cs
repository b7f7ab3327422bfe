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

/// <summary>
/// A КР на СОИ volume and the premises' area it is shared over (<see cref="Area"/>; all premises, a group meter's
/// premises, or the premises no group meter covers — <see cref="AreaLabel"/> says which).
/// </summary>
internal sealed record CommonPropertyBasis(CommonPropertyMode Mode, decimal Volume, IReadOnlyList<TraceInput> Inputs, bool Capped, string? Note)
{
    public decimal Area { get; init; }
    public string AreaLabel { get; init; } = "";
    public string Formula { get; init; } = "";
}

internal sealed partial class BuildingCalculation
{
    /// <summary>
    /// The building step of КР на СОИ (charges.md §10) by the premise's group: the key is the group meter of the
    /// resource covering the premise, 0 for the rest. Without group meters one basis over the building: with an ОДПУ
    /// <c>V_д − Σ V_u</c> over all premises' volumes of the resource (meter, average or norm, without the coefficient),
    /// a negative result billed as 0 with the figure in the trace [uncertain], at most the norm volume
    /// <c>N_одн × S_ои</c> when <see cref="ChargeSettings.CapCommonPropertyAtNorm"/> (ЖК ст. 156 ч. 9.2); without
    /// readings of the ОДПУ the norm (ф. 15). A group meter (an entrance, a communal flat) is treated for its premises
    /// as the building meter is for all: <c>V_гр − Σ V_u</c> of its premises shared over their area; the ОДПУ then
    /// gives <c>V_д − Σ V_гр − Σ V_u</c> of the other premises, shared over theirs; the norm cap is the norm volume in
    /// proportion to the area shared. A group meter without the month's readings sends its premises, and the rest, to
    /// the norm.
    /// </summary>
    private Dictionary<long, CommonPropertyBasis> CommonPropertyBases(ServiceSnapshot service, List<(PremiseSnapshot Premise, AccountSnapshot Account)> accounts)
    {
        var resource = service.Resource;
        var groups = B.GroupMeters.Where(g => g.Meter.Resource == resource).ToList();
        bool hasMeter = B.CommonHouseMeters.Any(m => m.Resource == resource);
        var bases = new Dictionary<long, CommonPropertyBasis>();
        decimal groupVolume = 0m, groupArea = 0m;
        var groupInputs = new List<TraceInput>();
        bool allRead = true;
        foreach (var g in groups)
        {
            var covered = accounts.FindAll(a => g.PremiseIds.Contains(a.Premise.PremiseId));
            if (MeterMonth.BuildingVolume(g.Meter, P, S) is { } v)
            {
                bases[g.Meter.MeterId] = MeterBasis(service, covered, v.Volume, v.Inputs, v.Note, GroupArea(g), CommonPropertyTrace.Group);
                groupVolume += v.Volume;
                groupInputs.Add(new("Объём по групповому прибору учёта", v.Volume, service.Unit));
            }
            else
            {
                allRead = false;
                bases[g.Meter.MeterId] = Fallback(service, "Нет показаний группового прибора учёта за месяц: по нормативу (ф. 15).");
            }
            groupArea += GroupArea(g);
        }
        if (allRead && BuildingMeterVolume(resource) is { } meter)
        {
            if (groups.Count == 0)
                bases[0] = MeterBasis(service, accounts, meter.Volume, meter.Inputs, meter.Note, B.TotalPremisesArea, CommonPropertyTrace.Building);
            else
            {
                var rest = accounts.FindAll(a => GroupOf(a.Premise, resource) is null);
                bases[0] = MeterBasis(service, rest, meter.Volume - groupVolume, [.. meter.Inputs, new("Объём по ОДПУ", meter.Volume, service.Unit), .. groupInputs],
                    meter.Note, B.TotalPremisesArea - groupArea, CommonPropertyTrace.Rest);
            }
        }
        else
            bases[0] = Fallback(service, hasMeter ? allRead ? "Нет показаний ОДПУ за месяц: по нормативу (ф. 15)."
                : "Нет показаний группового прибора учёта за месяц: по нормативу (ф. 15)." : null);
        return bases;
    }

    /// <summary>The premise's basis among <see cref="CommonPropertyBases"/>.</summary>
    private CommonPropertyBasis BasisOf(Dictionary<long, CommonPropertyBasis> bases, PremiseSnapshot premise, Resource resource) =>
        bases.Count == 1 ? bases[0] : bases[GroupOf(premise, resource)?.Meter.MeterId ?? 0];

    /// <summary><c>V − Σ V_u</c> of the accounts' premises, shared over <paramref name="area"/>, capped at the norm's share of it where configured.</summary>
    private CommonPropertyBasis MeterBasis(ServiceSnapshot service, List<(PremiseSnapshot Premise, AccountSnapshot Account)> accounts, decimal meterVolume,
        IReadOnlyList<TraceInput> meterInputs, string? meterNote, decimal area, CommonPropertyLabels labels)
    {
        var resource = service.Resource;
        decimal premises = B.Services
            .Where(s => s.Kind == ServiceKind.Communal && s.Resource == resource)
            .SelectMany(s => accounts.SelectMany(a => _pieces.GetValueOrDefault((a.Account.AccountId, s.Code)) ?? []))
            .Sum(p => p.Volume);
        decimal raw = ChargeFormulas.CommonPropertyVolumeByMeter(meterVolume, premises);
        var inputs = new List<TraceInput>(meterInputs)
        {
            new(labels.Meter, meterVolume, service.Unit),
            new(labels.Premises, premises, service.Unit),
            new(labels.Raw, raw, service.Unit),
        };
        var notes = new List<string?> { meterNote };
        decimal billed = raw;
        if (raw < 0)
        {
            billed = 0m;
            notes.Add(labels.Negative);
        }
        bool capped = false;
        if (S.CapCommonPropertyAtNorm && MonthCommonPropertyNorm(service) is { } normVolume)
        {
            // The norm volume of the whole building, or its part in proportion to the area shared.
            if (area != B.TotalPremisesArea) normVolume = B.TotalPremisesArea == 0m ? 0m : normVolume * area / B.TotalPremisesArea;
            inputs.Add(new(area == B.TotalPremisesArea ? CommonPropertyTrace.Norm : CommonPropertyTrace.NormShare, normVolume, service.Unit));
            if (billed > normVolume)
            {
                billed = normVolume;
                capped = true;
                notes.Add("Объём ограничен нормативом (ЖК РФ ст. 156 ч. 9.2); превышение — за счёт исполнителя.");
            }
        }
        inputs.Add(new(CommonPropertyTrace.Billed, billed, service.Unit));
        return new(CommonPropertyMode.Meter, billed, inputs, capped, JoinNotes(notes)) { Area = area, AreaLabel = labels.Area, Formula = labels.Formula };
    }

    /// <summary>Without a meter's volume: the norm (ф. 15), or for sewage the sum of the waters' КР на СОИ.</summary>
    private CommonPropertyBasis Fallback(ServiceSnapshot service, string? note)
    {
        if (service.Resource == Resource.Sewage && (!service.Norms.Any() || B.CommonHouseMeters.Any(m => m.Resource is Resource.ColdWater or Resource.HotWater)))
            return new(CommonPropertyMode.WaterSum, 0m, [], false, "Водоотведение на СОИ равно сумме ХВС и ГВС на СОИ.");
        return new(CommonPropertyMode.Norm, 0m, [], false, note) { Area = B.TotalPremisesArea };
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
                    AreaInputs(inputs, basis.AreaLabel, basis.Area);
                    inputs.AddRange(rateInputs);
                    pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.CommonHouseMeter,
                        basis.Area == 0m ? 0m : ChargeFormulas.CommonPropertyShare(basis.Volume, area, basis.Area), rate, 1m,
                        basis.Area == 0m ? 0m : basis.Volume * area * rate / basis.Area, basis.Formula,
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
                    AreaInputs(inputs, "Площадь всех помещений S_об", B.TotalPremisesArea);
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

        void AreaInputs(List<TraceInput> inputs, string label, decimal shared)
        {
            inputs.Add(new("Площадь помещения S_i", premise.TotalArea, "м²"));
            inputs.Add(new(label, shared, "м²"));
            if (account.Share != 1m) inputs.Add(new("Доля", account.Share, ""));
        }
    }
}

/// <summary>How the trace of a КР на СОИ line by meter names the figures of its basis: of the whole building, of a group meter, of the premises outside the groups.</summary>
public sealed record CommonPropertyLabels(string Meter, string Premises, string Raw, string Negative, string Area, string Formula);

/// <summary>
/// The names a КР на СОИ line by meter gives its basis in the trace — read back by the report of common-property overuse
/// (reports.md §5.1), so they are said once here.
/// </summary>
public static class CommonPropertyTrace
{
    public static readonly CommonPropertyLabels Building = new("Объём по ОДПУ V_д", "Объём всех помещений Σ V_u", "Объём на СОИ V_д − Σ V_u",
        "Объём по ОДПУ меньше суммы объёмов помещений: к распределению 0.", "Площадь всех помещений S_об", "P = (V_д − Σ V_u) × S_i / S_об × T");

    public static readonly CommonPropertyLabels Group = new("Объём по групповому прибору учёта V_гр", "Объём помещений группы Σ V_u", "Объём на СОИ V_гр − Σ V_u",
        "Объём по групповому прибору учёта меньше суммы объёмов его помещений: к распределению 0.", "Площадь помещений группы S_гр",
        "P = (V_гр − Σ V_u) × S_i / S_гр × T");

    public static readonly CommonPropertyLabels Rest = new("Объём по ОДПУ без групповых приборов V_д − Σ V_гр", "Объём помещений вне групп Σ V_u",
        "Объём на СОИ V_д − Σ V_гр − Σ V_u", "Объём по ОДПУ без групповых приборов меньше суммы объёмов остальных помещений: к распределению 0.",
        "Площадь помещений вне групп S_д", "P = (V_д − Σ V_гр − Σ V_u) × S_i / S_д × T");

    public static IReadOnlyList<CommonPropertyLabels> All => [Building, Group, Rest];

    /// <summary>The norm volume <c>N_одн × S_ои</c> of the building, or its part in proportion to the area shared.</summary>
    public const string Norm = "Объём по нормативу N_одн × S_ои", NormShare = "Объём по нормативу на площадь помещений";

    /// <summary>The volume shared over the premises after the cap.</summary>
    public const string Billed = "Объём на СОИ к распределению";
}
