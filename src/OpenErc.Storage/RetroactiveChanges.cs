using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Npgsql;
using NpgsqlTypes;

namespace OpenErc.Storage;

/// <summary>
/// Finds, among the registry objects being saved, the changes that alter charges already posted, and queues their
/// buildings in <c>recalculation_queue</c> (migration <c>RecalculationQueue</c>) in the transaction of the save, so that
/// no retroactive change can be saved without its recalculation being due. <c>Recalculations.ProcessQueueAsync</c>
/// posts the differences (before every billing run of the open month, or on the operator's request).
/// </summary>
/// <remarks>
/// <para><b>What counts.</b> Exactly the columns the charge calculation reads (<c>SnapshotLoader</c> and
/// <c>BillingReference</c> in OpenErc.Operations — keep the two lists in step): a change of another column (a phone, a
/// document number, a meter's serial number) changes no charge and queues nothing. Registrations and the managing
/// organisation are not read by the calculation (the number of residents is its own effective-dated record), so they
/// queue nothing either.</para>
/// <para><b>From when.</b> The earliest day the change touches: a created or deleted record — its start (ValidFrom,
/// OpenedOn, InstalledOn, ReadOn, an incident's StartedAt); a changed date alone — the earlier of its old and new value (closing a record on
/// 15.10 touches charges from 15.10); any other changed column — the earlier start. Premises and buildings are not
/// effective-dated, so a change of their area or characteristics touches every posted month.</para>
/// <para><b>Which buildings.</b> A building is queued only when it has a regular charge posted (<c>billing_run_buildings</c>
/// 'done' in a real run) for the month of that day or later, from the earliest such month; this is better than
/// comparing with one "latest posted month" of the region: a building charged later or not at all is not queued, and
/// a change dated in the open month after the open month was charged is queued too (it is recalculated once the next
/// month is open). A tariff or norm not tied to a building queues, set-based, every building it covers (its
/// municipality or the whole region) that has the service (a calculation method of it) and posted charges. A benefit
/// category's row or a delivery setting queues every building with a right of the category (of any, for a setting of
/// all categories; in the setting's municipality) in force on or after its day.</para>
/// <para><b>Merge.</b> One pending row per building: the earliest month wins, the reasons are joined, and the row's
/// version changes, so that a processing that read the older version leaves it for the next one.</para>
/// </remarks>
internal static class RetroactiveChanges
{
    private enum Target { Building, Premise, Account, Meter, Tariff, Norm, Benefits }

    /// <param name="Start">The property with the record's first day, or null when the object is not dated.</param>
    /// <param name="Charged">The properties the calculation reads (dates included).</param>
    /// <param name="Targets">Where the change lands: target kind and the property holding its id ("Id" for the object itself).</param>
    private sealed record Rule(string Label, string? Start, string[] Charged, (Target Kind, string Property)[] Targets);

