using OpenErc.Core.Charges;
using OpenErc.Core.Common;

namespace OpenErc.Core.Benefits;

/// <summary>Days of a right within the month, for the proration of benefits.md §5.4 (<c>× d_right / D_month</c>) [uncertain].</summary>
/// <param name="Days">Calendar days of the month the right is valid, 0…<paramref name="DaysInMonth"/>.</param>
/// <param name="DaysInMonth">Calendar days of the month.</param>
public readonly record struct RightDays(int Days, int DaysInMonth);

/// <summary>
/// What every benefit line of one right, account and service shares (benefits.md §2.1): the rate <c>r</c>, the persons
/// <c>n</c> counted in the charge, the covered persons <c>m</c> among them and the line's net charge that caps the benefit.
/// </summary>
/// <param name="Rate">r, in (0, 1].</param>
/// <param name="Persons">n ≥ 0: persons in the charge (ПП 354 n_i); 0 gives no benefit.</param>
/// <param name="Covered">m, 0…n: the beneficiary and the family members the category covers.</param>
/// <param name="NetCharge">The charge line after same-period recalculations (§5.2), rounded; |B| never exceeds it.</param>
public sealed record BenefitLineBasis(decimal Rate, int Persons, int Covered, Money NetCharge)
{
    /// <summary>The right's days in the month; null for the whole month.</summary>
    public RightDays? Days { get; init; }

    /// <summary>The act printed in the trace: the category's <see cref="BenefitCategoryRule.LegalBasis"/>.</summary>
    public string LegalReference { get; init; } = "ЖК РФ, ст. 160";
}

/// <summary>
/// A benefit (or compensation) of one line: <see cref="Amount"/> is <see cref="Unrounded"/> rounded once, half away from
/// zero, then capped by the net charge; negative (a «Льгота» line), <see cref="Discount"/> is the same positive.
/// </summary>
/// <param name="Unrounded">−B before rounding, ₽ (after the proration, before the cap by the net charge).</param>
/// <param name="Amount">The line, ₽, ≤ 0.</param>
/// <param name="Formula">The formula with the symbols of <paramref name="Inputs"/>.</param>
/// <param name="LegalReference">The act of the measure.</param>
/// <param name="Inputs">Every input, named in Russian with its unit.</param>
/// <param name="Note">Why the amount is not the formula's (no residents, capped), in Russian; null otherwise.</param>
public sealed record BenefitAmount(decimal Unrounded, Money Amount, string Formula, string LegalReference, IReadOnlyList<TraceInput> Inputs, string? Note)
{
    /// <summary>The discount as exported and printed (ЕПД «Льготы, субсидии», BENCHG <c>BeneficiaryShareAmount</c>): −Amount.</summary>
    public Money Discount => -Amount;

    public ChargeTrace Trace => new(Formula, LegalReference, Inputs, Note);
}

/// <summary>
/// Benefits of social support on one charge line (benefits.md §2, §3, §5): the bases S_b and V_b, the line formulas of
/// §2.5 on unrounded decimals, and line builders that prorate, round once with <see cref="Money.RoundToKopecks"/>,
/// cap by the net charge and keep the trace. Amounts are ₽, areas m², volumes in the service's unit; a benefit is ≤ 0.
/// </summary>
public static class BenefitFormulas
{
    public const string AreaFormula = "B = −r × P × S_b / S_i", CapitalRepairFormula = "B = −r × Rate_min × S_b",
        VolumeFormula = "B = −r × V_b × P / V_i", NormFormula = "B = −r × V_b × T", PersonDaysFormula = "B = −r × P × σ";

    /// <summary>§2.2: <c>S_b = min(S_i, A(k)) × m / n</c>, or <c>S_i × m / n</c> when <paramref name="areaStandard"/> is null (occupied area); 0 when n = 0.</summary>
    public static decimal BaseArea(decimal premiseArea, decimal? areaStandard, int covered, int persons) =>
        persons <= 0 ? 0m : Math.Min(premiseArea, areaStandard ?? premiseArea) * covered / persons;

    /// <summary>
    /// §2.3, metered: <c>V_b = min(V_i × m / n, N × m)</c>, or <c>V_i × m / n</c> when <paramref name="norm"/> is null
    /// (no consumption cap); 0 when n = 0.
    /// </summary>
    public static decimal BaseVolume(decimal volume, decimal? norm, int covered, int persons) =>
        persons <= 0 ? 0m : norm is { } n ? Math.Min(volume * covered / persons, n * covered) : volume * covered / persons;

