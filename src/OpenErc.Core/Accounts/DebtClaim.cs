using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Accounts;

/// <summary>Where a claim for an account's debt stands in court (reports.md §10: the court status of the debtors register).</summary>
public enum DebtClaimStage
{
    [Display(Name = "Подано заявление (иск)")] Filed = 1,
    [Display(Name = "Судебный приказ")] CourtOrder = 2,
    [Display(Name = "Судебный приказ отменён")] OrderCancelled = 3,
    [Display(Name = "Решение суда")] Judgment = 4,
    [Display(Name = "Исполнительный лист в ФССП")] Writ = 5,
}

/// <summary>
/// The centre's legal work on an account's debt (reports.md §10): the claim for the debt of the months
/// <see cref="DebtFrom"/>–<see cref="DebtTo"/> (principal <see cref="Amount"/>), its case and court, the stage, the day the
/// court's act entered into force and a repayment agreement, if one was made. A debt «подтверждена судом» while a court
/// order, judgment or writ is in force and no repayment agreement stands: the only debt for which УСЗН may refuse a
/// housing subsidy (ЖК ст. 159 as amended by 442-ФЗ, debt of at most the last three years).
/// </summary>
public sealed class DebtClaim : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long AccountId { get; set; }

    /// <summary>Whose debt is claimed: a supplier's (a management company, a resource supplier), or every supplier's when empty.</summary>
    public long? SupplierId { get; set; }

    [EnumDataType(typeof(DebtClaimStage), ErrorMessage = "Неизвестная стадия")]
    public DebtClaimStage Stage { get; set; } = DebtClaimStage.Filed;

    [Required(ErrorMessage = "Укажите номер дела"), StringLength(100, ErrorMessage = "Номер дела длиннее 100 символов")]
    public string CaseNumber { get; set; } = "";

    [StringLength(300, ErrorMessage = "Наименование суда длиннее 300 символов")]
    public string? Court { get; set; }

    /// <summary>The first month of the debt claimed (its first day).</summary>
    public DateOnly DebtFrom { get; set; }

    /// <summary>The last month of the debt claimed (its first day).</summary>
    public DateOnly DebtTo { get; set; }

    /// <summary>The principal claimed, or confirmed by the act.</summary>
    [Range(typeof(decimal), "0.01", "999999999.99", ErrorMessage = "Сумма долга — от 0,01 ₽")]
    public decimal Amount { get; set; }

    public DateOnly FiledOn { get; set; }

    /// <summary>The day the court order or judgment entered into force.</summary>
    public DateOnly? InForceOn { get; set; }

    /// <summary>The day a repayment agreement was made with the debtor.</summary>
    public DateOnly? AgreementOn { get; set; }

    /// <summary>Whether the act confirms the debt on <paramref name="day"/>: an order, judgment or writ in force by then, no agreement made.</summary>
    public bool ConfirmedOn(DateOnly day) =>
        Stage is DebtClaimStage.CourtOrder or DebtClaimStage.Judgment or DebtClaimStage.Writ
        && InForceOn is { } inForce && inForce <= day && !(AgreementOn is { } agreed && agreed <= day);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BillingPeriod.TryOf(DebtFrom, out _) || !BillingPeriod.TryOf(DebtTo, out _) || !BillingPeriod.TryOf(FiledOn, out _))
            yield return new("Месяцы долга и дата заявления — с 2000 по 2099 год", [nameof(DebtFrom), nameof(DebtTo), nameof(FiledOn)]);
        if (DebtFrom.Day != 1 || DebtTo.Day != 1) yield return new("Месяцы долга указываются первым числом месяца", [nameof(DebtFrom), nameof(DebtTo)]);
        if (DebtTo < DebtFrom) yield return new("Последний месяц долга раньше первого", [nameof(DebtTo)]);
        if (DebtTo > new DateOnly(FiledOn.Year, FiledOn.Month, 1)) yield return new("Долг не может быть за месяцы после подачи заявления", [nameof(DebtTo)]);
        if (Stage is DebtClaimStage.CourtOrder or DebtClaimStage.Judgment or DebtClaimStage.Writ && InForceOn is null)
            yield return new("Укажите дату вступления судебного акта в силу", [nameof(InForceOn)]);
        if (InForceOn is { } inForce && inForce < FiledOn) yield return new("Судебный акт не может вступить в силу до подачи заявления", [nameof(InForceOn)]);
        if (AgreementOn is { } agreed && agreed < FiledOn) yield return new("Соглашение о погашении — не раньше подачи заявления", [nameof(AgreementOn)]);
    }
}

/// <summary>
/// A written notice to a debtor that a communal service will be limited or suspended unless the debt is paid (ПП 354
/// п. 119 «а» [confirmed]): sent, delivered, and the limitation may start once <see cref="NoticeDays"/> days have passed
/// since its delivery with the debt unpaid (reports.md §10: the notice and limitation status of the debtors register).
/// </summary>
public sealed class LimitationNotice : IRegistryObject, IValidatableObject
{
    /// <summary>The days a delivered notice gives the debtor to pay before the service may be limited (п. 119 «а»).</summary>
    public const int NoticeDays = 20;

    public long Id { get; set; }
    public long AccountId { get; set; }
    public long ServiceId { get; set; }
    public DateOnly SentOn { get; set; }

    /// <summary>The day the debtor received it (signed, a registered letter's delivery, the ЕПД it was printed in).</summary>
    public DateOnly? DeliveredOn { get; set; }

    [Required(ErrorMessage = "Укажите документ уведомления"), StringLength(300, ErrorMessage = "Документ — не длиннее 300 символов")]
    public string Document { get; set; } = "";

    /// <summary>The first day the service may be limited: <see cref="NoticeDays"/> days after the delivery.</summary>
    public DateOnly? LimitableFrom => DeliveredOn?.AddDays(NoticeDays + 1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BillingPeriod.TryOf(SentOn, out _) || DeliveredOn is { } day && !BillingPeriod.TryOf(day, out _))
            yield return new("Даты уведомления — с 2000 по 2099 год", [nameof(SentOn), nameof(DeliveredOn)]);
        if (DeliveredOn is { } delivered && delivered < SentOn) yield return new("Уведомление не может быть вручено раньше, чем направлено", [nameof(DeliveredOn)]);
    }
}
