using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>Where the volume of a line comes from.</summary>
public enum VolumeSource
{
    /// <summary>Individual meter readings (ПП 354 прил. 2 ф. 1).</summary>
    [Display(Name = "По прибору учёта")] Meter = 1,

    /// <summary>The п. 59 average monthly consumption of the meter.</summary>
    [Display(Name = "По среднему")] Average = 2,

    /// <summary>A consumption norm (ф. 4; п. 60 after the average limit).</summary>
    [Display(Name = "По нормативу")] Norm = 3,

    /// <summary>Area × rate (maintenance, capital repair) or area × norm (heating, waste by area).</summary>
    [Display(Name = "По площади")] Area = 4,

    /// <summary>A building meter (ОДПУ) volume distributed by area (ф. 3, ф. 11).</summary>
    [Display(Name = "По общедомовому прибору учёта")] CommonHouseMeter = 5,

    /// <summary>The common-property norm (ф. 15).</summary>
    [Display(Name = "По нормативу на СОИ")] CommonPropertyNorm = 6,

    /// <summary>A correction of the month's charge of the same service (absence, quality, annual heating correction).</summary>
    [Display(Name = "Перерасчёт")] Correction = 7,
}

/// <summary>What a line is; part of the line's natural key with account, service, supplier, period and zone.</summary>
public enum ChargeLineKind
{
    /// <summary>The month's charge.</summary>
    [Display(Name = "Начисление")] Charge = 0,

    /// <summary>Reduction for temporary absence (ПП 354 п. 86–90), negative.</summary>
    [Display(Name = "Перерасчёт за временное отсутствие")] TemporaryAbsence = 1,

    /// <summary>Reduction for inadequate quality or excessive interruptions (ПП 354 п. 98–101, прил. 1), negative.</summary>
    [Display(Name = "Снижение за качество или перерывы")] QualityReduction = 2,

    /// <summary>Yearly correction of evenly-paid heating to the actual ОДПУ volume (charges.md §6.3), either sign.</summary>
    [Display(Name = "Годовая корректировка отопления")] HeatingAnnualCorrection = 3,

    /// <summary>
    /// A recalculation of an earlier month to today's registry data, booked in the open month with the corrected
    /// service month: the fresh calculation minus everything posted for that month (either sign).
    /// </summary>
    [Display(Name = "Перерасчёт")] Recalculation = 4,

    /// <summary>A correction entered by an operator with a reason (either sign).</summary>
    [Display(Name = "Ручная корректировка")] ManualCorrection = 5,

    /// <summary>Пени (ЖК РФ ст. 155 ч. 14, 14.1): accrued to the calculation date minus penalties already billed.</summary>
    [Display(Name = "Пени")] Penalty = 6,

    /// <summary>
    /// A balance brought from an earlier system when the region moved in (debt + / advance −): the difference between the
    /// source's opening balance and what was brought before, so that a later file corrects it. Counted as the month's
    /// opening balance, not as a charge or recalculation.
    /// </summary>
    [Display(Name = "Входящее сальдо")] OpeningBalance = 7,

    /// <summary>
    /// A benefit of social support delivered in kind (benefits.md §5, Model B): negative, the same recipient as the
    /// service, computed from the month's net charge of the line by the category's rule, one per right.
    /// </summary>
    [Display(Name = "Льгота")] Benefit = 8,
}

/// <summary>One named input of a calculation, as printed in the trace ("Тариф = 52.37 ₽/м³").</summary>
/// <param name="Name">Name in Russian.</param>
/// <param name="Value">The value, unrounded.</param>
/// <param name="Unit">Unit in Russian ("₽/м³", "чел.", "м²"); empty for a pure number.</param>
public sealed record TraceInput(string Name, decimal Value, string Unit);

