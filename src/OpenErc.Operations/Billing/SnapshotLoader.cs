using Npgsql;
using NpgsqlTypes;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Billing;

/// <summary>A service of the catalogue as the run needs it.</summary>
public sealed record ServiceInfo(long Id, string Code, ServiceKind Kind, Resource Resource, string Unit);

/// <summary>
/// The reference data of the whole region for one month, read once per run: the services catalogue, the tariffs that
/// are not building-specific (general and by municipality) with their parts, and the norms in force on any day of the
/// month (with the norm q of heat energy for hot water, category <see cref="ConsumptionNorm.HeatEnergyCategory"/>).
/// </summary>
public sealed class BillingReference
{
    internal sealed record TariffRow(long? MunicipalityId, long? BuildingId, long SupplierId, long ServiceId, TariffZone Zone, TariffPart Part, decimal Rate, DateOnly From, DateOnly? To);
    internal sealed record NormRow(long ServiceId, long? MunicipalityId, string Category, decimal Value, bool PerYear, DateOnly From, DateOnly? To);

    public required IReadOnlyDictionary<long, ServiceInfo> Services { get; init; }
    internal IReadOnlyList<TariffRow> RegionalTariffs { get; init; } = [];
    internal IReadOnlyList<NormRow> Norms { get; init; } = [];

    public IReadOnlyDictionary<string, long> ServiceIds => Services.Values.ToDictionary(s => s.Code, s => s.Id, StringComparer.Ordinal);

    public static async Task<BillingReference> LoadAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        var services = new Dictionary<long, ServiceInfo>();
        await using (var cmd = new NpgsqlCommand("SELECT id, code, kind, resource, unit FROM services", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                services[r.GetInt64(0)] = new ServiceInfo(r.GetInt64(0), r.GetString(1), (ServiceKind)r.GetInt32(2), (Resource)r.GetInt32(3), r.GetString(4));

        var tariffs = new List<TariffRow>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT {SnapshotLoader.TariffColumns} FROM tariffs
            WHERE building_id IS NULL AND valid_from < @to AND (valid_to IS NULL OR valid_to > @from)
            """, conn))
        {
            SnapshotLoader.AddMonth(cmd, month);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) tariffs.Add(SnapshotLoader.ReadTariff(r));
        }

        var norms = new List<NormRow>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT service_id, municipality_id, category, value, unit, valid_from, valid_to FROM consumption_norms
            WHERE valid_from < @to AND (valid_to IS NULL OR valid_to > @from)
            """, conn))
        {
            SnapshotLoader.AddMonth(cmd, month);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                norms.Add(new NormRow(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetDecimal(3),
                    // A yearly norm (waste) is written "… в год" in the norm table's unit.
                    r.GetString(4).EndsWith("в год", StringComparison.Ordinal),
                    r.GetFieldValue<DateOnly>(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateOnly>(6)));
        }
        return new BillingReference { Services = services, RegionalTariffs = tariffs, Norms = norms };
    }
}

/// <summary>A building's snapshot, or why none could be built.</summary>
public sealed record LoadedBuilding(long BuildingId, BuildingSnapshot? Snapshot, string? Error)
{
    public int Accounts => Snapshot?.Premises.Sum(p => p.Accounts.Count) ?? 0;
}

/// <summary>
/// Reads everything <see cref="ChargeCalculator"/> needs for a batch of buildings: one round trip of set-based queries
/// (<c>= ANY(@ids)</c>), never row by row. Dated rows are those in force on any day of the month; meter readings go
/// back <see cref="ReadingMonths"/> months (the п. 59 average over 6 months plus the 3-month limit need 9).
/// </summary>
public static partial class SnapshotLoader
{
    /// <summary>Months of readings before the billing month loaded for every meter.</summary>
    public const int ReadingMonths = 12;

    internal static void AddMonth(NpgsqlCommand cmd, BillingPeriod month)
    {
        cmd.Parameters.AddMonthDays(month);
    }

