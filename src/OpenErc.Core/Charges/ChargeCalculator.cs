using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

/// <summary>
/// The monthly charge of a building (charges.md §12, housing.md, recalculations.md §1–2): a pure function of the
/// snapshot, the period and the settings. Same inputs → same lines, ordered by account, service code, zone, kind
/// and supplier.
/// </summary>
/// <remarks>
/// <para><b>Part months.</b> The month of each account and service is cut into segments wherever an input changes
/// (account opened or closed, residents or owners, tariff, norm, coefficient, method, supplier, a meter installed
/// or removed). Every segment is charged as <c>monthly amount × days / days in month</c>, unrounded; the segments of
/// one account, service, supplier, zone and kind make ONE line whose unrounded sum is rounded once. The segments
/// appear in <see cref="ChargeTrace.Segments"/>. A meter's month volume is spread evenly over the days the meter
/// was in service; a premise meter's volume is shared among the premise's accounts by <see cref="AccountSnapshot.Share"/>
/// and days.</para>
/// <para><b>Shares.</b> Area-based charges and premise meter volumes are multiplied by the account's share;
/// per-person charges (norm × residents, waste by residents) are not — residents are counted per account.</para>
/// <para><b>Meter readings.</b> The readings of a month are the last valid reading dated on or before the month's
/// last day (and within the month) against the last valid reading dated before the month's first day; a meter
/// commissioned in the month starts from its first reading. Which readings are known (the 25th cut-off of п. 31)
/// is the snapshot builder's choice. A reading below the previous one is a rollover at 10^Digits when the volume
/// through zero is at most <see cref="ChargeSettings.RolloverMaxShare"/> of the register; otherwise it is rejected
/// (no negative meter line) and the month goes on as without readings, with a note. Without readings: the п. 59
/// average (over ≥ 6 months, or 3–6 for a younger meter) for up to <see cref="ChargeSettings.AverageMonthsLimit"/>
/// months in a row, then the norm (п. 60). From the day of an expired verification, a failure or a refused access
/// the readings are invalid: the average for the limit (whole months, starting with the month of the event), then
/// the norm with the coefficient. When readings come back after months without them, the month's volume is the
/// volume since the last reading minus the meter's average for each of those months (the п. 59 «б» true-up; may
/// be negative). Registers map to zones by <see cref="ChargeSettings.TwoZoneRegisters"/> /
/// <see cref="ChargeSettings.ThreeZoneRegisters"/>; one line per zone. Norm rows: see <see cref="NormSelector"/>.</para>
/// <para><b>Increasing coefficient</b> (п. 42): on norm-based amounts of a residential premise when there is no
/// meter on those days, the building method is the norm, or a failed meter is past the average limit; never with
/// a technical-impossibility act for the resource; after missing readings only with
/// <see cref="ChargeSettings.CoefficientAfterMissingReadings"/>; on sewage only with
/// <see cref="ChargeSettings.CoefficientOnSewage"/>. It multiplies the amount; the line's volume is the norm volume.</para>
/// <para><b>Volumes</b> stay unrounded decimals; the КР на СОИ split by area is exact to decimal precision, and each
/// premise's line is rounded on its own (one rounding per line), so no largest-remainder step is needed here.</para>
/// </remarks>
public static class ChargeCalculator
{
    /// <summary>All charge lines of the building for the period, including the month's absence and quality reductions.</summary>
    /// <exception cref="ChargeDataException">The snapshot lacks a tariff or norm it needs, or a norm row is ambiguous.</exception>
    public static IReadOnlyList<ChargeLine> Calculate(BuildingSnapshot building, BillingPeriod period, ChargeSettings settings) =>
        new BuildingCalculation(building, period, settings).Run();