    /// <summary>§2.3, by the norm: <c>V_b = N × m</c>; the increasing coefficient stays out of the base [uncertain].</summary>
    public static decimal NormVolume(decimal norm, int covered) => norm * covered;

    /// <summary>§5.5, temporary absence: <c>σ = Σ covered person-days / Σ all residents' person-days</c>, in place of m / n; 0 when nobody resided.</summary>
    public static decimal PersonDayShare(int coveredDays, int allDays) => allDays <= 0 ? 0m : (decimal)coveredDays / allDays;

    /// <summary>§2.5, a line by area (содержание, наём, heating by area or ОДПУ share, КР на СОИ by area): <c>B = −r × P × S_b / S_i</c>.</summary>
    public static decimal AreaBased(decimal rate, decimal charge, decimal baseArea, decimal premiseArea) =>
        premiseArea <= 0 ? 0m : -(rate * charge * baseArea / premiseArea);

    /// <summary>
    /// §2.5 and §3, ЖК РФ ст. 169 ч. 2.1: <c>B = −r × Rate_min × S_b</c>, never above <c>r × P</c> (the rate above the
    /// regional minimum is never compensated).
    /// </summary>
    public static decimal CapitalRepair(decimal rate, decimal minimumRate, decimal baseArea, decimal actualCharge) =>
        -Math.Min(rate * minimumRate * baseArea, rate * Math.Max(0m, actualCharge));

    /// <summary>§2.5, a line by volume (water, sewage, electricity, gas, ТКО per person): <c>B = −r × V_b × P / V_i</c> (P / V_i is the average price).</summary>
    public static decimal VolumeBased(decimal rate, decimal baseVolume, decimal charge, decimal volume) =>
        volume <= 0 ? 0m : -(rate * baseVolume * charge / volume);

    /// <summary>§2.5, a line by the norm without a meter: <c>B = −r × V_b × T</c>, the increasing coefficient excluded.</summary>
    public static decimal NormBased(decimal rate, decimal baseVolume, decimal tariff) => -(rate * baseVolume * tariff);

    /// <summary>§5.5, a norm-per-person line with temporary absence: <c>B = −r × P × σ</c> on the charge net of the absence.</summary>
    public static decimal ByPersonDays(decimal rate, decimal charge, decimal share) => -(rate * charge * share);

    /// <summary>§5.4: <c>B × d_right / D_month</c>.</summary>
    public static decimal Prorate(decimal amount, RightDays days) => amount * days.Days / days.DaysInMonth;

    /// <summary>§2.3, §7.2: the part of a norm charge due to the increasing coefficient K, <c>P × (K − 1) / K</c>, not discounted.</summary>
    public static decimal ExcludedCoefficientAmount(decimal charge, decimal coefficient) =>
        coefficient <= 1m ? 0m : charge * (coefficient - 1m) / coefficient;

    /// <summary>
    /// §3, the area of a capital-repair compensation: <see cref="KrCompensationAreaRule.PerHousehold"/>
    /// <c>S_b = min(S_i, A(k)) × m / n</c>; <see cref="KrCompensationAreaRule.PerOwnerShare"/> <c>S_b = min(S_i × share, A(k) / k)</c>.
    /// </summary>
    public static decimal KrCompensationArea(KrCompensationAreaRule rule, decimal premiseArea, decimal areaStandard, int householdSize,
        decimal ownerShare, int covered, int persons) => rule == KrCompensationAreaRule.PerOwnerShare
        ? Math.Min(premiseArea * ownerShare, areaStandard / householdSize)
        : BaseArea(premiseArea, areaStandard, covered, persons);

    /// <summary>§5.7: a correction of a past period <c>ΔB = B_new − B_old</c>, booked in the current one with reason <c>BENEFIT_RETRO</c>.</summary>
    public static Money Correction(Money recomputed, Money posted) => recomputed - posted;

    /// <summary>§2.5 by area: S_b by <paramref name="areaStandard"/> (null = occupied area), <c>B = −r × P × S_b / S_i</c>.</summary>
    /// <param name="charge">P: the line's unrounded amount (net of quality reductions), ₽.</param>
    public static BenefitAmount AreaLine(BenefitLineBasis basis, decimal charge, decimal premiseArea, decimal? areaStandard)
    {
        decimal baseArea = BaseArea(premiseArea, areaStandard, basis.Covered, basis.Persons);
        return Line(basis, AreaBased(basis.Rate, charge, baseArea, premiseArea), AreaFormula,
            [.. Area(premiseArea, areaStandard, baseArea), new("Начисление P", charge, "₽")]);
    }