    /// <summary>The columns <see cref="ReadTariff"/> reads, in its order.</summary>
    internal const string TariffColumns = "municipality_id, building_id, supplier_id, service_id, zone, part, rate, valid_from, valid_to";

    internal static BillingReference.TariffRow ReadTariff(NpgsqlDataReader r) =>
        new(r.IsDBNull(0) ? null : r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt64(2), r.GetInt64(3),
            (TariffZone)r.GetInt32(4), (TariffPart)r.GetInt32(5), r.GetDecimal(6), r.GetFieldValue<DateOnly>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateOnly>(8));

    private const string Overlaps = "valid_from < @to AND (valid_to IS NULL OR valid_to > @from)";

    public static async Task<IReadOnlyList<LoadedBuilding>> LoadAsync(NpgsqlConnection conn, BillingReference reference,
        IReadOnlyList<long> buildingIds, BillingPeriod month, CancellationToken ct)
    {
        var buildings = new List<(long Id, long Municipality, BuildingKind Kind, HeatingPaymentMethod Heating, int? Year, int Floors, decimal CommonArea, bool TwoPowerSources)>();
        var premises = new List<(long Id, long Building, string Number, PremiseKind Kind, decimal Area, int? Rooms, bool PublicStock, DateOnly? PrivatisedOn)>();
        var accounts = new List<(long Id, long Premise, decimal Share, DateOnly Opened, DateOnly? Closed)>();
        var residents = new Dictionary<long, List<Dated<int>>>();
        var ownerships = new Dictionary<long, List<(DateOnly From, DateOnly? To)>>();
        var absences = new Dictionary<long, List<AbsenceSnapshot>>();
        var benefits = new Dictionary<long, List<BenefitSnapshot>>();
        var meters = new List<MeterRow>();
        var readings = new Dictionary<long, List<ReadingSnapshot>>();
        var groupPremises = new Dictionary<long, List<long>>();
        var methods = new List<(long Building, long Service, Dated<CalculationMethod> Method)>();
        var contracts = new List<(long Building, long Service, Dated<long> Supplier)>();
        var buildingTariffs = new List<BillingReference.TariffRow>();
        static DateOnly? D(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
        static long? L(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

        // Three round trips, each keyed by the ids the previous one found (= ANY(@ids) on the child's own index):
        // a join from the buildings down to the accounts or readings lets the planner hash-join a whole table per batch.
        await ReadAsync(conn, month, buildingIds,
        [
            ("""
             SELECT id, municipality_id, kind, heating_payment_method, year_built, floors, common_property_area, two_independent_power_sources
             FROM buildings WHERE id = ANY(@ids)
             """,
                r => buildings.Add((r.GetInt64(0), r.GetInt64(1), (BuildingKind)r.GetInt32(2), (HeatingPaymentMethod)r.GetInt32(3),
                    r.IsDBNull(4) ? null : r.GetInt32(4), r.GetInt32(5), r.GetDecimal(6), r.GetBoolean(7)))),
            ("SELECT id, building_id, number, kind, total_area, rooms, public_stock, privatised_on FROM premises WHERE building_id = ANY(@ids)",
                r => premises.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2), (PremiseKind)r.GetInt32(3), r.GetDecimal(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                    r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateOnly>(7)))),
            ("""
             SELECT id, kind, resource, zones, digits, installed_on, removed_on, next_verification_on, building_id, premise_id, account_id,
                    failed_on, access_refused_on
             FROM meters WHERE building_id = ANY(@ids) AND installed_on < @to AND (removed_on IS NULL OR removed_on >= @readFrom)
             """,
                r => meters.Add(new MeterRow(r.GetInt64(0), (MeterKind)r.GetInt32(1), (Resource)r.GetInt32(2), r.GetInt32(3), r.GetInt32(4),
                    r.GetFieldValue<DateOnly>(5), D(r, 6), D(r, 7), r.GetInt64(8), L(r, 9), L(r, 10), D(r, 11), D(r, 12)))),
            ($"SELECT building_id, service_id, method, valid_from, valid_to FROM building_service_methods WHERE building_id = ANY(@ids) AND {Overlaps}",
                r => methods.Add((r.GetInt64(0), r.GetInt64(1), new Dated<CalculationMethod>(r.GetFieldValue<DateOnly>(3), D(r, 4), (CalculationMethod)r.GetInt32(2))))),
            ($"SELECT building_id, service_id, supplier_id, valid_from, valid_to FROM service_contracts WHERE building_id = ANY(@ids) AND {Overlaps}",
                r => contracts.Add((r.GetInt64(0), r.GetInt64(1), new Dated<long>(r.GetFieldValue<DateOnly>(3), D(r, 4), r.GetInt64(2))))),
            ($"SELECT {TariffColumns} FROM tariffs WHERE building_id = ANY(@ids) AND {Overlaps}",
                r => buildingTariffs.Add(ReadTariff(r))),
        ], ct);
        await ReadAsync(conn, month, premises.Select(p => p.Id).ToArray(),
        [
            ("SELECT id, premise_id, share, opened_on, closed_on FROM personal_accounts WHERE premise_id = ANY(@ids) AND opened_on < @to AND (closed_on IS NULL OR closed_on > @from)",
                r => accounts.Add((r.GetInt64(0), r.GetInt64(1), r.GetDecimal(2), r.GetFieldValue<DateOnly>(3), D(r, 4)))),
        ], ct);
        await ReadAsync(conn, month, accounts.Select(a => a.Id).ToArray(),
        [
            ($"SELECT account_id, valid_from, valid_to, count FROM resident_counts WHERE account_id = ANY(@ids) AND {Overlaps}",
                r => Add(residents, r.GetInt64(0), new Dated<int>(r.GetFieldValue<DateOnly>(1), D(r, 2), r.GetInt32(3)))),
            ($"SELECT account_id, valid_from, valid_to FROM ownerships WHERE account_id = ANY(@ids) AND {Overlaps}",
                r => Add(ownerships, r.GetInt64(0), (r.GetFieldValue<DateOnly>(1), D(r, 2)))),
            // The registry's absence is the half-open range of days away [from, to); the calculator counts the days
            // strictly between departure and arrival (ПП 354 п. 90), so departure is the day before the first day away.
            ($"SELECT account_id, valid_from, valid_to, person_id FROM temporary_absences WHERE account_id = ANY(@ids) AND {Overlaps} AND valid_to IS NOT NULL",
                r => Add(absences, r.GetInt64(0), new AbsenceSnapshot(r.GetFieldValue<DateOnly>(1).AddDays(-1), r.GetFieldValue<DateOnly>(2)) { PersonId = r.GetInt64(3) })),
            // Rights to benefits with their delivery mode on the month's first day (benefits.md §0, §5): the run charges the
            // ones in kind; the monetised ones are only reported (the УСЗН export asks for their lines too).
            ($"""
              SELECT r.account_id, r.id, c.code, c.title, c.legal_basis, coalesce(r.rate, c.rate), c.services, c.area_cap, c.consumption_cap_at_norm,
                     c.covers_family, c.housing_in_public_stock_only, r.covered_persons, r.family_size, r.area_standard,
                     r.share_numerator::numeric / r.share_denominator, r.valid_from, r.valid_to, r.person_id,
                     {Benefits.BenefitSql.Mode("b.municipality_id", "r.category_code", "@from")} = {(int)Core.Benefits.BenefitDeliveryMode.InKind}
              FROM benefit_rights r
              JOIN personal_accounts a ON a.id = r.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
              {Benefits.BenefitSql.Category("@from")}
              WHERE r.account_id = ANY(@ids) AND r.valid_from < @to AND (r.valid_to IS NULL OR r.valid_to > @from)
              """,
                r =>
                {
                    var rule = new Core.Benefits.BenefitCategoryRule(r.GetString(2), r.GetString(3), r.GetString(4), r.GetDecimal(5),
                        Core.Benefits.BenefitCategory.Groups(r.GetString(6)), (Core.Benefits.BenefitAreaCap)r.GetInt32(7), r.GetBoolean(8), r.GetBoolean(9))
                    {
                        HousingInPublicStockOnly = r.GetBoolean(10),
                    };
                    int covered = rule.CoversFamily ? Math.Max(1, r.GetInt32(11)) : 1;
                    Add(benefits, r.GetInt64(0), new BenefitSnapshot(r.GetInt64(1), rule, r.GetDecimal(5), covered, r.IsDBNull(12) ? null : r.GetInt32(12),
                        r.IsDBNull(13) ? null : r.GetDecimal(13), r.IsDBNull(14) ? null : r.GetDecimal(14), r.GetFieldValue<DateOnly>(15), D(r, 16), r.GetBoolean(18))
                        { PersonId = r.GetInt64(17) });
                }),
        ], ct);
        await ReadAsync(conn, month, meters.Select(m => m.Id).ToArray(),
        [
            ("SELECT meter_id, zone, read_on, value FROM meter_readings WHERE meter_id = ANY(@ids) AND read_on >= @readFrom AND read_on < @to",
                r => Add(readings, r.GetInt64(0), new ReadingSnapshot(r.GetInt32(1), r.GetFieldValue<DateOnly>(2), r.GetDecimal(3)))),
            ("SELECT meter_id, premise_id FROM group_meter_premises WHERE meter_id = ANY(@ids) ORDER BY premise_id",
                r => Add(groupPremises, r.GetInt64(0), r.GetInt64(1))),
        ], ct);

        var premisesByBuilding = premises.ToLookup(p => p.Building);
        var accountsByPremise = accounts.ToLookup(a => a.Premise);
        var metersByPremise = meters.Where(m => m.Premise is not null).ToLookup(m => m.Premise!.Value);
        var metersByBuilding = meters.Where(m => m.Premise is null && m.Kind != MeterKind.Group).ToLookup(m => m.Building);
        var groupsByBuilding = meters.Where(m => m.Kind == MeterKind.Group).ToLookup(m => m.Building);
        var methodsByBuilding = methods.ToLookup(m => m.Building);
        var contractsByBuilding = contracts.ToLookup(c => c.Building);
        var tariffsByBuilding = buildingTariffs.ToLookup(t => t.BuildingId!.Value);

        MeterSnapshot Meter(MeterRow m) =>
            new(m.Id, m.Kind, m.Resource, m.Zones, m.Digits, m.Installed, m.Removed, m.Next, readings.TryGetValue(m.Id, out var list) ? list : [])
            {
                AccountId = m.Account, FailedOn = m.Failed, AccessRefusedOn = m.Refused,
            };

        var result = new List<LoadedBuilding>(buildings.Count);
        foreach (var b in buildings.OrderBy(b => b.Id))
        {
            try
            {
                var services = Services(reference, b.Municipality, methodsByBuilding[b.Id].ToList(), contractsByBuilding[b.Id].ToList(),
                    tariffsByBuilding[b.Id].ToList());
                var codes = services.Select(s => s.Code).ToHashSet(StringComparer.Ordinal);
                bool wasteByArea = services.Any(s => s.Code == "waste" && s.Methods.Any(m => m.Value == CalculationMethod.Area));
                var buildingPremises = premisesByBuilding[b.Id].OrderBy(p => p.Id).Select(p => new PremiseSnapshot(
                    p.Id, p.Number, p.Kind, p.Area, p.Rooms, new HashSet<Resource>(),
                    accountsByPremise[p.Id].OrderBy(a => a.Id).Select(a => new AccountSnapshot(a.Id, a.Share, a.Opened, a.Closed,
                        residents.TryGetValue(a.Id, out var n) ? n : [],
                        OwnerCounts(ownerships.TryGetValue(a.Id, out var o) ? o : [], month),
                        absences.TryGetValue(a.Id, out var abs) ? abs : []) { Benefits = benefits.TryGetValue(a.Id, out var rights) ? rights : [] }).ToList(),
                    metersByPremise[p.Id].OrderBy(m => m.Id).Select(Meter).ToList()) { PublicStock = p.PublicStock, PrivatisedOn = p.PrivatisedOn }).ToList();
                // The registry keeps one common-property area S_ои; it serves every resource.
                var common = Enum.GetValues<Resource>().Where(r => r != Resource.None).ToDictionary(r => r, _ => b.CommonArea);
                var snapshot = new BuildingSnapshot(b.Id, b.Kind, b.Heating, buildingPremises.Sum(p => p.TotalArea), common, buildingPremises,
                    services, metersByBuilding[b.Id].OrderBy(m => m.Id).Select(Meter).ToList(), [])
                {
                    NormCategories = NormCategories.ForBuilding(b.Kind, b.Year, b.Floors, codes, wasteByArea),
                    TwoIndependentPowerSources = b.TwoPowerSources,
                    GroupMeters = groupsByBuilding[b.Id].OrderBy(m => m.Id)
                        .Select(m => new GroupMeterSnapshot(Meter(m), groupPremises.TryGetValue(m.Id, out var covered) ? covered : [])).ToList(),
                };
                result.Add(new LoadedBuilding(b.Id, snapshot, null));
            }
            catch (ChargeDataException e)
            {
                result.Add(new LoadedBuilding(b.Id, null, e.Message));
            }
        }
        return await WithEventsAsync(conn, result, month, ct);
    }

