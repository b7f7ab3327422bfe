namespace OpenErc.Core.Penalties;

/// <summary>
/// The Bank of Russia key rate, percent per year, from 01.01.2016 (when the refinancing rate became equal to the key
/// rate, Указание ЦБ № 3894-У) — the built-in default for penalty calculations when no other table is given. Each point
/// is the first day the rate applies (usually the Monday after the board meeting). The operator keeps the registry
/// table (<c>key_rates</c>) current; this list is the fallback and the calculator's default.
/// </summary>
public static class KeyRateHistory
{
    /// <summary>Points in date order.</summary>
    public static IReadOnlyList<KeyRatePoint> BankOfRussia { get; } =
    [
        P(2016, 1, 1, 11m), // key rate 11 % since 03.08.2015; equal to the refinancing rate from 01.01.2016
        P(2016, 6, 14, 10.5m),
        P(2016, 9, 19, 10m),
        P(2017, 3, 27, 9.75m),
        P(2017, 5, 2, 9.25m),
        P(2017, 6, 19, 9m),
        P(2017, 9, 18, 8.5m),
        P(2017, 10, 30, 8.25m),
        P(2017, 12, 18, 7.75m),
        P(2018, 2, 12, 7.5m),
        P(2018, 3, 26, 7.25m),
        P(2018, 9, 17, 7.5m),
        P(2018, 12, 17, 7.75m),
        P(2019, 6, 17, 7.5m),
        P(2019, 7, 29, 7.25m),
        P(2019, 9, 9, 7m),
        P(2019, 10, 28, 6.5m),
        P(2019, 12, 16, 6.25m),
        P(2020, 2, 10, 6m),
        P(2020, 4, 27, 5.5m),
        P(2020, 6, 22, 4.5m),
        P(2020, 7, 27, 4.25m),
        P(2021, 3, 22, 4.5m),
        P(2021, 4, 26, 5m),
        P(2021, 6, 15, 5.5m),
        P(2021, 7, 26, 6.5m),
        P(2021, 9, 13, 6.75m),
        P(2021, 10, 25, 7.5m),
        P(2021, 12, 20, 8.5m),
        P(2022, 2, 14, 9.5m),
        P(2022, 2, 28, 20m),
        P(2022, 4, 11, 17m),
        P(2022, 5, 4, 14m),
        P(2022, 5, 27, 11m),
        P(2022, 6, 14, 9.5m),
        P(2022, 7, 25, 8m),
        P(2022, 9, 19, 7.5m),
        P(2023, 7, 24, 8.5m),
        P(2023, 8, 15, 12m), // extraordinary meeting of 15.08.2023, in force the same day
        P(2023, 9, 18, 13m),
        P(2023, 10, 30, 15m),
        P(2023, 12, 18, 16m),
        P(2024, 7, 29, 18m),
        P(2024, 9, 16, 19m),
        P(2024, 10, 28, 21m),
        P(2025, 6, 9, 20m),
        P(2025, 7, 28, 18m),
        P(2025, 9, 15, 17m),
        P(2025, 10, 27, 16.5m),
        P(2025, 12, 22, 16m), // [uncertain: decision of 19.12.2025 as recalled; matches the demo region's table]
        // Decisions after December 2025 are not in this list [unknown to the author]: add them here and in the registry.
        // Until 31.12.2026 penalties use min(9.5 %, key rate) (ПП № 474, ПП № 329), so a rate ≥ 9.5 % changes nothing.
    ];

    private static KeyRatePoint P(int year, int month, int day, decimal percent) => new(new DateOnly(year, month, day), percent);
}