    /// <summary>§2.5 capital repair for a category benefit: S_b by <paramref name="areaStandard"/> (null = occupied area), <c>B = −r × Rate_min × S_b</c> ≤ r × P.</summary>
    /// <param name="actualCharge">P: the contribution charged at the building's rate, ₽, unrounded.</param>
    public static BenefitAmount CapitalRepairLine(BenefitLineBasis basis, decimal premiseArea, decimal? areaStandard, decimal minimumRate, decimal actualCharge)
    {
        decimal baseArea = BaseArea(premiseArea, areaStandard, basis.Covered, basis.Persons);
        return CapitalRepairOn(basis, baseArea, minimumRate, actualCharge, Area(premiseArea, areaStandard, baseArea));
    }

    /// <summary>
    /// §3, ЖК РФ ст. 169 ч. 2.1: the capital-repair compensation of an owner (KR70 r = 0.5, KR80 r = 1) on the regional
    /// minimum rate and the area standard, by <paramref name="rule"/>; paid by УСЗН (<see cref="BenefitAmount.Discount"/>).
    /// </summary>
    /// <param name="areaStandard">A(k), m² (the table's or the registry's <c>AreaStandardM2</c>).</param>
    /// <param name="householdSize">k ≥ 1.</param>
    /// <param name="ownerShare">The owner's share of the premise (registry <c>ShareNum/ShareDen</c>), for <see cref="KrCompensationAreaRule.PerOwnerShare"/>.</param>
    /// <param name="actualCharge">P: the contribution charged to this owner (to the household for PerHousehold), ₽, unrounded.</param>
    public static BenefitAmount KrCompensation(BenefitLineBasis basis, KrCompensationAreaRule rule, decimal premiseArea, decimal areaStandard, int householdSize,
        decimal ownerShare, decimal minimumRate, decimal actualCharge)
    {
        decimal baseArea = KrCompensationArea(rule, premiseArea, areaStandard, householdSize, ownerShare, basis.Covered, basis.Persons);
        var inputs = Area(premiseArea, areaStandard, baseArea);
        if (rule == KrCompensationAreaRule.PerOwnerShare)
            inputs.InsertRange(2, [new TraceInput("Доля собственника", ownerShare, ""), new TraceInput("Состав семьи k", householdSize, "чел.")]);
        return CapitalRepairOn(basis, baseArea, minimumRate, actualCharge, inputs);
    }

    /// <summary>§2.5 by volume: <c>V_b = min(V_i × m / n, N × m)</c> (no cap when <paramref name="norm"/> is null), <c>B = −r × V_b × P / V_i</c>.</summary>
    /// <param name="charge">P: the line's unrounded amount, ₽.</param>
    /// <param name="volume">V_i: the premise's volume of the month.</param>
    /// <param name="unit">The volume's unit in Russian ("м³", "кВт·ч").</param>
    public static BenefitAmount VolumeLine(BenefitLineBasis basis, decimal charge, decimal volume, decimal? norm, string unit)
    {
        decimal baseVolume = BaseVolume(volume, norm, basis.Covered, basis.Persons);
        var inputs = new List<TraceInput> { new("Объём V_i", volume, unit) };
        if (norm is { } n) inputs.Add(new(BenefitTrace.Norm, n, unit));
        inputs.Add(new(BenefitTrace.Volume, baseVolume, unit));
        inputs.Add(new("Начисление P", charge, "₽"));
        return Line(basis, VolumeBased(basis.Rate, baseVolume, charge, volume), VolumeFormula, inputs);
    }

    /// <summary>§2.5 by the norm without a meter: <c>V_b = N × m</c>, <c>B = −r × V_b × T</c>; the coefficient's part of P is traced, not discounted.</summary>
    /// <param name="charge">P: the norm charge with the coefficient, ₽, unrounded (for the trace).</param>
    /// <param name="coefficient">K applied to the charge, 1 when none.</param>
    public static BenefitAmount NormLine(BenefitLineBasis basis, decimal norm, decimal tariff, decimal charge, decimal coefficient, string unit)
    {
        decimal baseVolume = NormVolume(norm, basis.Covered);
        return Line(basis, NormBased(basis.Rate, baseVolume, tariff), NormFormula,
        [
            new(BenefitTrace.Norm, norm, unit), new(BenefitTrace.Volume, baseVolume, unit), new("Тариф T", tariff, "₽/" + unit),
            new("Начисление P", charge, "₽"), new("Повышающий коэффициент K", coefficient, ""),
            new(BenefitTrace.ExcludedCoefficient, ExcludedCoefficientAmount(charge, coefficient), "₽"),
        ]);
    }