    private static readonly Dictionary<string, Rule> Rules = new()
    {
        ["ResidentCount"] = new("Число проживающих", "ValidFrom", ["AccountId", "Count", "ValidFrom", "ValidTo"], [(Target.Account, "AccountId")]),
        ["Ownership"] = new("Собственники", "ValidFrom", ["AccountId", "ValidFrom", "ValidTo"], [(Target.Account, "AccountId")]),
        ["TemporaryAbsence"] = new("Временное отсутствие", "ValidFrom", ["AccountId", "ValidFrom", "ValidTo"], [(Target.Account, "AccountId")]),
        ["BenefitRight"] = new("Льгота", "ValidFrom",
            ["AccountId", "CategoryCode", "Rate", "CoveredPersons", "FamilySize", "AreaStandard", "ShareNumerator", "ShareDenominator", "ValidFrom", "ValidTo"],
            [(Target.Account, "AccountId")]),
        // A category's rule or a delivery mode: every building with a right of the category (in the municipality) in force since.
        ["BenefitCategory"] = new("Категория льготников", "ValidFrom",
            ["Code", "Rate", "Services", "AreaCap", "ConsumptionCapAtNorm", "CoversFamily", "HousingInPublicStockOnly", "ValidFrom", "ValidTo"],
            [(Target.Benefits, "Code")]),
        ["BenefitDelivery"] = new("Способ предоставления льгот", "ValidFrom", ["MunicipalityId", "CategoryCode", "Mode", "ValidFrom", "ValidTo"],
            [(Target.Benefits, "CategoryCode")]),
        ["PersonalAccount"] = new("Лицевой счёт", "OpenedOn", ["PremiseId", "Share", "OpenedOn", "ClosedOn"], [(Target.Premise, "PremiseId")]),
        ["Premise"] = new("Помещение", null, ["BuildingId", "Kind", "TotalArea", "Rooms", "PublicStock", "PrivatisedOn"], [(Target.Building, "BuildingId")]),
        ["Building"] = new("Дом", null, ["MunicipalityId", "Kind", "HeatingPaymentMethod", "YearBuilt", "Floors", "CommonPropertyArea", "TwoIndependentPowerSources"],
            [(Target.Building, "Id")]),
        ["Meter"] = new("Прибор учёта", "InstalledOn",
            ["Kind", "Resource", "Zones", "Digits", "InstalledOn", "RemovedOn", "NextVerificationOn", "FailedOn", "AccessRefusedOn", "BuildingId", "PremiseId", "AccountId"],
            [(Target.Building, "BuildingId")]),
        ["GroupMeterPremise"] = new("Помещения группового прибора учёта", null, ["MeterId", "PremiseId"], [(Target.Meter, "MeterId")]),
        ["MeterReading"] = new("Показания прибора учёта", "ReadOn", ["MeterId", "Zone", "ReadOn", "Value"], [(Target.Meter, "MeterId")]),
        ["BuildingServiceMethod"] = new("Способ расчёта услуги", "ValidFrom", ["BuildingId", "ServiceId", "Method", "ValidFrom", "ValidTo"],
            [(Target.Building, "BuildingId")]),
        ["ServiceContract"] = new("Поставщик услуги", "ValidFrom", ["BuildingId", "ServiceId", "SupplierId", "ValidFrom", "ValidTo"],
            [(Target.Building, "BuildingId")]),
        ["Tariff"] = new("Тариф", "ValidFrom", ["MunicipalityId", "BuildingId", "SupplierId", "ServiceId", "Zone", "Part", "Rate", "ValidFrom", "ValidTo"],
            [(Target.Tariff, "BuildingId")]),
        ["Incident"] = new("Нарушение качества или перерыв", "StartedAt",
            ["BuildingId", "PremiseId", "ServiceId", "Kind", "StartedAt", "EndedAt", "DeviationDegrees", "DeviationPercent", "Temperature", "Cancelled"],
            [(Target.Building, "BuildingId")]),
        ["MeterImpossibilityAct"] = new("Акт о невозможности установки прибора учёта", "ValidFrom", ["PremiseId", "Resource", "ValidFrom", "ValidTo"],
            [(Target.Premise, "PremiseId")]),
        ["HeatingAverageVolume"] = new("Среднемесячный объём отопления", "ValidFrom", ["BuildingId", "Volume", "ValidFrom", "ValidTo"],
            [(Target.Building, "BuildingId")]),
        ["ConsumptionNorm"] = new("Норматив потребления", "ValidFrom", ["ServiceId", "MunicipalityId", "Category", "Value", "Unit", "ValidFrom", "ValidTo"],
            [(Target.Norm, "MunicipalityId")]),
    };

    /// <summary>One change to queue: where it lands and from which day (null: every posted month).</summary>
    internal sealed record Change(string Target, long? Id, long? MunicipalityId, long? ServiceId, DateOnly? From, string Reason, string? Category = null);

