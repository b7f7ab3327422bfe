using System.ComponentModel.DataAnnotations;

namespace OpenErc.Core.Benefits;

/// <summary>
/// The service groups a measure of social support covers (benefits.md §2.4); the codes are those of the УСЗН exchange
/// (§6.1 <c>Services</c>), see <see cref="BenefitServiceGroups"/>. Penalties, state duty and court costs are never
/// discounted and have no group.
/// </summary>
public enum BenefitServiceGroup
{
    /// <summary>Наём, содержание жилого помещения (code <c>HOUSING</c>).</summary>
    [Display(Name = "Наём, содержание")] Housing,

    /// <summary>Коммунальные ресурсы на содержание общего имущества, the КР на СОИ lines (code <c>CPR</c>).</summary>
    [Display(Name = "КР на СОИ")] CommonPropertyResources,

    /// <summary>ХВС, ГВС, водоотведение, электроснабжение, газ, отопление (code <c>COMMUNAL</c>).</summary>
    [Display(Name = "Коммунальные услуги")] Communal,

    /// <summary>Обращение с ТКО, a communal service since 2019 (code <c>TKO</c>).</summary>
    [Display(Name = "Обращение с ТКО")] Waste,

    /// <summary>Взнос на капитальный ремонт (code <c>KR</c>).</summary>
    [Display(Name = "Взнос на капремонт")] CapitalRepair,
}

/// <summary>The exchange codes of <see cref="BenefitServiceGroup"/> (benefits.md §6.1).</summary>
public static class BenefitServiceGroups
{
    private static readonly Dictionary<BenefitServiceGroup, string> Codes = new()
    {
        [BenefitServiceGroup.Housing] = "HOUSING",
        [BenefitServiceGroup.CommonPropertyResources] = "CPR",
        [BenefitServiceGroup.Communal] = "COMMUNAL",
        [BenefitServiceGroup.Waste] = "TKO",
        [BenefitServiceGroup.CapitalRepair] = "KR",
    };

    private static readonly Dictionary<string, BenefitServiceGroup> ByCode = Codes.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    public static string Code(this BenefitServiceGroup group) => Codes[group];

    /// <summary>The group of an exchange code, any case; false for anything else.</summary>
    public static bool TryParse(string code, out BenefitServiceGroup group) => ByCode.TryGetValue(code.Trim(), out group);

    /// <summary>
    /// The group of a service (§2.4): КР на СОИ lines; the capital-repair contribution (code <c>capital_repair</c>) and other
    /// housing services; ТКО (code <c>waste</c>); the other communal services. Penalties are never discounted.
    /// </summary>
    public static BenefitServiceGroup Of(Tariffs.ServiceKind kind, string code) => kind switch
    {
        Tariffs.ServiceKind.CommonPropertyResource => BenefitServiceGroup.CommonPropertyResources,
        Tariffs.ServiceKind.Housing => code == "capital_repair" ? BenefitServiceGroup.CapitalRepair : BenefitServiceGroup.Housing,
        _ => code == "waste" ? BenefitServiceGroup.Waste : BenefitServiceGroup.Communal,
    };
}

/// <summary>How the area base of a measure is limited (benefits.md §2.2).</summary>
public enum BenefitAreaCap
{
    /// <summary>The occupied area, without a social-norm cap: <c>S_b = S_i × m / n</c>.</summary>
    [Display(Name = "Занимаемая площадь")] None,

    /// <summary>The area standard A(k): <c>S_b = min(S_i, A(k)) × m / n</c>.</summary>
    [Display(Name = "Стандарт нормативной площади")] AreaStandard,
}

/// <summary>
/// The two delivery models of benefits.md §0, set per region × category × service with validity dates: the centre
/// charges in full and УСЗН pays cash (Model A, the default), or the centre writes discount lines (Model B).
/// </summary>
public enum BenefitDeliveryMode
{
    /// <summary>Model A: full charges, ЕДК paid by УСЗН from the exported data.</summary>
    [Display(Name = "Денежная компенсация (ЕДК)")] Cash,

