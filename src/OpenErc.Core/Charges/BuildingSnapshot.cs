using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>
/// Everything the charge of one building for one month depends on, as known at calculation time.
/// The building is the unit because common-property volumes and building meters need every premise.
/// Effective-dated inputs keep their dates so that part-month changes are prorated by days.
/// Areas in m², volumes in the service's unit, rates in ₽ per unit.
/// </summary>
/// <remarks>
/// What the snapshot must hold besides the month itself: meter readings back to at least
/// 6 + <see cref="ChargeSettings.AverageMonthsLimit"/> months before the period (the п. 59 average and the
/// true-up after months without readings need them), and the dated rows (tariffs, norms, residents, …) that
/// are in force on any day of the period.
/// </remarks>
/// <param name="BuildingId">The building.</param>
/// <param name="Kind">An apartment building (МКД) adds the common-property share to norm-based heating (formula 2(3)).</param>
/// <param name="HeatingPaymentMethod">Heating in season months only, or evenly through the year (ПП 354 п. 42(1)).</param>
/// <param name="TotalPremisesArea">S_об: total area of all residential and non-residential premises, m².</param>
/// <param name="CommonPropertyArea">
/// S_ои per resource, m² (Минстрой letter 11.04.2017 №12368-АЧ/04: water and electricity differ). A missing
/// <see cref="Resource.Sewage"/> or <see cref="Resource.HotWater"/> entry falls back to <see cref="Resource.ColdWater"/>.
/// </param>
/// <param name="Premises">Premises with their accounts and individual meters.</param>
/// <param name="Services">Services provided in the building, with methods, suppliers, tariffs and norms.</param>
/// <param name="CommonHouseMeters">Building meters (ОДПУ), any resource; several meters of one resource are summed.</param>
/// <param name="Incidents">Service incidents (interruptions, poor quality) that reduce charges (recalculations.md §2).</param>
public sealed record BuildingSnapshot(
    long BuildingId,
    BuildingKind Kind,
    HeatingPaymentMethod HeatingPaymentMethod,
    decimal TotalPremisesArea,
    IReadOnlyDictionary<Resource, decimal> CommonPropertyArea,
    IReadOnlyList<PremiseSnapshot> Premises,
    IReadOnlyList<ServiceSnapshot> Services,
    IReadOnlyList<MeterSnapshot> CommonHouseMeters,
    IReadOnlyList<ServiceIncident> Incidents)
{
    /// <summary>
    /// Norm categories of the building by service code (key <c>""</c> = every service), e.g.
    /// <c>cpr_electricity → with_lift</c>, <c>heating → mkd_before_1999</c>; see <see cref="NormSelector"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> NormCategories { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Evenly-through-the-year heating with an ОДПУ: the previous year's average monthly heat volume, Гкал/month
    /// (ПП 354 п. 42(1), formula 3). Null: heating falls back to the norm with a note in the trace.
    /// </summary>
    public decimal? HeatingAverageMonthlyVolume { get; init; }

    /// <summary>
    /// Group meters with the premises each covers (an entrance, a communal flat): never a building meter. Heating by the
    /// building meter (ф. 3) shares a group meter's volume among its premises by area, and the building meter's volume
    /// less the groups' among the other premises; КР на СОИ of the other resources likewise (ф. 10, 11).
    /// </summary>
    public IReadOnlyList<GroupMeterSnapshot> GroupMeters { get; init; } = [];

    /// <summary>
    /// The yearly heating correction of the evenly method, to be charged in this period (the billing run puts it
    /// in a Q1 month); null when there is none this month.
    /// </summary>
    public HeatingAnnualCorrection? HeatingAnnualCorrection { get; init; }

    /// <summary>Electricity with two independent mutually redundant sources: 2 h allowed interruption instead of 24 h (ПП 354 прил. 1 п. 9).</summary>
    public bool TwoIndependentPowerSources { get; init; }
}

/// <summary>
/// The actual ОДПУ heat volumes of a past year, for the annual correction of the evenly method
/// (charges.md §6.3, formula 3(2) [recalled]).
/// </summary>
/// <param name="Year">The corrected calendar year.</param>
/// <param name="MonthlyVolumes">Actual building heat volume by month number 1..12, Гкал.</param>
public sealed record HeatingAnnualCorrection(int Year, IReadOnlyDictionary<int, decimal> MonthlyVolumes);

