using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>The increasing coefficient for a resource over <c>[ValidFrom, ValidTo)</c> (ПП 354 п. 42; ПП 603, ПП 1871).</summary>
/// <param name="Resource">The resource.</param>
/// <param name="ValidFrom">First day in force.</param>
/// <param name="ValidTo">First day no longer in force, or null.</param>
/// <param name="Value">The multiplier of the norm-based amount.</param>
public sealed record IncreasingCoefficient(Resource Resource, DateOnly ValidFrom, DateOnly? ValidTo, decimal Value) : IEffectiveDated;

/// <summary>How excess interruption hours are counted when a month total and a single-event limit both exist (recalculations.md §2.2 [uncertain]).</summary>
public enum ExcessHoursRule
{
    /// <summary><c>max(Σ max(0, d_e − L_once), Σ d_e − L_month)</c> — the default.</summary>
    MaxOfSingleAndMonthly = 0,

    /// <summary>Only the month total counts: <c>Σ d_e − L_month</c>.</summary>
    MonthlyOnly = 1,
}

/// <summary>
/// Dated configuration of the charge rules of the region; every [uncertain] item of the domain folder is an
/// option here, with the documented default.
/// </summary>
public sealed record ChargeSettings
{
    /// <summary>The area standard of benefits and capital-repair compensations (benefits.md §2.2): 33 / 42 / 18 m² (ПП 541) by default.</summary>
    public Benefits.AreaStandard BenefitAreaStandard { get; init; } = Benefits.AreaStandard.Federal;

    /// <summary>
    /// The regional minimum capital-repair contribution per m² (ЖК ст. 156 ч. 8.1) a capital-repair benefit is computed on
    /// (benefits.md §3); null — the building's own rate (the benefit is then never above r × the charge either way).
    /// </summary>
    public decimal? CapitalRepairMinimumRate { get; init; }

    /// <summary>Whether a KR70/KR80 compensation takes the area standard per household or per owner's share (benefits.md §3 [uncertain]).</summary>
    public Benefits.KrCompensationAreaRule KrCompensationAreaRule { get; init; } = Benefits.KrCompensationAreaRule.PerHousehold;

    /// <summary>
    /// Also compute the lines of benefits delivered in money (Model A): never for the ledger — the УСЗН export asks for them
    /// to report the beneficiary's share the same rule gives (benefits.md §6.2 <c>BeneficiaryShareAmount</c>).
    /// </summary>
    public bool MonetisedBenefitLines { get; init; }

    /// <summary>
    /// Coefficients by resource and date (charges.md §4). The sewage row is used only with
    /// <see cref="CoefficientOnSewage"/>; gas and heat have none.
    /// </summary>
    public IReadOnlyList<IncreasingCoefficient> IncreasingCoefficients { get; init; } =
    [
        new(Resource.ColdWater, new DateOnly(2017, 1, 1), new DateOnly(2025, 12, 6), 1.5m),
        new(Resource.ColdWater, new DateOnly(2025, 12, 6), null, 3m),
        new(Resource.HotWater, new DateOnly(2017, 1, 1), null, 1.5m),
        new(Resource.Electricity, new DateOnly(2017, 1, 1), null, 1.5m),
        new(Resource.Sewage, new DateOnly(2017, 1, 1), null, 1.5m),
    ];

    /// <summary>Whether sewage gets the increasing coefficient (charges.md §4 [uncertain]: default no).</summary>
    public bool CoefficientOnSewage { get; init; }

    /// <summary>КР на СОИ: bill no more than the norm volume N_одн × S_ои (ЖК 156 ч. 9.2) unless the owners decided to pay the actual ОДПУ volume.</summary>
    public bool CapCommonPropertyAtNorm { get; init; } = true;

    /// <summary>How many months in a row the п. 59 average may replace readings for a residential premise (ПП 354 п. 59: 3).</summary>
    public int AverageMonthsLimit { get; init; } = 3;

    /// <summary>The same limit for a non-residential premise (ПП 354 п. 59: 2).</summary>
    public int AverageMonthsLimitNonResidential { get; init; } = 2;

    /// <summary>Months the п. 59 average is taken over when the meter has that history (6).</summary>
    public int AverageHistoryMonths { get; init; } = 6;

    /// <summary>The shortest history that still gives an average for a meter that worked less (3).</summary>
    public int AverageMinimumMonths { get; init; } = 3;

    /// <summary>After the average limit, whether missing readings (case «б») get the coefficient (charges.md §9.2 [uncertain]; default no).</summary>
    public bool CoefficientAfterMissingReadings { get; init; }

    /// <summary>
    /// A reading below the previous one is a register rollover only if the volume through zero is at most this share
    /// of the register capacity 10^Digits (default 10 %); otherwise it is a negative volume for operator review
    /// (charges.md §1, practice).
    /// </summary>
    public decimal RolloverMaxShare { get; init; } = 0.1m;

    /// <summary>Tariff zone of each register of a two-register meter: T1 day, T2 night.</summary>
    public IReadOnlyList<TariffZone> TwoZoneRegisters { get; init; } = [TariffZone.Day, TariffZone.Night];

    /// <summary>Tariff zone of each register of a three-register meter: T1 peak, T2 night, T3 half-peak (the usual order of Russian meters).</summary>
    public IReadOnlyList<TariffZone> ThreeZoneRegisters { get; init; } = [TariffZone.Peak, TariffZone.Night, TariffZone.HalfPeak];

    /// <summary>Months of the heating season (charges.md §6: season method months; K_п = count / 12 for the evenly method). A regional value.</summary>
    public IReadOnlySet<int> HeatingSeasonMonths { get; init; } = new HashSet<int> { 1, 2, 3, 4, 5, 10, 11, 12 };

    /// <summary>Приложение 1 to ПП 354 as data: allowed limits and reduction rates.</summary>
    public QualityTable QualityTable { get; init; } = QualityTable.Appendix1;

    /// <summary>ГВС temperature: count whole 3 °C steps (default) or the exact fraction (recalculations.md §2.4 [uncertain]).</summary>
    public bool WholeTemperatureSteps { get; init; } = true;

    /// <summary>ТКО delays: only whole 24 h of excess count (default, floor) or the exact fraction (recalculations.md §2.3 [uncertain]).</summary>
    public bool WholeWasteDelayDays { get; init; } = true;

    /// <summary>How excess interruption hours are counted (recalculations.md §2.2 [uncertain]).</summary>
    public ExcessHoursRule ExcessHoursRule { get; init; } = ExcessHoursRule.MaxOfSingleAndMonthly;
}