    /// <summary>Model B: negative «Льгота» lines, reimbursed to the recipients by the budget.</summary>
    [Display(Name = "Скидка в платёжном документе")] InKind,
}

/// <summary>How the area standard applies to the capital-repair compensation of an owner (benefits.md §3) [uncertain: regional].</summary>
public enum KrCompensationAreaRule
{
    /// <summary><c>S_b = min(S_i, A(k)) × m / n</c>.</summary>
    [Display(Name = "На домохозяйство")] PerHousehold,

    /// <summary><c>S_b = min(S_i × ownerShare, A(k) / k)</c>.</summary>
    [Display(Name = "На долю собственника")] PerOwnerShare,
}

/// <summary>
/// What a category of beneficiaries gets (benefits.md §1, §2.4): data, never logic — a region overrides any row
/// (regional law defines <c>VET_TRUDA</c>, <c>MNOGODET</c>, <c>KR70</c>/<c>KR80</c>) and adds its own codes.
/// </summary>
/// <param name="Code">Code of §1 or a regional code.</param>
/// <param name="Title">Russian name shown to people.</param>
/// <param name="LegalBasis">The act and article, as printed.</param>
/// <param name="Rate">Share of the payment <c>r</c>, in (0, 1].</param>
/// <param name="Services">Service groups discounted.</param>
/// <param name="AreaCap">Occupied area or the area standard (§2.2).</param>
/// <param name="ConsumptionCapAtNorm">Metered volumes are discounted only up to the norm (§2.3).</param>
/// <param name="CoversFamily">Family members living with the beneficiary are covered (count in <c>m</c>); the registry's
/// <c>CoveredPersonIds</c> name them.</param>
public sealed record BenefitCategoryRule(string Code, string Title, string LegalBasis, decimal Rate, IReadOnlySet<BenefitServiceGroup> Services,
    BenefitAreaCap AreaCap, bool ConsumptionCapAtNorm, bool CoversFamily)
{
    /// <summary>
    /// Наём and содержание are discounted only in state or municipal housing stock (181-ФЗ ст. 17 ч. 13); the other
    /// groups in any stock.
    /// </summary>
    public bool HousingInPublicStockOnly { get; init; }

    public bool Covers(BenefitServiceGroup group) => Services.Contains(group);
}

/// <summary>The default table of categories (benefits.md §1 and §2.4), to be overridden by regional data.</summary>
public static class BenefitCategories
{
    private const BenefitServiceGroup H = BenefitServiceGroup.Housing, Cpr = BenefitServiceGroup.CommonPropertyResources,
        C = BenefitServiceGroup.Communal, W = BenefitServiceGroup.Waste, Kr = BenefitServiceGroup.CapitalRepair;

    private static HashSet<BenefitServiceGroup> Set(params BenefitServiceGroup[] groups) => [.. groups];