/// <param name="PremiseId">The premise.</param>
/// <param name="Number">Flat or premise number, for messages.</param>
/// <param name="Kind">Residential or not: nobody-resides → owners (п. 56(2)) applies to residential premises only.</param>
/// <param name="TotalArea">S_i, total area, m².</param>
/// <param name="Rooms">Number of rooms, chooses the electricity norm row; null matches no <c>rooms=</c> condition.</param>
/// <param name="MeterTechnicallyImpossible">
/// Resources with an act of technical impossibility of installing a meter (Минрегион order №627): no increasing
/// coefficient; temporary-absence recalculation allowed (ПП 354 п. 86).
/// </param>
/// <param name="Accounts">Accounts of the premise (several for shared ownership or a communal flat).</param>
/// <param name="Meters">Individual and room meters of the premise.</param>
public sealed record PremiseSnapshot(
    long PremiseId,
    string Number,
    PremiseKind Kind,
    decimal TotalArea,
    int? Rooms,
    IReadOnlySet<Resource> MeterTechnicallyImpossible,
    IReadOnlyList<AccountSnapshot> Accounts,
    IReadOnlyList<MeterSnapshot> Meters)
{
    /// <summary>Norm categories of the premise by service code (key <c>""</c> = every service), overriding the building's; e.g. <c>cold_water → mkd_bath</c>, <c>electricity → stove=gas</c>.</summary>
    public IReadOnlyDictionary<string, string> NormCategories { get; init; } = new Dictionary<string, string>();

    /// <summary>State or municipal housing stock (<see cref="Premise.PublicStock"/>) until <see cref="PrivatisedOn"/>, when set.</summary>
    public bool PublicStock { get; init; }

    public DateOnly? PrivatisedOn { get; init; }

    /// <summary>The days of <c>[from, to)</c> the premise is in public stock: an empty range when it is not.</summary>
    public (DateOnly From, DateOnly To) PublicStockDays(DateOnly from, DateOnly to) =>
        !PublicStock ? (from, from) : PrivatisedOn is { } day && day < to ? (from, day < from ? from : day) : (from, to);
}

/// <summary>
/// A personal account. <see cref="Share"/> applies to area-based charges (maintenance, capital repair, heating,
/// КР на СОИ, waste by area) and to premise-level meter volumes; per-person charges use the account's own
/// residents and are never multiplied by the share.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Share">Share of the premise the account pays for, (0, 1].</param>
/// <param name="OpenedOn">First day charged.</param>
/// <param name="ClosedOn">First day no longer charged (half-open like every range), or null.</param>
/// <param name="Residents">n_i over time: persons residing permanently and temporarily; days without a row count as 0.</param>
/// <param name="Owners">Number of owners over time (used when nobody resides, ПП 354 п. 56(2), п. 148(36)).</param>
/// <param name="Absences">Temporary absences of residents (recalculations.md §1).</param>
public sealed record AccountSnapshot(
    long AccountId,
    decimal Share,
    DateOnly OpenedOn,
    DateOnly? ClosedOn,
    IReadOnlyList<Dated<int>> Residents,
    IReadOnlyList<Dated<int>> Owners,
    IReadOnlyList<AbsenceSnapshot> Absences)
{
    /// <summary>
    /// Heating charged to the account for the year of <see cref="BuildingSnapshot.HeatingAnnualCorrection"/>, ₽; required
    /// (a <see cref="ChargeDataException"/> otherwise) when the account has days in that year.
    /// </summary>
    public decimal? HeatingChargedForCorrectedYear { get; init; }

    /// <summary>The rights to benefits on the account in the month (benefits.md §5); only those <see cref="BenefitSnapshot.InKind"/> are charged.</summary>
    public IReadOnlyList<BenefitSnapshot> Benefits { get; init; } = [];
}

/// <summary>
/// A right to a benefit in kind as the calculator needs it: the category's rule, the rate (УСЗН's when set), the covered
/// persons <c>m</c>, the household size and area fixed by УСЗН, the owner's share, the right's days <c>[From, To)</c>, and
/// whether it is delivered in kind (a «Льгота» line) or in money by УСЗН (reported only, <see cref="ChargeSettings.MonetisedBenefitLines"/>).
/// </summary>
public sealed record BenefitSnapshot(long RightId, Benefits.BenefitCategoryRule Rule, decimal Rate, int Covered, int? FamilySize, decimal? AreaStandard,
    decimal? OwnerShare, DateOnly From, DateOnly? To, bool InKind)
{
    /// <summary>The beneficiary.</summary>
    public long? PersonId { get; init; }
}

