using System.Globalization;
using System.Reflection;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;

namespace OpenErc.Web.Components.Shared;

/// <summary>
/// Russian names of registry objects and their fields, shared by forms, cards and the change history,
/// so that a field reads the same everywhere. A type-specific name ("Premise.Number") wins over the common one.
/// </summary>
public static class FieldLabels
{
    private static readonly Dictionary<string, string> Common = new()
    {
        ["Id"] = "Идентификатор",
        ["ValidFrom"] = "Действует с",
        ["ValidTo"] = "Действует до",
        ["Name"] = "Наименование",
        ["ShortName"] = "Краткое наименование",
        ["Kind"] = "Вид",
        ["Inn"] = "ИНН",
        ["Kpp"] = "КПП",
        ["Ogrn"] = "ОГРН",
        ["LegalAddress"] = "Юридический адрес",
        ["Phone"] = "Телефон",
        ["Email"] = "Электронная почта",
        ["BankName"] = "Банк",
        ["Bik"] = "БИК",
        ["SettlementAccount"] = "Расчётный счёт",
        ["CorrespondentAccount"] = "Корреспондентский счёт",
        ["Oktmo"] = "ОКТМО",
        ["MunicipalityId"] = "Муниципальное образование",
        ["PostalCode"] = "Почтовый индекс",
        ["Region"] = "Регион",
        ["Settlement"] = "Населённый пункт",
        ["Street"] = "Улица",
        ["House"] = "Номер дома",
        ["Block"] = "Корпус",
        ["FiasGuid"] = "Код ФИАС (ГАР)",
        ["CadastralNumber"] = "Кадастровый номер",
        ["YearBuilt"] = "Год постройки",
        ["Floors"] = "Этажность",
        ["Entrances"] = "Число подъездов",
        ["TotalArea"] = "Общая площадь, м²",
        ["ResidentialArea"] = "Жилая площадь, м²",
        ["NonResidentialArea"] = "Нежилая площадь, м²",
        ["CommonPropertyArea"] = "Площадь общего имущества, м²",
        ["WearPercent"] = "Износ, %",
        ["HeatingPaymentMethod"] = "Оплата отопления",
        ["CapitalRepairFundMethod"] = "Фонд капитального ремонта",
        ["Address"] = "Адрес",
        ["BuildingId"] = "Дом",
        ["OrganisationId"] = "Организация",
        ["Number"] = "Номер",
        ["Entrance"] = "Подъезд",
        ["Floor"] = "Этаж",
        ["LivingArea"] = "Жилая площадь, м²",
        ["Rooms"] = "Число комнат",
        ["IsCommunalFlat"] = "Коммунальная квартира",
        ["PremiseId"] = "Помещение",
        ["Share"] = "Доля",
        ["PayerPersonId"] = "Плательщик",
        ["OpenedOn"] = "Дата открытия",
        ["ClosedOn"] = "Дата закрытия",
        ["Status"] = "Состояние",
        ["AccountId"] = "Лицевой счёт",
        ["PersonId"] = "Гражданин",
        ["Document"] = "Документ",
        ["Count"] = "Число проживающих",
        ["Basis"] = "Основание",
        ["LastName"] = "Фамилия",
        ["FirstName"] = "Имя",
        ["MiddleName"] = "Отчество",
        ["BirthDate"] = "Дата рождения",
        ["Snils"] = "СНИЛС",
        ["FullName"] = "ФИО",
        ["Code"] = "Код",
        ["Resource"] = "Ресурс",
        ["Unit"] = "Единица измерения",
        ["MaxZones"] = "Число тарифных зон",
        ["SortOrder"] = "Порядок в квитанции",
        ["ServiceId"] = "Услуга",
        ["Method"] = "Способ расчёта",
        ["SupplierId"] = "Поставщик",
        ["ContractNumber"] = "Номер договора",
        ["Zone"] = "Зона суток",
        ["Part"] = "Часть тарифа",
        ["Rate"] = "Тариф, ₽ за единицу",
        ["Category"] = "Категория",
        ["Description"] = "Описание",
        ["Value"] = "Значение",
        ["RatePercent"] = "Ставка, % годовых",
        ["SerialNumber"] = "Заводской номер",
        ["Model"] = "Модель",
        ["Zones"] = "Число тарифных зон",
        ["Digits"] = "Разрядность",
        ["InstalledOn"] = "Дата установки",
        ["SealedOn"] = "Дата опломбирования",
        ["VerifiedOn"] = "Дата поверки",
        ["NextVerificationOn"] = "Дата следующей поверки",
        ["RemovedOn"] = "Дата снятия",
        ["MeterId"] = "Прибор учёта",
        ["ReadOn"] = "Дата показания",
        ["Source"] = "Источник",
        ["EnteredBy"] = "Кем внесено",
        ["EnteredAt"] = "Когда внесено",
        ["Login"] = "Логин",
        ["AllowedAddresses"] = "Разрешённые адреса",
        ["FailedOn"] = "Дата выхода из строя",
        ["AccessRefusedOn"] = "Дата акта о недопуске к проверке",
        ["TwoIndependentPowerSources"] = "Два независимых источника электроснабжения",
        ["StartedAt"] = "Начало",
        ["EndedAt"] = "Окончание",
        ["DeviationDegrees"] = "Отклонение температуры, °C",
        ["DeviationPercent"] = "Отклонение давления, %",
        ["Temperature"] = "Температура, °C",
        ["Volume"] = "Объём",
        ["Sex"] = "Пол",
        ["BirthPlace"] = "Место рождения",
        ["Citizenship"] = "Гражданство",
        ["DeathDate"] = "Дата смерти",
        ["Relation"] = "Отношение к собственнику (нанимателю)",
        ["AppliedOn"] = "Дата заявления",
        ["ArrivedFrom"] = "Прибыл из (адрес)",
        ["DepartedTo"] = "Выбыл в (адрес)",
        ["EndReason"] = "Причина снятия с учёта",
        ["Series"] = "Серия",
        ["IssuedBy"] = "Кем выдан",
        ["IssuedOn"] = "Дата выдачи",
        ["DivisionCode"] = "Код подразделения",
        ["ExpiresOn"] = "Действителен до",
        ["ReplacedOn"] = "Заменён (дата)",
    };

