using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Tariffs;

public enum Resource
{
    [Display(Name = "Нет")] None = 0,
    [Display(Name = "Холодная вода")] ColdWater = 1,
    [Display(Name = "Горячая вода")] HotWater = 2,
    [Display(Name = "Водоотведение")] Sewage = 3,
    [Display(Name = "Электроэнергия")] Electricity = 4,
    [Display(Name = "Тепловая энергия")] Heat = 5,
    [Display(Name = "Газ")] Gas = 6,
}

public enum ServiceKind
{
    [Display(Name = "Коммунальная услуга")] Communal = 1,
    [Display(Name = "Жилищная услуга")] Housing = 2,
    [Display(Name = "Коммунальный ресурс на СОИ")] CommonPropertyResource = 3,
}

/// <summary>An entry of the services catalogue (ХВС, ГВС, …, КР на СОИ per resource).</summary>
public sealed class Service : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }

    /// <summary>Stable code used by configuration and exchange formats, e.g. <c>cold_water</c>.</summary>
    [Required(ErrorMessage = "Укажите код услуги"), RegularExpression("^[a-z][a-z0-9_]{1,49}$", ErrorMessage = "Код услуги: латинские строчные буквы, цифры и _")]
    public string Code { get; set; } = "";

    [Required(ErrorMessage = "Укажите наименование"), StringLength(200, ErrorMessage = "Наименование длиннее 200 символов")]
    public string Name { get; set; } = "";

    [EnumDataType(typeof(ServiceKind), ErrorMessage = "Неизвестный вид услуги")]
    public ServiceKind Kind { get; set; } = ServiceKind.Communal;

    [EnumDataType(typeof(Resource), ErrorMessage = "Неизвестный ресурс")]
    public Resource Resource { get; set; }

    [Required(ErrorMessage = "Укажите единицу измерения")]
    public string Unit { get; set; } = "";

    /// <summary>How many tariff zones the service supports: 3 for electricity (day/night, peak/half-peak/night), else 1.</summary>
    [Range(1, 3, ErrorMessage = "Число зон должно быть от 1 до 3")]
    public int MaxZones { get; set; } = 1;

    public int SortOrder { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Kind == ServiceKind.CommonPropertyResource && Resource == Resource.None)
            yield return new("Для коммунального ресурса на СОИ укажите ресурс", [nameof(Resource)]);
    }
}

public enum CalculationMethod
{
    [Display(Name = "По прибору учёта, иначе по нормативу")] IndividualMeter = 1,
    [Display(Name = "По нормативу")] Norm = 2,
    [Display(Name = "По площади")] Area = 3,
    [Display(Name = "По числу проживающих")] PerResident = 4,
    [Display(Name = "По общедомовому прибору учёта")] CommonHouseMeter = 5,
    [Display(Name = "На СОИ пропорционально площади")] CommonPropertyByArea = 6,
}

/// <summary>How a service is calculated in a building over <c>[ValidFrom, ValidTo)</c>.</summary>
public sealed class BuildingServiceMethod : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }
    public long ServiceId { get; set; }

    [EnumDataType(typeof(CalculationMethod), ErrorMessage = "Неизвестный способ расчёта")]
    public CalculationMethod Method { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}

/// <summary>Who supplies a service to a building over <c>[ValidFrom, ValidTo)</c> (the contract behind it).</summary>
public sealed class ServiceContract : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }
    public long ServiceId { get; set; }
    public long SupplierId { get; set; }

    [StringLength(100, ErrorMessage = "Номер договора длиннее 100 символов")]
    public string? ContractNumber { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}

public enum TariffZone
{
    [Display(Name = "Одноставочный")] Single = 0,
    [Display(Name = "День")] Day = 1,
    [Display(Name = "Ночь")] Night = 2,
    [Display(Name = "Пик")] Peak = 3,
    [Display(Name = "Полупик")] HalfPeak = 4,
}

/// <summary>
/// Price of one unit of a service from a supplier (₽ per unit, up to 6 decimals) over <c>[ValidFrom, ValidTo)</c>.
/// A building-specific rate (e.g. maintenance approved by the owners' meeting) overrides the general one.
/// </summary>
public sealed class Tariff : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long SupplierId { get; set; }
    public long ServiceId { get; set; }
    public long? MunicipalityId { get; set; }
    public long? BuildingId { get; set; }

    [EnumDataType(typeof(TariffZone), ErrorMessage = "Неизвестная зона суток")]
    public TariffZone Zone { get; set; } = TariffZone.Single;

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Тариф должен быть от 0 до 1 000 000 ₽")]
    public decimal Rate { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (decimal.Round(Rate, 6) != Rate) yield return new("Тариф указывается не более чем с 6 знаками после запятой", [nameof(Rate)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}

/// <summary>
/// A regional consumption norm (unit per person per month, or per m²) for a category of premises over
/// <c>[ValidFrom, ValidTo)</c>. The category is a code such as <c>mkd_bath</c> or <c>rooms=2;residents=3</c>.
/// </summary>
public sealed class ConsumptionNorm : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long ServiceId { get; set; }
    public long? MunicipalityId { get; set; }

    [Required(ErrorMessage = "Укажите категорию")]
    public string Category { get; set; } = "";

    [StringLength(300, ErrorMessage = "Описание длиннее 300 символов")]
    public string? Description { get; set; }

    [Range(typeof(decimal), "0", "100000", ErrorMessage = "Норматив должен быть от 0 до 100 000")]
    public decimal Value { get; set; }

    [Required(ErrorMessage = "Укажите единицу измерения")]
    public string Unit { get; set; } = "";

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}

/// <summary>The Bank of Russia key rate, percent per year, over <c>[ValidFrom, ValidTo)</c> (used for пени).</summary>
public sealed class KeyRate : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Ставка должна быть от 0 до 100 %")]
    public decimal RatePercent { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}
