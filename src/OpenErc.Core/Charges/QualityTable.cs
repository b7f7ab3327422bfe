using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>How a row of Приложение 1 turns the incidents of a month into a share of the month's charge.</summary>
public enum ReductionBasis
{
    /// <summary><c>Rate × excess hours</c> over the allowed month total and single-event duration.</summary>
    ExcessHours = 1,

    /// <summary><c>Rate × hours</c> of deviation (nothing is allowed); above <see cref="QualityRule.DaysAbovePercent"/> day-based instead.</summary>
    DeviationHours = 2,

    /// <summary><c>Rate × Σ hours × degrees</c> beyond the allowed deviation (room air temperature).</summary>
    DegreeHours = 3,

    /// <summary><c>Rate × Σ hours × steps</c> of <see cref="QualityRule.DegreeStep"/> °C beyond the allowed deviation (hot water temperature).</summary>
    TemperatureSteps = 4,

    /// <summary><c>D_bad / D_month</c>: each day touched by the incident is not paid (ПП 354 п. 101).</summary>
    Days = 5,

    /// <summary><c>Rate × excess hours / 24</c> over the allowed total and single delay (waste removal).</summary>
    ExcessDays = 6,
}

/// <summary>An allowed single-event duration that depends on a temperature; bounds inclusive, the first matching band wins.</summary>
/// <param name="Minimum">Lowest temperature of the band, or null.</param>
/// <param name="Maximum">Highest temperature of the band, or null.</param>
/// <param name="Hours">Allowed hours at once.</param>
public sealed record TemperatureBand(decimal? Minimum, decimal? Maximum, decimal Hours);

/// <summary>One row of Приложение 1 to ПП 354: the allowed deviation of a parameter and the reduction beyond it.</summary>
/// <param name="Item">Row number in recalculations.md §2.2 (the order of Приложение 1).</param>
/// <param name="Resource">Resource of the service (<see cref="Resource.None"/> for solid waste).</param>
/// <param name="Kind">The incident kind the row handles.</param>
/// <param name="Parameter">The parameter, in Russian, for the trace.</param>
/// <param name="Basis">How the reduction is counted.</param>
/// <param name="Rate">Share of the month's charge per unit of the basis (0.0015 = 0.15 % per hour).</param>
public sealed record QualityRule(int Item, Resource Resource, IncidentKind Kind, string Parameter, ReductionBasis Basis, decimal Rate)
{
    /// <summary>Allowed hours in total per month, or null.</summary>
    public decimal? MonthlyAllowedHours { get; init; }

    /// <summary>Allowed hours at once, or null; the default when <see cref="SingleAllowedByTemperature"/> has no temperature to go by.</summary>
    public decimal? SingleAllowedHours { get; init; }

    /// <summary>Allowed hours at once by the incident's <see cref="ServiceIncident.Temperature"/>.</summary>
    public IReadOnlyList<TemperatureBand> SingleAllowedByTemperature { get; init; } = [];

    /// <summary>Allowed deviation below the norm from 05:00 to 24:00, °C.</summary>
    public decimal DayAllowedDegrees { get; init; }

    /// <summary>Allowed deviation below the norm from 00:00 to 05:00, °C.</summary>
    public decimal NightAllowedDegrees { get; init; }

    /// <summary>Allowed deviation above the norm, °C (room air: 4), or null when above the norm is not a deviation.</summary>
    public decimal? AboveNormAllowedDegrees { get; init; }

    /// <summary>Degrees per step for <see cref="ReductionBasis.TemperatureSteps"/>.</summary>
    public decimal DegreeStep { get; init; } = 1m;

    /// <summary>Hot water: a deviation above this (below 40 °C at the tap) is paid at the cold-water rate for those hours.</summary>
    public decimal? ColdRateAboveDeviation { get; init; }

    /// <summary>A pressure deviation above this percentage is counted by days instead of hours.</summary>
    public decimal? DaysAbovePercent { get; init; }

    /// <summary>The row applies to buildings with two independent power sources only (true), one source only (false), or both (null).</summary>
    public bool? TwoPowerSources { get; init; }

    /// <summary>Hours of this row that fall within an interruption of the same service are not counted (прил. 1 п. 14 over п. 15).</summary>
    public bool NotDuringInterruption { get; init; }
}