    /// <summary>
    /// Each asked account × service code × supplier's monthly amount by the consumption norm on <paramref name="day"/> of
    /// <paramref name="period"/> (ПП 354 п. 118; the debtors register's norm basis), chosen by the same rules as the
    /// month's charge; the pairs with no such measure (heating, КР на СОИ, a missing tariff) are left out.
    /// </summary>
    public static Dictionary<(long Account, string Service, long Supplier), Money> MonthlyByNorm(BuildingSnapshot building, BillingPeriod period,
        ChargeSettings settings, DateOnly day, IEnumerable<(long Account, string Service, long Supplier)> asked)
    {
        var calculation = new BuildingCalculation(building, period, settings);
        var accounts = building.Premises.SelectMany(p => p.Accounts.Select(a => (Premise: p, Account: a))).ToDictionary(x => x.Account.AccountId);
        var services = building.Services.ToDictionary(s => s.Code, StringComparer.Ordinal);
        var result = new Dictionary<(long, string, long), Money>();
        foreach (var key in asked)
            if (accounts.TryGetValue(key.Account, out var a) && services.TryGetValue(key.Service, out var s)
                && calculation.MonthlyByNorm(a.Premise, a.Account, s, key.Supplier, day) is { } amount)
                result[key] = amount;
        return result;
    }
}

/// <summary>A part of a line: one set of inputs over <c>[From, To)</c>. Volume and amount are given for <see cref="BasisDays"/> days.</summary>
internal sealed record Piece(
    DateOnly From, DateOnly To, int BasisDays,
    long SupplierId, TariffZone Zone, VolumeSource Source,
    decimal BasisVolume, decimal Rate, decimal Coefficient, decimal BasisAmount,
    string Formula, string Legal, IReadOnlyList<TraceInput> Inputs, string? Note)
{
    public int Days => To.DayNumber - From.DayNumber;

    public decimal Volume => Days == BasisDays ? BasisVolume : BasisVolume * Days / BasisDays;

    public decimal Unrounded => Days == BasisDays ? BasisAmount : BasisAmount * Days / BasisDays;

    /// <summary>For a norm × persons piece: what the temporary-absence recalculation needs.</summary>
    public NormBasis? Norm { get; init; }

    /// <summary>The volume is a norm volume on which the increasing coefficient is due (sewage follows it when configured).</summary>
    public bool CoefficientDue { get; init; }
}

/// <summary>The persons and norm row of a norm-based piece.</summary>
internal sealed record NormBasis(int Persons, bool ByOwners, decimal MonthlyNorm, string Profile, int? Rooms);

internal sealed partial class BuildingCalculation(BuildingSnapshot building, BillingPeriod period, ChargeSettings settings)
{
    private readonly BuildingSnapshot B = building;
    private readonly BillingPeriod P = period;
    private readonly ChargeSettings S = settings;
    private readonly int D = period.Days;
    private readonly List<ChargeLine> _lines = [];

    /// <summary>The month's charge pieces by account and service code (sewage, КР на СОИ and the recalculations read them).</summary>
    private readonly Dictionary<(long Account, string Service), List<Piece>> _pieces =
        new(building.Premises.Sum(p => p.Accounts.Count) * building.Services.Count);

