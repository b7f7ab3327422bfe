using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Housing;

/// <summary>A building's structural element or engineering system, as ВСН 53-86(р) assesses its wear and ЖК ст. 166 lists its repairs.</summary>
public enum BuildingElement
{
    [Display(Name = "Фундамент")] Foundation = 1,
    [Display(Name = "Стены")] Walls = 2,
    [Display(Name = "Перегородки")] Partitions = 3,
    [Display(Name = "Перекрытия")] Floors = 4,
    [Display(Name = "Крыша")] Roof = 5,
    [Display(Name = "Кровля")] RoofCovering = 6,
    [Display(Name = "Полы")] Flooring = 7,
    [Display(Name = "Окна и двери")] WindowsAndDoors = 8,
    [Display(Name = "Лестницы")] Stairs = 9,
    [Display(Name = "Фасад")] Facade = 10,
    [Display(Name = "Подвальные помещения")] Basement = 11,
    [Display(Name = "Система холодного водоснабжения")] ColdWater = 12,
    [Display(Name = "Система горячего водоснабжения")] HotWater = 13,
    [Display(Name = "Система водоотведения")] Sewerage = 14,
    [Display(Name = "Система отопления")] Heating = 15,
    [Display(Name = "Система электроснабжения")] Electricity = 16,
    [Display(Name = "Система газоснабжения")] Gas = 17,
    [Display(Name = "Вентиляция")] Ventilation = 18,
    [Display(Name = "Лифтовое оборудование")] Lifts = 19,
    [Display(Name = "Прочие элементы")] Other = 20,
}

/// <summary>
/// An inspection of one element of a building (ВСН 53-86(р)): its share <see cref="Share"/> (<c>l_k</c>, % of the building's
/// replacement cost) and its physical wear <see cref="Wear"/> (<c>Ф_к</c>, %) found on <see cref="InspectedOn"/>. The
/// inspections of a building are its history of wear; the latest of each element on a day gives the building's wear
/// (<see cref="BuildingWear"/>).
/// </summary>
public sealed class ElementInspection : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }

    [EnumDataType(typeof(BuildingElement), ErrorMessage = "Неизвестный конструктивный элемент")]
    public BuildingElement Element { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Удельный вес элемента — от 0 до 100 %")]
    public decimal Share { get; set; }

    [Range(typeof(decimal), "0", "100", ErrorMessage = "Износ элемента — от 0 до 100 %")]
    public decimal Wear { get; set; }

    public DateOnly InspectedOn { get; set; }

    [StringLength(300, ErrorMessage = "Основание длиннее 300 символов")]
    public string? Basis { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (InspectedOn == default) yield return new("Укажите дату обследования", [nameof(InspectedOn)]);
    }
}

/// <summary>
/// A building's physical wear on a day from its elements' latest inspections: <c>Ф_з = Σ Ф_к × l_k / 100</c>, rounded to
/// whole per cent (reports.md §17 [uncertain]: the rounding is ВСН's as we read it). Null without inspections.
/// </summary>
public static class BuildingWear
{
    public static decimal? Of(IEnumerable<ElementInspection> inspections, DateOnly day)
    {
        var latest = inspections.Where(i => i.InspectedOn <= day).GroupBy(i => i.Element)
            .Select(g => g.OrderByDescending(i => i.InspectedOn).ThenByDescending(i => i.Id).First()).ToList();
        return latest.Count == 0 ? null : Math.Round(latest.Sum(i => i.Wear * i.Share / 100m), 0, MidpointRounding.AwayFromZero);
    }
}

public enum CapitalRepairStatus
{
    [Display(Name = "Не начаты")] Planned = 1,
    [Display(Name = "Выполняются")] InProgress = 2,
    [Display(Name = "Приняты")] Accepted = 3,
    [Display(Name = "Перенесены")] Postponed = 4,
}

public enum CapitalRepairSource
{
    [Display(Name = "Фонд капитального ремонта")] Fund = 1,
    [Display(Name = "Государственная поддержка")] State = 2,
    [Display(Name = "Муниципальная поддержка")] Municipal = 3,
}

/// <summary>
/// A work of the regional capital-repair programme on a building (ЖК ст. 166–168): the element, the work, the plan year
/// and the estimated cost with its source; and its execution — the contractor and contract, the dates, the cost accepted
/// by the acts (КС-2/КС-3) and what the contractor was paid.
/// </summary>
public sealed class CapitalRepairWork : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long BuildingId { get; set; }

    [EnumDataType(typeof(BuildingElement), ErrorMessage = "Неизвестный конструктивный элемент")]
    public BuildingElement Element { get; set; }

    [Required(ErrorMessage = "Укажите вид работ"), StringLength(300, ErrorMessage = "Вид работ длиннее 300 символов")]
    public string Work { get; set; } = "";

    [Range(2014, 2099, ErrorMessage = "Год по программе — с 2014 по 2099")]
    public int PlanYear { get; set; }

    [Range(typeof(decimal), "0", "100000000000", ErrorMessage = "Сметная стоимость — от 0 до 100 млрд ₽")]
    public decimal PlannedCost { get; set; }

    [EnumDataType(typeof(CapitalRepairSource), ErrorMessage = "Неизвестный источник финансирования")]
    public CapitalRepairSource Source { get; set; } = CapitalRepairSource.Fund;

    [EnumDataType(typeof(CapitalRepairStatus), ErrorMessage = "Неизвестное состояние работ")]
    public CapitalRepairStatus Status { get; set; } = CapitalRepairStatus.Planned;

    [StringLength(300, ErrorMessage = "Подрядчик длиннее 300 символов")]
    public string? Contractor { get; set; }

    [StringLength(100, ErrorMessage = "Номер договора длиннее 100 символов")]
    public string? ContractNumber { get; set; }

    [Range(typeof(decimal), "0", "100000000000", ErrorMessage = "Цена договора — от 0 до 100 млрд ₽")]
    public decimal? ContractPrice { get; set; }

    public DateOnly? StartedOn { get; set; }

    /// <summary>The date of the acceptance act (КС-2/КС-3).</summary>
    public DateOnly? AcceptedOn { get; set; }

    [Range(typeof(decimal), "0", "100000000000", ErrorMessage = "Принятая стоимость — от 0 до 100 млрд ₽")]
    public decimal? AcceptedCost { get; set; }

    [Range(typeof(decimal), "0", "100000000000", ErrorMessage = "Оплата подрядчику — от 0 до 100 млрд ₽")]
    public decimal? PaidToContractor { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (Status == CapitalRepairStatus.Accepted && AcceptedOn is null)
            yield return new("Принятые работы — с датой акта приёмки (КС-2, КС-3)", [nameof(AcceptedOn)]);
        if (AcceptedCost is not null && AcceptedOn is null)
            yield return new("Принятая стоимость — с датой акта приёмки", [nameof(AcceptedOn)]);
        if (AcceptedCost is { } accepted && ContractPrice is { } price && accepted > price)
            yield return new("Принято больше цены договора: сначала внесите дополнительное соглашение", [nameof(AcceptedCost)]);
        if (AcceptedOn is { } on && StartedOn is { } start && on < start)
            yield return new("Дата приёмки раньше начала работ", [nameof(AcceptedOn)]);
        if (ContractPrice is not null && string.IsNullOrWhiteSpace(ContractNumber))
            yield return new("Укажите номер договора", [nameof(ContractNumber)]);
    }
}
