using System.Globalization;
using OpenErc.Core.Benefits;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Payments;
using OpenErc.Core.Residents;
using OpenErc.Operations.Benefits;
using OpenErc.Operations.Billing;
using static OpenErc.Operations.Reports.ReportColumn;

namespace OpenErc.Operations.Reports;

/// <summary>
/// The reports of reports.md, each a definition for <see cref="ReportEngine"/>: its source (a read of the ledger or the
/// registry), columns, filters and default grouping. No report computes money of its own: the ledger's balances
/// (<c>account_balances</c> of closed months, <see cref="BillingPeriods.BalancesSql"/> of the open one), lines, payment
/// allocations and debt books are summed as they are.
/// </summary>
public static class ReportCatalog
{
    private const string Ledger = "Начисления и сальдо", Payments = "Платежи", Debts = "Задолженность", Registers = "Реестры", Housing = "Жилищный фонд",
        SocialSupport = "Льготы и субсидии";

    /// <summary>The joins that give a row of an account (<c>f.account_id</c>) its account, premise, building, manager, service, method and supplier.</summary>
    private const string AccountContext = """
         JOIN personal_accounts a ON a.id = f.account_id
         JOIN premises p ON p.id = a.premise_id
         JOIN buildings b ON b.id = p.building_id
         LEFT JOIN managers mg ON mg.building_id = b.id
         LEFT JOIN services s ON s.id = f.service_id
         LEFT JOIN methods mt ON mt.building_id = b.id AND mt.service_id = f.service_id
         LEFT JOIN organisations sup ON sup.id = f.supplier_id
        """;

    /// <summary>The same for rows that may have no account (an unidentified payment).</summary>
    private static readonly string MaybeAccountContext = AccountContext.Replace(" JOIN personal_accounts", " LEFT JOIN personal_accounts", StringComparison.Ordinal)
        .Replace(" JOIN premises", " LEFT JOIN premises", StringComparison.Ordinal).Replace(" JOIN buildings", " LEFT JOIN buildings", StringComparison.Ordinal);

    private static readonly string[] AccountDimensions = ["municipality", "manager", "street", "building", "premise", "account", "category"];
    private static readonly string[] LedgerDimensions = [.. AccountDimensions, "supplier", "service", "serviceKind", "method"];

    private static readonly ReportColumn Address = new("address", "Адрес", ReportCell.Text, "b.address || ', пом. ' || p.number");
    private static readonly ReportColumn AccountNumber = new("account", "Лицевой счёт", ReportCell.Code, "a.number");
    private static readonly ReportColumn ServiceName = new("service", "Услуга", ReportCell.Text, "coalesce(s.name, 'Не распределено')");
    private static readonly ReportColumn SupplierName = new("supplier", "Поставщик", ReportCell.Text, "coalesce(sup.short_name, sup.name, 'Не распределено')");
    private static readonly ReportColumn Payer = new("payer", "Плательщик", ReportCell.Text,
        "(SELECT full_name FROM people WHERE id = a.payer_person_id)", Personal: true);

    private static readonly ReportParameter Penalties = new("penalties", "Пени", [("include", "Включить"), ("exclude", "Исключить")], "include");

    private static readonly ReportParameter PaymentDate = new("by", "Дата отбора платежей",
        [("paid", "Дата оплаты"), ("received", "Дата поступления"), ("booked", "Учётный месяц")], "paid");

    /// <summary>
    /// The balances of each month of the range per account × service × supplier: closed months as their closing wrote them,
    /// the open month as it stands (<c>month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing,
    /// benefits</c>: the recalculations' part that is benefits in kind).
    /// </summary>
    private static string Balances(ReportSql q) =>
        "SELECT month, account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing, benefits FROM account_balances WHERE month >= @from AND month <= @to"
        + (q.Open is { } o && o >= q.From && o <= q.To ? "\nUNION ALL\n" + BillingPeriods.BalancesSql() : "");

    /// <summary>
    /// The penalty part of each balance (reports.md §0.1, P3): what penalties opened the range with (<c>o_n</c>), what
    /// payments of the range paid of them (<c>p_n</c>) and what stays at its end (<c>k_n</c>) — the penalty lines less
    /// the penalty allocations booked until then.
    /// </summary>
    private const string PenaltyParts = """
        LEFT JOIN (
            SELECT account_id, service_id, supplier_id,
                   coalesce(sum(v) FILTER (WHERE booking_month < @from), 0) AS o_n,
                   coalesce(sum(-v) FILTER (WHERE booking_month >= @from AND paid), 0) AS p_n,
                   coalesce(sum(v), 0) AS k_n
            FROM (SELECT booking_month, account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, kopecks * 0.01 AS v, false AS paid
                  FROM charge_lines WHERE kind = @penalty AND booking_month <= @to
                  UNION ALL
                  SELECT booking_month, account_id, service_id, supplier_id, -amount, true
                  FROM payment_allocations WHERE kind = 1 AND booking_month <= @to) y
            GROUP BY 1, 2, 3) pn USING (account_id, service_id, supplier_id)
        """;

    private static readonly string[] ServiceDimensions = ["service", "serviceKind", "method"];

    /// <summary>
    /// P8, the level at which balances are netted before a debt and an advance are told apart (reports.md §0.3): each ledger
    /// row (the default), an account's rows of one supplier, or the whole account. Above the row the report has no service,
    /// so it is neither filtered nor grouped by one.
    /// </summary>
    private static readonly ReportParameter Netting = new("net", "Уровень свёртки сальдо",
        [("row", "Строка: услуга и поставщик"), ("supplier", "Лицевой счёт и поставщик"), ("account", "Лицевой счёт")], "row")
    {
        Excludes = new Dictionary<string, string[]> { ["supplier"] = ServiceDimensions, ["account"] = [.. ServiceDimensions, "supplier"] },
    };

    /// <summary>ОСВ's rows over the range: the first month's opening, the sums of the months, the last month's closing; without penalties when asked (P3), netted at P8.</summary>
    private static string Turnover(ReportSql q)
    {
        bool without = q["penalties"] == "exclude";
        var rows = TurnoverRows(q, without);
        return q["net"] switch
        {
            "row" => $"{rows} f\n{AccountContext}",
            var level => $"""
                (SELECT account_id, NULL::bigint AS service_id, {(level == "supplier" ? "supplier_id" : "NULL::bigint AS supplier_id")}, true AS netted,
                        sum(opening) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated, sum(penalties) AS penalties,
                        sum(paid) AS paid, sum(closing) AS closing, sum(benefits) AS benefits
                 FROM {rows} y GROUP BY account_id{(level == "supplier" ? ", supplier_id" : "")}) f
                {AccountContext}
                """,
        };
    }

    private static string TurnoverRows(ReportSql q, bool without) => $"""
            (SELECT x.account_id, x.service_id, x.supplier_id, false AS netted,
                    x.opening{(without ? " - coalesce(pn.o_n, 0)" : "")} AS opening, x.charged, x.recalculated,
                    {(without ? "0::numeric" : "x.penalties")} AS penalties, x.paid{(without ? " - coalesce(pn.p_n, 0)" : "")} AS paid,
                    x.closing{(without ? " - coalesce(pn.k_n, 0)" : "")} AS closing, x.benefits
             FROM ({(q.From == q.To
                 // One month's balances are one row per account × service × supplier already: no aggregation of the whole month
                 // before a narrower scope or filter (a management company's buildings) can apply.
                 ? $"SELECT account_id, service_id, supplier_id, opening, charged, recalculated, penalties, paid, closing, benefits FROM ({Balances(q)}) m"
                 : $"""
                   SELECT account_id, service_id, supplier_id,
                          coalesce(sum(opening) FILTER (WHERE month = @from), 0) AS opening, sum(charged) AS charged, sum(recalculated) AS recalculated,
                          sum(penalties) AS penalties, sum(paid) AS paid, coalesce(sum(closing) FILTER (WHERE month = @to), 0) AS closing,
                          sum(benefits) AS benefits
                   FROM ({Balances(q)}) m GROUP BY 1, 2, 3
                   """)}) x
             {(without ? PenaltyParts : "")})
            """;

    /// <summary>The service and supplier of a turnover row, «Все услуги» / «Все поставщики» above the row (P8).</summary>
    private static readonly ReportColumn NettedService = ServiceName with { Sql = "CASE WHEN f.netted THEN 'Все услуги' ELSE coalesce(s.name, 'Не распределено') END" };
    private static readonly ReportColumn NettedSupplier = SupplierName with
    {
        Sql = "CASE WHEN f.netted AND f.supplier_id IS NULL THEN 'Все поставщики' ELSE coalesce(sup.short_name, sup.name, 'Не распределено') END",
    };

    private static readonly ReportColumn[] TurnoverColumns =
    [
        Address, AccountNumber, NettedService, NettedSupplier,
        Sum("openingDebt", "Сальдо на начало: долг", "greatest(f.opening, 0)"),
        Sum("openingAdvance", "Сальдо на начало: аванс", "greatest(-f.opening, 0)"),
        Sum("charged", "Начислено", "f.charged"),
        Sum("recalculated", "Перерасчёт", "f.recalculated"),
        Sum("benefits", "В т.ч. льготы", "f.benefits"),
        Sum("penalties", "Пени", "f.penalties"),
        Sum("paid", "Оплачено", "f.paid"),
        Sum("closingDebt", "Сальдо на конец: долг", "greatest(f.closing, 0)"),
        Sum("closingAdvance", "Сальдо на конец: аванс", "greatest(-f.closing, 0)"),
        Sum("opening", "Сальдо на начало", "f.opening") with { Hidden = true },
        Sum("closing", "Сальдо на конец", "f.closing") with { Hidden = true },
    ];

    /// <summary>The payments of the period by the date chosen (P5): the day paid in the region, the day received, or the booking month.</summary>
    private static string PaymentSelection(ReportSql q, string alias, string paidDay) => q["by"] switch
    {
        "received" => $"{alias}.received_on >= @from AND {alias}.received_on < @end",
        "booked" => $"{alias}.booking_month >= @from AND {alias}.booking_month <= @to",
        _ => $"{paidDay} >= @from AND {paidDay} < @end",
    };

    /// <summary>The day a payment was paid on the region's calendar.</summary>
    private static string PaidDay(ReportSql q) => $"(pay.paid_at AT TIME ZONE {ReportDimensions.Literal(q.Zone)})::date";

    /// <summary>One row per payment (reports.md §3's set Π, reversals included as negative payments, unidentified ones too).</summary>
    private static string PaymentRows(ReportSql q) => PaymentRows(q, "", "");

