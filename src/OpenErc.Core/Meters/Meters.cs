using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Meters;

public enum MeterKind
{
    [Display(Name = "Индивидуальный")] Individual = 1,
    [Display(Name = "Комнатный (коммунальная квартира)")] CommunalFlat = 2,
    [Display(Name = "Общедомовой (ОДПУ)")] CommonHouse = 3,
    [Display(Name = "Групповой")] Group = 4,
}

/// <summary>
/// A meter (ИПУ, комнатный, ОДПУ or group), in service over <c>[InstalledOn, RemovedOn)</c>.
/// <see cref="Digits"/> is the number of whole digits of the register: a reading below the previous one
/// means the register rolled over at 10^Digits.
/// </summary>
public sealed class Meter : IRegistryObject, IEffectiveDated, IValidatableObject
{
    public long Id { get; set; }

    [EnumDataType(typeof(MeterKind), ErrorMessage = "Неизвестный вид прибора учёта")]
    public MeterKind Kind { get; set; } = MeterKind.Individual;

    [EnumDataType(typeof(Resource), ErrorMessage = "Неизвестный ресурс")]
    public Resource Resource { get; set; }

    public long BuildingId { get; set; }
    public long? PremiseId { get; set; }

    /// <summary>The room's account for a communal-flat meter.</summary>
    public long? AccountId { get; set; }

    [Required(ErrorMessage = "Укажите заводской номер"), StringLength(50, ErrorMessage = "Заводской номер длиннее 50 символов")]
    public string SerialNumber { get; set; } = "";

    [StringLength(100, ErrorMessage = "Модель длиннее 100 символов")]
    public string? Model { get; set; }

    [Range(1, 3, ErrorMessage = "Число тарифных зон должно быть от 1 до 3")]
    public int Zones { get; set; } = 1;

    [Range(3, 10, ErrorMessage = "Разрядность должна быть от 3 до 10")]
    public int Digits { get; set; } = 5;

    public DateOnly InstalledOn { get; set; }
    public DateOnly? SealedOn { get; set; }
    public DateOnly? VerifiedOn { get; set; }
    public DateOnly? NextVerificationOn { get; set; }
    public DateOnly? RemovedOn { get; set; }

    /// <summary>Day the meter was found failed, lost or with broken seals (ПП 354 п. 59 «а»): average, then the norm.</summary>
    public DateOnly? FailedOn { get; set; }

    /// <summary>Day of the act of the consumer's second refusal of access for a check (п. 59 «в», п. 85): treated like a failure.</summary>
    public DateOnly? AccessRefusedOn { get; set; }

    DateOnly IEffectiveDated.ValidFrom => InstalledOn;
    DateOnly? IEffectiveDated.ValidTo => RemovedOn;

    /// <summary>Whether the verification interval has run out on <paramref name="day"/> (the due day itself is already expired).</summary>
    public bool VerificationExpired(DateOnly day) => NextVerificationOn is { } due && day >= due;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BuildingId <= 0) yield return new("Укажите дом", [nameof(BuildingId)]);
        if (Resource == Resource.None) yield return new("Укажите ресурс", [nameof(Resource)]);
        if (Kind is MeterKind.Individual or MeterKind.CommunalFlat && PremiseId is null)
            yield return new("Для индивидуального прибора укажите помещение", [nameof(PremiseId)]);
        if (Kind is MeterKind.CommonHouse or MeterKind.Group && PremiseId is not null)
            yield return new(Kind == MeterKind.Group ? "Групповой прибор относится к дому; его помещения указываются списком" : "Общедомовой прибор не относится к помещению",
                [nameof(PremiseId)]);
        if (Zones > 1 && Resource != Resource.Electricity)
            yield return new("Многотарифным может быть только прибор учёта электроэнергии", [nameof(Zones)]);
        if (InstalledOn == default) yield return new("Укажите дату установки", [nameof(InstalledOn)]);
        if (RemovedOn is { } removed && removed <= InstalledOn) yield return new("Дата снятия должна быть позже даты установки", [nameof(RemovedOn)]);
        if (NextVerificationOn is { } next && VerifiedOn is { } done && next <= done)
            yield return new("Дата следующей поверки должна быть позже даты поверки", [nameof(NextVerificationOn)]);
        if (FailedOn is { } failed && failed < InstalledOn) yield return new("Дата выхода из строя раньше даты установки", [nameof(FailedOn)]);
        if (AccessRefusedOn is { } refused && refused < InstalledOn) yield return new("Дата акта о недопуске раньше даты установки", [nameof(AccessRefusedOn)]);
    }
}

/// <summary>
/// A premise a group meter covers (an entrance's flats, the rooms of a communal flat): the meter's volume is shared among
/// its premises only, by area, as a building meter's is among all premises, and the building's meter for the others
/// counts what the group meters did not.
/// </summary>
public sealed class GroupMeterPremise : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long MeterId { get; set; }
    public long PremiseId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MeterId <= 0) yield return new("Укажите групповой прибор учёта", [nameof(MeterId)]);
        if (PremiseId <= 0) yield return new("Укажите помещение", [nameof(PremiseId)]);
    }
}

public enum ReadingSource
{
    [Display(Name = "Оператор")] Operator = 1,
    [Display(Name = "Личный кабинет")] Cabinet = 2,
    [Display(Name = "Банк")] Bank = 3,
    [Display(Name = "Импорт")] Import = 4,
    [Display(Name = "Автоматически")] Automatic = 5,
    [Display(Name = "Телефон")] Phone = 6,
    [Display(Name = "Обход контролёра")] Inspection = 7,
}

/// <summary>A meter reading of one tariff zone (1..Zones) on a date, as entered.</summary>
public sealed class MeterReading : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }
    public long MeterId { get; set; }

    [Range(1, 3, ErrorMessage = "Зона должна быть от 1 до 3")]
    public int Zone { get; set; } = 1;

    public DateOnly ReadOn { get; set; }

    [Range(typeof(decimal), "0", "10000000000", ErrorMessage = "Показание должно быть неотрицательным")]
    public decimal Value { get; set; }

    [EnumDataType(typeof(ReadingSource), ErrorMessage = "Неизвестный источник показания")]
    public ReadingSource Source { get; set; } = ReadingSource.Operator;

    public string? EnteredBy { get; set; }
    public DateTimeOffset EnteredAt { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MeterId <= 0) yield return new("Укажите прибор учёта", [nameof(MeterId)]);
        if (ReadOn == default) yield return new("Укажите дату показания", [nameof(ReadOn)]);
        if (decimal.Round(Value, 4) != Value) yield return new("Показание указывается не более чем с 4 знаками после запятой", [nameof(Value)]);
    }
}