    private static readonly Dictionary<string, string> Specific = new()
    {
        ["LimitIndex.MunicipalityId"] = "Муниципальное образование (пусто — весь регион)",
        ["LimitIndex.Percent"] = "Предельный индекс, %",
        ["LimitIndex.DeviationPercent"] = "Допустимое отклонение, %",
        ["LimitIndex.BaseMonth"] = "Базовый месяц",
        ["DebtClaim.SupplierId"] = "Взыскатель (поставщик; пусто — по всем услугам)",
        ["DebtClaim.Stage"] = "Стадия",
        ["DebtClaim.CaseNumber"] = "Номер дела",
        ["DebtClaim.Court"] = "Суд",
        ["DebtClaim.DebtFrom"] = "Долг с месяца",
        ["DebtClaim.DebtTo"] = "Долг по месяц",
        ["DebtClaim.Amount"] = "Сумма долга, ₽",
        ["DebtClaim.FiledOn"] = "Заявление подано",
        ["DebtClaim.InForceOn"] = "Судебный акт вступил в силу",
        ["DebtClaim.AgreementOn"] = "Соглашение о погашении от",
        ["PersonalAccount.Number"] = "Номер лицевого счёта",
        ["PersonalAccount.Share"] = "Доля помещения",
        ["Ownership.Share"] = "Доля в праве",
        ["Premise.Number"] = "Номер помещения",
        ["Premise.Kind"] = "Вид помещения",
        ["Building.Kind"] = "Тип дома",
        ["Organisation.Kind"] = "Вид организации",
        ["Registration.Kind"] = "Вид регистрации",
        ["Registration.ValidFrom"] = "Дата регистрации",
        ["Registration.ValidTo"] = "Снят с учёта (срок пребывания) до",
        ["IdentityDocument.Kind"] = "Вид документа",
        ["IdentityDocument.Number"] = "Номер документа",
        ["Meter.Kind"] = "Вид прибора учёта",
        ["Service.Kind"] = "Вид услуги",
        ["Service.Name"] = "Наименование услуги",
        ["MeterReading.Zone"] = "Зона",
        ["MeterReading.Value"] = "Показание",
        ["ConsumptionNorm.Value"] = "Норматив",
        ["AccessGroup.Kind"] = "Вид группы",
        ["Incident.Kind"] = "Вид нарушения",
        ["Incident.Document"] = "Основание (акт или запись журнала)",
        ["MeterImpossibilityAct.Document"] = "Номер и дата акта",
        ["HeatingAverageVolume.Volume"] = "Среднемесячный объём, Гкал",
        ["ElementInspection.Element"] = "Конструктивный элемент",
        ["ElementInspection.Share"] = "Удельный вес в восстановительной стоимости, %",
        ["ElementInspection.Wear"] = "Физический износ, %",
        ["ElementInspection.InspectedOn"] = "Дата обследования",
        ["CapitalRepairWork.Element"] = "Конструктивный элемент",
        ["CapitalRepairWork.Work"] = "Вид работ",
        ["CapitalRepairWork.PlanYear"] = "Год по программе",
        ["CapitalRepairWork.PlannedCost"] = "Сметная стоимость, ₽",
        ["CapitalRepairWork.Source"] = "Источник финансирования",
        ["CapitalRepairWork.Status"] = "Состояние работ",
        ["CapitalRepairWork.Contractor"] = "Подрядчик",
        ["CapitalRepairWork.ContractNumber"] = "Номер договора",
        ["CapitalRepairWork.ContractPrice"] = "Цена договора, ₽",
        ["CapitalRepairWork.StartedOn"] = "Начало работ",
        ["CapitalRepairWork.AcceptedOn"] = "Дата акта приёмки",
        ["CapitalRepairWork.AcceptedCost"] = "Принято по актам, ₽",
        ["CapitalRepairWork.PaidToContractor"] = "Оплачено подрядчику, ₽",
    };

