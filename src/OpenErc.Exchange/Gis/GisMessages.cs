using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OpenErc.Core.Common;

namespace OpenErc.Exchange.Gis;

/// <summary>What a package to ГИС ЖКХ places (exchange.md §6.1, §6.3): each kind is one request of the state system's services.</summary>
public enum GisPackageKind
{
    /// <summary>Accounts (hcs-house-management <c>importAccountData</c>).</summary>
    Accounts = 1,

    /// <summary>The month's payment documents (hcs-bills <c>importPaymentDocumentData</c>, root <c>importPaymentDocumentRequest</c>).</summary>
    PaymentDocuments = 2,

    /// <summary>Payments the centre took itself (hcs-payments <c>importSupplierNotificationsOfOrderExecution</c>).</summary>
    Payments = 3,

    /// <summary>The month's meter readings (hcs-device-metering <c>importMeteringDeviceValues</c>).</summary>
    Readings = 4,
}

/// <summary>An account to place: the centre's number, the house, the premise, its area and share, the number residing, the payer.</summary>
public sealed record GisAccount(Guid TransportGuid, string Number, Guid FiasHouseGuid, string Premise, decimal TotalArea, decimal Share, int? Residing,
    string? PayerLastName, string? PayerFirstName, string? PayerMiddleName, Guid? AccountGuid);

/// <summary>A service line of a payment document (§6.4 «Service line»).</summary>
/// <param name="Housing">A housing service (<c>HousingService</c>) rather than a communal one (<c>MunicipalService</c>).</param>
/// <param name="VolumeType"><c>I</c> individual, <c>O</c> common property.</param>
/// <param name="Method"><c>N</c> norm, <c>M</c> meter, <c>O</c> other.</param>
public sealed record GisCharge(bool Housing, string ServiceCode, Guid? ServiceGuid, decimal? Rate, decimal? Volume, char VolumeType, char Method,
    decimal AccountingPeriodTotal, decimal Recalculation, string? RecalculationReason, decimal DebtOrAdvance, decimal Penalties, decimal TotalPayable,
    decimal TotalPayableOverall);

/// <summary>A payment document (§6.4 «Document»): the account's GUID in the state system, our number, the lines and the totals.</summary>
/// <param name="PaymentsTaken">Payments received up to this day of the month are counted (1–31).</param>
/// <param name="ReplacesDocumentId">The ИПД of the document this one replaces (a corrected document is re-sent with it).</param>
public sealed record GisPaymentDocument(Guid TransportGuid, Guid AccountGuid, string Number, IReadOnlyList<GisCharge> Charges, decimal DebtPreviousPeriods,
    decimal Advance, int PaymentsTaken, decimal Penalties, decimal TotalPayableByChargeInfo, decimal TotalPayableWithDebtAndAdvance, string? ReplacesDocumentId);

/// <summary>A payment the centre took itself (its cash desk), for the document it paid when that is placed.</summary>
public sealed record GisPayment(Guid TransportGuid, string AccountNumber, Guid? AccountGuid, string? PaymentDocumentId, DateOnly Date, decimal Amount,
    BillingPeriod Month, string Purpose);

/// <summary>A meter's reading of the month: the meter by its serial number and the account it serves, a value per zone.</summary>
public sealed record GisReading(Guid TransportGuid, string AccountNumber, string Serial, string Resource, DateOnly Date, IReadOnlyList<decimal> Values);

/// <summary>Settings of the requests: the schema version the state system accepts now, and the executor's identifier there.</summary>
/// <param name="ProviderPpaGuid">The executor's <c>orgPPAGUID</c>: required in a settlement centre's payment documents.</param>
public sealed record GisRequestSettings(string SchemaVersion, Guid? ProviderPpaGuid);

/// <summary>
/// The unsigned XML payloads of ГИС ЖКХ's asynchronous services (exchange.md §6.3–6.5): one request per package, a
/// fresh <c>TransportGUID</c> per object, in the namespaces <c>http://dom.gosuslugi.ru/schema/integration/&lt;area&gt;/</c>.
/// The payment document request follows §6.4 (the schema as confirmed); the other three requests carry the elements §6.3
/// names, the rest of their schemas is not in the spec (README: check against the current schema version before use).
/// Signing (XAdES, ГОСТ), sending and polling are the gateway's (§6.5).
/// </summary>
public static class GisMessages
{
    public const string Root = "http://dom.gosuslugi.ru/schema/integration/";
    private static readonly XNamespace Base = Root + "base/", Bills = Root + "bills/", NsiBase = Root + "nsi-base/", House = Root + "house-management/",
        PaymentsNs = Root + "payments/", Metering = Root + "device-metering/";

