using OpenErc.Core.Housing;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

/// <summary>
/// The ONE place where the norm category of a building is derived from the registry (the registry has no field for
/// it). The codes are the ones the regional norm tables use (see the demo region's norms,
/// <c>DemoGenerator.Reference.cs</c>); the electricity row is narrowed further by <c>rooms=</c> and <c>residents=</c>,
/// which <see cref="OpenErc.Core.Charges.NormSelector"/> adds itself.
/// </summary>
/// <remarks>
/// Rules (a building-level choice for every premise of the building; the premise adds rooms and residents):
/// <list type="bullet">
/// <item><c>heating</c>: built in 1999 or later → <c>mkd_after_1999</c>, else (or unknown year) <c>mkd_before_1999</c>.</item>
/// <item><c>cpr_electricity</c>: 6 floors or more → <c>with_lift</c> (lifts are mandatory from 6 floors, СП 54.13330), else <c>no_lift</c>.</item>
/// <item><c>cpr_cold_water</c>, <c>cpr_hot_water</c>, <c>cpr_sewage</c>: <c>mkd</c>.</item>
/// <item><c>cold_water</c>, <c>sewage</c>: a detached house → <c>house_tap</c> / <c>house</c>; an apartment building with
/// centralised hot water in the month → <c>mkd_bath</c>, without it → <c>mkd_no_hot_water</c> (a water heater).
/// <c>mkd_shower</c> needs an equipment record the registry does not keep yet.</item>
/// <item><c>hot_water</c>: <c>mkd_bath</c>.</item>
/// <item><c>gas</c>: with centralised hot water → <c>stove</c>, without → <c>stove_water_heater</c>.</item>
/// <item><c>electricity</c>: a building with gas supply → <c>stove=gas</c>, else <c>stove=electric</c>.</item>
/// <item><c>waste</c>: charged by area in the month → <c>area</c>; else a detached house → <c>house</c>, an apartment building → <c>mkd</c>.</item>
/// </list>
/// When a category with these codes is missing from the norm table in force, the calculator reports the building
/// with a <see cref="OpenErc.Core.Charges.ChargeDataException"/>, and the run records it as failed.
/// </remarks>
public static class NormCategories
{
    /// <summary>Categories by service code for a building.</summary>
    /// <param name="kind">Apartment building or detached house.</param>
    /// <param name="yearBuilt">Year of construction, if known.</param>
    /// <param name="floors">Number of floors.</param>
    /// <param name="services">Codes of the services provided in the building in the month.</param>
    /// <param name="wasteByArea">Whether waste is charged by area (method <see cref="CalculationMethod.Area"/>) in the month.</param>
    public static IReadOnlyDictionary<string, string> ForBuilding(BuildingKind kind, int? yearBuilt, int floors,
        IReadOnlySet<string> services, bool wasteByArea)
    {
        bool detached = kind == BuildingKind.DetachedHouse;
        bool hotWater = services.Contains("hot_water");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["heating"] = yearBuilt >= 1999 ? "mkd_after_1999" : "mkd_before_1999",
            ["cpr_electricity"] = floors >= 6 ? "with_lift" : "no_lift",
            ["cpr_cold_water"] = "mkd",
            ["cpr_hot_water"] = "mkd",
            ["cpr_sewage"] = "mkd",
            ["cold_water"] = detached ? "house_tap" : hotWater ? "mkd_bath" : "mkd_no_hot_water",
            ["sewage"] = detached ? "house" : hotWater ? "mkd_bath" : "mkd_no_hot_water",
            ["hot_water"] = "mkd_bath",
            ["gas"] = hotWater ? "stove" : "stove_water_heater",
            ["electricity"] = services.Contains("gas") ? "stove=gas" : "stove=electric",
            ["waste"] = wasteByArea ? "area" : detached ? "house" : "mkd",
        };
    }
}
