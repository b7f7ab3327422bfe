using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Billing;
using static OpenErc.Operations.SqlMonths;

namespace OpenErc.Operations.Reports;

/// <summary>
/// One group's figures for a month (reports.md §20): <see cref="Charged"/> <c>Ch = Σ(C + R)</c> and <see cref="Paid"/>
/// <c>Pd = Σ P°</c> (payments less what paid penalties), the debt on the month's last day by age (§0.3), the accounts
/// charged and in overdue debt, their area, the individual meters in service and those read for the month, and what was
/// charged in buildings whose method of the service is «по прибору учёта»; the month before's own bill and what of it was
/// paid by this month's end; the accounts charged for a metered resource and those with an individual meter of it.
/// </summary>
public sealed record AnalyticsFigures(decimal Charged, decimal Paid, decimal Debt, decimal Current, decimal[] Overdue, long Accounts, long OverdueAccounts,
    decimal Area, long Meters, long MetersRead, decimal ChargedByMeter, decimal PreviousBill, decimal PreviousBillPaid, long ResourceAccounts, long MeteredAccounts)
{
    public static readonly AnalyticsFigures None = new(0, 0, 0, 0, new decimal[5], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>I3 for the month before: the share of that month's own bill (recalculations correcting it included) paid by this month's end.</summary>
    public decimal? PreviousBillPaidShare => ReportFormat.Percent(PreviousBillPaid, PreviousBill);

    /// <summary>I13: the share of the accounts charged for a metered resource that have an individual meter of it in service.</summary>
    public decimal? MeterCoverage => ReportFormat.Percent(MeteredAccounts, ResourceAccounts);

    public decimal OverdueDebt => Overdue.Sum();

    /// <summary>I1, the collection rate: paid / charged, in per cent; null when nothing was charged.</summary>
    public decimal? Collection => ReportFormat.Percent(Paid, Charged);

    /// <summary>I6, the share of charged accounts with overdue debt.</summary>
    public decimal? DebtorShare => ReportFormat.Percent(OverdueAccounts, Accounts);

    /// <summary>I7, the average charge per m² of the charged accounts' area (their share of their premises).</summary>
    public decimal? PerSquareMetre => Area == 0 ? null : Math.Round(Charged / Area, 2, MidpointRounding.AwayFromZero);

    /// <summary>I8, the average charge per charged account.</summary>
    public decimal? PerAccount => Accounts == 0 ? null : Math.Round(Charged / Accounts, 2, MidpointRounding.AwayFromZero);

    /// <summary>I11, the share of individual meters in service with a reading for the month.</summary>
    public decimal? ReadingsRate => ReportFormat.Percent(MetersRead, Meters);

    /// <summary>I12 as the centre knows it without the lines' traces: the share of the charges in buildings calculated by meters.</summary>
    public decimal? ByMeterShare => ReportFormat.Percent(ChargedByMeter, Charged);
}

/// <summary>A group of the dashboard (a municipality, management company, supplier or service) over the months, oldest first, and a year before each.</summary>
public sealed record AnalyticsGroup(long? Id, string Name, IReadOnlyList<AnalyticsFigures> Months, IReadOnlyList<AnalyticsFigures> YearBefore)
{
    public AnalyticsFigures Last => Months[^1];

    /// <summary>I2, the collection rate from January of the last month's year.</summary>
    public decimal? CollectionYearToDate(IReadOnlyList<BillingPeriod> months)
    {
        var year = months[^1].Year;
        var since = Months.Where((_, i) => months[i].Year == year).ToList();
        return ReportFormat.Percent(since.Sum(m => m.Paid), since.Sum(m => m.Charged));
    }

    /// <summary>I5, the overdue debt in months of the average charge of the last twelve months.</summary>
    public decimal? DebtInMonths => Months.Sum(m => m.Charged) is var sum && sum <= 0 ? null
        : Math.Round(Last.OverdueDebt / (sum / Months.Count), 2, MidpointRounding.AwayFromZero);

    /// <summary>I9, growth of the charge per account against the same month a year before, in per cent.</summary>
    public decimal? GrowthPerAccount => YearBefore[^1].PerAccount is { } before && before != 0 && Last.PerAccount is { } now
        ? Math.Round(100m * (now / before - 1), 2, MidpointRounding.AwayFromZero) : null;

    /// <summary>I9 for the charge per m².</summary>
    public decimal? GrowthPerSquareMetre => YearBefore[^1].PerSquareMetre is { } before && before != 0 && Last.PerSquareMetre is { } now
        ? Math.Round(100m * (now / before - 1), 2, MidpointRounding.AwayFromZero) : null;
}

public sealed record AnalyticsDashboard(string Dimension, IReadOnlyList<BillingPeriod> Months, IReadOnlyList<AnalyticsGroup> Groups, AnalyticsGroup Region);

/// <summary>
/// The region's analytics (reports.md §20) over the twelve closed months to a month, by municipality, management company,
/// supplier or service, from the closed months' snapshot by building — never the ledger's lines — so that the whole
/// dashboard at a million accounts is a few sums over a few million rows. A user of an access group sees its own
/// buildings (a supplier its own rows). Account-level figures (accounts, area, meters) belong to buildings: by supplier
/// and by service they count the rows of the service (an account once per service), area and meters are not divided.
/// </summary>
public static class RegionAnalytics
{
    public static readonly IReadOnlyList<string> Dimensions = ["municipality", "manager", "supplier", "service"];

    public static async Task<AnalyticsDashboard> LoadAsync(string connectionString, BillingPeriod month, string dimension, ReportScope scope, CancellationToken ct = default)
    {
        if (!Dimensions.Contains(dimension)) throw new ReportException("by", "Разрез — municipality, manager, supplier или service");
        await ClosedMonthSnapshots.EnsureAsync(connectionString, ct);
        var months = Enumerable.Range(0, 12).Select(i => BillingPeriod.Of(month.FirstDay.AddMonths(i - 11))).ToList();
        var first = BillingPeriod.Of(months[0].FirstDay.AddMonths(-12));
        var d = ReportDimensions.All[dimension];
        bool byBuilding = dimension is "municipality" or "manager";
        var where = "true" + (scope.Buildings is null ? "" : " AND b.id = ANY(@buildings)") + (scope.Supplier is null ? "" : " AND f.supplier_id = @supplier")
                    + (scope.Services is null ? "" : " AND f.service_id = ANY(@services)");
        var accountsWhere = "true" + (scope.Buildings is null ? "" : " AND b.id = ANY(@buildings)");
        var sql = $"""
            WITH managers AS (
                SELECT DISTINCT ON (building_id) building_id, organisation_id FROM building_managements
                WHERE valid_from <= @asof AND (valid_to IS NULL OR valid_to >= @asof) ORDER BY building_id, valid_from DESC),
            methods AS (
                SELECT DISTINCT ON (building_id, service_id) building_id, service_id, method FROM building_service_methods
                WHERE valid_from <= @asof AND (valid_to IS NULL OR valid_to > @asof) ORDER BY building_id, service_id, valid_from DESC),
            money AS (
                SELECT f.month, {d.Id} AS g, sum(f.charged + f.recalculated) AS ch, sum(f.paid - f.paid_penalties) AS pd, sum(f.debt) AS debt, sum(f.current_debt) AS cur,
                       sum(f.overdue_1) AS o1, sum(f.overdue_2) AS o2, sum(f.overdue_3) AS o3, sum(f.overdue_4) AS o4, sum(f.overdue_5) AS o5,
                       sum(f.accounts) AS rows, sum(f.debtors) AS debtor_rows,
                       sum(f.charged + f.recalculated) FILTER (WHERE mt.method = {(int)CalculationMethod.IndividualMeter}) AS by_meter
                FROM closed_month_buildings f JOIN buildings b ON b.id = f.building_id LEFT JOIN managers mg ON mg.building_id = b.id
                LEFT JOIN methods mt ON mt.building_id = b.id AND mt.service_id = f.service_id
                WHERE f.month >= @first AND f.month <= @m AND {where} GROUP BY 1, 2),
            people AS (
                SELECT f.month, {(byBuilding ? d.Id : "NULL::bigint")} AS g, sum(f.charged) AS accounts, sum(f.overdue) AS overdue_accounts, sum(f.area) AS area,
                       sum(f.meters) AS meters, sum(f.meters_read) AS meters_read
                FROM closed_month_building_accounts f JOIN buildings b ON b.id = f.building_id LEFT JOIN managers mg ON mg.building_id = b.id
                WHERE f.month >= @first AND f.month <= @m AND {accountsWhere} AND {(byBuilding ? "true" : "false")} GROUP BY 1, 2),
            bills AS (
                SELECT f.month, {d.Id} AS g, sum(f.previous_bill) AS bill, sum(f.previous_bill_paid) AS bill_paid,
                       sum(f.charged_accounts) FILTER (WHERE s.resource <> 0) AS resource_accounts, sum(f.metered_accounts) AS metered
                FROM closed_month_bills f JOIN buildings b ON b.id = f.building_id LEFT JOIN managers mg ON mg.building_id = b.id
                JOIN services s ON s.id = f.service_id
                WHERE f.month >= @first AND f.month <= @m AND {where} GROUP BY 1, 2)
            SELECT coalesce(x.month, y.month), coalesce(x.g, y.g), {string.Format(System.Globalization.CultureInfo.InvariantCulture, d.Label, "coalesce(x.g, y.g)")},
                   coalesce(ch, 0), coalesce(pd, 0), coalesce(debt, 0), coalesce(cur, 0), coalesce(o1, 0), coalesce(o2, 0), coalesce(o3, 0), coalesce(o4, 0), coalesce(o5, 0),
                   coalesce(y.accounts, x.rows, 0), coalesce(y.overdue_accounts, x.debtor_rows, 0), coalesce(y.area, 0), coalesce(y.meters, 0), coalesce(y.meters_read, 0),
                   coalesce(by_meter, 0), coalesce(z.bill, 0), coalesce(z.bill_paid, 0), coalesce(z.resource_accounts, 0), coalesce(z.metered, 0)
            FROM money x FULL JOIN people y ON y.month = x.month AND y.g IS NOT DISTINCT FROM x.g
            LEFT JOIN bills z ON z.month = coalesce(x.month, y.month) AND z.g IS NOT DISTINCT FROM coalesce(x.g, y.g)
            """;
        // A group without a value (buildings without a manager) is kept under 0: ids start at 1.
        var cells = new Dictionary<(long, BillingPeriod), AnalyticsFigures>();
        var names = new Dictionary<long, string>();
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = ReportEngine.TimeoutSeconds };
            cmd.Parameters.Add(MonthParameter("m", month));
            cmd.Parameters.Add(MonthParameter("first", first));
            cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("asof", month.LastDay));
            if (scope.Buildings is { } buildings) cmd.Parameters.Add(new NpgsqlParameter<long[]>("buildings", buildings));
            if (scope.Supplier is { } supplier) cmd.Parameters.Add(new NpgsqlParameter<long>("supplier", supplier));
            if (scope.Services is { } services) cmd.Parameters.Add(new NpgsqlParameter<long[]>("services", services));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                long g = r.IsDBNull(1) ? 0 : r.GetInt64(1);
                names[g] = r.IsDBNull(2) ? "Не указано" : r.GetString(2);
                cells[(g, r.GetMonth(0))] = new AnalyticsFigures(r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6),
                    [r.GetDecimal(7), r.GetDecimal(8), r.GetDecimal(9), r.GetDecimal(10), r.GetDecimal(11)],
                    (long)r.GetDecimal(12), (long)r.GetDecimal(13), r.GetDecimal(14), (long)r.GetDecimal(15), (long)r.GetDecimal(16), r.GetDecimal(17),
                    r.GetDecimal(18), r.GetDecimal(19), (long)r.GetDecimal(20), (long)r.GetDecimal(21));
            }
        }
        AnalyticsGroup Group(long? id, string name, Func<BillingPeriod, AnalyticsFigures> at) => new(id, name, months.Select(at).ToList(),
            months.Select(m => at(BillingPeriod.Of(m.FirstDay.AddMonths(-12)))).ToList());
        var groups = names.OrderBy(n => n.Value, StringComparer.Ordinal)
            .Select(n => Group(n.Key == 0 ? null : n.Key, n.Value, m => cells.GetValueOrDefault((n.Key, m)) ?? AnalyticsFigures.None)).ToList();
        var region = Group(null, "Всего", m => Sum(cells.Where(c => c.Key.Item2 == m).Select(c => c.Value).ToList()));
        return new AnalyticsDashboard(dimension, months, groups, region);
    }

    /// <summary>The figures of several groups together: sums, and the ratios recomputed from them (a ratio of sums, G1).</summary>
    private static AnalyticsFigures Sum(IReadOnlyList<AnalyticsFigures> parts) => parts.Count == 0 ? AnalyticsFigures.None : new(
        parts.Sum(p => p.Charged), parts.Sum(p => p.Paid), parts.Sum(p => p.Debt), parts.Sum(p => p.Current),
        Enumerable.Range(0, 5).Select(i => parts.Sum(p => p.Overdue[i])).ToArray(), parts.Sum(p => p.Accounts), parts.Sum(p => p.OverdueAccounts),
        parts.Sum(p => p.Area), parts.Sum(p => p.Meters), parts.Sum(p => p.MetersRead), parts.Sum(p => p.ChargedByMeter),
        parts.Sum(p => p.PreviousBill), parts.Sum(p => p.PreviousBillPaid), parts.Sum(p => p.ResourceAccounts), parts.Sum(p => p.MeteredAccounts));

    /// <summary>The dimensions I10 is given by: an account's index is of all its communal services, so not by supplier or service.</summary>
    public static readonly IReadOnlyList<string> LimitIndexDimensions = ["municipality", "manager"];

    /// <summary>
    /// I10 (reports.md §20) by the dashboard's groups: the report <c>LIMIT_INDEX</c> from the base month — December of the
    /// year before <paramref name="month"/>, as ПП 400 normally takes it — to <paramref name="month"/>, in summary by the
    /// group: <c>I_g</c> (the ratio of the group's sums, in per cent) and the share of its accounts over their
    /// municipality's limit index with its allowed deviation. It reads the two months' charge lines, so the page asks for
    /// it apart from the snapshot's figures. Keyed by the group's id (0 for «не указано»); <c>Region</c> is the total.
    /// </summary>
    public static async Task<LimitIndexFigures> LimitIndexAsync(string connectionString, BillingPeriod month, string dimension, ReportScope scope,
        RegionClock clock, CancellationToken ct = default)
    {
        if (!LimitIndexDimensions.Contains(dimension)) throw new ReportException("by", "Индекс изменения платы считается по муниципальным образованиям или управляющим организациям");
        var report = ReportCatalog.Find("LIMIT_INDEX")!;
        var baseMonth = new BillingPeriod(month.Year - 1, 12);
        var (latest, open) = await ReportEngine.MonthsAsync(connectionString, clock, ct);
        var query = ReportRequest.Parse(report, new Dictionary<string, string?>
        {
            ["from"] = baseMonth.ToString(), ["to"] = month.ToString(), ["group"] = dimension, ["mode"] = "summary",
        }, latest, open, clock.Today);
        var page = await ReportEngine.PageAsync(connectionString, report, query, scope, clock, 1, 10_000, ct);
        int Column(string key) => page.Head.Columns.ToList().FindIndex(c => c.Key == key);
        int index = Column("index"), share = Column("flaggedShare"), count = Column("count");
        static decimal? Value(object? v) => v is null ? null : Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture);
        LimitIndexFigure Figure(ReportRow row) => new(Value(row.Values[index]) is { } i ? i - 100m : null, Value(row.Values[share]), (long)(Value(row.Values[count]) ?? 0));
        var groups = page.Rows.Where(r => r.Kind == ReportRowKind.Row && r.Keys is { Length: > 0 })
            .ToDictionary(r => r.Keys![0] is null ? 0L : Convert.ToInt64(r.Keys[0], System.Globalization.CultureInfo.InvariantCulture), Figure);
        return new LimitIndexFigures(baseMonth, groups, Figure(page.Total));
    }
}

/// <summary>I10 of one group: the growth of the communal services' payment at the base month's volumes (per cent), the share of accounts over their limit, and the accounts compared.</summary>
public sealed record LimitIndexFigure(decimal? Growth, decimal? FlaggedShare, long Accounts);

/// <summary>I10 by group id (0 for «не указано») and for all of them, from <see cref="Base"/> to the dashboard's month.</summary>
public sealed record LimitIndexFigures(BillingPeriod Base, IReadOnlyDictionary<long, LimitIndexFigure> Groups, LimitIndexFigure Region);
