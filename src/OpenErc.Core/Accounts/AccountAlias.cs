using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using OpenErc.Core.Common;

namespace OpenErc.Core.Accounts;

/// <summary>Where an account's other number comes from.</summary>
public enum AliasKind
{
    /// <summary>The number of an earlier billing system, which citizens' autopayments and bank templates still carry.</summary>
    [Display(Name = "Номер прежней системы")] Legacy = 1,

    /// <summary>ЕЛС, the unified account number ГИС ЖКХ assigns (exchange.md §6.2).</summary>
    [Display(Name = "ЕЛС ГИС ЖКХ")] Unified = 2,

    /// <summary>ИЖКУ, the ГИС ЖКХ identifier of the account's services (ЕЛС-NN).</summary>
    [Display(Name = "ИЖКУ ГИС ЖКХ")] ServiceId = 3,
}

/// <summary>
/// Another number of an account that payments, registries, the cabinet's registration and search accept for it: an
/// earlier system's number, the ЕЛС and ИЖКУ of ГИС ЖКХ. A number belongs to one account only, and never equals an
/// account's own number; a new account still gets the centre's own number.
/// </summary>
public sealed partial class AccountAlias : IRegistryObject, IValidatableObject
{
    public const int MaxLength = 30;

    public long Id { get; set; }
    public long AccountId { get; set; }

    [EnumDataType(typeof(AliasKind), ErrorMessage = "Неизвестный вид номера")]
    public AliasKind Kind { get; set; } = AliasKind.Legacy;

    /// <summary>Kept as <see cref="Normalize"/> makes it.</summary>
    public string Number { get => _number; set => _number = Normalize(value); }

    private string _number = "";

    /// <summary>The system it came from («Квадо», «ГИС ЖКХ»).</summary>
    [StringLength(100, ErrorMessage = "Название системы длиннее 100 символов")]
    public string? Source { get; set; }

    /// <summary>A number as typed and printed: trimmed, upper case (ЕЛС letters are Cyrillic capitals).</summary>
    public static string Normalize(string? number) => (number ?? "").Trim().ToUpperInvariant();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccountId <= 0) yield return new("Укажите лицевой счёт", [nameof(AccountId)]);
        string n = Number;
        if (n.Length == 0) yield return new("Укажите номер", [nameof(Number)]);
        else if (n.Length > MaxLength) yield return new($"Номер длиннее {MaxLength} символов", [nameof(Number)]);
        else if (n.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) yield return new("В номере не должно быть пробелов", [nameof(Number)]);
        else if (Kind == AliasKind.Unified && !Unified().IsMatch(n))
            yield return new($"ЕЛС «{n}» не по образцу: 2 цифры, 2 заглавные русские буквы, 6 цифр (75ДА533315)", [nameof(Number)]);
        else if (Kind == AliasKind.ServiceId && !ServiceIdPattern().IsMatch(n))
            yield return new($"ИЖКУ «{n}» не по образцу: ЕЛС, дефис и 2 цифры (75ДА533315-01)", [nameof(Number)]);
    }

    [GeneratedRegex(@"^\d{2}[А-ЯЁ]{2}\d{6}$")]
    private static partial Regex Unified();

    [GeneratedRegex(@"^\d{2}[А-ЯЁ]{2}\d{6}-\d{2}$")]
    private static partial Regex ServiceIdPattern();
}