    /// <summary>Runs the queries in one round trip with <c>@ids</c>, <c>@from</c>, <c>@to</c> and <c>@readFrom</c>, handing each row to its reader.</summary>
    private static async Task ReadAsync(NpgsqlConnection conn, BillingPeriod month, IReadOnlyList<long> ids,
        IReadOnlyList<(string Sql, Action<NpgsqlDataReader> Row)> queries, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var batch = new NpgsqlBatch(conn);
        foreach (var (sql, _) in queries)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids.ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            cmd.Parameters.AddMonthDays(month);
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("readFrom", month.FirstDay.AddMonths(-ReadingMonths)));
            batch.BatchCommands.Add(cmd);
        }
        await using var r = await batch.ExecuteReaderAsync(ct);
        for (int i = 0; i < queries.Count; i++)
        {
            if (i > 0) await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) queries[i].Row(r);
        }
    }

    private sealed record MeterRow(long Id, MeterKind Kind, Resource Resource, int Zones, int Digits, DateOnly Installed, DateOnly? Removed,
        DateOnly? Next, long Building, long? Premise, long? Account, DateOnly? Failed, DateOnly? Refused);

    private static void Add<T>(Dictionary<long, List<T>> map, long key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }

    /// <summary>The number of owners over the month as consecutive dated counts (0 where nobody owns).</summary>
    private static IReadOnlyList<Dated<int>> OwnerCounts(List<(DateOnly From, DateOnly? To)> rows, BillingPeriod month)
    {
        if (rows.Count == 0) return [];
        var points = new SortedSet<DateOnly> { month.FirstDay, month.End };
        foreach (var (from, to) in rows)
        {
            if (from > month.FirstDay && from < month.End) points.Add(from);
            if (to is { } t && t > month.FirstDay && t < month.End) points.Add(t);
        }
        var list = new List<Dated<int>>();
        var days = points.ToList();
        for (int i = 0; i + 1 < days.Count; i++)
        {
            var day = days[i];
            int count = rows.Count(r => r.From <= day && (r.To is null || r.To > day));
            if (list.Count > 0 && list[^1].Value == count && list[^1].ValidTo == day)
                list[^1] = list[^1] with { ValidTo = days[i + 1] };
            else
                list.Add(new Dated<int>(day, days[i + 1], count));
        }
        return list;
    }

    /// <summary>Services of a building with methods, suppliers, tariffs (building-specific wins) and norms (municipal wins).</summary>
    private static List<ServiceSnapshot> Services(BillingReference reference, long municipalityId,
        List<(long Building, long Service, Dated<CalculationMethod> Method)> methods, List<(long Building, long Service, Dated<long> Supplier)> contracts,
        List<BillingReference.TariffRow> buildingTariffs)
    {
        var list = new List<ServiceSnapshot>();
        foreach (var serviceId in methods.Select(m => m.Service).Concat(contracts.Select(c => c.Service)).Distinct().Order())
        {
            var info = reference.Services[serviceId];
            var suppliers = contracts.Where(c => c.Service == serviceId).Select(c => c.Supplier).OrderBy(s => s.ValidFrom).ToList();
            var tariffs = new List<TariffSnapshot>();
            foreach (var supplier in suppliers.Select(s => s.Value).Distinct())
            {
                // Precedence per supplier: the building's own rate (an owners' meeting), then the municipality's, then the region's.
                // Zones and parts come together from the narrowest scope that has any, so the two components of a hot-water
                // tariff always come from the same decision.
                var own = buildingTariffs.Where(t => t.ServiceId == serviceId && t.SupplierId == supplier).ToList();
                if (own.Count == 0) own = reference.RegionalTariffs.Where(t => t.ServiceId == serviceId && t.SupplierId == supplier && t.MunicipalityId == municipalityId).ToList();
                if (own.Count == 0) own = reference.RegionalTariffs.Where(t => t.ServiceId == serviceId && t.SupplierId == supplier && t.MunicipalityId is null).ToList();
                tariffs.AddRange(own.OrderBy(t => t.Zone).ThenBy(t => t.Part).ThenBy(t => t.From)
                    .Select(t => new TariffSnapshot(t.SupplierId, t.Zone, t.From, t.To, t.Rate) { Part = t.Part }));
            }
            // The registry cannot check this when the tariff is saved (it knows the service by id only).
            if (info.Resource != Resource.HotWater && tariffs.Any(t => t.Part == TariffPart.HeatEnergy))
                throw new ChargeDataException($"Услуга {info.Code}: компонент тарифа на тепловую энергию допустим только для горячей воды");
            var norms = reference.Norms.Where(n => n.ServiceId == serviceId && (n.MunicipalityId is null || n.MunicipalityId == municipalityId)).ToList();
            // A municipality's row of a category replaces the region's rows of the same category.
            var municipal = norms.Where(n => n.MunicipalityId is not null).Select(n => n.Category).ToHashSet(StringComparer.Ordinal);
            norms = norms.Where(n => n.MunicipalityId is not null || !municipal.Contains(n.Category)).OrderBy(n => n.Category, StringComparer.Ordinal).ThenBy(n => n.From).ToList();
            // q of a two-component hot-water tariff is not a consumption norm: NormSelector must never choose it.
            var heatEnergy = norms.Where(n => n.Category == ConsumptionNorm.HeatEnergyCategory).ToList();
            if (heatEnergy.Count > 0 && info.Resource != Resource.HotWater)
                throw new ChargeDataException($"Услуга {info.Code}: норматив тепловой энергии на подогрев воды допустим только для горячей воды");
            list.Add(new ServiceSnapshot(info.Code, info.Kind, info.Resource, info.Unit,
                methods.Where(m => m.Service == serviceId).Select(m => m.Method).OrderBy(m => m.ValidFrom).ToList(),
                suppliers, tariffs,
                norms.Where(n => n.Category != ConsumptionNorm.HeatEnergyCategory).Select(n => new NormSnapshot(n.Category, n.From, n.To, n.Value) { PerYear = n.PerYear }).ToList())
            {
                HeatEnergyNorm = heatEnergy.Select(n => new Dated<decimal>(n.From, n.To, n.Value)).ToList(),
            });
        }
        return list;
    }
}
