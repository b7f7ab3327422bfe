using System.Collections.Concurrent;
using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Core.Charges;

/// <summary>
/// Chooses the norm row of a premise (ПП 354 п. 42; electricity norms by rooms and residents, charges.md §3).
/// </summary>
/// <remarks>
/// <para>Convention for <see cref="NormSnapshot.Category"/>: conditions separated by <c>;</c>, each either a bare
/// code (<c>mkd_bath</c>) or <c>key=value</c> (<c>stove=gas;rooms=2;residents=3</c>); an empty category has no
/// conditions.</para>
/// <para>The premise's profile is written the same way: the building's <c>NormCategories[""]</c> and
/// <c>[service]</c>, then the premise's <c>[""]</c> and <c>[service]</c> (later keys override earlier ones), plus
/// <c>rooms=</c> the premise's rooms and <c>residents=</c> the persons counted (residents, or owners when nobody
/// resides).</para>
/// <para>A row matches when every condition holds: <c>rooms</c> and <c>residents</c> are "at least" conditions, so
/// <c>rooms=4</c> serves five rooms and <c>residents=5</c> is the table's "5 и более"; other keys must be equal and
/// bare codes present in the profile. When every row in force has the same category the profile is not needed.
/// Among matching rows the one with most conditions wins, then the larger <c>rooms</c>, then the larger
/// <c>residents</c>; a remaining tie, or no match, is a <see cref="ChargeDataException"/>.</para>
/// </remarks>
public static class NormSelector
{
    /// <summary>The row in force on <paramref name="day"/> for the profile, or null when the service has no norm that day.</summary>
    public static NormSnapshot? Select(IReadOnlyList<NormSnapshot> norms, DateOnly day, string profile, int? rooms, int persons, string serviceCode) =>
        Select(norms, day, () => profile, rooms, persons, serviceCode);

    /// <summary>As above, with the profile asked for only when the rows in force differ by category (it costs a parse and a merge).</summary>
    public static NormSnapshot? Select(IReadOnlyList<NormSnapshot> norms, DateOnly day, Func<string> profileOf, int? rooms, int persons, string serviceCode)
    {
        return Uniform(norms, day, serviceCode, out var only) ? only : Matching(norms, day, profileOf(), rooms, persons, serviceCode);
    }

    /// <summary>
    /// Whether the rows in force on <paramref name="day"/> do not differ by category, so no profile is needed: then
    /// <paramref name="only"/> is the row in force, or null when none is. Two rows of one category in force is a data error.
    /// </summary>
    public static bool Uniform(IReadOnlyList<NormSnapshot> norms, DateOnly day, string serviceCode, out NormSnapshot? only)
    {
        only = null;
        int count = 0;
        for (int i = 0; i < norms.Count; i++)
        {
            var n = norms[i];
            if (!n.IsValidOn(day)) continue;
            if (only is null) only = n;
            else if (!string.Equals(n.Category, only.Category, StringComparison.Ordinal)) return false;
            count++;
        }
        if (count > 1)
            throw new ChargeDataException($"Услуга {serviceCode}: на {day:dd.MM.yyyy} действуют несколько нормативов категории «{only!.Category}»");
        return true;
    }

    /// <summary>The row in force for a profile among rows in force that differ by category (see the class).</summary>
    public static NormSnapshot Matching(IReadOnlyList<NormSnapshot> norms, DateOnly day, string profile, int? rooms, int persons, string serviceCode)
    {
        var valid = norms.ValidOn(day).ToList();
        var have = Parse(profile);
        int? roomsHave = rooms ?? (have.TryGetValue("rooms", out var r) && int.TryParse(r, CultureInfo.InvariantCulture, out int n) ? n : null);

        var best = new List<(NormSnapshot Norm, int Conditions, int Rooms, int Residents)>();
        foreach (var norm in valid)
        {
            var need = Parse(norm.Category);
            bool ok = true;
            int roomsAt = 0, residentsAt = 0;
            foreach (var (key, value) in need)
            {
                if (key == "rooms")
                    ok = int.TryParse(value, CultureInfo.InvariantCulture, out roomsAt) && roomsHave >= roomsAt;
                else if (key == "residents")
                    ok = int.TryParse(value, CultureInfo.InvariantCulture, out residentsAt) && persons >= residentsAt;
                else ok = have.TryGetValue(key, out var actual) && actual == value;
                if (!ok) break;
            }
            if (ok) best.Add((norm, need.Count, roomsAt, residentsAt));
        }
        if (best.Count == 0)
            throw new ChargeDataException($"Услуга {serviceCode}: нет норматива для категории «{profile}», комнат {rooms?.ToString(CultureInfo.InvariantCulture) ?? "—"}, человек {persons}");
        var ordered = best.OrderByDescending(b => b.Conditions).ThenByDescending(b => b.Rooms).ThenByDescending(b => b.Residents).ToList();
        if (ordered.Count > 1 && ordered[0].Conditions == ordered[1].Conditions && ordered[0].Rooms == ordered[1].Rooms && ordered[0].Residents == ordered[1].Residents)
            throw new ChargeDataException($"Услуга {serviceCode}: нормативы «{ordered[0].Norm.Category}» и «{ordered[1].Norm.Category}» одинаково подходят к категории «{profile}»");
        return ordered[0].Norm;
    }

    /// <summary>The profile of a premise for a service, merged as described on the class.</summary>
    public static string Profile(IReadOnlyDictionary<string, string> building, IReadOnlyDictionary<string, string> premise, string serviceCode)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { building.GetValueOrDefault(""), building.GetValueOrDefault(serviceCode), premise.GetValueOrDefault(""), premise.GetValueOrDefault(serviceCode) })
            if (!string.IsNullOrWhiteSpace(source))
                foreach (var (key, value) in Parse(source))
                    merged[key] = value;
        return string.Join(';', merged.Select(kv => kv.Value.Length == 0 ? kv.Key : kv.Key + "=" + kv.Value));
    }

    /// <summary>Categories and profiles are a few dozen strings in a region: each is parsed once per process.</summary>
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Parsed = new(StringComparer.Ordinal);

    /// <summary>Conditions of a category: <c>key → value</c>, a bare code as <c>code → ""</c>.</summary>
    private static IReadOnlyDictionary<string, string> Parse(string category) => Parsed.GetOrAdd(category, ParseNow);

    private static Dictionary<string, string> ParseNow(string category)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in category.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) result[part] = "";
            else result[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        return result;
    }
}
