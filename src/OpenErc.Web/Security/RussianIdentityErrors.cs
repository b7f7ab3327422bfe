using Microsoft.AspNetCore.Identity;

namespace OpenErc.Web.Security;

/// <summary>Identity's messages in Russian: they reach the person on the registration and password forms.</summary>
public sealed class RussianIdentityErrors : IdentityErrorDescriber
{
    private static IdentityError E(string code, string text) => new() { Code = code, Description = text };

    public override IdentityError DefaultError() => E(nameof(DefaultError), "Не удалось выполнить операцию");
    public override IdentityError ConcurrencyFailure() => E(nameof(ConcurrencyFailure), "Данные пользователя изменились: повторите операцию");
    public override IdentityError PasswordMismatch() => E(nameof(PasswordMismatch), "Неверный пароль");
    public override IdentityError InvalidToken() => E(nameof(InvalidToken), "Ссылка недействительна или устарела: запросите восстановление пароля ещё раз");
    public override IdentityError LoginAlreadyAssociated() => E(nameof(LoginAlreadyAssociated), "Этот вход уже связан с другим пользователем");
    public override IdentityError InvalidUserName(string? userName) => E(nameof(InvalidUserName), $"Недопустимый логин «{userName}»: используйте латинские буквы, цифры и знаки - . _ @ +");
    public override IdentityError InvalidEmail(string? email) => E(nameof(InvalidEmail), $"Неверный адрес электронной почты «{email}»");
    public override IdentityError DuplicateUserName(string userName) => E(nameof(DuplicateUserName), $"Логин «{userName}» уже занят");
    public override IdentityError DuplicateEmail(string email) => E(nameof(DuplicateEmail), $"Адрес «{email}» уже используется");
    public override IdentityError InvalidRoleName(string? role) => E(nameof(InvalidRoleName), $"Недопустимая роль «{role}»");
    public override IdentityError DuplicateRoleName(string role) => E(nameof(DuplicateRoleName), $"Роль «{role}» уже есть");
    public override IdentityError UserAlreadyHasPassword() => E(nameof(UserAlreadyHasPassword), "Пароль уже задан");
    public override IdentityError UserLockoutNotEnabled() => E(nameof(UserLockoutNotEnabled), "Блокировка для пользователя не включена");
    public override IdentityError UserAlreadyInRole(string role) => E(nameof(UserAlreadyInRole), $"У пользователя уже есть роль «{Roles.NameOf(role)}»");
    public override IdentityError UserNotInRole(string role) => E(nameof(UserNotInRole), $"У пользователя нет роли «{Roles.NameOf(role)}»");
    public override IdentityError PasswordTooShort(int length) => E(nameof(PasswordTooShort), $"Пароль должен быть не короче {length} символов");
    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) => E(nameof(PasswordRequiresUniqueChars), $"В пароле должно быть не меньше {uniqueChars} разных символов");
    public override IdentityError PasswordRequiresNonAlphanumeric() => E(nameof(PasswordRequiresNonAlphanumeric), "В пароле должен быть хотя бы один знак, не буква и не цифра");
    public override IdentityError PasswordRequiresDigit() => E(nameof(PasswordRequiresDigit), "В пароле должна быть хотя бы одна цифра");
    public override IdentityError PasswordRequiresLower() => E(nameof(PasswordRequiresLower), "В пароле должна быть хотя бы одна строчная буква");
    public override IdentityError PasswordRequiresUpper() => E(nameof(PasswordRequiresUpper), "В пароле должна быть хотя бы одна заглавная буква");
    public override IdentityError RecoveryCodeRedemptionFailed() => E(nameof(RecoveryCodeRedemptionFailed), "Код восстановления не подошёл");
}
