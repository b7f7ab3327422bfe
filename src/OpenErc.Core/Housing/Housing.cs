using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Housing;

public sealed class Municipality : IRegistryObject
{
    public long Id { get; set; }

    [Required(ErrorMessage = "Укажите наименование"), StringLength(200, ErrorMessage = "Наименование длиннее 200 символов")]
    public string Name { get; set; } = "";

    [RegularExpression(@"^\d{8}(\d{3})?$", ErrorMessage = "Код ОКТМО состоит из 8 или 11 цифр")]
    public string? Oktmo { get; set; }
}

public enum AccessGroupKind
{
    [Display(Name = "Муниципальное образование")] Municipality = 1,
    [Display(Name = "Управляющая организация")] ManagementCompany = 2,
    [Display(Name = "Поставщик услуг")] Supplier = 3,
}

/// <summary>
/// A scope of visibility: everything of one municipality, of one management company or of one supplier.
/// Users are placed in groups; enforcement comes with sign-in.
/// </summary>
public sealed class AccessGroup : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }

    [EnumDataType(typeof(AccessGroupKind), ErrorMessage = "Неизвестный вид группы")]
    public AccessGroupKind Kind { get; set; }

    [Required(ErrorMessage = "Укажите наименование")]
    public string Name { get; set; } = "";

    public long? MunicipalityId { get; set; }
    public long? OrganisationId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Kind == AccessGroupKind.Municipality && MunicipalityId is null)
            yield return new("Для группы муниципального образования укажите муниципальное образование", [nameof(MunicipalityId)]);
        if (Kind != AccessGroupKind.Municipality && OrganisationId is null)
            yield return new("Для группы организации укажите организацию", [nameof(OrganisationId)]);
    }
}

public enum BuildingKind
{
    [Display(Name = "Многоквартирный дом")] ApartmentBuilding = 1,
    [Display(Name = "Жилой дом")] DetachedHouse = 2,
}

public enum HeatingPaymentMethod
{
    [Display(Name = "В отопительный период")] DuringHeatingSeason = 1,
    [Display(Name = "Равномерно в течение года")] EvenlyThroughYear = 2,
}

public enum CapitalRepairFundMethod
{
    [Display(Name = "Не участвует")] NotIncluded = 0,
    [Display(Name = "Счёт регионального оператора")] RegionalOperator = 1,
    [Display(Name = "Специальный счёт")] SpecialAccount = 2,
}

/// <summary>A building of the housing stock with its structured address and technical passport data. Areas in m².</summary>
public sealed class Building : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long MunicipalityId { get; set; }

    [EnumDataType(typeof(BuildingKind), ErrorMessage = "Неизвестный тип дома")]
    public BuildingKind Kind { get; set; } = BuildingKind.ApartmentBuilding;

    [RegularExpression(@"^\d{6}$", ErrorMessage = "Почтовый индекс состоит из 6 цифр")]
    public string? PostalCode { get; set; }

    [Required(ErrorMessage = "Укажите регион")]
    public string Region { get; set; } = "";

    [Required(ErrorMessage = "Укажите населённый пункт")]
    public string Settlement { get; set; } = "";

    public string? Street { get; set; }

    [Required(ErrorMessage = "Укажите номер дома"), StringLength(20, ErrorMessage = "Номер дома длиннее 20 символов")]
    public string House { get; set; } = "";

    [StringLength(20, ErrorMessage = "Корпус длиннее 20 символов")]
    public string? Block { get; set; }

    /// <summary>Object id of the address in ФИАС / ГАР.</summary>
    public Guid? FiasGuid { get; set; }

    [RegularExpression(@"^\d{2}:\d{2}:\d{6,7}:\d+$", ErrorMessage = "Кадастровый номер имеет вид 00:00:0000000:0")]
    public string? CadastralNumber { get; set; }

    [Range(1700, 2100, ErrorMessage = "Год постройки должен быть от 1700 до 2100")]
    public int? YearBuilt { get; set; }

    [Range(1, 200, ErrorMessage = "Этажность должна быть от 1 до 200")]
    public int Floors { get; set; } = 1;

    [Range(1, 100, ErrorMessage = "Число подъездов должно быть от 1 до 100")]
    public int Entrances { get; set; } = 1;

    [Range(typeof(decimal), "0", "10000000", ErrorMessage = "Общая площадь должна быть от 0 до 10 000 000 м²")]
    public decimal TotalArea { get; set; }

    [Range(typeof(decimal), "0", "10000000", ErrorMessage = "Жилая площадь должна быть от 0 до 10 000 000 м²")]
    public decimal ResidentialArea { get; set; }

    [Range(typeof(decimal), "0", "10000000", ErrorMessage = "Нежилая площадь должна быть от 0 до 10 000 000 м²")]
    public decimal NonResidentialArea { get; set; }

    [Range(typeof(decimal), "0", "10000000", ErrorMessage = "Площадь общего имущества должна быть от 0 до 10 000 000 м²")]
    public decimal CommonPropertyArea { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Износ должен быть от 0 до 100 %")]
    public decimal WearPercent { get; set; }

    [EnumDataType(typeof(HeatingPaymentMethod), ErrorMessage = "Неизвестный способ оплаты отопления")]
    public HeatingPaymentMethod HeatingPaymentMethod { get; set; } = HeatingPaymentMethod.DuringHeatingSeason;

    /// <summary>Electricity from two independent mutually redundant sources: 2 h of interruption allowed a month instead of 24 h (ПП 354 прил. 1 п. 9).</summary>
    public bool TwoIndependentPowerSources { get; set; }

    [EnumDataType(typeof(CapitalRepairFundMethod), ErrorMessage = "Неизвестный способ формирования фонда капремонта")]
    public CapitalRepairFundMethod CapitalRepairFundMethod { get; set; } = CapitalRepairFundMethod.RegionalOperator;

    /// <summary>Address as people write it; stored (generated by the database) for search.</summary>
    public string Address { get; set; } = "";

    public static string FormatAddress(string settlement, string? street, string house, string? block) =>
        string.Join(", ", new[] { settlement, street, "д. " + house + (string.IsNullOrEmpty(block) ? "" : " корп. " + block) }
            .Where(p => !string.IsNullOrEmpty(p)));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MunicipalityId <= 0) yield return new("Укажите муниципальное образование", [nameof(MunicipalityId)]);
        if (ResidentialArea + NonResidentialArea > TotalArea)
            yield return new("Жилая и нежилая площадь вместе больше общей площади", [nameof(TotalArea)]);
    }
}