    public IReadOnlyList<ChargeLine> Run()
    {
        Invariant.Holds(B.TotalPremisesArea > 0 || B.Premises.Count == 0, "S_об must be positive");
        var services = B.Services.OrderBy(s => s.Code, StringComparer.Ordinal).ToList();
        var accounts = B.Premises.SelectMany(p => p.Accounts.Select(a => (Premise: p, Account: a))).OrderBy(x => x.Account.AccountId).ToList();

        // 1. Everything that does not depend on other lines; 2. sewage from the water volumes; 3. КР на СОИ from all volumes.
        var own = services.FindAll(s => s.Kind != ServiceKind.CommonPropertyResource && !(s.Kind == ServiceKind.Communal && s.Resource == Resource.Sewage));
        var sewage = services.FindAll(s => s.Kind == ServiceKind.Communal && s.Resource == Resource.Sewage);
        foreach (var (premise, account) in accounts)
            foreach (var service in own)
                Charge(account, service, ServicePieces(premise, account, service));
        foreach (var (premise, account) in accounts)
            foreach (var service in sewage)
                Charge(account, service, Sewage(premise, account, service));
        foreach (var service in services.Where(s => s.Kind == ServiceKind.CommonPropertyResource).OrderBy(s => s.Resource == Resource.Sewage))
        {
            var bases = CommonPropertyBases(service, accounts);
            foreach (var (premise, account) in accounts)
                Charge(account, service, CommonProperty(premise, account, service, BasisOf(bases, premise, service.Resource)));
        }

        if (B.HeatingAnnualCorrection is { } correction)
            foreach (var service in services.Where(s => s.Resource == Resource.Heat && s.Kind == ServiceKind.Communal))
                foreach (var (premise, account) in accounts)
                    AnnualHeatingCorrection(premise, account, service, correction);

        foreach (var (premise, account) in accounts)
        {
            TemporaryAbsence(premise, account, services);
            QualityReductions(premise, account, services);
            Benefits(premise, account, services);
        }

        // Stable: lines of equal keys keep the order they were made in.
        var order = new int[_lines.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (x, y) =>
        {
            ChargeLine a = _lines[x], b = _lines[y];
            int c = a.AccountId.CompareTo(b.AccountId);
            if (c == 0) c = string.CompareOrdinal(a.ServiceCode, b.ServiceCode);
            if (c == 0) c = a.Zone.CompareTo(b.Zone);
            if (c == 0) c = a.Kind.CompareTo(b.Kind);
            if (c == 0) c = a.SupplierId.CompareTo(b.SupplierId);
            return c != 0 ? c : x.CompareTo(y);
        });
        var sorted = new List<ChargeLine>(order.Length);
        foreach (int i in order) sorted.Add(_lines[i]);
        return sorted;
    }

    private List<Piece> ServicePieces(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service)
    {
        if (service.Resource == Resource.Heat && service.Kind == ServiceKind.Communal) return Heating(premise, account, service);
        if (service.Kind == ServiceKind.Communal && service.Resource is Resource.ColdWater or Resource.HotWater or Resource.Electricity or Resource.Gas)
            return Metered(premise, account, service);
        return Housing(premise, account, service);
    }

    /// <summary>Lines of one account and service from its pieces: one per supplier and zone, rounded once.</summary>
    private void Charge(AccountSnapshot account, ServiceSnapshot service, List<Piece> pieces, ChargeLineKind kind = ChargeLineKind.Charge)
    {
        if (pieces.Count == 0) return;
        if (kind == ChargeLineKind.Charge) _pieces[(account.AccountId, service.Code)] = pieces;
        if (pieces.TrueForAll(p => p.SupplierId == pieces[0].SupplierId && p.Zone == pieces[0].Zone))
        {
            // One supplier and zone, the usual case: one line.
            _lines.Add(Line(account, service, kind, Merge(pieces.Count == 1 ? pieces : pieces.OrderBy(p => p.From).ToList())));
            return;
        }
        foreach (var group in pieces.GroupBy(p => (p.SupplierId, p.Zone)).OrderBy(g => g.Key.Zone).ThenBy(g => g.Key.SupplierId))
            _lines.Add(Line(account, service, kind, Merge(group.OrderBy(p => p.From).ToList())));
    }