    /// <summary>
    /// The bank view's payments (reports.md §3): with what the collecting account's statements confirmed — the credited
    /// amount of a payment whose registry a statement's credit paid for (<see cref="Payments.BankStatements"/>), else 0.
    /// </summary>
    private static string BankPaymentRows(ReportSql q) =>
        PaymentRows(q, $", CASE WHEN EXISTS (SELECT 1 FROM bank_statement_matches m WHERE m.registry_id = pay.registry_id) THEN {Credited} ELSE 0 END AS statement", "");

    /// <summary>
    /// The agents' view (reports.md §3): a payment is late when the money reached the centre (its registry) after the
    /// agent's term — <c>term</c> working days of the region's calendar after the day it was paid.
    /// </summary>
    private static string AgentPaymentRows(ReportSql q) =>
        PaymentRows(q, ", pay.received_on > dl.due AS late",
            $" LEFT JOIN {q.Deadlines(int.Parse(q["term"], CultureInfo.InvariantCulture))} AS dl(day, due) ON dl.day = {PaidDay(q)}");

    private const string Credited = "CASE WHEN pay.commission_by_payer THEN pay.amount ELSE pay.amount - pay.commission END";

    private static string PaymentRows(ReportSql q, string columns, string join) => $"""
        (SELECT pay.id, pay.agent_id, pay.channel, pay.account_id, NULL::bigint AS service_id, NULL::bigint AS supplier_id,
                pay.amount, pay.commission, {Credited} AS credited,
                {PaidDay(q)} AS day, pay.received_on, pay.booking_month AS month, pay.period AS paid_for,
                CASE WHEN pay.correction IS NOT NULL THEN {(short)PaymentPurpose.Correction} WHEN pay.period IS NOT NULL THEN {(short)PaymentPurpose.Period}
                     ELSE {(short)PaymentPurpose.Document} END AS purpose,
                pay.registry_id, pay.line_no, pay.agent_payment_id{columns}
         FROM payments pay{join} WHERE {PaymentSelection(q, "pay", PaidDay(q))}) f
        {MaybeAccountContext}
        """;

    /// <summary>
    /// One row per allocation line of the same payments: the part of a payment booked to a service, supplier and the month
    /// it paid, with the payment's dates and agent; an unidentified payment as one line of its own («Невыясненные платежи»).
    /// </summary>
    private static string AllocationRows(ReportSql q) => $"""
        (SELECT pay.id, pay.agent_id, pay.channel, al.account_id, al.service_id, al.supplier_id, al.kind AS allocation, al.amount, al.commission,
                al.paid_on AS day, al.received_on, al.booking_month AS month, al.service_month AS paid_for, pay.registry_id, pay.line_no
         FROM payment_allocations al JOIN payments pay ON pay.id = al.payment_id WHERE {PaymentSelection(q, "al", "al.paid_on")}
         UNION ALL
         SELECT pay.id, pay.agent_id, pay.channel, NULL, NULL, NULL, NULL, pay.amount, 0, {PaidDay(q)}, pay.received_on, pay.booking_month, NULL,
                pay.registry_id, pay.line_no
         FROM payments pay WHERE pay.account_id IS NULL AND {PaymentSelection(q, "pay", PaidDay(q))}) f
        {MaybeAccountContext}
        """;

    private static readonly string[] PaymentDimensions = [.. AccountDimensions, "agent", "channel", "purpose", "month", "day"];
    private static readonly string[] AllocationDimensions = [.. AccountDimensions, "agent", "channel", "supplier", "service", "serviceKind", "month", "day", "paidFor"];

    private static readonly ReportColumn[] PaymentColumns =
    [
        new("day", "Дата оплаты", ReportCell.Date, "f.day"),
        new("received", "Дата поступления", ReportCell.Date, "f.received_on"),
        new("agentName", "Платёжный агент", ReportCell.Text, "(SELECT coalesce(short_name, name) FROM organisations WHERE id = f.agent_id)"),
        new("operation", "Номер операции агента", ReportCell.Code, "f.agent_payment_id"),
        AccountNumber with { Sql = "coalesce(a.number, 'Невыясненный платёж')" },
        Address with { Sql = "coalesce(b.address || ', пом. ' || p.number, '')" },
        Sum("count", "Платежей", "1", ReportCell.Count),
        Sum("amount", "Сумма", "f.amount"),
        Sum("commission", "Комиссия", "f.commission"),
        Sum("credited", "Зачислено", "f.credited"),
    ];

    private static ReportDefinition PaymentView(string code, string title, string description, string group) =>
        new(code, title, Payments, description, ReportTime.Months, PaymentRows, PaymentDimensions, PaymentColumns, [group], "day, account", [PaymentDate]);

    /// <summary>The bank view: the payments' credited amounts against the statements' credits of their registries.</summary>
    private static ReportDefinition BankView() =>
        PaymentView("PAY_BANKS", "Платежи по банкам",
            "Платежи периода по банкам и агентам, принявшим деньги: число, сумма, комиссия, зачислено по реестрам, зачислено по выпискам банка " +
            "(реестр оплачен поступлением на счёт центра) и разница реестров и выписок.", "agent") with
        {
            Source = BankPaymentRows,
            Columns = [.. PaymentColumns, Sum("statement", "Зачислено по выписке", "f.statement"), Sum("difference", "Разница реестр − выписка", "f.credited - f.statement")],
        };

    /// <summary>The agents' view: payments whose registry came later than the agent's term, by count and amount.</summary>
    private static ReportDefinition AgentView() =>
        PaymentView("PAY_AGENTS", "Платежи по платёжным агентам",
            "Платежи по агентам: число, сумма, вознаграждение агента (комиссия), зачислено и платежи, реестр которых поступил позже срока " +
            "(дата поступления позже указанного числа рабочих дней после дня оплаты).", "agent") with
        {
            Source = AgentPaymentRows,
            Columns = [.. PaymentColumns, Sum("lateCount", "Платежей с опозданием реестра", "CASE WHEN f.late THEN 1 ELSE 0 END", ReportCell.Count),
                       Sum("lateAmount", "Сумма с опозданием реестра", "CASE WHEN f.late THEN f.amount ELSE 0 END")],
            Parameters = [PaymentDate, new("term", "Срок передачи реестра, рабочих дней", [("1", "1"), ("2", "2"), ("3", "3"), ("5", "5"), ("10", "10")], "3")],
        };

    /// <summary>The debt book of the month <c>@to</c> as its closing left it, one row per chunk with its age on the month's last day.</summary>
    private static string Chunks(ReportSql q) => $"""
        (SELECT d.account_id, d.service_id, d.supplier_id, d.service_month, d.kind,
                coalesce(d.charged, 0) - coalesce(d.allocated, 0) AS outstanding, d.paid_on,
                {DebtAge.Sql("d.service_month", q.Date)} AS bucket
         FROM debt_books d WHERE d.month = @to) c
        """;

    private static string DebtRows(ReportSql q)
    {
        bool without = q["penalties"] == "exclude";
        return $"""
            (SELECT c.account_id, c.service_id, c.supplier_id,
                    sum(c.outstanding) FILTER (WHERE c.kind = 0 AND c.outstanding > 0) AS debt,
                    sum(c.outstanding) FILTER (WHERE c.kind = 0 AND c.outstanding > 0 AND c.bucket = {DebtAge.Current}) AS current,
                    {string.Join(", ", Enumerable.Range(1, DebtAge.Buckets.Count - 1).Select(i => $"sum(c.outstanding) FILTER (WHERE c.kind = 0 AND c.outstanding > 0 AND c.bucket = {i}) AS b{i}"))},
                    {(without ? "0::numeric" : "sum(c.outstanding) FILTER (WHERE c.kind = 1)")} AS penalty_debt,
                    -sum(c.outstanding) FILTER (WHERE c.outstanding < 0 AND c.kind <> 1) AS advance,
                    min(c.service_month) FILTER (WHERE c.kind = 0 AND c.outstanding > 0) AS oldest,
                    max(c.paid_on) AS last_paid
             FROM {Chunks(q)} GROUP BY 1, 2, 3) f
            {AccountContext}
            """;
    }

    private static readonly ReportColumn[] DebtColumns =
    [
        Address, AccountNumber, ServiceName, SupplierName,
        Sum("debt", "Задолженность", "coalesce(f.debt, 0)"),
        Sum("current", "Текущая", "coalesce(f.current, 0)"),
        Sum("overdue", "Просроченная", "coalesce(f.debt, 0) - coalesce(f.current, 0)"),
        .. Enumerable.Range(1, DebtAge.Buckets.Count - 1).Select(i => Sum($"b{i}", "Просрочка " + DebtAge.Buckets[i], $"coalesce(f.b{i}, 0)")),
        Sum("penaltyDebt", "Долг по пеням", "coalesce(f.penalty_debt, 0)"),
        Sum("advance", "Аванс", "coalesce(f.advance, 0)"),
        new("oldest", "Старейший неоплаченный месяц", ReportCell.Month, "f.oldest"),
        new("lastPaid", "Последняя оплата", ReportCell.Date, "f.last_paid"),
    ];

