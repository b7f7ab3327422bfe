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

/// <summary>Which part of a tariff a rate is (the registry's <see cref="Tariff.Part"/> and the snapshot's <c>TariffSnapshot.Part</c>).</summary>
public enum TariffPart
{
    /// <summary>₽ per unit of the service; for two-component hot water, the cold-water (heat-carrier) component T_хв, ₽/m³.</summary>
    [Display(Name = "За единицу услуги")] Unit = 0,

    /// <summary>The heat-energy component T_тэ of a two-component hot-water tariff, ₽/Гкал (ПП 354 прил. 2 ф. 23).</summary>
    [Display(Name = "Компонент на тепловую энергию")] HeatEnergy = 1,
}

/// <summary>
/// Price of one unit of a service from a supplier (₽ per unit, up to 6 decimals) over <c>[ValidFrom, ValidTo)</c>.
/// A building-specific rate (e.g. maintenance approved by the owners' meeting) overrides the general one.
/// A two-component hot-water tariff is two rows of the same supplier, service and scope: the cold-water component
/// (<see cref="TariffPart.Unit"/>, ₽/m³) and the heat-energy component (<see cref="TariffPart.HeatEnergy"/>, ₽/Гкал);
/// the norm q it needs is a <see cref="ConsumptionNorm"/> of category <see cref="ConsumptionNorm.HeatEnergyCategory"/>.
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

    /// <summary>
    /// Which part of the tariff the rate is. A heat-energy part belongs to a hot-water service only; the service is not
    /// known here (only its id), so the billing run's loader refuses it for any other service.
    /// </summary>
    [EnumDataType(typeof(TariffPart), ErrorMessage = "Неизвестная часть тарифа")]
    public TariffPart Part { get; set; } = TariffPart.Unit;

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "Тариф должен быть от 0 до 1 000 000 ₽")]
    public decimal Rate { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (decimal.Round(Rate, 6) != Rate) yield return new("Тариф указывается не более чем с 6 знаками после запятой", [nameof(Rate)]);
        // ПП 354 прил. 2 ф. 23 multiplies the whole volume by q × T_тэ: the heat-energy component has no time-of-day zones.
        if (Part == TariffPart.HeatEnergy && Zone != TariffZone.Single)
            yield return new("Компонент на тепловую энергию не делится по зонам суток: укажите зону «Одноставочный»", [nameof(Zone)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}

/// <summary>
/// A regional consumption norm (unit per person per month, or per m²) for a category of premises over
/// <c>[ValidFrom, ValidTo)</c>. The category is a code such as <c>mkd_bath</c> or <c>rooms=2;residents=3</c>.
/// </summary>
/// <remarks>
/// The norm q of heat energy for heating 1 m³ of water (Гкал/m³, ПП 354 прил. 2 ф. 23) is a regional norm of the hot-water
/// service like the others — dated, by municipality, audited, queued for recalculation — so it is kept here as a row of
/// category <see cref="HeatEnergyCategory"/>; the billing run's loader takes it out of the consumption norms.
/// </remarks>
public sealed class ConsumptionNorm : IRegistryObject, IEffectiveDated, IValidatableObject
{
    /// <summary>Category of the norm q of heat energy for heating water of a two-component hot-water tariff.</summary>
    public const string HeatEnergyCategory = "heat_energy";

    /// <summary>The only unit of <see cref="HeatEnergyCategory"/>.</summary>
    public const string HeatEnergyUnit = "Гкал/м³";

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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Category == HeatEnergyCategory && Unit != HeatEnergyUnit)
            yield return new($"Норматив тепловой энергии на подогрев воды указывается в {HeatEnergyUnit}", [nameof(Unit)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
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

/// <summary>
/// A limit (maximum) index of the growth of citizens' payment for communal services (ЖК ст. 157.1 [recalled], ПП № 400):
/// set by the governor for a municipality (or the whole region when <see cref="MunicipalityId"/> is empty) over
/// <c>[ValidFrom, ValidTo)</c>, with the allowed deviation and the base month whose volumes the comparison keeps
/// (reports.md §20, I10). The report of the index flags an account whose growth is above <see cref="Percent"/> +
/// <see cref="DeviationPercent"/>.
/// </summary>
public sealed class LimitIndex : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long? MunicipalityId { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Предельный индекс — от 0 до 100 %")]
    public decimal Percent { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Допустимое отклонение — от 0 до 100 %")]
    public decimal DeviationPercent { get; set; }

    /// <summary>The month whose volumes stay unchanged in the comparison (its first day), normally December of the year before.</summary>
    public DateOnly BaseMonth { get; set; }

    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseMonth.Day != 1) yield return new("Базовый месяц указывается первым числом месяца", [nameof(BaseMonth)]);
        if (BaseMonth >= ValidFrom) yield return new("Базовый месяц — раньше начала действия индекса", [nameof(BaseMonth)]);
        foreach (var r in this.ValidateRange()) yield return r;
    }
}