    /// <summary>Adjacent pieces with identical inputs are one piece (a change point of another input split them).</summary>
    private static List<Piece> Merge(List<Piece> pieces)
    {
        if (pieces.Count == 1) return pieces;
        var result = new List<Piece>();
        foreach (var piece in pieces)
        {
            if (result.Count > 0 && result[^1] is var last && last.To == piece.From && last.BasisDays == piece.BasisDays
                && last.BasisVolume == piece.BasisVolume && last.BasisAmount == piece.BasisAmount && last.Rate == piece.Rate
                && last.Coefficient == piece.Coefficient && last.Source == piece.Source && last.Formula == piece.Formula
                && last.Legal == piece.Legal && last.Note == piece.Note && last.Norm == piece.Norm && last.CoefficientDue == piece.CoefficientDue
                && last.Inputs.SequenceEqual(piece.Inputs))
                result[^1] = last with { To = piece.To };
            else
                result.Add(piece);
        }
        return result;
    }

    private ChargeLine Line(AccountSnapshot account, ServiceSnapshot service, ChargeLineKind kind, List<Piece> pieces)
    {
        var last = pieces[^1];
        decimal unrounded = 0, volume = 0;
        int days = 0, covered = 0; // days of the union of the pieces' ranges (pieces are in order of From; meters may overlap)
        foreach (var p in pieces)
        {
            unrounded += p.Unrounded;
            volume += p.Volume;
            int from = Math.Max(p.From.DayNumber, covered), to = p.To.DayNumber;
            if (to > from) days += to - from;
            covered = Math.Max(covered, to);
        }
        decimal dayFactor = days == D ? 1m : (decimal)days / D;

        // One piece over the whole month, the usual case: its inputs are the line's (a piece's list is not changed after it is made).
        var common = pieces.Count == 1 ? pieces[0].Inputs : CommonInputs(pieces);
        var inputs = common;
        if (days != D)
            inputs = [.. common, new("Дней начисления", days, "дн."), new("Дней в месяце", D, "дн.")];
        var segments = pieces.Count == 1 ? [] : pieces.Select(p => new TraceSegment(p.From, p.To, (decimal)p.Days / D, p.Volume,
            p.Inputs.Where(i => !common.Contains(i)).ToList(), p.Unrounded)).ToList();
        var trace = new ChargeTrace(
            pieces.Count == 1 ? last.Formula : string.Join("; ", pieces.Select(p => p.Formula).Distinct()),
            pieces.Count == 1 ? last.Legal : string.Join("; ", pieces.Select(p => p.Legal).Distinct()),
            inputs,
            pieces.Count == 1 ? JoinNotes(last.Note) : JoinNotes(pieces.Select(p => p.Note))) { Segments = segments };
        return new ChargeLine(account.AccountId, service.Code, last.SupplierId, P, last.Zone, volume, service.Unit, last.Rate, last.Coefficient,
            dayFactor, last.Source, unrounded, Money.RoundToKopecks(unrounded), trace) { Kind = kind };
    }

    /// <summary>The inputs every piece has.</summary>
    private static List<TraceInput> CommonInputs(List<Piece> pieces) => pieces[0].Inputs.Where(i => pieces.All(p => p.Inputs.Contains(i))).ToList();

    /// <summary>The distinct non-empty notes in order, joined by a space; null when none. A few notes cost no allocation.</summary>
    internal static string? JoinNotes(params ReadOnlySpan<string?> notes)
    {
        string? first = null;
        List<string>? distinct = null;
        foreach (var note in notes)
        {
            if (string.IsNullOrEmpty(note) || note == first || (distinct?.Contains(note) ?? false)) continue;
            if (first is null) first = note;
            else (distinct ??= [first]).Add(note);
        }
        return distinct is null ? first : string.Join(" ", distinct);
    }

    internal static string? JoinNotes(IEnumerable<string?> notes) => JoinNotes([.. notes]);

    // ---- segments and lookups ----