/// <summary>
/// A temporary absence: the days strictly between <paramref name="Departed"/> and <paramref name="Returned"/>
/// count (ПП 354 п. 90: neither the day of departure nor the day of arrival).
/// </summary>
/// <param name="Departed">Day of departure (not counted).</param>
/// <param name="Returned">Day of arrival (not counted).</param>
/// <param name="Persons">How many residents were away.</param>
public sealed record AbsenceSnapshot(DateOnly Departed, DateOnly Returned, int Persons = 1)
{
    /// <summary>Who was away, when the registry says (a beneficiary's own absence changes his share, benefits.md §5.5).</summary>
    public long? PersonId { get; init; }
}

/// <summary>A reading of one register of a meter.</summary>
/// <param name="Zone">Register number 1..Zones (see <see cref="ChargeSettings.TwoZoneRegisters"/>).</param>
/// <param name="ReadOn">The day the reading was taken; it belongs to the month of this day.</param>
/// <param name="Value">The register value as entered.</param>
/// <summary>A group meter and the premises it covers.</summary>
public sealed record GroupMeterSnapshot(MeterSnapshot Meter, IReadOnlyList<long> PremiseIds);

public sealed record ReadingSnapshot(int Zone, DateOnly ReadOn, decimal Value);

/// <summary>A meter in service over <c>[InstalledOn, RemovedOn)</c>; a reading on the removal day is still valid.</summary>
/// <param name="MeterId">The meter.</param>
/// <param name="Kind">Individual, room (communal flat), building or group.</param>
/// <param name="Resource">What it measures.</param>
/// <param name="Zones">Number of tariff registers, 1..3.</param>
/// <param name="Digits">Whole digits of the register: a reading below the previous one is a rollover at 10^Digits when plausible (see <see cref="ChargeSettings.RolloverMaxShare"/>); 0 = never.</param>
/// <param name="InstalledOn">Commissioning day.</param>
/// <param name="RemovedOn">Removal day, or null.</param>
/// <param name="NextVerificationOn">Due day of the next verification: from this day the meter counts as failed (ПП 354 п. 81(12)).</param>
/// <param name="Readings">Readings, any order.</param>
public sealed record MeterSnapshot(
    long MeterId,
    MeterKind Kind,
    Resource Resource,
    int Zones,
    int Digits,
    DateOnly InstalledOn,
    DateOnly? RemovedOn,
    DateOnly? NextVerificationOn,
    IReadOnlyList<ReadingSnapshot> Readings)
{
    /// <summary>A room meter of a communal flat belongs to one account; null = the whole premise (split by account shares).</summary>
    public long? AccountId { get; init; }

    /// <summary>Day the meter was found failed, lost or with broken seals (п. 59 «а»): average, then the norm with the coefficient.</summary>
    public DateOnly? FailedOn { get; init; }

    /// <summary>Day of the act of the consumer's second refusal of access for a check (п. 59 «в», п. 85): treated like a failure.</summary>
    public DateOnly? AccessRefusedOn { get; init; }
}

/// <summary>A tariff of a supplier for a zone over <c>[ValidFrom, ValidTo)</c> (₽ per unit, up to 6 decimals).</summary>
/// <param name="SupplierId">The supplier whose price it is.</param>
/// <param name="Zone">Time-of-day zone; norm-based charges use <see cref="TariffZone.Single"/>.</param>
/// <param name="ValidFrom">First day in force.</param>
/// <param name="ValidTo">First day no longer in force, or null.</param>
/// <param name="Rate">₽ per unit (₽/Гкал for <see cref="TariffPart.HeatEnergy"/>).</param>
public sealed record TariffSnapshot(long SupplierId, TariffZone Zone, DateOnly ValidFrom, DateOnly? ValidTo, decimal Rate) : IEffectiveDated
{
    /// <summary>Which component of the tariff this is; a hot-water service with a heat-energy rate is two-component.</summary>
    public TariffPart Part { get; init; } = TariffPart.Unit;
}