/// <summary>Which organisation manages a building over <c>[ValidFrom, ValidTo)</c>.</summary>
public sealed class BuildingManagement : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }
    public long OrganisationId { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => this.ValidateRange();
}

public enum PremiseKind
{
    [Display(Name = "Жилое")] Residential = 1,
    [Display(Name = "Нежилое")] NonResidential = 2,
}

/// <summary>A flat or a non-residential premise of a building. Areas in m².</summary>
public sealed class Premise : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }

    [Required(ErrorMessage = "Укажите номер помещения"), StringLength(20, ErrorMessage = "Номер помещения длиннее 20 символов")]
    public string Number { get; set; } = "";

    [EnumDataType(typeof(PremiseKind), ErrorMessage = "Неизвестный вид помещения")]
    public PremiseKind Kind { get; set; } = PremiseKind.Residential;

    [Range(1, 100, ErrorMessage = "Подъезд должен быть от 1 до 100")]
    public int? Entrance { get; set; }

    [Range(-5, 200, ErrorMessage = "Этаж должен быть от −5 до 200")]
    public int? Floor { get; set; }

    [Range(typeof(decimal), "0.01", "100000", ErrorMessage = "Общая площадь должна быть от 0,01 до 100 000 м²")]
    public decimal TotalArea { get; set; }

    [Range(typeof(decimal), "0", "100000", ErrorMessage = "Жилая площадь должна быть от 0 до 100 000 м²")]
    public decimal? LivingArea { get; set; }

    [Range(0, 50, ErrorMessage = "Число комнат должно быть от 0 до 50")]
    public int? Rooms { get; set; }

    public bool IsCommunalFlat { get; set; }

    [RegularExpression(@"^\d{2}:\d{2}:\d{6,7}:\d+$", ErrorMessage = "Кадастровый номер имеет вид 00:00:0000000:0")]
    public string? CadastralNumber { get; set; }

    /// <summary>
    /// State or municipal housing stock (ЖК ст. 19 ч. 2): its tenants pay наём, and some benefits discount housing there
    /// only (the disabled, 181-ФЗ ст. 17 ч. 13). Until <see cref="PrivatisedOn"/>, when set.
    /// </summary>
    public bool PublicStock { get; set; }

    /// <summary>The day the premise left public stock (privatisation, sale): private from that day on.</summary>
    public DateOnly? PrivatisedOn { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (LivingArea > TotalArea) yield return new("Жилая площадь больше общей", [nameof(LivingArea)]);
        if (PrivatisedOn is not null && !PublicStock)
            yield return new("Дата приватизации указывается для помещения государственного или муниципального фонда", [nameof(PrivatisedOn)]);
    }
}