    /// <summary>
    /// The account's days of the month cut at every change point — of the service's records, of the account's residents
    /// and owners, and any <paramref name="more"/> (meters, water pieces) — as <c>[From, To)</c> pairs.
    /// </summary>
    private List<(DateOnly From, DateOnly To)> Segments(AccountSnapshot account, DateOnly[] servicePoints, DateOnly[]? accountPoints = null,
        List<DateOnly>? more = null)
    {
        var start = account.OpenedOn > P.FirstDay ? account.OpenedOn : P.FirstDay;
        var end = account.ClosedOn is { } closed && closed < P.End ? closed : P.End;
        var result = new List<(DateOnly, DateOnly)>(1);
        if (start >= end) return result;
        List<DateOnly>? cuts = null;
        Cut(ref cuts, servicePoints, start, end);
        if (accountPoints is not null) Cut(ref cuts, accountPoints, start, end);
        if (more is not null)
            foreach (var d in more) Cut(ref cuts, d, start, end);
        var from = start;
        if (cuts is not null)
        {
            if (cuts.Count > 1) cuts.Sort();
            foreach (var cut in cuts)
            {
                result.Add((from, cut));
                from = cut;
            }
        }
        result.Add((from, end));
        return result;
    }

    /// <summary>Adds the distinct points strictly inside <c>(start, end)</c>; usually none or one, so no sorting machinery.</summary>
    private static void Cut(ref List<DateOnly>? cuts, DateOnly[] points, DateOnly start, DateOnly end)
    {
        foreach (var d in points) Cut(ref cuts, d, start, end);
    }

    private static void Cut(ref List<DateOnly>? cuts, DateOnly d, DateOnly start, DateOnly end)
    {
        if (d > start && d < end && !(cuts ??= []).Contains(d)) cuts.Add(d);
    }

    private static IEnumerable<DateOnly> Points(IEnumerable<IEffectiveDated> items) =>
        items.SelectMany(i => i.ValidTo is { } to ? new[] { i.ValidFrom, to } : [i.ValidFrom]);

    private readonly Dictionary<string, DateOnly[]> _servicePoints = new(StringComparer.Ordinal);

    /// <summary>The change points of a service's records inside the month, computed once per service.</summary>
    private DateOnly[] ServicePoints(ServiceSnapshot s)
    {
        if (!_servicePoints.TryGetValue(s.Code, out var points))
            _servicePoints[s.Code] = points = Points(s.Methods).Concat(Points(s.Suppliers)).Concat(Points(s.Tariffs)).Concat(Points(s.Norms))
                .Concat(Points(s.HeatEnergyNorm)).Concat(Points(S.IncreasingCoefficients.Where(k => k.Resource == s.Resource)))
                .Where(d => d > P.FirstDay && d < P.End).Distinct().Order().ToArray();
        return points;
    }

    private readonly Dictionary<long, DateOnly[]> _accountPoints = [];

    /// <summary>The change points of an account's residents and owners, computed once per account (every service reads them).</summary>
    private DateOnly[] AccountPoints(AccountSnapshot a)
    {
        if (!_accountPoints.TryGetValue(a.AccountId, out var points))
            _accountPoints[a.AccountId] = points = a.Residents.Count + a.Owners.Count == 0 ? [] : [.. Points(a.Residents).Concat(Points(a.Owners))];
        return points;
    }

