using System.ComponentModel.DataAnnotations;
using OpenErc.Core.Common;

namespace OpenErc.Core.Organisations;

public enum OrganisationKind
{
    [Display(Name = "Расчётный центр")] BillingCentre = 1,
    [Display(Name = "Управляющая компания")] ManagementCompany = 2,
    [Display(Name = "ТСЖ")] HomeownersAssociation = 3,
    [Display(Name = "ЖСК")] HousingCooperative = 4,
    [Display(Name = "Ресурсоснабжающая организация")] ResourceSupplier = 5,
    [Display(Name = "Региональный оператор капремонта")] CapitalRepairRegionalOperator = 6,
    [Display(Name = "Региональный оператор по обращению с ТКО")] WasteRegionalOperator = 7,
    [Display(Name = "Банк")] Bank = 8,
    [Display(Name = "Платёжный агент")] PaymentAgent = 9,
}

/// <summary>
/// Any legal party the centre deals with: itself, managers, suppliers, regional operators, banks and agents.
/// Requisites are validated by their check digits; the bank block is optional but checked as a whole when given.
/// </summary>
public sealed class Organisation : IRegistryObject, IValidatableObject
{
    public long Id { get; set; }

    [EnumDataType(typeof(OrganisationKind), ErrorMessage = "Неизвестный вид организации")]
    public OrganisationKind Kind { get; set; }

    [Required(ErrorMessage = "Укажите наименование"), StringLength(300, ErrorMessage = "Наименование длиннее 300 символов")]
    public string Name { get; set; } = "";

    [StringLength(120, ErrorMessage = "Краткое наименование длиннее 120 символов")]
    public string? ShortName { get; set; }

    public string Inn { get; set; } = "";
    public string? Kpp { get; set; }
    public string? Ogrn { get; set; }

    [StringLength(500, ErrorMessage = "Адрес длиннее 500 символов")]
    public string? LegalAddress { get; set; }

    [StringLength(50, ErrorMessage = "Телефон длиннее 50 символов")]
    public string? Phone { get; set; }

    [EmailAddress(ErrorMessage = "Неверный адрес электронной почты")]
    public string? Email { get; set; }

    [StringLength(300, ErrorMessage = "Наименование банка длиннее 300 символов")]
    public string? BankName { get; set; }

    public string? Bik { get; set; }
    public string? SettlementAccount { get; set; }
    public string? CorrespondentAccount { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Requisites.CheckInn(Inn) is { } inn) yield return new(inn, [nameof(Inn)]);
        // A legal entity (10-digit ИНН) has a КПП and an ОГРН; an individual entrepreneur has neither КПП.
        if (Inn.Length == 10 && Requisites.CheckKpp(Kpp) is { } kpp) yield return new(kpp, [nameof(Kpp)]);
        if (Inn.Length == 12 && !string.IsNullOrEmpty(Kpp)) yield return new("У индивидуального предпринимателя нет КПП", [nameof(Kpp)]);
        if (!string.IsNullOrEmpty(Ogrn) || Inn.Length == 10)
            if (Requisites.CheckOgrn(Ogrn) is { } ogrn) yield return new(ogrn, [nameof(Ogrn)]);

        bool anyBank = !string.IsNullOrEmpty(Bik) || !string.IsNullOrEmpty(SettlementAccount) || !string.IsNullOrEmpty(CorrespondentAccount);
        if (!anyBank) yield break;
        if (Requisites.CheckBik(Bik) is { } bik) { yield return new(bik, [nameof(Bik)]); yield break; }
        if (Requisites.CheckSettlementAccount(SettlementAccount, Bik) is { } acc) yield return new(acc, [nameof(SettlementAccount)]);
        if (Requisites.CheckCorrespondentAccount(CorrespondentAccount, Bik) is { } corr) yield return new(corr, [nameof(CorrespondentAccount)]);
    }

    public override string ToString() => ShortName ?? Name;
}

/// <summary>Credentials of a bank or payment agent for the online payment protocols.</summary>
public sealed class PaymentAgentAccess : IRegistryObject
{
    public long Id { get; set; }
    public long OrganisationId { get; set; }

    [Required(ErrorMessage = "Укажите логин")]
    public string Login { get; set; } = "";

    /// <summary>PBKDF2-SHA256 hash "pbkdf2$iterations$salt$hash" (Base64 parts); never the password itself.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Comma-separated addresses or CIDR networks the agent may call from.</summary>
    public string AllowedAddresses { get; set; } = "127.0.0.1,::1";
}
