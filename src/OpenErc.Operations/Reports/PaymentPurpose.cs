using System.ComponentModel.DataAnnotations;

namespace OpenErc.Operations.Reports;

/// <summary>
/// The purpose of a payment as the ledger knows it (reports.md §3 «Платежи по назначению платежа»): a payment says at
/// most the period it pays for (<c>payments.period</c>); a correction is its own purpose. The finer purposes of §3 (per
/// service, court order, non-ЖКУ) are not carried by any channel the centre takes today.
/// </summary>
public enum PaymentPurpose : short
{
    [Display(Name = "Оплата ЕПД без указания периода")] Document = 1,
    [Display(Name = "Оплата за указанный период")] Period = 2,
    [Display(Name = "Исправление платежа (сторно, перенос)")] Correction = 3,
}