    /// <summary>The record in force on the day, null when none, a data error when two are (<paramref name="what"/> and <paramref name="subject"/> name it).</summary>
    private static T? One<T>(IReadOnlyList<T> items, DateOnly day, string what, object? subject = null) where T : class, IEffectiveDated
    {
        T? found = null;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.ValidFrom > day || item.ValidTo is { } to && to <= day) continue;
            if (found is not null)
                throw new ChargeDataException($"{what}{(subject is null ? "" : " " + subject)}: на {day:dd.MM.yyyy} действуют две записи");
            found = item;
        }
        return found;
    }

    private static CalculationMethod? Method(ServiceSnapshot s, DateOnly day) => One(s.Methods, day, "Способ расчёта", s.Code)?.Value;

    private static long? Supplier(ServiceSnapshot s, DateOnly day) => One(s.Suppliers, day, "Поставщик", s.Code)?.Value;

    /// <summary>Persons for a per-person charge: residents; nobody resides in a residential premise → owners (ПП 354 п. 56(2), п. 148(36)).</summary>
    private static (int Persons, bool ByOwners) Persons(PremiseSnapshot premise, AccountSnapshot account, DateOnly day)
    {
        int residents = One(account.Residents, day, "Проживающие ЛС", account)?.Value ?? 0;
        if (residents > 0 || premise.Kind != PremiseKind.Residential) return (residents, false);
        int owners = One(account.Owners, day, "Собственники ЛС", account)?.Value ?? 0;
        return (owners, owners > 0);
    }

    private static decimal? RateOrNull(ServiceSnapshot s, long supplier, TariffZone zone, DateOnly day, TariffPart part = TariffPart.Unit)
    {
        TariffSnapshot? found = null;
        for (int i = 0; i < s.Tariffs.Count; i++)
        {
            var t = s.Tariffs[i];
            if (t.SupplierId != supplier || t.Zone != zone || t.Part != part || t.ValidFrom > day || t.ValidTo is { } to && to <= day) continue;
            if (found is not null) throw new ChargeDataException($"Тариф {s.Code}: на {day:dd.MM.yyyy} действуют две записи");
            found = t;
        }
        return found?.Rate;
    }

    private static decimal Rate(ServiceSnapshot s, long supplier, TariffZone zone, DateOnly day, TariffPart part = TariffPart.Unit) =>
        RateOrNull(s, supplier, zone, day, part)
        ?? throw new ChargeDataException($"Услуга {s.Code}: нет тарифа поставщика {supplier} (зона {zone}) на {day:dd.MM.yyyy}");

    /// <summary>
    /// The price of one unit with its trace inputs. Hot water with a heat-energy rate in force is two-component
    /// (ПП 354 прил. 2 ф. 23): the effective rate is <c>T_хв + q × T_тэ</c>, so <c>V × rate</c> is the formula's sum.
    /// </summary>
    private (decimal Rate, List<TraceInput> Inputs, bool TwoComponent) UnitPrice(ServiceSnapshot s, long supplier, TariffZone zone, DateOnly day)
    {
        // The same for every premise of the building: found once (the inputs are only ever copied from).
        if (!_unitPrices.TryGetValue((s.Code, supplier, zone, day), out var price))
            _unitPrices[(s.Code, supplier, zone, day)] = price = FindUnitPrice(s, supplier, zone, day);
        return price;
    }

    private readonly Dictionary<(string Service, long Supplier, TariffZone Zone, DateOnly Day), (decimal, List<TraceInput>, bool)> _unitPrices = [];

    private (decimal Rate, List<TraceInput> Inputs, bool TwoComponent) FindUnitPrice(ServiceSnapshot s, long supplier, TariffZone zone, DateOnly day)
    {
        decimal rate = Rate(s, supplier, zone, day);
        if (s.Resource == Resource.HotWater && RateOrNull(s, supplier, TariffZone.Single, day, TariffPart.HeatEnergy) is { } heatRate)
        {
            decimal q = One(s.HeatEnergyNorm, day, "Норматив тепловой энергии на подогрев", s.Code)?.Value
                ?? throw new ChargeDataException($"Услуга {s.Code}: двухкомпонентный тариф без норматива q на {day:dd.MM.yyyy}");
            return (rate + q * heatRate,
                [new("Компонент на холодную воду T_хв", rate, "₽/м³"), new("Норматив на подогрев q", q, "Гкал/м³"), new("Компонент на тепловую энергию T_тэ", heatRate, "₽/Гкал")],
                true);
        }
        return (rate, [new("Тариф", rate, Units("₽/", s.Unit))], false);
    }

    /// <summary>The increasing coefficient on a day, or 1 (charges.md §4).</summary>
    private decimal Coefficient(Resource resource, DateOnly day)
    {
        if (!_coefficients.TryGetValue(resource, out var rows))
            _coefficients[resource] = rows = [.. S.IncreasingCoefficients.Where(k => k.Resource == resource)];
        return One(rows, day, "Повышающий коэффициент")?.Value ?? 1m;
    }

    /// <summary>The norm row for the premise or null when the service has none that day; a service with norms but none in force is a data error.</summary>
    private NormSnapshot? Norm(ServiceSnapshot s, PremiseSnapshot? premise, DateOnly day, int persons, bool required)
    {
        // Rows that differ by category are matched once per profile, rooms and persons: a building's flats share a few.
        if (!NormSelector.Uniform(s.Norms, day, s.Code, out var norm))
        {
            var key = (s.Code, day, Profile(premise, s), premise?.Rooms, persons);
            if (!_matchedNorms.TryGetValue(key, out var matched))
                _matchedNorms[key] = matched = NormSelector.Matching(s.Norms, day, key.Item3, key.Rooms, persons, s.Code);
            norm = matched;
        }
        if (norm is null && (required || s.Norms.Count > 0))
            throw new ChargeDataException($"Услуга {s.Code}: нет норматива на {day:dd.MM.yyyy}");
        return norm;
    }

    private readonly Dictionary<(long, string), string> _profiles = [];

    private readonly Dictionary<(string, string), string> _units = [];

    private readonly Dictionary<(string Symbol, string Category), string> _normNames = [];

    private readonly Dictionary<Resource, List<IncreasingCoefficient>> _coefficients = [];

    /// <summary>A unit of the traces made of two parts («₽/» and «м³»), made once per building rather than once per line.</summary>
    private string Units(string a, string b)
    {
        if (!_units.TryGetValue((a, b), out var text)) _units[(a, b)] = text = a + b;
        return text;
    }

    /// <summary>The trace's name of a norm row, «Норматив N (категория)» (or another symbol), made once per symbol and category.</summary>
    private string NormName(NormSnapshot norm, string symbol = "N")
    {
        if (!_normNames.TryGetValue((symbol, norm.Category), out var text)) _normNames[(symbol, norm.Category)] = text = $"Норматив {symbol} ({norm.Category})";
        return text;
    }

    private readonly Dictionary<(string Service, DateOnly Day, string Profile, int? Rooms, int Persons), NormSnapshot> _matchedNorms = [];

    private static readonly Dictionary<string, string> NoCategories = [];

    /// <summary>The premise's norm profile for a service (<see cref="NormSelector.Profile"/>), once per premise and service.</summary>
    private string Profile(PremiseSnapshot? premise, ServiceSnapshot s)
    {
        // A premise without categories of its own has the building's profile.
        long key = premise is { NormCategories.Count: > 0 } ? premise.PremiseId : 0;
        if (!_profiles.TryGetValue((key, s.Code), out var profile))
            _profiles[(key, s.Code)] = profile = NormSelector.Profile(B.NormCategories, key == 0 ? NoCategories : premise!.NormCategories, s.Code);
        return profile;
    }

    private static decimal Monthly(NormSnapshot norm) => norm.PerYear ? norm.Value / 12m : norm.Value;

    private decimal CommonArea(Resource resource) =>
        B.CommonPropertyArea.TryGetValue(resource, out var area) ? area
        : resource is Resource.Sewage or Resource.HotWater && B.CommonPropertyArea.TryGetValue(Resource.ColdWater, out var water) ? water
        : throw new ChargeDataException($"Дом {B.BuildingId}: не задана площадь общего имущества S_ои для ресурса {resource}");

    private static bool Overlaps(Piece p, DateOnly from, DateOnly to) => p.From < to && from < p.To;

    private static int OverlapDays(Piece p, DateOnly from, DateOnly to) =>
        Math.Max(0, (p.To < to ? p.To : to).DayNumber - (p.From > from ? p.From : from).DayNumber);
}
