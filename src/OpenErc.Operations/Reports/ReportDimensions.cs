using OpenErc.Core.Benefits;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Payments;

namespace OpenErc.Operations.Reports;

/// <summary>
/// The filters and groupings of reports.md §0.4, once for all reports. Each reads the aliases a source provides: <c>f</c>
/// the report's own rows; for rows of an account <c>a</c> (its account), <c>p</c> (premise), <c>b</c> (building), <c>mg</c>
/// (the building's manager on the last day of the period, <see cref="ReportEngine"/>'s <c>managers</c>), <c>s</c> (service)
/// and <c>mt</c> (the building's calculation method of the service on that day, <c>methods</c>).
/// Time-varying attributes are taken as of the last day of the range, so groups are stable (§0.4).
/// </summary>
public static class ReportDimensions
{
    public static readonly IReadOnlyDictionary<string, ReportDimension> All = new ReportDimension[]
    {
        new("municipality", "Муниципальное образование", "b.municipality_id", "(SELECT name FROM municipalities WHERE id = {0})", ReportValue.Id),
        new("manager", "Управляющая организация", "mg.organisation_id",
            "coalesce((SELECT coalesce(short_name, name) FROM organisations WHERE id = {0}), 'Без управляющей организации')", ReportValue.Id),
        new("street", "Улица", "(b.settlement || coalesce(', ' || b.street, ''))", "{0}", ReportValue.Text),
        new("building", "Здание", "b.id", "(SELECT address FROM buildings WHERE id = {0})", ReportValue.Id),
        new("premise", "Помещение", "p.id", "(SELECT b.address || ', пом. ' || p.number FROM premises p JOIN buildings b ON b.id = p.building_id WHERE p.id = {0})", ReportValue.Id),
        new("account", "Лицевой счёт", "a.id", "(SELECT number FROM personal_accounts WHERE id = {0})", ReportValue.Text, Filter: "a.number", Cell: ReportCell.Code),
        new("category", "Категория помещения", "p.kind", EnumLabel<PremiseKind>("{0}"), ReportValue.Small),
        new("agent", "Платёжный агент / банк", "f.agent_id", "(SELECT coalesce(short_name, name) FROM organisations WHERE id = {0})", ReportValue.Id),
        new("channel", "Способ оплаты", "f.channel", EnumLabel<PaymentChannel>("{0}"), ReportValue.Small),
        new("purpose", "Назначение платежа", "f.purpose", EnumLabel<PaymentPurpose>("{0}"), ReportValue.Small),
        new("supplier", "Поставщик", "f.supplier_id", "coalesce((SELECT coalesce(short_name, name) FROM organisations WHERE id = {0}), 'Не распределено')", ReportValue.Id),
        new("service", "Услуга", "f.service_id", "coalesce((SELECT name FROM services WHERE id = {0}), 'Не распределено')", ReportValue.Id),
        new("serviceKind", "Категория услуги", "s.kind", EnumLabel<ServiceKind>("{0}"), ReportValue.Small),
        new("method", "Способ расчёта", "mt.method", EnumLabel<CalculationMethod>("{0}", "Не задан"), ReportValue.Small),
        new("lineKind", "Вид начисления", "f.kind", EnumLabel<ChargeLineKind>("{0}"), ReportValue.Small),
        new("volumeSource", "Способ определения объёма", "f.source", EnumLabel<VolumeSource>("{0}"), ReportValue.Small),
        new("month", "Месяц", "f.month", "{0}", ReportValue.Month, Cell: ReportCell.Month),
        new("paidFor", "Оплаченный период", "f.paid_for", "{0}", ReportValue.Month, Cell: ReportCell.Month),
        new("day", "День", "f.day", "{0}", ReportValue.Text, Filter: "f.day::text", Cell: ReportCell.Date),
        new("resource", "Ресурс", "f.resource", EnumLabel<Resource>("{0}"), ReportValue.Small),
        new("meterKind", "Вид прибора учёта", "f.meter_kind", EnumLabel<MeterKind>("{0}"), ReportValue.Small),
        new("element", "Конструктивный элемент", "f.element", EnumLabel<BuildingElement>("{0}"), ReportValue.Small),
        new("planYear", "Год по программе", "f.plan_year", "{0}::text", ReportValue.Small),
        new("repairStatus", "Состояние работ", "f.status", EnumLabel<CapitalRepairStatus>("{0}"), ReportValue.Small),
        new("benefitCategory", "Категория льготника", "f.category_code",
            $"CASE WHEN {{0}} = {Literal(SubsidyCategory)} THEN {Literal(SubsidyTitle)} " +
            "ELSE coalesce((SELECT title FROM benefit_categories WHERE code = {0} ORDER BY valid_from DESC LIMIT 1), nullif({0}, ''), 'Право не найдено') END", ReportValue.Text),
        new("deliveryMode", "Форма предоставления", "f.mode", EnumLabel<BenefitDeliveryMode>("{0}"), ReportValue.Small),
    }.ToDictionary(d => d.Key);

    /// <summary>The <c>benefitCategory</c> of a housing subsidy's rows, which have no category of beneficiaries (benefits.md §4).</summary>
    public const string SubsidyCategory = "SUBSIDY";

    public const string SubsidyTitle = "Субсидия на оплату жилого помещения и коммунальных услуг";

    /// <summary>What a filter of <paramref name="values"/> expects, in Russian.</summary>
    public static string Expected(ReportValue values) => values switch
    {
        ReportValue.Id or ReportValue.Small => "ожидается код (целое число)",
        ReportValue.Month => "ожидается месяц ГГГГ-ММ",
        _ => "слишком длинное значение",
    };

    /// <summary>The SQL <c>CASE</c> giving each value of <typeparamref name="T"/> its Russian title; <paramref name="other"/> for none.</summary>
    public static string EnumLabel<T>(string value, string? other = null) where T : struct, Enum =>
        $"CASE {value} {string.Concat(Enum.GetValues<T>().Select(v => $"WHEN {Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)} THEN {Literal(v.Title())} "))}"
        + (other is null ? "END" : $"ELSE {Literal(other)} END");

    /// <summary>A constant of ours as an SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