    /// <summary>
    /// One row per code of §1. The [recalled]/[uncertain] choices, all of them data a region replaces:
    /// <list type="bullet">
    /// <item><c>VOV_*</c>, <c>CHAES</c>: КР на СОИ and ТКО covered [recalled]; <c>VOV_UCH</c> covers the family only when
    /// the participant is disabled — the registry's covered persons decide, so <c>CoversFamily</c> is false.</item>
    /// <item><c>VBD</c>: КР на СОИ as part of содержание [uncertain]; family members per a 01.2026 notice [uncertain] — not
    /// covered by default.</item>
    /// <item><c>FAM_FALLEN</c>: capital repair not listed by §1 [recalled], not covered by default.</item>
    /// <item><c>VET_TRUDA</c>: the typical regional rule (50 %, area standard, norms, beneficiary only), as in §7.1.</item>
    /// <item><c>INV</c>: capital repair for groups I–II and disabled children only — УСЗН registers the right
    /// accordingly.</item>
    /// <item><c>FAM_CHILD_INV</c>: whole family per one press source [uncertain].</item>
    /// <item><c>CHAES</c>: housing within the area norms, so the area standard applies [recalled].</item>
    /// <item><c>MNOGODET</c>: the historic ≥ 30 % floor on communal services [uncertain after Указ №63 of 23.01.2024].</item>
    /// </list>
    /// </summary>
    public static readonly IReadOnlyList<BenefitCategoryRule> Defaults =
    [
        new("VOV_INV", "Инвалиды войны", "ФЗ от 12.01.1995 №5-ФЗ, ст. 14", 0.5m, Set(H, Cpr, C, W, Kr), BenefitAreaCap.None, true, true),
        new("VOV_UCH", "Участники Великой Отечественной войны", "ФЗ от 12.01.1995 №5-ФЗ, ст. 15", 0.5m, Set(H, Cpr, C, W, Kr), BenefitAreaCap.None, true, false),
        new("VBD", "Ветераны боевых действий", "ФЗ от 12.01.1995 №5-ФЗ, ст. 16", 0.5m, Set(H, Cpr, Kr), BenefitAreaCap.None, false, false),
        new("FAM_FALLEN", "Члены семей погибших (умерших) инвалидов войны, участников ВОВ и ветеранов боевых действий", "ФЗ от 12.01.1995 №5-ФЗ, ст. 21",
            0.5m, Set(H, Cpr, C, W), BenefitAreaCap.None, true, true),
        new("VET_TRUDA", "Ветераны труда, труженики тыла, реабилитированные", "ФЗ от 12.01.1995 №5-ФЗ, ст. 20, 22; закон субъекта РФ", 0.5m,
            Set(H, Cpr, C, W), BenefitAreaCap.AreaStandard, true, false),
        new("INV", "Инвалиды", "ФЗ от 24.11.1995 №181-ФЗ, ст. 17", 0.5m, Set(H, Cpr, C, W, Kr), BenefitAreaCap.None, true, false) { HousingInPublicStockOnly = true },
        new("FAM_CHILD_INV", "Семьи, имеющие детей-инвалидов", "ФЗ от 24.11.1995 №181-ФЗ, ст. 17", 0.5m, Set(H, Cpr, C, W, Kr), BenefitAreaCap.None, true, true)
            { HousingInPublicStockOnly = true },
        new("CHAES", "Граждане, подвергшиеся воздействию радиации вследствие катастрофы на Чернобыльской АЭС", "Закон РФ от 15.05.1991 №1244-1, ст. 14, 15, 17",
            0.5m, Set(H, Cpr, C, W), BenefitAreaCap.AreaStandard, true, true),
        new("MNOGODET", "Многодетные семьи", "Указ Президента РФ от 23.01.2024 №63; закон субъекта РФ", 0.3m, Set(C), BenefitAreaCap.None, true, true),
        new("KR70", "Собственники 70 лет и старше (компенсация взноса на капремонт)", "ЖК РФ, ст. 169 ч. 2.1; закон субъекта РФ", 0.5m, Set(Kr),
            BenefitAreaCap.AreaStandard, false, false),
        new("KR80", "Собственники 80 лет и старше (компенсация взноса на капремонт)", "ЖК РФ, ст. 169 ч. 2.1; закон субъекта РФ", 1m, Set(Kr),
            BenefitAreaCap.AreaStandard, false, false),
    ];

    /// <summary>The rule of <paramref name="code"/> in <paramref name="rules"/> (the defaults when null), or null for an unknown code.</summary>
    public static BenefitCategoryRule? Find(string code, IEnumerable<BenefitCategoryRule>? rules = null) =>
        (rules ?? Defaults).FirstOrDefault(r => string.Equals(r.Code, code, StringComparison.OrdinalIgnoreCase));
}