    /// <summary>The most objects one request carries (§6.4: ≤ 500 payment documents; the other services taken the same).</summary>
    public const int BatchSize = 500;

    public static byte[] Accounts(IReadOnlyList<GisAccount> accounts, GisRequestSettings settings) =>
        Request(House + "importAccountRequest", settings, accounts.Select(a => new XElement(House + "Account",
            new XElement(Base + "TransportGUID", a.TransportGuid),
            a.AccountGuid is { } guid ? new XElement(House + "AccountGUID", guid) : null,
            new XElement(House + "AccountNumber", a.Number),
            new XElement(House + "isRCAccount", true),
            new XElement(House + "TotalSquare", Money(a.TotalArea)),
            a.Residing is { } n ? new XElement(House + "LivingPersonsNumber", n) : null,
            new XElement(House + "PayerInfo", new XElement(House + "Ind",
                new XElement(House + "Surname", a.PayerLastName ?? ""), new XElement(House + "FirstName", a.PayerFirstName ?? ""),
                a.PayerMiddleName is { } m ? new XElement(House + "Patronymic", m) : null)),
            new XElement(House + "Accommodation",
                new XElement(House + "FIASHouseGuid", a.FiasHouseGuid), new XElement(House + "PremisesNumber", a.Premise),
                new XElement(House + "SharePercent", Money(a.Share * 100m))))));

    /// <summary>
    /// <c>importPaymentDocumentRequest</c> of a month (§6.4): <c>ConfirmAmountsCorrect=true</c> — our lines are rounded once
    /// each, so the state system's recomputation of <c>Volume × Rate</c> may differ by kopecks — then the documents.
    /// </summary>
    public static byte[] PaymentDocuments(BillingPeriod month, IReadOnlyList<GisPaymentDocument> documents, GisRequestSettings settings) =>
        Request(Bills + "importPaymentDocumentRequest", settings,
        [
            new XElement(Bills + "ConfirmAmountsCorrect", true),
            new XElement(Bills + "Month", month.Month),
            new XElement(Bills + "Year", month.Year),
            .. documents.Select(d => new XElement(Bills + "PaymentDocument",
                new XElement(Bills + "AccountGuid", d.AccountGuid),
                new XElement(Bills + "PaymentDocumentNumber", d.Number),
                d.Charges.Select(c => new XElement(Bills + "ChargeInfo", new XElement(Bills + (c.Housing ? "HousingService" : "MunicipalService"),
                    new XElement(Bills + "ServiceType", new XElement(NsiBase + "Code", c.ServiceCode), c.ServiceGuid is { } g ? new XElement(NsiBase + "GUID", g) : null),
                    c.Rate is { } rate ? new XElement(Bills + "Rate", Rate(rate)) : null,
                    new XElement(Bills + "TotalPayable", Money(c.TotalPayable)),
                    new XElement(Bills + "AccountingPeriodTotal", Money(c.AccountingPeriodTotal)),
                    c.Volume is { } volume
                        ? new XElement(Bills + "Consumption", new XElement(Bills + "Volume", new XAttribute("type", c.VolumeType.ToString()),
                            new XAttribute("determiningMethod", c.Method.ToString()), Rate(volume)))
                        : null,
                    c.Recalculation != 0m
                        ? new XElement(Bills + "PaymentRecalculation", new XElement(Bills + "recalculationReason", Cut(c.RecalculationReason ?? "Перерасчёт", 500)),
                            new XElement(Bills + "sum", Money(c.Recalculation)))
                        : null,
                    c.DebtOrAdvance != 0m ? new XElement(Bills + "DebtPreviousPeriodsOrAdvanceBillingPeriod", Money(c.DebtOrAdvance)) : null,
                    c.Penalties != 0m ? new XElement(Bills + "Penalties", Money(c.Penalties)) : null,
                    new XElement(Bills + "TotalPayableOverall", Money(c.TotalPayableOverall))))),
                new XElement(Bills + "Expose", true),
                new XElement(Bills + "TotalPayableByChargeInfo", Money(d.TotalPayableByChargeInfo)),
                d.DebtPreviousPeriods > 0m ? new XElement(Bills + "DebtPreviousPeriods", Money(d.DebtPreviousPeriods)) : null,
                d.Advance > 0m ? new XElement(Bills + "AdvanceBllingPeriod", Money(d.Advance)) : null,
                new XElement(Bills + "PaymentsTaken", d.PaymentsTaken),
                new XElement(Bills + "TotalPayableByPDWithDebtAndAdvance", Money(d.TotalPayableWithDebtAndAdvance)),
                new XElement(Bills + "TotalByPenaltiesAndCourtCosts", Money(d.Penalties)),
                new XElement(Bills + "TotalPayableByPD", Money(d.TotalPayableByChargeInfo + d.Penalties)),
                new XElement(Base + "TransportGUID", d.TransportGuid),
                d.ReplacesDocumentId is { } replaces ? new XElement(Bills + "PaymentDocumentID", replaces) : null)),
            settings.ProviderPpaGuid is { } provider ? new XElement(Bills + "PaymentProviderInformation", new XElement(Bills + "orgPPAGUID", provider)) : null,
        ]);

