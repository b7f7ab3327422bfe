using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Housing;

/// <summary>
/// Heating paid evenly through the year with a building heat meter: the average monthly heat volume of the
/// previous year, Гкал per month, charged each month over <c>[ValidFrom, ValidTo)</c> (ПП 354 п. 42(1), formula 3;
/// charges.md §6.3). Without it the run charges heating by the norm and says so in the trace.
/// </summary>
public sealed class HeatingAverageVolume : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Среднемесячный объём должен быть от 0 до 1 000 000 Гкал")]
    public decimal Volume { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    [StringLength(300, ErrorMessage = "Основание длиннее 300 символов")]
    public string? Basis { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (ValidFrom == default) yield return new("Укажите дату начала", [nameof(ValidFrom)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}
