using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Benefits;

/// <summary>
/// A benefit category as the region's reference data (benefits.md §1, §2.4), effective-dated: what a category gives and
/// on what — the rule <see cref="BenefitCategoryRule"/> reads. Created with the defaults of
/// <see cref="BenefitCategories.Defaults"/>; a region edits its rows (a new row from a date, the old one closed).
/// </summary>
public sealed class BenefitCategory : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }

    [Required(ErrorMessage = "Укажите код категории"), MaxLength(20)]
    public string Code { get; set; } = "";

    [Required(ErrorMessage = "Укажите название категории"), MaxLength(300)]
    public string Title { get; set; } = "";

    [MaxLength(300)]
    public string LegalBasis { get; set; } = "";

    /// <summary>The share <c>r</c> of the payment, in (0, 1].</summary>
    public decimal Rate { get; set; }

    /// <summary>The service groups discounted, their codes (<see cref="BenefitServiceGroups"/>) comma-separated.</summary>
    [MaxLength(100)]
    public string Services { get; set; } = "";

    public BenefitAreaCap AreaCap { get; set; }
    public bool ConsumptionCapAtNorm { get; set; }
    public bool CoversFamily { get; set; }
    public bool HousingInPublicStockOnly { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public BenefitCategoryRule Rule() => new(Code, Title, LegalBasis, Rate, Groups(Services), AreaCap, ConsumptionCapAtNorm, CoversFamily)
    {
        HousingInPublicStockOnly = HousingInPublicStockOnly,
    };

    public static BenefitCategory From(BenefitCategoryRule rule, DateOnly validFrom) => new()
    {
        Code = rule.Code, Title = rule.Title, LegalBasis = rule.LegalBasis, Rate = rule.Rate,
        Services = string.Join(",", rule.Services.Order().Select(g => g.Code())), AreaCap = rule.AreaCap,
        ConsumptionCapAtNorm = rule.ConsumptionCapAtNorm, CoversFamily = rule.CoversFamily, HousingInPublicStockOnly = rule.HousingInPublicStockOnly,
        ValidFrom = validFrom,
    };

    /// <summary>The groups of a comma-separated list of codes; an unknown code is left out (validation refuses it).</summary>
    public static HashSet<BenefitServiceGroup> Groups(string? codes) =>
        [.. (codes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => BenefitServiceGroups.TryParse(c, out var g) ? (BenefitServiceGroup?)g : null).OfType<BenefitServiceGroup>()];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Rate is <= 0 or > 1) yield return new("Доля льготы — больше 0 и не больше 1 (например, 0.5)", [nameof(Rate)]);
        foreach (var code in Services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!BenefitServiceGroups.TryParse(code, out _))
                yield return new($"Неизвестная группа услуг «{code}»: {string.Join(", ", Enum.GetValues<BenefitServiceGroup>().Select(g => g.Code()))}", [nameof(Services)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}

/// <summary>
/// How benefits reach the citizen (benefits.md §0): in money by УСЗН (<see cref="BenefitDeliveryMode.Cash"/>, the
/// default: the centre charges in full and only reports) or as a discount on the ЕПД (<see cref="BenefitDeliveryMode.InKind"/>:
/// the run writes benefit lines). Set for the region (<see cref="MunicipalityId"/> null) or a municipality, for all
/// categories or one, effective-dated; the most specific row in force wins.
/// </summary>
public sealed class BenefitDelivery : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long? MunicipalityId { get; set; }

    [MaxLength(20)]
    public string? CategoryCode { get; set; }

    public BenefitDeliveryMode Mode { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}

/// <summary>
/// A person's right to a measure of social support (benefits.md §6.1, «право на меру соцподдержки»): the category, the
/// account it applies to, the persons it covers (the beneficiary first), the household size and area standard УСЗН
/// recognised, an owner's share for capital repair, the decision and its validity <c>[ValidFrom, ValidTo)</c>. The
/// centre never decides eligibility: rights come from УСЗН's registry (<see cref="UsznRightId"/>) or are entered by
/// staff from its decision. A back-dated right queues its account's building for recalculation.
/// </summary>
public sealed class BenefitRight : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }

    /// <summary>УСЗН's stable id of the right (its registry's <c>RightId</c>); null for a right entered by hand.</summary>
    [MaxLength(50)]
    public string? UsznRightId { get; set; }

    public long PersonId { get; set; }
    public long AccountId { get; set; }

    [Required(ErrorMessage = "Укажите категорию льготника"), MaxLength(20)]
    public string CategoryCode { get; set; } = "";

    /// <summary>УСЗН's rate when it differs from the category's.</summary>
    public decimal? Rate { get; set; }

    /// <summary>
    /// The persons the right covers, the beneficiary included (УСЗН's <c>CoveredPersonIds</c> counted): <c>m</c> when the
    /// category covers the family, at most the residents; 1 otherwise.
    /// </summary>
    public int CoveredPersons { get; set; } = 1;

    /// <summary>The household size УСЗН recognises (<c>k</c> of the area standard); null — the residents.</summary>
    public int? FamilySize { get; set; }

    /// <summary>The area fixed by УСЗН, which wins over the standard.</summary>
    public decimal? AreaStandard { get; set; }

    public int? ShareNumerator { get; set; }
    public int? ShareDenominator { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    [MaxLength(100)]
    public string? DecisionNumber { get; set; }

    public DateOnly? DecisionDate { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Rate is <= 0 or > 1) yield return new("Доля льготы — больше 0 и не больше 1", [nameof(Rate)]);
        if (FamilySize is < 1) yield return new("Состав семьи — не меньше 1", [nameof(FamilySize)]);
        if (CoveredPersons < 1) yield return new("Льготой пользуется не меньше одного человека", [nameof(CoveredPersons)]);
        if (AreaStandard is <= 0) yield return new("Площадь по стандарту — больше 0", [nameof(AreaStandard)]);
        if (ShareNumerator is null != ShareDenominator is null || ShareNumerator is <= 0 || ShareDenominator is <= 0 || ShareNumerator > ShareDenominator)
            yield return new("Доля собственности — числитель и знаменатель вместе, 0 < числитель ≤ знаменатель", [nameof(ShareNumerator)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}

/// <summary>
/// A housing subsidy УСЗН granted an account (ЖК ст. 159, ПП 761; benefits.md §4): the monthly amount for the months
/// <c>[ValidFrom, ValidTo)</c>. Computed and paid by УСЗН — the centre records it and shows it on the ЕПД and in the
/// cabinet; it is the citizen's money, not a line of the ledger.
/// </summary>
public sealed class SubsidyDecision : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long AccountId { get; set; }

    [MaxLength(50)]
    public string? UsznDecisionId { get; set; }

    /// <summary>The monthly amount, roubles.</summary>
    public decimal Amount { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    [Required(ErrorMessage = "Укажите номер решения"), MaxLength(100)]
    public string DecisionNumber { get; set; } = "";

    public DateOnly DecisionDate { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Amount <= 0 || decimal.Round(Amount, 2) != Amount) yield return new("Сумма субсидии — больше 0, в рублях с копейками", [nameof(Amount)]);
        if (ValidTo is null) yield return new("Субсидия назначается на срок: укажите его конец", [nameof(ValidTo)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}