/// <summary>
/// Приложение 1 to ПП 354 as data (recalculations.md §2.2): the calculator looks a row up by resource and incident
/// kind and applies its basis; the rows are not code. The total reduction of a service in a month is capped at 100 %.
/// </summary>
/// <param name="Rules">The rows.</param>
public sealed record QualityTable(IReadOnlyList<QualityRule> Rules)
{
    /// <summary>The row for a resource and an incident kind, or null when the table has none.</summary>
    public QualityRule? Find(Resource resource, IncidentKind kind, bool twoPowerSources) =>
        Rules.FirstOrDefault(r => r.Resource == resource && r.Kind == kind && (r.TwoPowerSources is null || r.TwoPowerSources == twoPowerSources));

    private const decimal PerHour015 = 0.0015m;
    private const decimal PerHour010 = 0.001m;

    /// <summary>The table of recalculations.md §2.2 (ПП 354 прил. 1; ТКО in the ПП 671 of 24.05.2024 wording).</summary>
    public static QualityTable Appendix1 { get; } = new(
    [
        new(1, Resource.ColdWater, IncidentKind.Interruption, "Бесперебойность ХВС", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 8, SingleAllowedHours = 4 },
        new(2, Resource.ColdWater, IncidentKind.PoorQualityDays, "Состав и свойства ХВС", ReductionBasis.Days, 1m),
        new(3, Resource.ColdWater, IncidentKind.PressureDeviation, "Давление ХВС", ReductionBasis.DeviationHours, PerHour010)
            { DaysAbovePercent = 25 },
        new(4, Resource.HotWater, IncidentKind.Interruption, "Бесперебойность ГВС", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 8, SingleAllowedHours = 4 },
        new(5, Resource.HotWater, IncidentKind.LowTemperature, "Температура ГВС в точке водоразбора", ReductionBasis.TemperatureSteps, PerHour010)
            { DayAllowedDegrees = 3, NightAllowedDegrees = 5, DegreeStep = 3, ColdRateAboveDeviation = 20 },
        new(6, Resource.HotWater, IncidentKind.PoorQualityDays, "Состав и свойства ГВС", ReductionBasis.Days, 1m),
        new(7, Resource.HotWater, IncidentKind.PressureDeviation, "Давление ГВС", ReductionBasis.DeviationHours, PerHour010)
            { DaysAbovePercent = 25 },
        new(8, Resource.Sewage, IncidentKind.Interruption, "Бесперебойность водоотведения", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 8, SingleAllowedHours = 4 },
        new(9, Resource.Electricity, IncidentKind.Interruption, "Бесперебойность электроснабжения (один источник)", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 24, TwoPowerSources = false },
        new(9, Resource.Electricity, IncidentKind.Interruption, "Бесперебойность электроснабжения (два независимых источника)", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 2, TwoPowerSources = true },
        new(10, Resource.Electricity, IncidentKind.VoltageDeviation, "Напряжение и частота электроэнергии", ReductionBasis.DeviationHours, PerHour015),
        new(11, Resource.Gas, IncidentKind.Interruption, "Бесперебойность газоснабжения", ReductionBasis.ExcessHours, PerHour015)
            { MonthlyAllowedHours = 4 },
        new(12, Resource.Gas, IncidentKind.PoorQualityDays, "Свойства газа", ReductionBasis.Days, 1m),
        new(13, Resource.Gas, IncidentKind.PressureDeviation, "Давление газа", ReductionBasis.DeviationHours, PerHour010)
            { DaysAbovePercent = 25 },
        new(14, Resource.Heat, IncidentKind.Interruption, "Бесперебойность отопления", ReductionBasis.ExcessHours, PerHour015)
        {
            MonthlyAllowedHours = 24, SingleAllowedHours = 16,
            SingleAllowedByTemperature = [new(12, null, 16), new(10, 12, 8), new(8, 10, 4), new(null, null, 0)],
        },
        new(15, Resource.Heat, IncidentKind.LowTemperature, "Температура воздуха в жилом помещении", ReductionBasis.DegreeHours, PerHour015)
            { DayAllowedDegrees = 0, NightAllowedDegrees = 3, AboveNormAllowedDegrees = 4, NotDuringInterruption = true },
        new(16, Resource.Heat, IncidentKind.PressureDeviation, "Давление во внутридомовой системе отопления", ReductionBasis.DeviationHours, PerHour010),
        new(17, Resource.None, IncidentKind.WasteRemovalDelay, "Вывоз ТКО с контейнерных площадок", ReductionBasis.ExcessDays, 0.033m)
            { MonthlyAllowedHours = 72, SingleAllowedHours = 24, SingleAllowedByTemperature = [new(null, 5, 48), new(null, null, 24)] },
    ]);
}
