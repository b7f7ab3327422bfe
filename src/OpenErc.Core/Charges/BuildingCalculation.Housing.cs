using OpenErc.Core.Housing;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

internal sealed partial class BuildingCalculation
{
    /// <summary>Legal references of housing services by their stable code; other codes get the general one.</summary>
    private static readonly Dictionary<string, string> HousingLegal = new(StringComparer.Ordinal)
    {
        ["maintenance"] = "ЖК РФ ст. 154 ч. 2 п. 1, ст. 156",
        ["capital_repair"] = "ЖК РФ ст. 154 ч. 2 п. 2, ст. 156 ч. 8.1, ст. 169",
    };

    /// <summary>
    /// Services by area or by persons: maintenance and capital repair <c>S_i × Share × Rate</c> (ЖК ст. 156),
    /// solid waste by residents (ф. 9(1)) or by area (ф. 9(2)) with yearly norms / 12, any other service with a norm per
    /// m² or per person, or a rate per person.
    /// </summary>
    private List<Piece> Housing(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service)
    {
        var pieces = new List<Piece>();
        bool waste = service.Kind == ServiceKind.Communal && service.Resource == Resource.None;
        foreach (var (from, to) in Segments(account, ServicePoints(service), AccountPoints(account)))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
            switch (method)
            {
                case CalculationMethod.Area:
                {
                    decimal area = premise.TotalArea * account.Share;
                    var inputs = new List<TraceInput>(3 + rateInputs.Count) { new("Площадь помещения S_i", premise.TotalArea, "м²") };
                    if (account.Share != 1m) inputs.Add(new("Доля", account.Share, ""));
                    if (Norm(service, premise, from, 0, required: false) is { } norm)
                    {
                        decimal monthly = Monthly(norm);
                        inputs.Add(new(NormName(norm), norm.Value, norm.PerYear ? "в год на м²" : "на м²"));
                        inputs.AddRange(rateInputs);
                        decimal volume = area * monthly;
                        decimal amount = norm.PerYear ? ChargeFormulas.WasteByArea(area, norm.Value, rate) : volume * rate;
                        pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Area, volume, rate, 1m, amount,
                            norm.PerYear ? "P = S_i × N / 12 × T" : "P = S_i × N × T",
                            waste ? "ПП 354, прил. 2, ф. 9(2)" : "ПП 354, п. 42", inputs, null));
                    }
                    else
                    {
                        inputs.AddRange(rateInputs);
                        pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Area, area, rate, 1m, ChargeFormulas.ByArea(area, rate),
                            "P = S_i × T", HousingLegal.GetValueOrDefault(service.Code, "ЖК РФ ст. 154, 156"), inputs, null));
                    }
                    break;
                }
                case CalculationMethod.PerResident or CalculationMethod.Norm:
                {
                    var (persons, byOwners) = Persons(premise, account, from);
                    if (persons == 0) break;
                    var inputs = new List<TraceInput>(2 + rateInputs.Count) { new(byOwners ? "Собственники n" : "Проживающие n", persons, "чел.") };
                    string legalOwners = byOwners ? (waste ? "; п. 148(36)" : "; п. 56(2)") : "";
                    string? note = byOwners ? "Никто не проживает: по числу собственников." : null;
                    if (Norm(service, premise, from, persons, required: method == CalculationMethod.Norm) is { } norm)
                    {
                        decimal monthly = Monthly(norm);
                        inputs.Add(new(NormName(norm), norm.Value, norm.PerYear ? "в год на чел." : "на чел."));
                        inputs.AddRange(rateInputs);
                        decimal volume = persons * monthly;
                        decimal amount = norm.PerYear ? ChargeFormulas.WasteByResidents(persons, norm.Value, rate) : volume * rate;
                        pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Norm, volume, rate, 1m, amount,
                            norm.PerYear ? "P = n × N / 12 × T" : "P = n × N × T",
                            (waste ? "ПП 354, прил. 2, ф. 9(1)" : "ПП 354, п. 42; прил. 2, ф. 4") + legalOwners, inputs, note)
                        {
                            Norm = new NormBasis(persons, byOwners, monthly, Profile(premise, service), premise.Rooms),
                        });
                    }
                    else
                    {
                        inputs.AddRange(rateInputs);
                        pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Norm, persons, rate, 1m, persons * rate,
                            "P = n × T", HousingLegal.GetValueOrDefault(service.Code, "ЖК РФ ст. 154, 156") + legalOwners, inputs, note));
                    }
                    break;
                }
                default:
                    throw new ChargeDataException($"Услуга {service.Code}: способ расчёта {method} не поддерживается");
            }
        }
        return pieces;
    }

    /// <summary>
    /// Heating (charges.md §6): by the norm (ф. 2, 2(1); in an МКД with the common-property area ф. 2(3), 2(4)) or by the
    /// building meter (ф. 3). Season method: season months only, each for the whole month whatever day the season
    /// started (an ОДПУ volume outside the season is charged too); evenly: every month, with K_п or the previous
    /// year's average. Without the ОДПУ volume the norm is used, with a note.
    /// </summary>
    private List<Piece> Heating(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service)
    {
        var pieces = new List<Piece>();
        bool evenly = B.HeatingPaymentMethod == HeatingPaymentMethod.EvenlyThroughYear;
        bool inSeason = S.HeatingSeasonMonths.Contains(P.Month);
        string? meterNote = null;
        foreach (var (from, to) in Segments(account, ServicePoints(service)))
        {
            if (Method(service, from) is not { } method || Supplier(service, from) is not { } supplier) continue;
            switch (method)
            {
                case CalculationMethod.Area:
                    if (evenly || inSeason) pieces.Add(HeatingByNorm(premise, account, service, from, to, supplier, null));
                    break;
                case CalculationMethod.CommonHouseMeter:
                {
                    decimal? volume;
                    decimal sharedArea = B.TotalPremisesArea;
                    bool group = false;
                    IReadOnlyList<TraceInput> meterInputs;
                    if (evenly)
                    {
                        volume = B.HeatingAverageMonthlyVolume;
                        meterInputs = volume is { } v ? [new("Среднемесячный объём ОДПУ за прошлый год V_д", v, "Гкал")] : [];
                    }
                    else
                    {
                        var share = HeatShare(premise);
                        volume = share?.Volume;
                        meterInputs = share?.Inputs ?? [];
                        meterNote = share?.Note;
                        if (share is { } shared) (sharedArea, group) = (shared.Area, shared.Group);
                    }
                    if (volume is not { } buildingVolume)
                    {
                        if (evenly || inSeason)
                            pieces.Add(HeatingByNorm(premise, account, service, from, to, supplier,
                                evenly ? "Нет среднемесячного объёма ОДПУ за прошлый год: по нормативу." : "Нет показаний ОДПУ за месяц: по нормативу."));
                        break;
                    }
                    var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
                    var inputs = new List<TraceInput>(meterInputs)
                    {
                        new("Площадь помещения S_i", premise.TotalArea, "м²"),
                        group ? new("Площадь помещений группы S_гр", sharedArea, "м²")
                            : sharedArea == B.TotalPremisesArea ? new("Площадь всех помещений S_об", sharedArea, "м²")
                            : new("Площадь помещений без групповых приборов S_об", sharedArea, "м²"),
                    };
                    if (account.Share != 1m) inputs.Add(new("Доля", account.Share, ""));
                    inputs.AddRange(rateInputs);
                    decimal area = premise.TotalArea * account.Share;
                    decimal premiseVolume = buildingVolume * area / sharedArea;
                    pieces.Add(new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.CommonHouseMeter, premiseVolume, rate, 1m,
                        buildingVolume * area * rate / sharedArea, group ? "P = V_гр × S_i / S_гр × T_T" : "P = V_д × S_i / S_об × T_T",
                        evenly ? "ПП 354, п. 42(1); прил. 2, ф. 3 (равномерно, по среднему за прошлый год)"
                            : group ? "ПП 354, п. 42(1); прил. 2, ф. 3 (по групповому прибору учёта)" : "ПП 354, п. 42(1); прил. 2, ф. 3",
                        inputs, meterNote));
                    break;
                }
                default:
                    throw new ChargeDataException($"Услуга {service.Code}: отопление способом {method} не поддерживается (ф. 3(1)–3(4) ждут юридического текста)");
            }
        }
        return pieces;
    }

    private Piece HeatingByNorm(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, DateOnly from, DateOnly to, long supplier, string? note)
    {
        bool evenly = B.HeatingPaymentMethod == HeatingPaymentMethod.EvenlyThroughYear;
        bool mkd = B.Kind == BuildingKind.ApartmentBuilding;
        var norm = Norm(service, premise, from, 0, required: true)!;
        var (rate, rateInputs, _) = UnitPrice(service, supplier, TariffZone.Single, from);
        var inputs = new List<TraceInput> { new("Площадь помещения S_i", premise.TotalArea, "м²") };
        decimal area = premise.TotalArea;
        if (mkd)
        {
            decimal commonArea = CommonArea(Resource.Heat);
            inputs.Add(new("Площадь общего имущества S_ои", commonArea, "м²"));
            inputs.Add(new("Площадь всех помещений S_об", B.TotalPremisesArea, "м²"));
            area = ChargeFormulas.AreaWithCommonProperty(premise.TotalArea, commonArea, B.TotalPremisesArea);
        }
        if (account.Share != 1m) inputs.Add(new("Доля", account.Share, ""));
        area *= account.Share;
        inputs.Add(new($"Норматив N_T ({norm.Category})", norm.Value, "Гкал/м²"));
        int months = S.HeatingSeasonMonths.Count;
        if (evenly) inputs.Add(new("Месяцев отопительного периода (K_п = мес. / 12)", months, "мес."));
        inputs.AddRange(rateInputs);
        // Multiply before dividing by 12 so that a whole-month amount stays exact.
        decimal volume = evenly ? area * norm.Value * months / 12m : area * norm.Value;
        decimal amount = evenly ? area * norm.Value * rate * months / 12m : ChargeFormulas.HeatingByNorm(area, norm.Value, 1m, rate);
        string s = mkd ? "(S_i + S_ои × S_i / S_об)" : "S_i";
        string formula = $"P = {s} × N_T" + (evenly ? " × K_п" : "") + " × T_T";
        string legal = "ПП 354, п. 42(1); прил. 2, ф. " + (mkd ? (evenly ? "2(4)" : "2(3)") : (evenly ? "2(1)" : "2"));
        return new Piece(from, to, D, supplier, TariffZone.Single, VolumeSource.Norm, volume, rate, 1m, amount, formula, legal, inputs, note);
    }

    private readonly Dictionary<Resource, (decimal Volume, IReadOnlyList<TraceInput> Inputs, string? Note)?> _buildingVolumes = [];
    // By the group meter's id, 0 for the premises no group meter covers.
    private readonly Dictionary<long, (decimal Volume, decimal Area, bool Group, IReadOnlyList<TraceInput> Inputs, string? Note)?> _heatShares = [];

    /// <summary>
    /// The month's heat volume a premise's heating by the building meter shares, and the area it is shared over: the
    /// premise's group meter and its premises' area; otherwise the building meter less the group meters, over the area
    /// of the premises no group meter covers. Null when a meter it needs lacks the month's readings.
    /// </summary>
    private (decimal Volume, decimal Area, bool Group, IReadOnlyList<TraceInput> Inputs, string? Note)? HeatShare(PremiseSnapshot premise)
    {
        var mine = GroupOf(premise, Resource.Heat);
        long key = mine?.Meter.MeterId ?? 0;
        if (!_heatShares.TryGetValue(key, out var share)) _heatShares[key] = share = mine is null ? BuildingHeatShare() : GroupHeatShare(mine);
        return share;
    }

    /// <summary>The group meter of a resource that covers the premise, if any.</summary>
    private GroupMeterSnapshot? GroupOf(PremiseSnapshot premise, Resource resource)
    {
        GroupMeterSnapshot? mine = null;
        foreach (var g in B.GroupMeters)
            if (g.Meter.Resource == resource && g.PremiseIds.Contains(premise.PremiseId)) mine = g;
        return mine;
    }

    private decimal GroupArea(GroupMeterSnapshot g) => B.Premises.Where(p => g.PremiseIds.Contains(p.PremiseId)).Sum(p => p.TotalArea);

    private (decimal Volume, decimal Area, bool Group, IReadOnlyList<TraceInput> Inputs, string? Note)? GroupHeatShare(GroupMeterSnapshot group) =>
        MeterMonth.BuildingVolume(group.Meter, P, S) is not { } v ? null
            : (v.Volume, GroupArea(group), true, [.. v.Inputs, new("Объём по групповому прибору учёта V_гр", v.Volume, "Гкал")], v.Note);

    private (decimal Volume, decimal Area, bool Group, IReadOnlyList<TraceInput> Inputs, string? Note)? BuildingHeatShare()
    {
        if (BuildingMeterVolume(Resource.Heat) is not { } building) return null;
        var groups = B.GroupMeters.Where(g => g.Meter.Resource == Resource.Heat).ToList();
        if (groups.Count == 0) return (building.Volume, B.TotalPremisesArea, false, [.. building.Inputs, new("Объём по ОДПУ V_д", building.Volume, "Гкал")], building.Note);
        var inputs = new List<TraceInput>(building.Inputs) { new("Объём по ОДПУ", building.Volume, "Гкал") };
        decimal volume = building.Volume, area = B.TotalPremisesArea;
        foreach (var g in groups)
        {
            if (MeterMonth.BuildingVolume(g.Meter, P, S) is not { } gv) return null;
            volume -= gv.Volume;
            area -= GroupArea(g);
            inputs.Add(new("Объём по групповому прибору учёта", gv.Volume, "Гкал"));
        }
        string? note = building.Note;
        if (volume < 0m)
        {
            note = JoinNotes([note, "Объём ОДПУ меньше объёма групповых приборов учёта: к распределению 0."]);
            volume = 0m;
        }
        inputs.Add(new("Объём ОДПУ без групповых приборов V_д", volume, "Гкал"));
        return (volume, area, false, inputs, note);
    }

    /// <summary>The month's volume of the building meters of a resource (summed), or null when any lacks readings.</summary>
    private (decimal Volume, IReadOnlyList<TraceInput> Inputs, string? Note)? BuildingMeterVolume(Resource resource)
    {
        if (!_buildingVolumes.TryGetValue(resource, out var volume)) _buildingVolumes[resource] = volume = ReadBuildingMeters(resource);
        return volume;
    }

    private (decimal Volume, IReadOnlyList<TraceInput> Inputs, string? Note)? ReadBuildingMeters(Resource resource)
    {
        var meters = B.CommonHouseMeters.Where(m => m.Resource == resource).OrderBy(m => m.MeterId).ToList();
        if (meters.Count == 0) return null;
        decimal total = 0m;
        var inputs = new List<TraceInput>();
        var notes = new List<string?>();
        foreach (var meter in meters)
        {
            if (MeterMonth.BuildingVolume(meter, P, S) is not { } v) return null;
            total += v.Volume;
            inputs.AddRange(v.Inputs);
            notes.Add(v.Note);
        }
        return (total, inputs, JoinNotes(notes));
    }

    /// <summary>
    /// The yearly correction of evenly-paid heating by the ОДПУ (charges.md §6.3, ф. 3(2) [recalled]): the actual volume
    /// of each month of the year × S_i / S_об × that month's tariff (by days, over the account's days), minus what was
    /// charged for the year. Either sign; one line, rounded once.
    /// </summary>
    private void AnnualHeatingCorrection(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, HeatingAnnualCorrection correction)
    {
        if (Supplier(service, P.FirstDay) is not { } currentSupplier) return;
        decimal actual = 0m, volume = 0m;
        decimal area = premise.TotalArea * account.Share;
        foreach (var (month, monthVolume) in correction.MonthlyVolumes.OrderBy(x => x.Key))
        {
            var past = new BuildingCalculation(B, new Common.BillingPeriod(correction.Year, month), S);
            foreach (var (from, to) in past.Segments(account, past.ServicePoints(service)))
            {
                if (Supplier(service, from) is not { } supplier) continue;
                int days = to.DayNumber - from.DayNumber;
                decimal rate = Rate(service, supplier, TariffZone.Single, from);
                actual += monthVolume * area * rate * days / (B.TotalPremisesArea * past.D);
                volume += monthVolume * area * days / (B.TotalPremisesArea * past.D);
            }
        }
        if (volume == 0m && account.HeatingChargedForCorrectedYear is null or 0m) return;
        decimal charged = account.HeatingChargedForCorrectedYear
            ?? throw new ChargeDataException($"ЛС {account.AccountId}: для корректировки отопления за {correction.Year} год нужна сумма, начисленная за год");
        decimal lastRate = Rate(service, currentSupplier, TariffZone.Single, new DateOnly(correction.Year, 12, 31));
        var inputs = new List<TraceInput>
        {
            new($"Фактический объём ОДПУ за {correction.Year} год", correction.MonthlyVolumes.Values.Sum(), "Гкал"),
            new("Площадь помещения S_i", premise.TotalArea, "м²"),
            new("Площадь всех помещений S_об", B.TotalPremisesArea, "м²"),
            new("Стоимость по фактическому объёму", actual, "₽"),
            new($"Начислено за {correction.Year} год", charged, "₽"),
        };
        if (account.Share != 1m) inputs.Insert(2, new("Доля", account.Share, ""));
        var piece = new Piece(P.FirstDay, P.End, D, currentSupplier, TariffZone.Single, VolumeSource.Correction, volume, lastRate, 1m, actual - charged,
            "ΔP = Σ V_д,м × S_i / S_об × T_м − Σ начислено", "ПП 354, п. 42(1); прил. 2, ф. 3(2)", inputs,
            $"Корректировка платы за отопление за {correction.Year} год по фактическому объёму ОДПУ.");
        Charge(account, service, [piece], ChargeLineKind.HeatingAnnualCorrection);
    }
}