    /// <summary>The changes of the entries about to be saved (call before saving: original values are still there).</summary>
    internal static List<Change> Collect(IEnumerable<EntityEntry> entries, string? reason)
    {
        var changes = new List<Change>();
        foreach (var e in entries)
        {
            if (!Rules.TryGetValue(e.Metadata.ClrType.Name, out var rule)) continue;
            var charged = rule.Charged.Select(e.Property).ToList();
            DateOnly? from;
            bool whole = e.State is EntityState.Added or EntityState.Deleted;
            if (whole)
                from = rule.Start is null ? null : Date(e.State == EntityState.Added ? e.Property(rule.Start).CurrentValue : e.Property(rule.Start).OriginalValue);
            else
            {
                var modified = charged.Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)).ToList();
                if (modified.Count == 0) continue;
                var days = modified.Where(p => IsDate(p)).SelectMany(p => new[] { Date(p.OriginalValue), Date(p.CurrentValue) }).OfType<DateOnly>().ToList();
                bool valueChanged = modified.Any(p => !IsDate(p));
                if (valueChanged && rule.Start is null) from = null;
                else
                {
                    if (valueChanged) days.AddRange(new[] { Date(e.Property(rule.Start!).OriginalValue), Date(e.Property(rule.Start!).CurrentValue) }.OfType<DateOnly>());
                    from = days.Count == 0 ? null : days.Min();
                }
            }
            string text = from is { } day
                ? $"{rule.Label}: изменение с {day.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)}"
                : $"{rule.Label}: изменение без даты (все начисленные месяцы)";
            if (!string.IsNullOrWhiteSpace(reason)) text += $" — {reason.Trim()}";
            foreach (var (kind, property) in rule.Targets)
            {
                if (kind == Target.Benefits)
                {
                    // The old and the new category (and municipality, for a delivery setting) alike.
                    bool local = e.Metadata.FindProperty("MunicipalityId") is not null;
                    foreach (var (category, municipality) in new[] { true, false }
                                 .Select(original => (Value(e, property, original) as string, local ? Id(e, "MunicipalityId", original) : null)).Distinct())
                        changes.Add(new Change(kind.ToString(), null, municipality, null, from, text, category));
                    continue;
                }
                // Both the old and the new owner of the change: a meter moved to another building changes both.
                var owners = new[] { true, false }.Select(original => (Id: Id(e, property, original),
                    Municipality: kind == Target.Tariff ? Id(e, "MunicipalityId", original) : null,
                    Service: kind is Target.Tariff or Target.Norm ? Id(e, "ServiceId", original) : null)).Distinct();
                foreach (var (id, municipality, service) in owners)
                {
                    if (kind == Target.Norm) changes.Add(new Change(kind.ToString(), null, id, service, from, text));
                    else if (kind == Target.Tariff || id is not null) changes.Add(new Change(kind.ToString(), id, municipality, service, from, text));
                }
            }
        }
        return changes;
    }

    private static bool IsDate(PropertyEntry p) =>
        p.Metadata.ClrType == typeof(DateOnly) || p.Metadata.ClrType == typeof(DateOnly?) || p.Metadata.ClrType == typeof(DateTime) || p.Metadata.ClrType == typeof(DateTime?);

    /// <summary>The day of a date, or of a local date and time (an incident's start).</summary>
    private static DateOnly? Date(object? value) => value switch
    {
        DateOnly day => day,
        DateTime moment => DateOnly.FromDateTime(moment),
        _ => null,
    };

    private static long? Id(EntityEntry e, string property, bool original) => Value(e, property, original) as long?;

    /// <summary>A property's value before the change (<paramref name="original"/>) or after it; an added entry has only the new one, a deleted only the old.</summary>
    private static object? Value(EntityEntry e, string property, bool original)
    {
        if (e.State == EntityState.Added) original = false;
        if (e.State == EntityState.Deleted) original = true;
        var p = e.Property(property);
        return original ? p.OriginalValue : p.CurrentValue;
    }

    /// <summary>Queues the buildings of the changes that touch posted charges; set-based, one statement.</summary>
    internal static async Task QueueAsync(OpenErcDbContext db, List<Change> changes, string actor, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
            new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
        await db.Database.ExecuteSqlRawAsync("""
            WITH c AS (
                SELECT * FROM unnest(@targets, @ids, @municipalities, @services, @froms, @reasons, @categories)
                    AS c(target, id, municipality_id, service_id, from_day, reason, category)),
            t AS (
                SELECT c.id AS building_id, c.from_day, c.reason, NULL::bigint AS service_id FROM c WHERE c.target = 'Building'
                UNION ALL SELECT p.building_id, c.from_day, c.reason, NULL FROM c JOIN premises p ON c.target = 'Premise' AND p.id = c.id
                UNION ALL SELECT p.building_id, c.from_day, c.reason, NULL FROM c JOIN personal_accounts a ON c.target = 'Account' AND a.id = c.id
                    JOIN premises p ON p.id = a.premise_id
                UNION ALL SELECT m.building_id, c.from_day, c.reason, NULL FROM c JOIN meters m ON c.target = 'Meter' AND m.id = c.id
                UNION ALL SELECT DISTINCT p.building_id, c.from_day, c.reason, NULL::bigint FROM c
                    JOIN benefit_rights br ON c.target = 'Benefits' AND (c.category IS NULL OR br.category_code = c.category)
                        AND (c.from_day IS NULL OR br.valid_to IS NULL OR br.valid_to > c.from_day)
                    JOIN personal_accounts a ON a.id = br.account_id JOIN premises p ON p.id = a.premise_id JOIN buildings b ON b.id = p.building_id
                    WHERE c.municipality_id IS NULL OR b.municipality_id = c.municipality_id
                UNION ALL SELECT b.id, c.from_day, c.reason, c.service_id FROM c JOIN buildings b ON c.target IN ('Tariff', 'Norm')
                    AND (b.id = c.id OR c.id IS NULL AND (c.municipality_id IS NULL OR b.municipality_id = c.municipality_id))),
            q AS (
                SELECT t.building_id, min(greatest(r.month, date_trunc('month', coalesce(t.from_day, r.month))::date)) AS from_month,
                       string_agg(DISTINCT t.reason, '; ') AS reason
                FROM t
                JOIN billing_run_buildings rb ON rb.building_id = t.building_id AND rb.state = 'done'
                JOIN billing_runs r ON r.id = rb.run_id AND NOT r.dry_run
                WHERE (t.from_day IS NULL OR r.month >= date_trunc('month', t.from_day))
                  AND (t.service_id IS NULL OR EXISTS (
                        SELECT 1 FROM building_service_methods s WHERE s.building_id = t.building_id AND s.service_id = t.service_id
                          AND (s.valid_to IS NULL OR s.valid_to > r.month)))
                GROUP BY t.building_id)
            INSERT INTO recalculation_queue AS x (building_id, from_month, reason, queued_by, queued_at)
            SELECT building_id, from_month, left(reason, 2000), @actor, @now FROM q
            ON CONFLICT (building_id) DO UPDATE SET
                from_month = least(x.from_month, excluded.from_month),
                reason = CASE WHEN strpos(x.reason, excluded.reason) > 0 THEN x.reason ELSE left(x.reason || '; ' || excluded.reason, 2000) END,
                queued_at = excluded.queued_at, queued_by = excluded.queued_by, version = nextval('recalculation_queue_version')
            """,
            [
                Array("targets", NpgsqlDbType.Text, changes.Select(c => c.Target)),
                Array("ids", NpgsqlDbType.Bigint, changes.Select(c => c.Id)),
                Array("municipalities", NpgsqlDbType.Bigint, changes.Select(c => c.MunicipalityId)),
                Array("services", NpgsqlDbType.Bigint, changes.Select(c => c.ServiceId)),
                Array("froms", NpgsqlDbType.Date, changes.Select(c => c.From)),
                Array("reasons", NpgsqlDbType.Text, changes.Select(c => c.Reason)),
                Array("categories", NpgsqlDbType.Text, changes.Select(c => c.Category)),
                new NpgsqlParameter<string>("actor", actor),
                new NpgsqlParameter<DateTimeOffset>("now", db.Clock.Now),
            ], ct);
    }
}