/// <summary>A consumption norm of a category over <c>[ValidFrom, ValidTo)</c>.</summary>
/// <param name="Category">Category code, see <see cref="NormSelector"/> for the convention.</param>
/// <param name="ValidFrom">First day in force.</param>
/// <param name="ValidTo">First day no longer in force, or null.</param>
/// <param name="Value">Unit per person per month, per m² per month (heating, КР на СОИ), or per year when <see cref="PerYear"/>.</param>
public sealed record NormSnapshot(string Category, DateOnly ValidFrom, DateOnly? ValidTo, decimal Value) : IEffectiveDated
{
    /// <summary>A yearly norm (ТКО, m³ per person or per m² per year): the month uses Value / 12 (ПП 354 прил. 2 ф. 9(1), 9(2)).</summary>
    public bool PerYear { get; init; }
}

/// <summary>A service as provided in the building: how it is calculated, who supplies it, at what price.</summary>
/// <param name="Code">Stable service code, e.g. <c>cold_water</c>, <c>cpr_electricity</c>.</param>
/// <param name="Kind">Communal, housing, or a communal resource for common property (КР на СОИ).</param>
/// <param name="Resource">The resource; <see cref="Resource.None"/> for maintenance, capital repair, waste.</param>
/// <param name="Unit">Unit of volume printed on lines (м³, кВт·ч, Гкал, м²).</param>
/// <param name="Methods">Calculation method over time; no method on a day = not provided that day.</param>
/// <param name="Suppliers">Supplier over time; a change mid-month gives one line per supplier.</param>
/// <param name="Tariffs">Tariffs of all suppliers of the service.</param>
/// <param name="Norms">Norms of all categories the building may use.</param>
public sealed record ServiceSnapshot(
    string Code,
    ServiceKind Kind,
    Resource Resource,
    string Unit,
    IReadOnlyList<Dated<CalculationMethod>> Methods,
    IReadOnlyList<Dated<long>> Suppliers,
    IReadOnlyList<TariffSnapshot> Tariffs,
    IReadOnlyList<NormSnapshot> Norms)
{
    /// <summary>q: the norm of heat energy for heating 1 m³ of water, Гкал/m³, for a two-component hot-water tariff (ПП 354 прил. 2 ф. 23).</summary>
    public IReadOnlyList<Dated<decimal>> HeatEnergyNorm { get; init; } = [];
}

/// <summary>What an incident is about; with the service's resource it selects the row of <see cref="QualityTable"/>.</summary>
public enum IncidentKind
{
    /// <summary>The service was not supplied (continuity).</summary>
    [Display(Name = "Перерыв в предоставлении")] Interruption = 1,

    /// <summary>Composition or properties below the rules: the days touched are not paid.</summary>
    [Display(Name = "Несоответствие состава и свойств")] PoorQualityDays = 2,

    /// <summary>Temperature below (or, for room air, above) the norm; <see cref="ServiceIncident.DeviationDegrees"/> says by how much.</summary>
    [Display(Name = "Отклонение температуры")] LowTemperature = 3,

    /// <summary>Pressure outside the allowed range; <see cref="ServiceIncident.DeviationPercent"/> says by how much.</summary>
    [Display(Name = "Отклонение давления")] PressureDeviation = 4,

    /// <summary>Solid waste removal later than allowed.</summary>
    [Display(Name = "Нарушение срока вывоза ТКО")] WasteRemovalDelay = 5,

    /// <summary>Electricity with voltage or frequency outside the state standards.</summary>
    [Display(Name = "Отклонение напряжения или частоты")] VoltageDeviation = 6,
}

/// <summary>A registered service incident for the whole building or some premises, with its measured deviation.</summary>
/// <param name="ServiceCode">The service affected; the reduction line carries this code.</param>
/// <param name="Kind">Kind of the incident.</param>
/// <param name="Start">Local time the deviation started (dispatch log or act).</param>
/// <param name="End">Local time it ended (exclusive).</param>
/// <param name="PremiseIds">Affected premises; null = the whole building.</param>
/// <param name="DeviationDegrees">°C below the norm (hot water at the tap: below 60 °C; room air: below +18/+20 °C); negative = above the norm.</param>
/// <param name="DeviationPercent">Pressure deviation from the allowed range, %.</param>
public sealed record ServiceIncident(
    string ServiceCode,
    IncidentKind Kind,
    DateTime Start,
    DateTime End,
    IReadOnlySet<long>? PremiseIds = null,
    decimal? DeviationDegrees = null,
    decimal? DeviationPercent = null)
{
    /// <summary>
    /// A temperature that selects the allowed duration: room air during a heating interruption (ПП 354 прил. 1 п. 14),
    /// the average daily outdoor air during a waste removal delay (п. 17), °C.
    /// </summary>
    public decimal? Temperature { get; init; }
}