    public static byte[] Payments(IReadOnlyList<GisPayment> payments, GisRequestSettings settings) =>
        Request(PaymentsNs + "importSupplierNotificationsOfOrderExecutionRequest", settings, payments.Select(p => new XElement(PaymentsNs + "SupplierNotificationOfOrderExecution",
            new XElement(Base + "TransportGUID", p.TransportGuid),
            new XElement(PaymentsNs + "OrderDate", p.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new XElement(PaymentsNs + "OrderPeriod", new XElement(PaymentsNs + "Month", p.Month.Month), new XElement(PaymentsNs + "Year", p.Month.Year)),
            p.PaymentDocumentId is { } document ? new XElement(PaymentsNs + "PaymentDocumentID", document) : null,
            p.AccountGuid is { } account ? new XElement(PaymentsNs + "AccountGuid", account) : null,
            new XElement(PaymentsNs + "AccountNumber", p.AccountNumber),
            new XElement(PaymentsNs + "Amount", Money(p.Amount)),
            new XElement(PaymentsNs + "PaymentPurpose", Cut(p.Purpose, 210)))));

    public static byte[] Readings(Guid fiasHouseGuid, IReadOnlyList<GisReading> readings, GisRequestSettings settings) =>
        Request(Metering + "importMeteringDeviceValuesRequest", settings,
        [
            new XElement(Metering + "FIASHouseGuid", fiasHouseGuid),
            .. readings.Select(r => new XElement(Metering + "MeteringDevicesValues",
                new XElement(Metering + "AccountNumber", r.AccountNumber),
                new XElement(Metering + "MeteringDeviceNumber", r.Serial),
                new XElement(Metering + (r.Values.Count == 1 ? "OneRateDeviceValue" : "ElectricDeviceValue"),
                    new XElement(Metering + "CurrentValue",
                        r.Values.Select((v, i) => new XElement(Metering + $"MeteringValueT{i + 1}", Rate(v))),
                        new XElement(Metering + "DateValue", r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                        new XElement(Base + "TransportGUID", r.TransportGuid))))),
        ]);

    private static byte[] Request(XName root, GisRequestSettings settings, IEnumerable<object?> content)
    {
        var request = new XElement(root, new XAttribute(XNamespace.Xmlns + "base", Base), new XAttribute(Base + "version", settings.SchemaVersion),
            new XAttribute("Id", "signed-data-container"), content);
        foreach (var ns in request.DescendantsAndSelf().Select(e => e.Name.Namespace).Distinct().Where(n => n != Base))
            request.Add(new XAttribute(XNamespace.Xmlns + ns.NamespaceName[Root.Length..].TrimEnd('/').Replace("-", "", StringComparison.Ordinal), ns));
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            new XDocument(new XDeclaration("1.0", "utf-8", null), request).Save(writer);
        return stream.ToArray();
    }

    /// <summary>Money: 2 decimals, a point.</summary>
    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A rate or a volume: up to 6 decimals (the schema's 14 digits with 6 fractional), at least 2.</summary>
    private static string Rate(decimal value) => decimal.Round(value, 6).ToString("0.00####", CultureInfo.InvariantCulture);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];
}
