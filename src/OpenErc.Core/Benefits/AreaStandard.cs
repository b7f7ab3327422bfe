namespace OpenErc.Core.Benefits;

/// <summary>
/// The area standard A(k) of benefits.md §2.2 (социальная норма площади / региональный стандарт нормативной площади),
/// m² for a household of k persons: <see cref="Single"/> for one, <see cref="Pair"/> in total for two,
/// <see cref="PerMember"/> × k for three or more. Regions replace the values (Крым 33 / 42 / 18, Свердловская обл.
/// 32 / 45 / 21, a Челябинская обл. УСЗН 54 / 72 / 18); an area fixed by УСЗН in the registry
/// (<c>AreaStandardM2</c>) wins over the table.
/// </summary>
/// <param name="Single">m² for a person living alone.</param>
/// <param name="Pair">m² in total for a household of two.</param>
/// <param name="PerMember">m² per member of a household of three or more.</param>
public sealed record AreaStandard(decimal Single, decimal Pair, decimal PerMember)
{
    /// <summary>ПП РФ от 29.08.2005 №541: 33 / 42 / 18 m² [recalled; whether it is still in force was not verified].</summary>
    public static readonly AreaStandard Federal = new(33m, 42m, 18m);

    /// <summary>A(k) in m²; <paramref name="fixedByUszn"/>, when given, is the answer.</summary>
    /// <param name="householdSize">k ≥ 1: the household as recognised by УСЗН (registry <c>FamilySize</c>), by default the residents n.</param>
    /// <param name="fixedByUszn">The registry's <c>AreaStandardM2</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 1 without a fixed area.</exception>
    public decimal For(int householdSize, decimal? fixedByUszn = null) => fixedByUszn ?? householdSize switch
    {
        < 1 => throw new ArgumentOutOfRangeException(nameof(householdSize), householdSize, "A household has at least one person"),
        1 => Single,
        2 => Pair,
        _ => PerMember * householdSize,
    };
}