    private static readonly Dictionary<string, string> Objects = new()
    {
        ["Organisation"] = "Организация",
        ["Municipality"] = "Муниципальное образование",
        ["AccessGroup"] = "Группа доступа",
        ["Building"] = "Дом",
        ["BuildingManagement"] = "Управление домом",
        ["Premise"] = "Помещение",
        ["PersonalAccount"] = "Лицевой счёт",
        ["Person"] = "Гражданин",
        ["Ownership"] = "Собственник",
        ["Registration"] = "Регистрация",
        ["IdentityDocument"] = "Документ, удостоверяющий личность",
        ["GroupMeterPremise"] = "Помещение группового прибора учёта",
        ["ResidentCount"] = "Число проживающих",
        ["TemporaryAbsence"] = "Временное отсутствие",
        ["DebtClaim"] = "Взыскание задолженности",
        ["AccountAlias"] = "Другой номер лицевого счёта",
        ["Service"] = "Услуга",
        ["BuildingServiceMethod"] = "Способ расчёта услуги",
        ["ServiceContract"] = "Поставщик услуги",
        ["Tariff"] = "Тариф",
        ["ConsumptionNorm"] = "Норматив потребления",
        ["KeyRate"] = "Ключевая ставка",
        ["LimitIndex"] = "Предельный индекс изменения платы",
        ["Meter"] = "Прибор учёта",
        ["MeterReading"] = "Показание",
        ["PaymentAgentAccess"] = "Доступ платёжного агента",
        ["Incident"] = "Перерыв или нарушение качества",
        ["MeterImpossibilityAct"] = "Акт о невозможности установки ПУ",
        ["HeatingAverageVolume"] = "Среднемесячный объём отопления",
        ["ElementInspection"] = "Обследование конструктивного элемента",
        ["CapitalRepairWork"] = "Работа программы капитального ремонта",
    };

    /// <summary>Registry types of the core model by their CLR name, as the audit history names them.</summary>
    private static readonly Dictionary<string, Type> Types = typeof(PersonalAccount).Assembly.GetTypes()
        .Where(t => typeof(IRegistryObject).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
        .ToDictionary(t => t.Name);

    public static string Of(string entityType, string field) =>
        Specific.GetValueOrDefault(entityType + "." + field) ?? Common.GetValueOrDefault(field) ?? field;

    public static string Of<T>(string field) => Of(typeof(T).Name, field);

    public static string Object(string entityType) => Objects.GetValueOrDefault(entityType) ?? entityType;

    public static PropertyInfo? Property(string entityType, string field) =>
        Types.TryGetValue(entityType, out var type) ? type.GetProperty(field) : null;

    /// <summary>
    /// A value of the audit history (written as invariant text) shown in Russian: dates dd.MM.yyyy,
    /// decimals with a comma, enum members by title, flags as Да/Нет.
    /// </summary>
    public static string AuditValue(string entityType, string field, string? text)
    {
        if (text is null) return Fmt.Empty;
        var type = Property(entityType, field)?.PropertyType;
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var inv = CultureInfo.InvariantCulture;
        return type switch
        {
            { IsEnum: true } when Enum.TryParse(type, text, out var e) && e is Enum member => member.Title(),
            not null when type == typeof(DateOnly) && DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var d) => Fmt.Date(d),
            not null when type == typeof(DateTimeOffset) && DateTimeOffset.TryParse(text, inv, DateTimeStyles.None, out var t) => Fmt.Moment(t),
            not null when type == typeof(DateTime) && DateTime.TryParseExact(text, "yyyy-MM-ddTHH:mm:ss", inv, DateTimeStyles.None, out var local) => Fmt.Value(local),
            not null when type == typeof(decimal) && decimal.TryParse(text, NumberStyles.Number, inv, out var m) => Fmt.Number(m),
            not null when type == typeof(bool) && bool.TryParse(text, out var b) => b ? "Да" : "Нет",
            _ => text,
        };
    }
}