    /// <summary>
    /// The debtors register (reports.md §10, <see cref="DebtorThresholds"/>): overdue principal of an account's service over
    /// <c>k</c> monthly amounts, from the closed month's overdue rows (<c>closed_month_overdue</c>, written by its closing).
    /// The monthly amount is the amount by the norm on the month's last day (basis «по нормативу», the calculator's, written
    /// by the closing: <c>closed_month_norms</c>; the month's charge where the service has no norm measure), the month's charge of the service
    /// («начисление месяца») or the mean of the last twelve months' charges («среднее за 12 месяцев», read for the overdue
    /// rows only), rounded to kopecks once; the threshold is <c>k</c> times it, rounded once. The rule of п. 118 takes
    /// k = 2 on the norm basis and the services that may be limited only.
    /// </summary>
    private static string DebtorRows(ReportSql q)
    {
        bool p118 = q["rule"] == "p118", uszn = q["rule"] == "uszn", byNorm = DebtorThresholds.ByNorm(q), average = !byNorm && q["basis"] == "average";
        var k = p118 ? "2" : uszn ? "0" : decimal.Parse(q["k"], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        var (monthly, basis) = uszn ? ("o.monthly", "'подтверждена судом'")
            : byNorm ? ("coalesce(o.norm, o.monthly)", "CASE WHEN o.norm IS NULL THEN 'начисление месяца' ELSE 'по нормативу' END")
            : average
            ? ("(SELECT round(sum(x.charged) / 12, 2) FROM account_balances x WHERE x.account_id = o.account_id AND x.service_id = o.service_id " +
               "AND x.supplier_id = o.supplier_id AND x.month > @to - interval '12 months' AND x.month <= @to)", "'среднее за 12 месяцев'")
            : ("o.monthly", "'начисление месяца'");
        var condition = uszn ? "(cs.confirmed OR ca.confirmed)"
            : $"m.monthly > 0 AND o.overdue > round({k} * m.monthly, 2){(p118 ? " AND " + DebtorThresholds.LimitableSql("o.service_id") : "")}";
        return $"""
            (SELECT o.account_id, o.service_id, o.supplier_id, o.overdue, o.beyond_limitation AS beyond, o.oldest, o.last_paid, m.monthly, m.basis,
                    round({k} * m.monthly, 2) AS threshold,
                    coalesce(cs.status, ca.status, '') AS court, coalesce(nt.status, '') AS notice
             FROM ({DebtorThresholds.CandidatesSql(uszn ? DebtorCandidates.Claimed : average ? DebtorCandidates.All : byNorm ? DebtorCandidates.ByNorm : DebtorCandidates.ByCharge, k)}) o
             LEFT JOIN {DebtorThresholds.ClaimsSql} cs ON cs.account_id = o.account_id AND cs.supplier_id = o.supplier_id
             LEFT JOIN {DebtorThresholds.ClaimsSql} ca ON ca.account_id = o.account_id AND ca.supplier_id IS NULL
             LEFT JOIN {DebtorThresholds.NoticesSql} nt ON nt.account_id = o.account_id AND nt.service_id = o.service_id
             CROSS JOIN LATERAL (SELECT {monthly} AS monthly, {basis} AS basis) m
             WHERE {condition}) f
            {AccountContext}
            """;
    }

    /// <summary>Lines booked in the range that correct a month (reports.md §13): everything but the month's own charge, penalties and brought balances.</summary>
    private static string RecalculationRows(ReportSql q) => $"""
        (SELECT l.booking_month AS month, l.service_month, l.account_id, l.service_id::bigint AS service_id, l.supplier_id::bigint AS supplier_id,
                l.kind, l.kopecks * 0.01 AS amount,
                (SELECT d.reason FROM charge_details d WHERE d.booking_month = l.booking_month AND d.building_id = l.building_id AND d.run_id = l.run_id) AS reason
         FROM charge_lines l
         WHERE l.booking_month >= @from AND l.booking_month <= @to AND NOT (l.kind = {(short)ChargeLineKind.Charge} AND l.service_month = l.booking_month)
           AND l.kind NOT IN (@penalty, @opening)) f
        {AccountContext}
        """;

    /// <summary>What was charged for each service month of the range and what payments paid of it by now (reports.md §7).</summary>
    private static string PaidForRows(ReportSql q)
    {
        bool without = q["penalties"] == "exclude";
        return $"""
            (SELECT account_id, service_id, supplier_id, month, sum(charged) AS charged, sum(paid) AS paid
             FROM (SELECT account_id, service_id::bigint AS service_id, supplier_id::bigint AS supplier_id, service_month AS month, kopecks * 0.01 AS charged, 0::numeric AS paid
                   FROM charge_lines WHERE booking_month >= @from AND service_month >= @from AND service_month <= @to AND kind <> @opening{(without ? " AND kind <> @penalty" : "")}
                   UNION ALL
                   SELECT account_id, service_id, supplier_id, service_month, 0, amount
                   FROM payment_allocations WHERE booking_month >= @from AND service_month >= @from AND service_month <= @to{(without ? " AND kind <> 1" : "")}) x
             GROUP BY 1, 2, 3, 4) f
            {AccountContext}
            """;
    }

    /// <summary>
    /// Common-property overuse (reports.md §5.1, P4) per building × КР на СОИ service × month, read back from the trace of
    /// the month's charge by meter: one line per basis (the building, or each group meter) carries the ОДПУ's volume, the
    /// premises' volumes, their difference, the norm cap and the volume billed; the overuse is what the cap left unbilled,
    /// at the line's tariff — the manager's cost, outside the consumer ledger. Lines by norm (ф. 15) have no overuse.
    /// </summary>
    private static string OveruseRows(ReportSql q)
    {
        static string Names(IEnumerable<string> names) => "ARRAY[" + string.Join(", ", names.Select(ReportDimensions.Literal)) + "]";
        var labels = Core.Charges.CommonPropertyTrace.All;
        return $"""
            (SELECT DISTINCT ON (l.building_id, l.service_id, l.service_month, v[ix.meter], v[ix.premises])
                    l.building_id, l.service_id, l.supplier_id, l.service_month AS month,
                    round(v[ix.meter]::numeric, 6) AS metered, round(v[ix.premises]::numeric, 6) AS premises, round(v[ix.raw]::numeric, 6) AS raw,
                    round(v[ix.norm]::numeric, 6) AS norm, round(v[ix.billed]::numeric, 6) AS billed, v[ix.rate]::numeric AS rate
             FROM charge_line_details l
             JOIN LATERAL (SELECT max(x.i) FILTER (WHERE x.e->>0 = ANY({Names(labels.Select(n => n.Meter))})) AS meter,
                                  max(x.i) FILTER (WHERE x.e->>0 = ANY({Names(labels.Select(n => n.Premises))})) AS premises,
                                  max(x.i) FILTER (WHERE x.e->>0 = ANY({Names(labels.Select(n => n.Raw))})) AS raw,
                                  max(x.i) FILTER (WHERE x.e->>0 = ANY({Names([Core.Charges.CommonPropertyTrace.Norm, Core.Charges.CommonPropertyTrace.NormShare])})) AS norm,
                                  max(x.i) FILTER (WHERE x.e->>0 = {ReportDimensions.Literal(Core.Charges.CommonPropertyTrace.Billed)}) AS billed,
                                  max(x.i) FILTER (WHERE x.e->>0 = 'Тариф') AS rate
                           FROM charge_trace_templates t CROSS JOIN LATERAL jsonb_array_elements(t.inputs) WITH ORDINALITY AS x(e, i)
                           WHERE t.id = l.trace_template) ix ON ix.billed IS NOT NULL AND ix.raw IS NOT NULL
             CROSS JOIN LATERAL string_to_array(split_part(split_part(l.trace_values, '~', 1), '|', 1), ';') AS v
             WHERE l.booking_month >= @from AND l.booking_month <= @to AND l.kind = {(short)ChargeLineKind.Charge} AND l.service_month = l.booking_month
               AND l.service_id IN (SELECT id FROM services WHERE kind = {(int)Core.Tariffs.ServiceKind.CommonPropertyResource})
             ORDER BY l.building_id, l.service_id, l.service_month, v[ix.meter], v[ix.premises]) f
            {SnapshotContext}
             LEFT JOIN organisations sup ON sup.id = f.supplier_id
            """;
    }

    /// <summary>
    /// What the centre received for each supplier per day of receipt (reports.md §6: allocated, commissions the recipient
    /// bears, net to transfer) against the day's transfer (<c>supplier_transfers</c>: prepared, sent, confirmed), with the
    /// days it took to send — ПП 253 wants it not later than the working day after the receipt (by the region's work
    /// calendar): a day's money sent after that day, or not sent by it when it lies within the period, is late.
    /// </summary>
    private static string TransferRows(ReportSql q) => $"""
        (SELECT x.*, dl.due FROM
            (SELECT coalesce(t.day, r.day) AS day, coalesce(t.supplier_id, r.supplier_id) AS supplier_id, coalesce(r.amount, 0) AS amount,
                    coalesce(r.commission, 0) AS commission, CASE WHEN t.state IN ('sent', 'confirmed') THEN t.net ELSE 0 END AS transferred,
                    t.state, (t.sent_at AT TIME ZONE {ReportDimensions.Literal(q.Zone)})::date AS sent_on
             FROM (SELECT received_on AS day, supplier_id, sum(amount) AS amount, sum(commission) AS commission FROM payment_allocations
                   WHERE received_on >= @from AND received_on < @end AND supplier_id IS NOT NULL GROUP BY 1, 2) r
             FULL JOIN (SELECT * FROM supplier_transfers WHERE day >= @from AND day < @end) t ON t.day = r.day AND t.supplier_id = r.supplier_id) x
         JOIN {q.Deadlines(1)} AS dl(day, due) ON dl.day = x.day) f
         LEFT JOIN organisations sup ON sup.id = f.supplier_id
        """;

    /// <summary>
    /// I10 (reports.md §20, ПП 400 «Основы формирования индексов»): the growth of an account's payment for communal
    /// services with the set and volumes of services unchanged — the base month's volumes (the range's first month,
    /// normally December of the year before) at the tariffs of the comparison month (its last) against the same volumes at
    /// the base month's tariffs: <c>I_a = Σ T_s(M) × V_s(base) / Σ T_s(base) × V_s(base)</c> over the services (and zones)
    /// charged in both, from the months' own charge lines. A group's index is the ratio of its sums; an account is flagged
    /// when <c>I_a − 1</c> exceeds the limit index (the parameter, in per cent: the municipality's limit set by the governor).
    /// </summary>
    private static string LimitIndexRows(ReportSql q)
    {
        var limit = decimal.Parse(q["limit"], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        string Month(string month) => $"""
            SELECT account_id, service_id, zone, sum(volume) AS volume, max(rate) AS rate FROM charge_line_details
            WHERE booking_month = {month} AND service_month = {month} AND kind = {(short)ChargeLineKind.Charge}
              AND service_id IN (SELECT id FROM services WHERE kind = {(int)Core.Tariffs.ServiceKind.Communal})
            GROUP BY 1, 2, 3
            """;
        // The limit of the account's municipality (or the region's) in force on the comparison month's last day, with its
        // allowed deviation; the parameter where none is set.
        return $"""
            (SELECT x.*, coalesce(li.percent, {limit}) AS limit_percent,
                    CASE WHEN x.now_cost > x.base_cost * (1 + coalesce(li.percent, {limit}) / 100) THEN 1 ELSE 0 END AS flagged
             FROM (SELECT account_id, NULL::bigint AS service_id, NULL::bigint AS supplier_id, sum(n.rate * b.volume) AS now_cost, sum(b.rate * b.volume) AS base_cost
                   FROM ({Month("@from")}) b JOIN ({Month("@to")}) n USING (account_id, service_id, zone)
                   GROUP BY account_id HAVING sum(b.rate * b.volume) > 0) x
             JOIN personal_accounts xa ON xa.id = x.account_id JOIN premises xp ON xp.id = xa.premise_id JOIN buildings xb ON xb.id = xp.building_id
             LEFT JOIN LATERAL (SELECT l.percent + l.deviation_percent AS percent FROM limit_indices l
                                WHERE (l.municipality_id = xb.municipality_id OR l.municipality_id IS NULL)
                                  AND l.valid_from <= @end - 1 AND (l.valid_to IS NULL OR l.valid_to > @end - 1)
                                ORDER BY l.municipality_id NULLS LAST, l.valid_from DESC LIMIT 1) li ON true) f
            {AccountContext}
            """;
    }

    /// <summary>Per month, supplier and service: what was billed and what came in, less the agents' commissions the recipient bears (§8).</summary>
    private static string IncomeRows(ReportSql q) => $"""
        (SELECT month, account_id, service_id, supplier_id, charged, recalculated, penalties, paid, 0::numeric AS commission FROM ({Balances(q)}) x
         UNION ALL
         SELECT booking_month, account_id, coalesce(service_id, 0), coalesce(supplier_id, 0), 0, 0, 0, 0, commission
         FROM payment_allocations WHERE booking_month >= @from AND booking_month <= @to AND commission <> 0) f
        {AccountContext}
        """;

    private static string TariffRows(ReportSql q) => $"""
        (SELECT 'Тариф' AS what, t.service_id, t.supplier_id, t.municipality_id, t.building_id,
                {ReportDimensions.EnumLabel<Core.Tariffs.TariffZone>("t.zone")} || CASE WHEN t.part = 0 THEN '' ELSE ', ' || {ReportDimensions.EnumLabel<Core.Tariffs.TariffPart>("t.part")} END AS detail,
                t.rate AS value, 'руб.' AS unit, t.valid_from, t.valid_to
         FROM tariffs t WHERE t.valid_from < @end AND (t.valid_to IS NULL OR t.valid_to > @from)
         UNION ALL
         SELECT 'Норматив', n.service_id, NULL, n.municipality_id, NULL, n.category || coalesce(' — ' || n.description, ''), n.value, n.unit, n.valid_from, n.valid_to
         FROM consumption_norms n WHERE n.valid_from < @end AND (n.valid_to IS NULL OR n.valid_to > @from)) f
         LEFT JOIN services s ON s.id = f.service_id
         LEFT JOIN organisations sup ON sup.id = f.supplier_id
         LEFT JOIN LATERAL (SELECT f.municipality_id, f.building_id AS id) b ON true
        """;

    private static string PremiseRows(ReportSql q) => """
        premises p JOIN buildings b ON b.id = p.building_id LEFT JOIN managers mg ON mg.building_id = b.id
        LEFT JOIN LATERAL (SELECT count(*) AS accounts, coalesce(sum(share), 0) AS shares, min(number) AS first_account FROM personal_accounts
                           WHERE premise_id = p.id AND opened_on <= @asof AND (closed_on IS NULL OR closed_on > @asof)) pa ON true
        LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registrations r WHERE r.account_id = x.id AND r.valid_from <= @asof AND (r.valid_to IS NULL OR r.valid_to > @asof))) AS registered,
                                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ownerships o WHERE o.account_id = x.id AND o.valid_from <= @asof AND (o.valid_to IS NULL OR o.valid_to > @asof))) AS owned
                           FROM personal_accounts x WHERE x.premise_id = p.id) pr ON true
        LEFT JOIN LATERAL (SELECT count(*) AS meters FROM meters m WHERE m.premise_id = p.id AND m.installed_on <= @asof AND (m.removed_on IS NULL OR m.removed_on > @asof)) pm ON true
        LEFT JOIN personal_accounts a ON a.premise_id = p.id AND a.number = pa.first_account
        """;

    private static string MeterRows(ReportSql q)
    {
        var within = q["within"];
        var condition = within == "all" ? "" : $" AND m.next_verification_on < @d + interval '{int.Parse(within, CultureInfo.InvariantCulture)} months'";
        return $"""
            (SELECT m.*, m.kind AS meter_kind, CASE WHEN m.removed_on IS NOT NULL AND m.removed_on <= @d THEN 'Снят'
                     WHEN m.failed_on IS NOT NULL AND m.failed_on <= @d THEN 'Неисправен'
                     WHEN m.next_verification_on < @d THEN 'Истёк срок поверки' ELSE 'Работает' END AS state
             FROM meters m WHERE m.installed_on <= @d{condition}) f
             JOIN buildings b ON b.id = f.building_id
             LEFT JOIN premises p ON p.id = f.premise_id
             LEFT JOIN personal_accounts a ON a.id = f.account_id
             LEFT JOIN managers mg ON mg.building_id = b.id
             LEFT JOIN LATERAL (SELECT value, read_on, source FROM meter_readings WHERE meter_id = f.id AND read_on <= @d ORDER BY read_on DESC, id DESC LIMIT 1) r ON true
            """;
    }

    private static string ReadingRows(ReportSql q) => """
        (SELECT m.*, m.kind AS meter_kind, z.zone FROM meters m CROSS JOIN LATERAL generate_series(1, m.zones) AS z(zone)
         WHERE m.installed_on < @end AND (m.removed_on IS NULL OR m.removed_on >= @from) AND m.kind IN (1, 2)) f
         JOIN buildings b ON b.id = f.building_id
         LEFT JOIN premises p ON p.id = f.premise_id
         LEFT JOIN personal_accounts a ON a.id = f.account_id
         LEFT JOIN managers mg ON mg.building_id = b.id
         LEFT JOIN LATERAL (SELECT value, read_on FROM meter_readings WHERE meter_id = f.id AND zone = f.zone AND read_on < @from ORDER BY read_on DESC, id DESC LIMIT 1) pr ON true
         LEFT JOIN LATERAL (SELECT value, read_on, source FROM meter_readings WHERE meter_id = f.id AND zone = f.zone AND read_on >= @from AND read_on < @end ORDER BY read_on DESC, id DESC LIMIT 1) cr ON true
        """;

    private static string ResidentRows(ReportSql q) => $"""
        (SELECT r.*, least(coalesce(r.valid_to, @end), @end) - greatest(r.valid_from, @from) AS days
         FROM registrations r WHERE r.valid_from < @end AND (r.valid_to IS NULL OR r.valid_to > @from)) f
        {PersonContext}
        """;

    /// <summary>The joins that give a row of a person on an account (<c>f.account_id</c>, <c>f.person_id</c>) its account, premise, building, manager and person.</summary>
    private const string PersonContext = """
         JOIN personal_accounts a ON a.id = f.account_id
         JOIN premises p ON p.id = a.premise_id
         JOIN buildings b ON b.id = p.building_id
         LEFT JOIN managers mg ON mg.building_id = b.id
         JOIN people pe ON pe.id = f.person_id
        """;

    /// <summary>The municipality of the account <paramref name="account"/> (an SQL expression), for <see cref="BenefitSql.Mode"/>.</summary>
    private static string MunicipalityOf(string account) =>
        $"(SELECT mb.municipality_id FROM personal_accounts ma JOIN premises mp ON mp.id = ma.premise_id JOIN buildings mb ON mb.id = mp.building_id WHERE ma.id = {account})";

    /// <summary>
    /// The rights to social support in force at any day of the period (benefits.md §6.1), with the category's title and
    /// rate and the delivery model (<see cref="BenefitSql.Mode"/>) on the period's last day, and the right's days in the period.
    /// </summary>
    private static string BenefitRightRows(ReportSql q) => $"""
        (SELECT r.id, r.uszn_right_id, r.account_id, r.person_id, r.category_code, c.title, coalesce(r.rate, c.rate) AS rate, r.covered_persons,
                r.family_size, r.valid_from, r.valid_to, r.decision_number, r.decision_date,
                {BenefitSql.Mode(MunicipalityOf("r.account_id"), "r.category_code", "(@end - 1)")} AS mode,
                least(coalesce(r.valid_to, @end), @end) - greatest(r.valid_from, @from) AS days
         FROM benefit_rights r
         {BenefitSql.Category("(@end - 1)")}
         WHERE r.valid_from < @end AND (r.valid_to IS NULL OR r.valid_to > @from)) f
        {PersonContext}
        """;

    /// <summary>
    /// The money of social support by booking month: every benefit line of the ledger (benefits.md §5, in kind), positive,
    /// under the category of the account's right in force in the line's month (in kind first, the oldest right of equals —
    /// the ledger keeps no right id on a line); and each month's amount of every housing subsidy in force (§4, paid by
    /// УСЗН to the citizen). <c>first_right</c> and <c>first_account</c> mark a right's and an account's first row of a
    /// month and category, so that their sums count rights and accounts per month.
    /// </summary>
    private static string BenefitSumRows(ReportSql q) => $"""
        (SELECT y.*, row_number() OVER (PARTITION BY y.month, y.category_code, y.right_id ORDER BY y.service_id, y.supplier_id) = 1 AS first_right,
                row_number() OVER (PARTITION BY y.month, y.category_code, y.account_id ORDER BY y.service_id, y.supplier_id, y.right_id) = 1 AS first_account
         FROM (SELECT l.booking_month AS month, l.account_id, l.service_id::bigint AS service_id, l.supplier_id::bigint AS supplier_id,
                      coalesce(x.category_code, '') AS category_code, x.id AS right_id, {(int)BenefitDeliveryMode.InKind} AS mode,
                      -l.kopecks * 0.01 AS benefit, 0::numeric AS subsidy
               FROM charge_lines l
               LEFT JOIN LATERAL (
                   SELECT r.id, r.category_code FROM benefit_rights r
                   WHERE r.account_id = l.account_id AND r.valid_from < (l.service_month + interval '1 month')::date
                     AND (r.valid_to IS NULL OR r.valid_to > l.service_month)
                   ORDER BY {BenefitSql.Mode(MunicipalityOf("l.account_id"), "r.category_code", "l.service_month")} = {(int)BenefitDeliveryMode.InKind} DESC, r.id
                   LIMIT 1) x ON true
               WHERE l.kind = {(short)ChargeLineKind.Benefit} AND l.booking_month >= @from AND l.booking_month <= @to
               UNION ALL
               SELECT m.month::date, s.account_id, NULL::bigint, NULL::bigint, {ReportDimensions.Literal(ReportDimensions.SubsidyCategory)}, s.id,
                      {(int)BenefitDeliveryMode.Cash}, 0::numeric, s.amount
               FROM subsidy_decisions s
               CROSS JOIN LATERAL generate_series(@from::date, @to::date, interval '1 month') AS m(month)
               WHERE s.valid_from < (m.month + interval '1 month')::date AND (s.valid_to IS NULL OR s.valid_to > m.month::date)) y) f
        {AccountContext}
        """;

    /// <summary>The snapshot's rows of the range with a building's context (<see cref="ReportFast"/>).</summary>
    private const string SnapshotContext = """
         JOIN buildings b ON b.id = f.building_id
         LEFT JOIN managers mg ON mg.building_id = b.id
         LEFT JOIN services s ON s.id = f.service_id
         LEFT JOIN methods mt ON mt.building_id = b.id AND mt.service_id = f.service_id
        """;

    private static readonly ReportFast TurnoverFast = new(_ => $"""
        (SELECT * FROM
            (SELECT building_id, service_id, supplier_id,
                    coalesce(sum(opening_debt) FILTER (WHERE month = @from), 0) AS opening_debt, coalesce(sum(opening_advance) FILTER (WHERE month = @from), 0) AS opening_advance,
                    sum(charged) AS charged, sum(recalculated) AS recalculated, sum(penalties) AS penalties, sum(paid) AS paid,
                    coalesce(sum(closing_debt) FILTER (WHERE month = @to), 0) AS closing_debt, coalesce(sum(closing_advance) FILTER (WHERE month = @to), 0) AS closing_advance
             FROM closed_month_buildings WHERE month >= @from AND month <= @to GROUP BY 1, 2, 3) t
         -- The few balances with benefits in kind, by their partial index.
         LEFT JOIN (SELECT p.building_id, b.service_id, b.supplier_id, sum(b.benefits) AS benefits
                    FROM account_balances b JOIN personal_accounts a ON a.id = b.account_id JOIN premises p ON p.id = a.premise_id
                    WHERE b.month >= @from AND b.month <= @to AND b.benefits <> 0 GROUP BY 1, 2, 3) bn USING (building_id, service_id, supplier_id)) f
        {SnapshotContext}
        """, new Dictionary<string, string>
    {
        ["openingDebt"] = "f.opening_debt", ["openingAdvance"] = "f.opening_advance", ["charged"] = "f.charged", ["recalculated"] = "f.recalculated",
        ["benefits"] = "coalesce(f.benefits, 0)",
        ["penalties"] = "f.penalties", ["paid"] = "f.paid", ["closingDebt"] = "f.closing_debt", ["closingAdvance"] = "f.closing_advance",
        ["opening"] = "f.opening_debt - f.opening_advance", ["closing"] = "f.closing_debt - f.closing_advance",
    }, q => q.Parameters.GetValueOrDefault("penalties") != "exclude" && q.Parameters.GetValueOrDefault("net", "row") == "row");

    private static readonly ReportFast DebtFast = new(_ => $"(SELECT * FROM closed_month_buildings WHERE month = @to) f {SnapshotContext}",
        new Dictionary<string, string>
        {
            ["debt"] = "f.debt", ["current"] = "f.current_debt", ["overdue"] = "f.debt - f.current_debt",
            ["b1"] = "f.overdue_1", ["b2"] = "f.overdue_2", ["b3"] = "f.overdue_3", ["b4"] = "f.overdue_4", ["b5"] = "f.overdue_5",
            ["penaltyDebt"] = "f.penalty_debt", ["advance"] = "f.advance",
        }, q => q.Parameters.GetValueOrDefault("penalties") != "exclude");

    /// <summary>
    /// Buildings with their wear on the period's last day: from the latest inspection of each element, <c>Ф_з = Σ Ф_к × l_k / 100</c>
    /// rounded to whole per cent as <see cref="BuildingWear"/> does; without inspections, the wear of the building's card.
    /// </summary>
    private static string WearRows(ReportSql q) => """
        (SELECT b.*, coalesce(w.wear, b.wear_percent) AS wear, w.assessed_on
         FROM buildings b LEFT JOIN LATERAL (
             SELECT round(sum(i.wear * i.share / 100), 0) AS wear, max(i.inspected_on) AS assessed_on
             FROM (SELECT DISTINCT ON (element) wear, share, inspected_on FROM element_inspections
                   WHERE building_id = b.id AND inspected_on <= @asof ORDER BY element, inspected_on DESC, id DESC) i
             HAVING count(*) > 0) w ON true) b
        LEFT JOIN managers mg ON mg.building_id = b.id
        """;

    /// <summary>
    /// The programme's works of the period's years, each building's contributions to capital repair since the start (the
    /// closed months' snapshot, service «capital_repair») on its first work only, so that sums over works count them once.
    /// </summary>
    private static string RepairRows(ReportSql q) => $"""
        (SELECT w.*, w.id = min(w.id) OVER (PARTITION BY w.building_id) AS first_of_building FROM capital_repair_works w
         WHERE w.plan_year >= {q.From.Year} AND w.plan_year <= {q.To.Year}) f
        JOIN buildings b ON b.id = f.building_id LEFT JOIN managers mg ON mg.building_id = b.id
        LEFT JOIN LATERAL (SELECT sum(c.charged + c.recalculated) AS charged, sum(c.paid) AS paid FROM closed_month_buildings c
                           WHERE c.building_id = f.building_id AND c.month <= @to AND c.service_id IN (SELECT id FROM services WHERE code = 'capital_repair')) kr ON true
        """;

    /// <summary>
    /// The split by booking month from the snapshot: what the month's payments paid to each building × service × supplier,
    /// the penalties among it and the commissions left to the recipients (<c>closed_month_commissions</c>).
    /// </summary>
    private static readonly ReportFast SplitFast = new(_ => $"""
        (SELECT c.building_id, c.service_id, c.supplier_id, 0::bigint AS account_id, sum(c.paid) AS paid, sum(c.paid_penalties) AS paid_penalties,
                coalesce(sum(k.commission), 0) AS commission
         FROM closed_month_buildings c
         LEFT JOIN closed_month_commissions k USING (month, building_id, service_id, supplier_id)
         WHERE c.month >= @from AND c.month <= @to GROUP BY 1, 2, 3) f
        {SnapshotContext}
        """, new Dictionary<string, string>
    {
        ["principal"] = "f.paid - f.paid_penalties", ["penalties"] = "f.paid_penalties", ["amount"] = "f.paid",
        ["commission"] = "f.commission", ["net"] = "f.paid - f.commission",
    }, q => q.Parameters.GetValueOrDefault("by") == "booked");

    private static readonly string[] BuildingDimensions = ["municipality", "manager", "street", "building"];

    public static readonly IReadOnlyList<ReportDefinition> All =
    [
        new("OSV", "Оборотно-сальдовая ведомость", Ledger,
            "Сальдо на начало, начислено, перерасчёты, пени, оплачено и сальдо на конец по лицевым счетам, услугам и поставщикам; за период — сальдо первого месяца, обороты всех и сальдо последнего.",
            ReportTime.Months, Turnover, LedgerDimensions, TurnoverColumns, ["municipality"], "address, account, service, supplier", [Penalties, Netting], Fast: TurnoverFast),
        new("ACCOUNT_TURNOVER", "Абонентская оборотная ведомость", Ledger,
            "Обороты лицевого счёта по месяцам: сальдо на начало, начислено, перерасчёты, пени, оплачено, сальдо на конец.",
            ReportTime.Months, q => $"(SELECT *, false AS netted FROM ({Balances(q)}) m) f {AccountContext}", [.. LedgerDimensions, "month"],
            [new("month", "Месяц", ReportCell.Month, "f.month"), .. TurnoverColumns.Where(c => c.Key is not ("openingDebt" or "openingAdvance" or "closingDebt" or "closingAdvance"))
                .Select(c => c.Hidden ? c with { Hidden = false } : c)],
            ["month"], "month, address, account, service, supplier"),
        new("ACCOUNT_TARIFFS", "Тарифы и нормативы лицевых счетов", Ledger,
            "Начисления месяцев периода по строкам: услуга, поставщик, зона, способ определения объёма, объём, тариф, коэффициент, доля дней, сумма до округления и начислено — как их записал расчёт.",
            ReportTime.Months, q => $"""
                (SELECT *, booking_month AS month FROM charge_line_details WHERE booking_month >= @from AND booking_month <= @to
                   AND kind = {(short)ChargeLineKind.Charge} AND service_month = booking_month) f
                {AccountContext}
                """, [.. LedgerDimensions, "volumeSource", "month"],
            [new("month", "Месяц", ReportCell.Month, "f.service_month"), Address, AccountNumber, ServiceName, SupplierName,
             new("zone", "Зона", ReportCell.Text, ReportDimensions.EnumLabel<Core.Tariffs.TariffZone>("f.zone")),
             new("source", "Способ определения объёма", ReportCell.Text, ReportDimensions.EnumLabel<VolumeSource>("f.source")),
             Sum("volume", "Объём", "round(f.volume, 3)", ReportCell.Volume), new("unit", "Единица", ReportCell.Text, "f.unit"),
             new("rate", "Тариф", ReportCell.Rate, "f.rate"), new("coefficient", "Коэффициент", ReportCell.Rate, "f.coefficient"),
             new("dayFactor", "Доля дней", ReportCell.Rate, "f.day_factor"), new("unrounded", "До округления", ReportCell.Rate, "f.unrounded"),
             Sum("charged", "Начислено", "f.amount"), Sum("count", "Строк", "1", ReportCell.Count)],
            ["service"], "month, address, account, service, supplier, zone"),
        new("INCOME", "Отчёт по начислениям и доходам", Ledger,
            "По поставщикам и услугам: начислено, перерасчёты, пени, всего к оплате, поступило (оплачено), комиссии агентов за счёт получателя и причитается получателю.",
            ReportTime.Months, IncomeRows, [.. LedgerDimensions, "month"],
            [new("month", "Месяц", ReportCell.Month, "f.month"), ServiceName, SupplierName,
             Sum("charged", "Начислено", "f.charged"), Sum("recalculated", "Перерасчёт", "f.recalculated"), Sum("penalties", "Пени", "f.penalties"),
             Sum("billed", "Всего к оплате", "f.charged + f.recalculated + f.penalties"), Sum("paid", "Поступило", "f.paid"),
             Sum("commission", "Комиссия за счёт получателя", "f.commission"), Sum("net", "Причитается получателю", "f.paid - f.commission")],
            ["supplier", "service"], "month, supplier, service"),
        new("CPR_OVERUSE", "Перерасход коммунальных ресурсов на СОИ", Ledger,
            "По зданиям с общедомовым прибором учёта: объём по ОДПУ, объём помещений, объём на СОИ, норматив, предъявлено к оплате и перерасход сверх норматива — за счёт управляющей организации; отрицательный объём на СОИ — экономия.",
            ReportTime.Months, OveruseRows, [.. BuildingDimensions, "supplier", "service", "month"],
            [new("month", "Месяц", ReportCell.Month, "f.month"), new("address", "Здание", ReportCell.Text, "b.address"), ServiceName,
             Sum("metered", "Объём по ОДПУ V_д", "f.metered", ReportCell.Volume), Sum("premises", "Объём помещений Σ V_u", "f.premises", ReportCell.Volume),
             Sum("raw", "Объём на СОИ V_одн", "f.raw", ReportCell.Volume), Sum("norm", "Норматив N_одн × S_ои", "coalesce(f.norm, 0)", ReportCell.Volume),
             Sum("billed", "Предъявлено V_пред", "f.billed", ReportCell.Volume),
             Sum("over", "Перерасход V_пер", "greatest(f.raw - f.billed, 0)", ReportCell.Volume),
             new("rate", "Тариф", ReportCell.Rate, "f.rate"),
             Sum("overAmount", "Перерасход, ₽", "round(greatest(f.raw - f.billed, 0) * coalesce(f.rate, 0), 2)"),
             new("result", "Итог", ReportCell.Text, "CASE WHEN f.raw < 0 THEN 'экономия' WHEN f.raw > f.billed THEN 'перерасход' ELSE '' END"),
             Sum("count", "Зданий и месяцев", "1", ReportCell.Count)],
            ["building"], "month, address, service"),
        new("LIMIT_INDEX", "Индекс изменения платы за коммунальные услуги", Ledger,
            "Рост платы за коммунальные услуги при неизменных наборе и объёмах услуг (ПП № 400): объёмы базового месяца (начало периода) по тарифам месяца сравнения (конец периода) против тарифов базового месяца; счета сверх предельного индекса своего муниципального образования с допустимым отклонением (справочник «Предельные индексы»; где индекс не установлен — параметра отчёта).",
            ReportTime.Months, LimitIndexRows, AccountDimensions,
            [Address, AccountNumber, Sum("baseCost", "Плата по тарифам базового месяца", "round(f.base_cost, 2)"),
             Sum("nowCost", "Плата по тарифам месяца сравнения", "round(f.now_cost, 2)"), Ratio("index", "Индекс, %", "nowCost", "baseCost"),
             new("limitPercent", "Предельный индекс с отклонением, %", ReportCell.Rate, "f.limit_percent"),
             Sum("flagged", "Счетов сверх предельного индекса", "f.flagged", ReportCell.Count), Sum("count", "Счетов", "1", ReportCell.Count),
             Ratio("flaggedShare", "Доля счетов сверх индекса, %", "flagged", "count")],
            ["municipality"], "address, account",
            [new("limit", "Предельный индекс роста, % (где он не установлен)", [], "1.7")]),
        new("RECALCULATIONS", "Реестр перерасчётов", Ledger,
            "Каждая строка перерасчёта, учтённая в периоде: исправленный месяц, лицевой счёт, услуга, поставщик, основание и сумма.",
            ReportTime.Months, RecalculationRows, [.. LedgerDimensions, "lineKind", "month"],
            [new("month", "Учётный месяц", ReportCell.Month, "f.month"), new("corrected", "Исправленный месяц", ReportCell.Month, "f.service_month"),
             Address, AccountNumber, ServiceName, SupplierName, new("reason", "Основание", ReportCell.Text, ReportDimensions.EnumLabel<ChargeLineKind>("f.kind")),
             new("cause", "Причина", ReportCell.Text, "coalesce(f.reason, '')"),
             Sum("count", "Строк", "1", ReportCell.Count), Sum("amount", "Сумма", "f.amount")],
            ["lineKind"], "month, address, account, service, corrected"),
        new("PAID_FOR_PERIOD", "Оплата услуг за период", Ledger,
            "Начислено за каждый месяц периода (с перерасчётами, когда бы они ни были учтены) и сколько из этого оплачено к настоящему дню.",
            ReportTime.Months, PaidForRows, [.. LedgerDimensions, "month"],
            [new("month", "Месяц услуги", ReportCell.Month, "f.month"), Address, AccountNumber, ServiceName, SupplierName,
             Sum("charged", "Начислено за месяц", "f.charged"), Sum("paid", "Оплачено", "f.paid"), Sum("unpaid", "Не оплачено", "f.charged - f.paid"),
             Ratio("paidShare", "Оплачено, %", "paid", "charged")],
            ["month"], "month, address, account, service, supplier", [Penalties]),
        new("ADVANCES", "Авансы", Ledger,
            "Строки лицевых счетов с переплатой на конец периода: аванс, начислено и оплачено за период.",
            ReportTime.Months, Turnover, LedgerDimensions,
            [Address, AccountNumber, NettedService, NettedSupplier, Sum("advance", "Аванс", "-f.closing"), Sum("charged", "Начислено за период", "f.charged"),
             Sum("paid", "Оплачено за период", "f.paid"), Sum("count", "Строк", "1", ReportCell.Count)],
            ["municipality"], "address, account, service, supplier", [Penalties, Netting], Where: "f.closing < 0"),

        BankView(),
        PaymentView("PAY_ACCOUNTS", "Платежи по лицевым счетам", "Платежи периода по лицевым счетам.", "account"),
        new("PAY_DETAIL", "Развёрнутый отчёт по платежам", Payments,
            "Каждый платёж по строкам его распределения: даты, агент, канал, лицевой счёт, адрес, услуга, поставщик, оплаченный месяц, долг или пени.",
            ReportTime.Months, AllocationRows, AllocationDimensions,
            [new("day", "Дата оплаты", ReportCell.Date, "f.day"), new("received", "Дата поступления", ReportCell.Date, "f.received_on"),
             new("booked", "Учётный месяц", ReportCell.Month, "f.month"),
             new("agentName", "Платёжный агент", ReportCell.Text, "(SELECT coalesce(short_name, name) FROM organisations WHERE id = f.agent_id)"),
             new("channelName", "Способ оплаты", ReportCell.Text, ReportDimensions.EnumLabel<Payments.PaymentChannel>("f.channel")),
             new("registry", "Реестр, строка", ReportCell.Text, "CASE WHEN f.registry_id IS NULL THEN '' ELSE f.registry_id || ', ' || f.line_no END"),
             AccountNumber with { Sql = "coalesce(a.number, 'Невыясненный платёж')" }, Address with { Sql = "coalesce(b.address || ', пом. ' || p.number, '')" },
             ServiceName, SupplierName, new("paidFor", "Оплаченный месяц", ReportCell.Month, "f.paid_for"),
             new("part", "Часть", ReportCell.Text, $"CASE WHEN f.account_id IS NULL THEN 'Невыясненный' ELSE {ReportDimensions.EnumLabel<AllocationKind>("f.allocation")} END"),
             Sum("amount", "Сумма", "f.amount"), Sum("commission", "Комиссия за счёт получателя", "f.commission")],
            ["day"], "day, account, service, supplier, paidFor", [PaymentDate]),
        new("PAY_PERIODS", "Платежи по периодам оплаты", Payments,
            "Распределённые платежи по оплаченным месяцам (или авансу) и учётным месяцам.",
            ReportTime.Months, AllocationRows, AllocationDimensions,
            [new("paidFor", "Оплаченный месяц", ReportCell.Month, "f.paid_for"), new("booked", "Учётный месяц", ReportCell.Month, "f.month"),
             Sum("amount", "Сумма", "f.amount"), Sum("lines", "Строк распределения", "1", ReportCell.Count)],
            ["paidFor", "month"], "paidFor, booked", [PaymentDate]),
        PaymentView("PAY_DAYS", "Платежи по датам оплаты", "Платежи по дням периода.", "day"),
        AgentView(),
        PaymentView("PAY_CHANNELS", "Платежи по способам оплаты", "Платежи по способам оплаты: касса центра, реестры банков, онлайн-протоколы, личный кабинет.", "channel"),
        PaymentView("PAY_PURPOSES", "Платежи по назначению платежа", "Платежи по назначению: ЕПД без указания периода, за указанный период, исправления.", "purpose"),
        new("SPLIT", "Расщепление платежей", Payments,
            "Распределение опознанных платежей по поставщикам и услугам: долг, пени, комиссия за счёт получателя, к перечислению.",
            ReportTime.Months, AllocationRows, AllocationDimensions,
            [new("day", "Дата оплаты", ReportCell.Date, "f.day"), AccountNumber, Address, ServiceName, SupplierName,
             Sum("principal", "Долг и аванс", $"CASE WHEN f.allocation <> {(short)AllocationKind.Penalty} THEN f.amount ELSE 0 END"),
             Sum("penalties", "Пени", $"CASE WHEN f.allocation = {(short)AllocationKind.Penalty} THEN f.amount ELSE 0 END"),
             Sum("amount", "Всего", "f.amount"), Sum("commission", "Комиссия за счёт получателя", "f.commission"),
             Sum("net", "К перечислению", "f.amount - f.commission")],
            ["supplier", "service"], "day, account, supplier, service", [PaymentDate], Where: "f.account_id IS NOT NULL", Fast: SplitFast),

        new("TRANSFERS", "Перечисления поставщикам", Payments,
            "По поставщикам и дням поступления: поступило, комиссия за счёт получателя, к перечислению, перечислено (платёжные поручения), остаток, дни до отправки " +
            "и срок — не позднее рабочего дня, следующего за днём поступления (ПП № 253): сумма, отправленная позже или не отправленная к концу периода, — с нарушением срока.",
            ReportTime.Months, TransferRows, ["supplier", "day"],
            [new("day", "День поступления", ReportCell.Date, "f.day"), SupplierName,
             Sum("amount", "Поступило", "f.amount"), Sum("commission", "Комиссия за счёт получателя", "f.commission"),
             Sum("net", "К перечислению", "f.amount - f.commission"), Sum("transferred", "Перечислено", "f.transferred"),
             Sum("left", "Осталось перечислить", "f.amount - f.commission - f.transferred"),
             new("state", "Перечисление", ReportCell.Text,
                 $"CASE f.state {string.Concat(Enum.GetValues<Payments.TransferState>().Select(v => $"WHEN '{v.ToString().ToLowerInvariant()}' THEN {ReportDimensions.Literal(v.Title())} "))}ELSE 'Не подготовлено' END"),
             new("sent", "Отправлено", ReportCell.Date, "f.sent_on"), new("days", "Дней до отправки", ReportCell.Count, "f.sent_on - f.day"),
             new("due", "Срок перечисления", ReportCell.Date, "f.due"),
             Sum("late", "С нарушением срока", "CASE WHEN f.sent_on > f.due OR f.sent_on IS NULL AND f.due <= @d THEN f.amount - f.commission ELSE 0 END")],
            ["supplier"], "day, supplier", SuppliersOnly: true),

        new("DEBT", "Текущая и просроченная задолженность", Debts,
            "Задолженность на конец закрытого месяца по строкам лицевых счетов: текущая (срок оплаты не наступил) и просроченная по срокам, долг по пеням, аванс.",
            ReportTime.MonthEnd, DebtRows, LedgerDimensions, DebtColumns, ["municipality"], "address, account, service, supplier", [Penalties], Fast: DebtFast),
        new("DEBTORS", "Реестр неплательщиков", Debts,
            "Лицевые счета с просроченной задолженностью по услуге больше k ежемесячных начислений (по нормативу потребления по тарифу " +
            "последнего дня месяца, начисления месяца или среднего за 12 месяцев) на конец закрытого месяца; по правилу п. 118 ПП № 354 — " +
            "больше двух начислений по нормативу за горячую воду, электроэнергию, газ и водоотведение; для УСЗН — просроченный долг счетов, " +
            "взыскание которого подтверждено вступившим в силу судебным актом за последние три года без соглашения о погашении.",
            ReportTime.MonthEnd, DebtorRows, LedgerDimensions,
            [Address, AccountNumber, Payer, ServiceName, SupplierName, Sum("overdue", "Просроченная задолженность", "f.overdue"),
             new("oldest", "Старейший неоплаченный месяц", ReportCell.Month, "f.oldest"), Sum("monthly", "Ежемесячное начисление", "f.monthly"),
             new("basis", "База", ReportCell.Text, "f.basis"),
             Sum("threshold", "Порог", "f.threshold"), new("months", "Месяцев долга", ReportCell.Rate, "round(f.overdue / f.monthly, 1)"),
             new("lastPaid", "Последняя оплата", ReportCell.Date, "f.last_paid"),
             Sum("withinLimitation", "В пределах срока исковой давности", "f.overdue - coalesce(f.beyond, 0)"),
             Sum("beyondLimitation", "За пределами срока исковой давности", "coalesce(f.beyond, 0)"),
             new("notice", "Уведомление об ограничении", ReportCell.Text, "f.notice"), new("court", "Взыскание", ReportCell.Text, "f.court"),
             Sum("count", "Строк", "1", ReportCell.Count)],
            ["service"], "address, account, service, supplier",
            [new("rule", "Правило",
                 [("product", "Долг больше k ежемесячных начислений"),
                  ("p118", "П. 118 ПП № 354: больше 2 начислений по нормативу, услуги, которые можно ограничить"),
                  ("uszn", "Для УСЗН: задолженность, подтверждённая судом (ст. 159 ЖК РФ)")], "product"),
             new("k", "Порог, ежемесячных начислений", [], "3"),
             new("basis", "База порога", [("norm", "По нормативу потребления"), ("last", "Начисление месяца"), ("average", "Среднее за 12 месяцев")], "norm")],
            ReadOnce: true),

        new("TARIFFS", "Тарифы и нормативы", Registers,
            "Тарифы и нормативы потребления, действовавшие в периоде: услуга, поставщик, территория, значение, срок действия.",
            ReportTime.Months, TariffRows, ["municipality", "supplier", "service", "serviceKind"],
            [new("what", "Вид", ReportCell.Text, "f.what"), new("serviceName", "Услуга", ReportCell.Text, "s.name"),
             new("supplierName", "Поставщик", ReportCell.Text, "coalesce(sup.short_name, sup.name, '')"),
             new("territory", "Территория", ReportCell.Text,
                 "coalesce((SELECT address FROM buildings WHERE id = f.building_id), (SELECT name FROM municipalities WHERE id = f.municipality_id), 'Весь регион')"),
             new("detail", "Зона, категория", ReportCell.Text, "f.detail"), new("value", "Значение", ReportCell.Rate, "f.value"),
             new("unit", "Единица", ReportCell.Text, "f.unit"), new("validFrom", "Действует с", ReportCell.Date, "f.valid_from"),
             new("validTo", "Действует по", ReportCell.Date, "f.valid_to - 1"), Sum("count", "Значений", "1", ReportCell.Count)],
            ["service"], "serviceName, what, territory, detail, validFrom"),
        new("RESIDENTS", "Реестр жильцов", Registers,
            "Регистрации граждан по лицевым счетам, действовавшие в периоде: ФИО, дата рождения, вид регистрации, даты, дней в периоде.",
            ReportTime.Months, ResidentRows, AccountDimensions,
            [Address, AccountNumber, new("person", "ФИО", ReportCell.Text, "pe.full_name", Personal: true),
             new("birth", "Дата рождения", ReportCell.Date, "pe.birth_date", Personal: true),
             new("kind", "Регистрация", ReportCell.Text, ReportDimensions.EnumLabel<RegistrationKind>("f.kind")),
             new("validFrom", "С", ReportCell.Date, "f.valid_from"), new("validTo", "По", ReportCell.Date, "f.valid_to - 1"),
             Sum("days", "Дней в периоде", "f.days", ReportCell.Count), Sum("count", "Регистраций", "1", ReportCell.Count)],
            ["building"], "address, account, person"),
        new("BENEFIT_RIGHTS", "Реестр льготников", SocialSupport,
            "Права на меры социальной поддержки, действовавшие в периоде (по реестру УСЗН): лицевой счёт, льготник, категория, " +
            "форма предоставления на последний день периода, пользующиеся льготой, срок действия, решение.",
            ReportTime.Months, BenefitRightRows, [.. AccountDimensions, "benefitCategory", "deliveryMode"],
            [Address, AccountNumber, new("person", "Льготник", ReportCell.Text, "pe.full_name", Personal: true),
             new("birth", "Дата рождения", ReportCell.Date, "pe.birth_date", Personal: true),
             new("categoryName", "Категория", ReportCell.Text, "f.title"),
             new("mode", "Форма предоставления", ReportCell.Text, ReportDimensions.EnumLabel<BenefitDeliveryMode>("f.mode")),
             new("rate", "Доля льготы", ReportCell.Rate, "f.rate"), new("covered", "Пользуются льготой, чел.", ReportCell.Count, "f.covered_persons"),
             new("family", "Состав семьи, чел.", ReportCell.Count, "f.family_size"),
             new("validFrom", "С", ReportCell.Date, "f.valid_from"), new("validTo", "По", ReportCell.Date, "f.valid_to - 1"),
             new("decision", "Решение УСЗН", ReportCell.Text,
                 "coalesce('№ ' || f.decision_number, '') || coalesce(' от ' || to_char(f.decision_date, 'DD.MM.YYYY'), '')"),
             new("usznId", "Код права в УСЗН", ReportCell.Code, "coalesce(f.uszn_right_id, '')"),
             Sum("days", "Дней в периоде", "f.days", ReportCell.Count), Sum("count", "Прав", "1", ReportCell.Count),
             Sum("inKind", "В т.ч. скидкой в ЕПД", $"CASE WHEN f.mode = {(int)BenefitDeliveryMode.InKind} THEN 1 ELSE 0 END", ReportCell.Count)],
            ["benefitCategory"], "address, account, categoryName, validFrom"),
        new("BENEFIT_SUMS", "Суммы мер социальной поддержки", SocialSupport,
            "По месяцам, категориям льготников, услугам и поставщикам: льготы, предоставленные скидкой в платёжных документах " +
            "(строки «Льгота»), и ежемесячные суммы субсидий на оплату ЖКУ по решениям УСЗН; число прав и лицевых счетов за месяц.",
            ReportTime.Months, BenefitSumRows, [.. AccountDimensions, "supplier", "service", "serviceKind", "benefitCategory", "deliveryMode", "month"],
            [new("month", "Месяц", ReportCell.Month, "f.month"), Address, AccountNumber,
             new("categoryName", "Категория", ReportCell.Text,
                 ReportDimensions.All["benefitCategory"].Label.Replace("{0}", "f.category_code", StringComparison.Ordinal)),
             ServiceName with { Sql = $"coalesce(s.name, CASE WHEN f.category_code = {ReportDimensions.Literal(ReportDimensions.SubsidyCategory)} THEN 'Все услуги' ELSE 'Не распределено' END)" },
             SupplierName with { Sql = $"coalesce(sup.short_name, sup.name, CASE WHEN f.category_code = {ReportDimensions.Literal(ReportDimensions.SubsidyCategory)} THEN 'УСЗН (гражданину)' ELSE 'Не распределено' END)" },
             Sum("benefit", "Льготы скидкой в ЕПД", "f.benefit"), Sum("subsidy", "Субсидии (назначено УСЗН)", "f.subsidy"),
             Sum("total", "Всего мер поддержки", "f.benefit + f.subsidy"),
             Sum("rights", "Прав и решений (за месяц)", "CASE WHEN f.first_right THEN 1 ELSE 0 END", ReportCell.Count),
             Sum("accounts", "Лицевых счетов (за месяц)", "CASE WHEN f.first_account THEN 1 ELSE 0 END", ReportCell.Count)],
            ["benefitCategory"], "month, address, account, categoryName, service, supplier"),
        new("PREMISES", "Реестр помещений", Housing,
            "Помещения на конец периода: вид, площади, комнаты, коммунальная квартира, кадастровый номер, лицевые счета и доли, зарегистрированные, собственники, приборы учёта.",
            ReportTime.Months, PremiseRows, AccountDimensions,
            [new("address", "Здание", ReportCell.Text, "b.address"), new("number", "Помещение", ReportCell.Code, "p.number"),
             new("kind", "Вид", ReportCell.Text, ReportDimensions.EnumLabel<Core.Housing.PremiseKind>("p.kind")),
             Sum("area", "Общая площадь, м²", "p.total_area", ReportCell.Rate), Sum("living", "Жилая площадь, м²", "coalesce(p.living_area, 0)", ReportCell.Rate),
             new("rooms", "Комнат", ReportCell.Count, "p.rooms"), new("communal", "Коммунальная квартира", ReportCell.Text, "CASE WHEN p.is_communal_flat THEN 'Да' ELSE 'Нет' END"),
             new("cadastral", "Кадастровый номер", ReportCell.Code, "p.cadastral_number"),
             Sum("accounts", "Лицевых счетов", "pa.accounts", ReportCell.Count), new("shares", "Сумма долей", ReportCell.Rate, "pa.shares"),
             Sum("registered", "Счетов с зарегистрированными", "pr.registered", ReportCell.Count), Sum("owned", "Счетов с собственниками", "pr.owned", ReportCell.Count),
             Sum("meters", "Приборов учёта", "pm.meters", ReportCell.Count), Sum("count", "Помещений", "1", ReportCell.Count)],
            ["building"], "address, number"),
        new("METERS", "Реестр приборов учёта", Housing,
            "Приборы учёта на дату: адрес, лицевой счёт, ресурс, вид, модель, заводской номер, зоны, разрядность, установка, пломба, поверка, состояние, последнее показание.",
            ReportTime.Date, MeterRows, [.. BuildingDimensions, "premise", "account", "resource", "meterKind"],
            [new("address", "Адрес", ReportCell.Text, "b.address || coalesce(', пом. ' || p.number, '')"), AccountNumber,
             new("resourceName", "Ресурс", ReportCell.Text, ReportDimensions.EnumLabel<Core.Tariffs.Resource>("f.resource")),
             new("kind", "Вид", ReportCell.Text, ReportDimensions.EnumLabel<MeterKind>("f.kind")), new("model", "Модель", ReportCell.Text, "f.model"),
             new("serial", "Заводской номер", ReportCell.Code, "f.serial_number"), new("zones", "Зон", ReportCell.Count, "f.zones"),
             new("digits", "Разрядность", ReportCell.Count, "f.digits"), new("installed", "Установлен", ReportCell.Date, "f.installed_on"),
             new("sealed", "Опломбирован", ReportCell.Date, "f.sealed_on"), new("verified", "Поверен", ReportCell.Date, "f.verified_on"),
             new("nextVerification", "Следующая поверка", ReportCell.Date, "f.next_verification_on"), new("state", "Состояние", ReportCell.Text, "f.state"),
             new("lastValue", "Последнее показание", ReportCell.Volume, "r.value"), new("lastDate", "Дата показания", ReportCell.Date, "r.read_on"),
             new("lastSource", "Источник", ReportCell.Text, ReportDimensions.EnumLabel<ReadingSource>("r.source")), Sum("count", "Приборов", "1", ReportCell.Count)],
            ["building"], "address, serial",
            [new("within", "Поверка истекает в ближайшие", [("all", "Все приборы"), ("1", "1 месяц"), ("3", "3 месяца"), ("6", "6 месяцев"), ("12", "12 месяцев")], "all")]),
        new("READINGS_ACT", "Акт снятия показаний приборов учёта", Housing,
            "Индивидуальные и комнатные приборы учёта за месяц: предыдущее и текущее показание, расход, графа для контрольного показания.",
            ReportTime.Months, ReadingRows, [.. BuildingDimensions, "premise", "account", "resource"],
            [new("address", "Адрес", ReportCell.Text, "b.address || coalesce(', пом. ' || p.number, '')"), AccountNumber,
             new("resourceName", "Ресурс", ReportCell.Text, ReportDimensions.EnumLabel<Core.Tariffs.Resource>("f.resource")),
             new("serial", "Заводской номер", ReportCell.Code, "f.serial_number"), new("zone", "Зона", ReportCell.Count, "f.zone"),
             new("previous", "Предыдущее показание", ReportCell.Volume, "pr.value"), new("previousDate", "Дата", ReportCell.Date, "pr.read_on"),
             new("current", "Текущее показание", ReportCell.Volume, "cr.value"), new("currentDate", "Дата", ReportCell.Date, "cr.read_on"),
             new("source", "Источник", ReportCell.Text, ReportDimensions.EnumLabel<ReadingSource>("cr.source")),
             Sum("volume", "Расход", "round(CASE WHEN cr.value IS NULL OR pr.value IS NULL THEN 0 WHEN cr.value >= pr.value THEN cr.value - pr.value ELSE power(10::numeric, f.digits) - pr.value + cr.value END, 3)", ReportCell.Volume),
             new("control", "Контрольное показание", ReportCell.Text, "''"), Sum("count", "Приборов", "1", ReportCell.Count)],
            ["building"], "address, serial, zone"),
        new("WEAR", "Износ зданий", Housing,
            "Здания с годом постройки, этажностью, площадью и физическим износом по последним обследованиям элементов (иначе — по карточке дома); " +
            "итоги — средний износ, взвешенный по площади, и число зданий по группам износа.",
            ReportTime.Months, WearRows, BuildingDimensions,
            [new("address", "Здание", ReportCell.Text, "b.address"), new("year", "Год постройки", ReportCell.Count, "b.year_built"),
             new("floors", "Этажей", ReportCell.Count, "b.floors"), Sum("area", "Общая площадь, м²", "b.total_area", ReportCell.Rate),
             new("assessed", "Дата оценки", ReportCell.Date, "b.assessed_on"),
             new("basis", "Источник", ReportCell.Text, "CASE WHEN b.assessed_on IS NULL THEN 'Карточка дома' ELSE 'Обследование элементов' END"),
             Sum("weighted", "Износ × площадь", "b.wear * b.total_area / 100", ReportCell.Rate) with { Hidden = true },
             Ratio("wear", "Износ, %", "weighted", "area"),
             new("over70", "Износ свыше 70 %", ReportCell.Text, "CASE WHEN b.wear > 70 THEN 'Да' ELSE '' END"),
             Sum("count", "Зданий", "1", ReportCell.Count),
             Sum("band1", "Износ 0–30 %", "CASE WHEN b.wear <= 30 THEN 1 ELSE 0 END", ReportCell.Count),
             Sum("band2", "31–60 %", "CASE WHEN b.wear > 30 AND b.wear <= 60 THEN 1 ELSE 0 END", ReportCell.Count),
             Sum("band3", "61–70 %", "CASE WHEN b.wear > 60 AND b.wear <= 70 THEN 1 ELSE 0 END", ReportCell.Count),
             Sum("band4", "свыше 70 %", "CASE WHEN b.wear > 70 THEN 1 ELSE 0 END", ReportCell.Count)],
            ["municipality"], "address"),
        new("WEAR_ELEMENTS", "Износ зданий по конструктивным элементам", Housing,
            "Последнее обследование каждого элемента здания: удельный вес, износ элемента и его вклад в износ здания (Ф_к × l_k / 100).",
            ReportTime.Months, q => $"""
                (SELECT DISTINCT ON (building_id, element) * FROM element_inspections WHERE inspected_on <= @asof
                 ORDER BY building_id, element, inspected_on DESC, id DESC) f
                JOIN buildings b ON b.id = f.building_id LEFT JOIN managers mg ON mg.building_id = b.id
                """, [.. BuildingDimensions, "element"],
            [new("address", "Здание", ReportCell.Text, "b.address"), new("elementName", "Элемент", ReportCell.Text, ReportDimensions.EnumLabel<BuildingElement>("f.element")),
             Sum("share", "Удельный вес, %", "f.share", ReportCell.Rate), new("elementWear", "Износ элемента, %", ReportCell.Rate, "f.wear"),
             Sum("contribution", "Вклад в износ здания, %", "f.wear * f.share / 100", ReportCell.Rate),
             new("inspected", "Дата обследования", ReportCell.Date, "f.inspected_on"), new("basis", "Основание", ReportCell.Text, "f.basis")],
            ["building"], "address, elementName"),
        new("CAPITAL_PLAN", "План капитального ремонта", Housing,
            "Работы региональной программы с годом, сметной стоимостью и источником; по дому — способ формирования фонда, взносы с начала: начислено, оплачено, собираемость, остаток фонда.",
            ReportTime.Months, RepairRows, [.. BuildingDimensions, "element", "planYear", "repairStatus"],
            [new("address", "Здание", ReportCell.Text, "b.address"),
             new("fund", "Фонд", ReportCell.Text, ReportDimensions.EnumLabel<CapitalRepairFundMethod>("b.capital_repair_fund_method")),
             new("elementName", "Элемент", ReportCell.Text, ReportDimensions.EnumLabel<BuildingElement>("f.element")), new("work", "Вид работ", ReportCell.Text, "f.work"),
             new("year", "Год", ReportCell.Count, "f.plan_year"),
             new("source", "Источник", ReportCell.Text, ReportDimensions.EnumLabel<CapitalRepairSource>("f.source")),
             Sum("planned", "Сметная стоимость", "f.planned_cost"),
             Sum("charged", "Взносы начислены с начала", "CASE WHEN f.first_of_building THEN coalesce(kr.charged, 0) ELSE 0 END"),
             Sum("paid", "Взносы оплачены с начала", "CASE WHEN f.first_of_building THEN coalesce(kr.paid, 0) ELSE 0 END"),
             Ratio("collection", "Собираемость, %", "paid", "charged"),
             Sum("paidOut", "Оплачено подрядчикам", "coalesce(f.paid_to_contractor, 0)"),
             Sum("balance", "Остаток фонда", "CASE WHEN f.first_of_building THEN coalesce(kr.paid, 0) ELSE 0 END - coalesce(f.paid_to_contractor, 0)"),
             Sum("count", "Работ", "1", ReportCell.Count)],
            ["planYear"], "address, year, elementName, work", Planning: true),
        new("CAPITAL_EXECUTION", "Выполнение программы капитального ремонта", Housing,
            "Работы программы по годам: договор, принято по актам КС-2/КС-3, оплачено подрядчику, состояние; выполнение по числу работ и по стоимости.",
            ReportTime.Months, RepairRows, [.. BuildingDimensions, "element", "planYear", "repairStatus"],
            [new("year", "Год", ReportCell.Count, "f.plan_year"), new("address", "Здание", ReportCell.Text, "b.address"),
             new("elementName", "Элемент", ReportCell.Text, ReportDimensions.EnumLabel<BuildingElement>("f.element")), new("work", "Вид работ", ReportCell.Text, "f.work"),
             Sum("planned", "Сметная стоимость", "f.planned_cost"), new("contractor", "Подрядчик", ReportCell.Text, "f.contractor"),
             new("contract", "Договор", ReportCell.Code, "f.contract_number"), Sum("price", "Цена договора", "coalesce(f.contract_price, 0)"),
             new("acceptedOn", "Дата приёмки", ReportCell.Date, "f.accepted_on"), Sum("accepted", "Принято по актам", "coalesce(f.accepted_cost, 0)"),
             Sum("paidOut", "Оплачено подрядчику", "coalesce(f.paid_to_contractor, 0)"),
             new("state", "Состояние", ReportCell.Text, ReportDimensions.EnumLabel<CapitalRepairStatus>("f.status")),
             Sum("count", "Работ", "1", ReportCell.Count),
             Sum("done", "Принято работ", $"CASE WHEN f.status = {(int)CapitalRepairStatus.Accepted} THEN 1 ELSE 0 END", ReportCell.Count),
             Ratio("donePercent", "Выполнено работ, %", "done", "count"), Ratio("costPercent", "Выполнено по стоимости, %", "accepted", "planned")],
            ["planYear"], "year, address, elementName, work", Planning: true),
    ];

    private static readonly Dictionary<string, ReportDefinition> ByCode = All.ToDictionary(r => r.Code, StringComparer.OrdinalIgnoreCase);

    public static ReportDefinition? Find(string code) => ByCode.GetValueOrDefault(code);
}
