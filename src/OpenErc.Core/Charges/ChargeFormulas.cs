namespace OpenErc.Core.Charges;

/// <summary>
/// The formulas of ПП 354 Приложение 2 and of the housing charge, one method each, on unrounded decimals.
/// Amounts are ₽ for a whole month, unrounded (the calculator prorates by days and rounds each line once);
/// volumes in the service's unit, areas in m², rates in ₽ per unit.
/// </summary>
public static class ChargeFormulas
{
    /// <summary>10^digits: the reading at which a register of <paramref name="digits"/> whole digits rolls over to zero.</summary>
    public static decimal RegisterCapacity(int digits)
    {
        decimal capacity = 1m;
        for (int i = 0; i < digits; i++) capacity *= 10m;
        return capacity;
    }

    /// <summary><c>V = current − previous</c>; when the register rolled over, <c>(10^digits − previous) + current</c>. Null: a negative volume that is no plausible rollover (charges.md §1).</summary>
    /// <param name="previous">Earlier reading.</param>
    /// <param name="current">Later reading.</param>
    /// <param name="digits">Whole digits of the register; 0 = no rollover.</param>
    /// <param name="rolloverMaxShare">Largest volume through zero, as a share of 10^digits, still taken for a rollover.</param>
    public static decimal? RegisterVolume(decimal previous, decimal current, int digits, decimal rolloverMaxShare)
    {
        if (current >= previous) return current - previous;
        if (digits <= 0) return null;
        decimal capacity = RegisterCapacity(digits);
        decimal through = capacity - previous + current;
        return through > 0 && through <= capacity * rolloverMaxShare ? through : null;
    }

    /// <summary>ПП 354, прил. 2, ф. 1: <c>P = V × T</c>, the charge by an individual meter (or by a п. 59 substitute volume).</summary>
    public static decimal ByMeter(decimal volume, decimal rate) => volume * rate;

    /// <summary>
    /// ПП 354, п. 42, прил. 2, ф. 4: <c>P = n × N × T × K</c>, the charge by the norm; n = residents, or owners when
    /// nobody resides (п. 56(2)); K = the increasing coefficient (ПП 603, ПП 1871), 1 when not applied. K multiplies
    /// the amount; the volume <c>n × N</c> stays as it is.
    /// </summary>
    public static decimal ByNorm(decimal persons, decimal norm, decimal rate, decimal coefficient) => persons * norm * rate * coefficient;

    /// <summary>ПП 354, п. 42, прил. 2, ф. 23: two-component hot water <c>P = V × T_хв + V × q × T_тэ</c>.</summary>
    public static decimal HotWaterTwoComponent(decimal volume, decimal coldRate, decimal heatPerCubicMetre, decimal heatRate) =>
        volume * coldRate + volume * heatPerCubicMetre * heatRate;

    /// <summary>ПП 354, п. 42(1), прил. 2, ф. 2(3): heated area of a premise in an МКД with its common-property share <c>S_i + S_ои × S_i / S_об</c>.</summary>
    public static decimal AreaWithCommonProperty(decimal premiseArea, decimal commonPropertyArea, decimal totalPremisesArea) =>
        premiseArea + commonPropertyArea * premiseArea / totalPremisesArea;

    /// <summary>
    /// ПП 354, п. 42(1), прил. 2, ф. 2 and 2(1) (with 2(3)/2(4) pass the area of <see cref="AreaWithCommonProperty"/>):
    /// <c>P = S × N_T × K_п × T_T</c>; K_п = 1 for the season method, heating-season months / 12 for the evenly method.
    /// </summary>
    public static decimal HeatingByNorm(decimal area, decimal norm, decimal periodicity, decimal rate) => area * norm * periodicity * rate;

    /// <summary>K_п of ф. 2(1), 2(4): months of the heating season (partial months count whole) / 12.</summary>
    public static decimal Periodicity(int seasonMonths) => seasonMonths / 12m;

