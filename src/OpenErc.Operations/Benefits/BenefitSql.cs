using OpenErc.Core.Benefits;

namespace OpenErc.Operations.Benefits;

/// <summary>The SQL of social support said once: which delivery mode is in force for a right, and the rights in force.</summary>
public static class BenefitSql
{
    /// <summary>
    /// The delivery mode (<see cref="BenefitDeliveryMode"/> as its number) in force on <paramref name="day"/> for a category
    /// in a municipality: the most specific row of <c>benefit_deliveries</c> — municipality and category, then municipality,
    /// then category, then the region's —, the latest of equals; money (<see cref="BenefitDeliveryMode.Cash"/>) without one.
    /// </summary>
    public static string Mode(string municipality, string category, string day) => $"""
        coalesce((SELECT d.mode FROM benefit_deliveries d
                  WHERE (d.municipality_id IS NULL OR d.municipality_id = {municipality}) AND (d.category_code IS NULL OR d.category_code = {category})
                    AND d.valid_from <= {day} AND (d.valid_to IS NULL OR d.valid_to > {day})
                  ORDER BY d.municipality_id IS NULL, d.category_code IS NULL, d.valid_from DESC LIMIT 1), {(int)BenefitDeliveryMode.Cash})
        """;

    /// <summary>The category row in force for a right <c>r</c> (alias <c>c</c>) on <paramref name="day"/>, or on the right's first day when later.</summary>
    public static string Category(string day) =>
        $"JOIN benefit_categories c ON c.code = r.category_code AND c.valid_from <= greatest(r.valid_from, {day}) AND (c.valid_to IS NULL OR c.valid_to > greatest(r.valid_from, {day}))";
}
