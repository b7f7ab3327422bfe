using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Meters;

/// <summary>
/// An act of technical impossibility of installing a meter of a resource in a premise (Минрегион order №627),
/// in force over <c>[ValidFrom, ValidTo)</c>: from the act's date until a meter becomes possible. While it holds, the
/// norm is charged without the increasing coefficient and temporary absence reduces the charge (ПП 354 п. 86).
/// </summary>
public sealed class MeterImpossibilityAct : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long PremiseId { get; set; }

    [EnumDataType(typeof(Resource), ErrorMessage = "Неизвестный ресурс")]
    public Resource Resource { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    [Required(ErrorMessage = "Укажите номер и дату акта"), StringLength(300, ErrorMessage = "Номер и дата акта длиннее 300 символов")]
    public string Document { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PremiseId <= 0) yield return new("Укажите помещение", [nameof(PremiseId)]);
        if (Resource is Resource.None or Resource.Sewage) yield return new("Укажите ресурс, для которого нужен прибор учёта", [nameof(Resource)]);
        if (ValidFrom == default) yield return new("Укажите дату акта", [nameof(ValidFrom)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}