    /// <summary>ПП 354, п. 42(1), прил. 2, ф. 3: <c>P = V_д × S_i / S_об × T_T</c>, heating by the building meter.</summary>
    public static decimal HeatingByBuildingMeter(decimal buildingVolume, decimal premiseArea, decimal totalPremisesArea, decimal rate) =>
        buildingVolume * premiseArea / totalPremisesArea * rate;

    /// <summary>ПП 354, прил. 2, ф. 11 (ф. 12 for hot water): the building's КР на СОИ volume <c>V_д − Σ V_u</c> (may be negative).</summary>
    public static decimal CommonPropertyVolumeByMeter(decimal buildingVolume, decimal premisesVolume) => buildingVolume - premisesVolume;

    /// <summary>ПП 354, прил. 2, ф. 15: the building's КР на СОИ volume by the norm <c>N_одн × S_ои</c>; also the cap of ЖК ст. 156 ч. 9.2.</summary>
    public static decimal CommonPropertyVolumeByNorm(decimal norm, decimal commonPropertyArea) => norm * commonPropertyArea;

    /// <summary>ПП 354, прил. 2, ф. 11 and 15: a premise's part of the building's КР на СОИ volume <c>V × S_i / S_об</c>.</summary>
    public static decimal CommonPropertyShare(decimal buildingVolume, decimal premiseArea, decimal totalPremisesArea) =>
        buildingVolume * premiseArea / totalPremisesArea;

    /// <summary>ЖК РФ ст. 154 ч. 2, ст. 156 (maintenance), ст. 156 ч. 8.1 and ст. 169 (capital repair): <c>P = S_i × Rate</c>.</summary>
    public static decimal ByArea(decimal area, decimal rate) => area * rate;

    /// <summary>ПП 354, прил. 2, ф. 9(1): solid waste by residents <c>P = n × N_тко / 12 × T</c> (N per person per year).</summary>
    public static decimal WasteByResidents(decimal persons, decimal yearlyNorm, decimal rate) => persons * yearlyNorm / 12m * rate;

    /// <summary>ПП 354, прил. 2, ф. 9(2): solid waste by area <c>P = S_i × N_тко / 12 × T</c> (N per m² per year).</summary>
    public static decimal WasteByArea(decimal area, decimal yearlyNorm, decimal rate) => area * yearlyNorm / 12m * rate;

    /// <summary>ПП 354, п. 90: temporary absence <c>ΔP = − m × N × T × D_abs / D_month</c>.</summary>
    public static decimal AbsenceReduction(decimal absentPersons, decimal norm, decimal rate, int absentDays, int daysInMonth) =>
        -(absentPersons * norm * rate * absentDays / daysInMonth);

    /// <summary>
    /// ПП 354, прил. 1 (recalculations.md §2.2 [uncertain]): excess hours of interruptions
    /// <c>max(Σ max(0, d_e − L_once,e), Σ d_e − L_month)</c>, never negative; a null limit is not checked
    /// (<see cref="ExcessHoursRule.MonthlyOnly"/> drops the single-event term when a month limit exists).
    /// </summary>
    /// <param name="events">Each event's duration in hours and its allowed single duration (null = none).</param>
    /// <param name="monthlyLimit">Allowed hours in total per month, or null.</param>
    /// <param name="rule">How the two terms combine.</param>
    public static decimal ExcessHours(IEnumerable<(decimal Hours, decimal? SingleLimit)> events, decimal? monthlyLimit, ExcessHoursRule rule = ExcessHoursRule.MaxOfSingleAndMonthly)
    {
        var list = events.ToList();
        decimal single = list.Sum(e => e.SingleLimit is { } once ? Math.Max(0m, e.Hours - once) : 0m);
        if (monthlyLimit is not { } month) return single;
        decimal monthly = Math.Max(0m, list.Sum(e => e.Hours) - month);
        return rule == ExcessHoursRule.MonthlyOnly ? monthly : Math.Max(single, monthly);
    }

    /// <summary>ПП 354, п. 98, 101: the reduction of a month's charge <c>ΔP = − P × share</c>, the share capped at 100 %.</summary>
    public static decimal QualityReduction(decimal monthCharge, decimal share) => -(monthCharge * Math.Min(1m, share));
}