/// <summary>
/// A part of the month with its own inputs (a tariff change, residents moving in, an account opened mid-month).
/// The line's amount is the sum of the segments' unrounded amounts, rounded once.
/// </summary>
/// <param name="From">First day of the segment.</param>
/// <param name="To">First day after the segment (exclusive).</param>
/// <param name="DayFactor">Days of the segment / days in the month.</param>
/// <param name="Volume">Volume of the segment, unrounded.</param>
/// <param name="Inputs">Inputs that differ between segments (the common ones are on the trace).</param>
/// <param name="Unrounded">Amount of the segment, ₽, unrounded.</param>
public sealed record TraceSegment(DateOnly From, DateOnly To, decimal DayFactor, decimal Volume, IReadOnlyList<TraceInput> Inputs, decimal Unrounded);

/// <summary>Why a line has its amount: the formula in words and symbols, its legal source, and every input.</summary>
/// <param name="Formula">The formula with the symbols of the trace inputs, e.g. "P = n × N × T × K".</param>
/// <param name="LegalReference">Where the rule is, e.g. "ПП 354, прил. 2, ф. 4".</param>
/// <param name="Inputs">Inputs common to the whole line.</param>
/// <param name="Note">Why something unusual happened (fallback, rollover, cap), in Russian.</param>
public sealed record ChargeTrace(string Formula, string LegalReference, IReadOnlyList<TraceInput> Inputs, string? Note = null)
{
    /// <summary>The segments of the month when the inputs changed within it; empty for a line with one set of inputs.</summary>
    public IReadOnlyList<TraceSegment> Segments { get; init; } = [];
}

/// <summary>
/// A charge line of one account, service, supplier, month, zone and <see cref="Kind"/>: <see cref="Amount"/> is
/// <see cref="Unrounded"/> rounded once to kopecks, half away from zero. Recalculations of the month
/// (absence, quality) are lines too, with <see cref="VolumeSource.Correction"/> and the code of the service they reduce.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="ServiceCode">The service (for a correction: the service corrected).</param>
/// <param name="SupplierId">Who the money is for.</param>
/// <param name="Period">The billing month.</param>
/// <param name="Zone">Tariff zone; one line per zone of a zonal meter.</param>
/// <param name="Volume">Billed quantity in <paramref name="Unit"/> (m³, kWh, Гкал, m² for area rates), unrounded; negative on reductions.</param>
/// <param name="Unit">Unit of the volume.</param>
/// <param name="Rate">
/// ₽ per unit in force at the end of the line's days (a tariff change mid-month leaves the earlier rate in the
/// trace segments); for two-component hot water the effective T_хв + q × T_тэ.
/// </param>
/// <param name="Coefficient">Increasing coefficient of the last segment (1 when none).</param>
/// <param name="DayFactor">Share of the month the line covers (days / days in month), 1 for a whole month.</param>
/// <param name="Source">Volume source of the last segment.</param>
/// <param name="Unrounded">The exact amount, ₽.</param>
/// <param name="Amount">The amount rounded once to kopecks.</param>
/// <param name="Trace">The explanation.</param>
public sealed record ChargeLine(
    long AccountId,
    string ServiceCode,
    long SupplierId,
    BillingPeriod Period,
    TariffZone Zone,
    decimal Volume,
    string Unit,
    decimal Rate,
    decimal Coefficient,
    decimal DayFactor,
    VolumeSource Source,
    decimal Unrounded,
    Money Amount,
    ChargeTrace Trace)
{
    /// <summary>The month's charge or which recalculation it is.</summary>
    public ChargeLineKind Kind { get; init; } = ChargeLineKind.Charge;

    /// <summary>For a benefit line, the right it is of (in memory only: the ledger keeps the line, the trace names the category).</summary>
    public long? RightId { get; init; }
}

/// <summary>The snapshot cannot be charged (no tariff, no norm, an ambiguous norm row): the billing run records the building with this reason and skips it.</summary>
public sealed class ChargeDataException(string message) : Exception(message);
