using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using OpenErc.Core.Common;

namespace OpenErc.Core.Receipts;

/// <summary>What a payment document is for; the title and the wording of its totals follow the kind.</summary>
public enum ReceiptKind
{
    /// <summary>The month's ЕПД with something to pay.</summary>
    [Display(Name = "Платёжный документ")] Monthly = 1,

    /// <summary>A notice of the debt of earlier months (ЖК РФ ст. 155; ПП 354 п. 117–119), issued on request.</summary>
    [Display(Name = "Уведомление о задолженности")] DebtNotice = 2,

    /// <summary>The month's ЕПД of an account that has paid ahead: nothing to pay, the advance is shown.</summary>
    [Display(Name = "Платёжный документ (аванс)")] Advance = 3,
}

/// <summary>
/// A unified payment document (ЕПД) as issued: every section of the form of Приказ Минстроя №43/пр
/// (epd-and-qr.md §3), frozen when issued. Printing and reprinting render this record and nothing else, so a
/// reprint is the same document. Money is in roubles with 2 decimals, volumes and rates unrounded as posted.
/// </summary>
/// <param name="Number">Document number (unique in the centre).</param>
/// <param name="PaymentsUntil">Payments received up to this day inclusive are counted (the month's last day).</param>
/// <param name="Payee">The account that takes the money: the centre's collecting account (§4.5), also the QR payee.</param>
/// <param name="Executor">The managing organisation of the building (Раздел 1), when there is one.</param>
/// <param name="CapIndex">The regional cap index of the growth of citizens' payments, % (Раздел 4), when configured.</param>
/// <param name="QrPayload">The ГОСТ Р 56042 payment string printed as the QR code.</param>
/// <param name="Subsidies">The housing subsidies in force for the month, for information (benefits.md §4: УСЗН pays them to
/// the citizen, they are no line of the ledger); none on documents issued before the centre showed them.</param>
public sealed record UnifiedPaymentDocument(
    long Number,
    ReceiptKind Kind,
    BillingPeriod Month,
    DateOnly IssuedOn,
    DateOnly PaymentsUntil,
    ReceiptPayer Payer,
    ReceiptParty Payee,
    ReceiptParty? Executor,
    IReadOnlyList<ReceiptRecipient> Recipients,
    IReadOnlyList<ReceiptServiceRow> Services,
    ReceiptTotals Totals,
    IReadOnlyList<ReceiptRecalculation> Recalculations,
    IReadOnlyList<ReceiptMeter> Meters,
    IReadOnlyList<ReceiptReference> Reference,
    IReadOnlyList<string> Announcements,
    decimal? CapIndex,
    string QrPayload,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ReceiptSubsidy>? Subsidies = null);

/// <summary>Раздел 1: the payer and the premise.</summary>
/// <param name="Area">Total area of the premise, m² (the account's share where the premise is shared).</param>
/// <param name="Residents">Residents counted for the month, persons.</param>
/// <param name="Entrance">Entrance of the premise, for sorting the print shop's stacks.</param>
/// <param name="RegistrationCode">The code to register in the citizen cabinet with (none on documents issued before there were codes).</param>
public sealed record ReceiptPayer(string AccountNumber, string Name, string Address, string PremiseNumber, int? Entrance, decimal Area, int Residents,
    string? RegistrationCode = null);

/// <summary>An organisation as the document prints it: name, contacts and bank requisites.</summary>
public sealed record ReceiptParty(
    string Name, string Inn, string? Kpp, string? Address, string? Phone, string? Email,
    string? BankName, string? SettlementAccount, string? Bic, string? CorrespondentAccount, string? OfficeHours = null, string? Website = null);

/// <summary>Раздел 2: one recipient (supplier) of the money, its services and what is due to it.</summary>
/// <param name="Opening">Debt (+) or advance (−) at the start of the month.</param>
/// <param name="Charged">Charged in the month with recalculations.</param>
/// <param name="ToPay">Closing balance: debt to pay (+) or advance (−).</param>
public sealed record ReceiptRecipient(ReceiptParty Party, IReadOnlyList<string> Services, decimal Opening, decimal Charged, decimal Penalties, decimal Paid, decimal ToPay);

/// <summary>
/// Раздел 3: one row of the calculation — a service (with its tariff zone) of one supplier. The balance columns
/// obey Opening + Charged + Recalculated − Benefits + Penalties − Paid = ToPay, as the ledger does (which counts the
/// month's benefits in kind among its recalculations).
/// </summary>
/// <param name="Method">How the volume was found: "М" meter, "Н" norm, "С" average, "П" area, "О" building meter.</param>
/// <param name="CommonProperty">True for a communal resource used on common property (КР на СОИ).</param>
public sealed record ReceiptServiceRow(
    string Service, string Supplier, string Unit, string Method, bool CommonProperty,
    decimal? Volume, decimal? Rate, decimal Charged, decimal Recalculated, decimal Benefits,
    decimal Opening, decimal Penalties, decimal Paid, decimal ToPay)
{
    /// <summary>Итого за расчётный период: charged with recalculations and benefits.</summary>
    public decimal ForPeriod => Charged + Recalculated - Benefits;
}

/// <summary>Totals of the document; the same equation as each row.</summary>
/// <param name="LastPaymentOn">Date of the last payment received up to <see cref="UnifiedPaymentDocument.PaymentsUntil"/>.</param>
/// <param name="ToPay">Итого к оплате: the closing balance when positive, else 0.</param>
public sealed record ReceiptTotals(
    decimal Opening, decimal Charged, decimal Recalculated, decimal Benefits, decimal Penalties, decimal Paid, decimal Closing,
    decimal ToPay, DateOnly? LastPaymentOn);

/// <summary>Раздел 6: a recalculation (+ surcharge, − reduction) with its reason.</summary>
public sealed record ReceiptRecalculation(string Service, string Reason, decimal Amount);

/// <summary>An individual meter (Раздел 2's reading table and Раздел 4's current readings).</summary>
/// <param name="Zone">Tariff zone label ("День", "Ночь") or empty for a single-rate meter.</param>
public sealed record ReceiptMeter(string Service, string SerialNumber, string Zone, string Unit,
    DateOnly? PreviousOn, decimal? Previous, DateOnly? CurrentOn, decimal? Current, DateOnly? VerifiedOn);

/// <summary>Раздел 4: reference data per service — norms and the building's volumes of the month.</summary>
public sealed record ReceiptReference(string Service, string Unit, decimal? Norm, decimal BuildingVolume);

/// <summary>
/// A housing subsidy УСЗН granted the account (ЖК ст. 159; benefits.md §4), printed for information: the citizen's money,
/// paid by УСЗН, not a payment or a discount of the document.
/// </summary>
/// <param name="Amount">The monthly amount, ₽.</param>
/// <param name="ValidTo">The day after the subsidy's last day.</param>
public sealed record ReceiptSubsidy(decimal Amount, string DecisionNumber, DateOnly DecisionDate, DateOnly ValidFrom, DateOnly? ValidTo);