    /// <summary>§5.5, a norm-per-person line with temporary absence: <c>σ</c> from person-days, <c>B = −r × P × σ</c>.</summary>
    /// <param name="charge">P: the charge net of the absence recalculation, ₽, unrounded.</param>
    /// <param name="coveredDays">Σ days the covered persons resided in the month.</param>
    /// <param name="allDays">Σ days all residents resided in the month.</param>
    public static BenefitAmount PersonDaysLine(BenefitLineBasis basis, decimal charge, int coveredDays, int allDays)
    {
        decimal share = PersonDayShare(coveredDays, allDays);
        return Line(basis, ByPersonDays(basis.Rate, charge, share), PersonDaysFormula,
        [
            new("Чел.-дней льготников", coveredDays, "чел.-дн."), new("Чел.-дней проживающих", allDays, "чел.-дн."),
            new("Доля чел.-дней σ", share, ""), new("Начисление P", charge, "₽"),
        ]);
    }

    private static BenefitAmount CapitalRepairOn(BenefitLineBasis basis, decimal baseArea, decimal minimumRate, decimal actualCharge, List<TraceInput> inputs)
    {
        inputs.Add(new("Минимальный взнос Rate_min", minimumRate, "₽/м²"));
        inputs.Add(new("Начисление P", actualCharge, "₽"));
        return Line(basis, CapitalRepair(basis.Rate, minimumRate, baseArea, actualCharge), CapitalRepairFormula, inputs);
    }

    private static List<TraceInput> Area(decimal premiseArea, decimal? areaStandard, decimal baseArea)
    {
        var inputs = new List<TraceInput> { new(BenefitTrace.PremiseArea, premiseArea, "м²") };
        if (areaStandard is { } a) inputs.Add(new(BenefitTrace.AreaStandard, a, "м²"));
        inputs.Add(new(BenefitTrace.BaseArea, baseArea, "м²"));
        return inputs;
    }

    /// <summary>§2.5 and §5.4: n = 0 gives nothing; prorate by the right's days; round once; cap |B| by the net charge (≥ 0).</summary>
    private static BenefitAmount Line(BenefitLineBasis basis, decimal month, string formula, List<TraceInput> inputs)
    {
        inputs.InsertRange(0, [new(BenefitTrace.Rate, basis.Rate, ""), new(BenefitTrace.Persons, basis.Persons, "чел."), new(BenefitTrace.Covered, basis.Covered, "чел.")]);
        if (basis.Persons <= 0)
            return new(0m, Money.Zero, formula, basis.LegalReference, inputs, "Нет проживающих: льгота не предоставляется (меры следуют месту жительства)");
        decimal unrounded = month;
        if (basis.Days is { } days)
        {
            unrounded = Prorate(month, days);
            inputs.Add(new("Дней права в месяце", days.Days, "дн."));
            inputs.Add(new("Дней в месяце", days.DaysInMonth, "дн."));
        }
        inputs.Add(new("Начислено с учётом перерасчётов", basis.NetCharge.Amount, "₽"));
        var amount = Money.RoundToKopecks(unrounded);
        var limit = basis.NetCharge.Amount > 0 ? basis.NetCharge : Money.Zero;
        if (-amount.Amount <= limit.Amount) return new(unrounded, amount, formula, basis.LegalReference, inputs, null);
        return new(unrounded, -limit, formula, basis.LegalReference, inputs, $"Льгота ограничена начислением {limit} ₽");
    }
}

/// <summary>
/// The names of a benefit line's trace inputs, said once: the calculator writes them, the УСЗН export (the BENCHG file's
/// norm, persons, areas and volumes) reads them back from the lines it asked for.
/// </summary>
public static class BenefitTrace
{
    public const string Rate = "Доля льготы r";
    public const string Persons = "Проживающих n";
    public const string Covered = "Льготников m";
    public const string Norm = "Норматив N";
    public const string Volume = "Объём льготы V_b";
    public const string ExcludedCoefficient = "Исключённая сумма повышающего коэффициента";
    public const string PremiseArea = "Площадь помещения S_i";
    public const string AreaStandard = "Стандарт площади A(k)";
    public const string BaseArea = "Площадь по стандарту S_b";
}
