using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Accounts;

public enum AccountStatus
{
    [Display(Name = "Открыт")] Open = 1,
    [Display(Name = "Закрыт")] Closed = 2,
}

/// <summary>
/// A personal account (лицевой счёт): the payer's billing account for a premise or a share of it.
/// Open over <c>[OpenedOn, ClosedOn)</c>; the status follows from the dates rather than being stored twice.
/// </summary>
public sealed class PersonalAccount : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }

    public string Number { get; set; } = "";

    public long PremiseId { get; set; }

    /// <summary>The share of the premise this account pays for, in (0, 1].</summary>
    [Range(typeof(decimal), "0.000001", "1", ErrorMessage = "Доля должна быть больше 0 и не больше 1")]
    public decimal Share { get; set; } = 1m;

    public long? PayerPersonId { get; set; }

    public DateOnly OpenedOn { get; set; }
    public DateOnly? ClosedOn { get; set; }

    public AccountStatus Status => ClosedOn is null ? AccountStatus.Open : AccountStatus.Closed;

    DateOnly IEffectiveDated.ValidFrom => OpenedOn;
    DateOnly? IEffectiveDated.ValidTo => ClosedOn;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccountNumber.Check(Number) is { } number) yield return new(number, [nameof(Number)]);
        if (PremiseId <= 0) yield return new("Укажите помещение", [nameof(PremiseId)]);
        if (OpenedOn == default) yield return new("Укажите дату открытия", [nameof(OpenedOn)]);
        if (ClosedOn is { } closed && closed <= OpenedOn) yield return new("Дата закрытия должна быть позже даты открытия", [nameof(ClosedOn)]);
    }
}
