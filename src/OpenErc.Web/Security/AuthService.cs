using OpenErc.Core.Common;
using System.Net.Mail;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Operations.Registry;
using OpenErc.Operations.Mail;
using OpenErc.Operations.Receipts;
using OpenErc.Storage;
using OpenErc.Web.Components.Shared;

namespace OpenErc.Web.Security;

/// <param name="AccountNumber">The 10-digit account number from the receipt.</param>
/// <param name="Code">The registration code printed on the receipt, «7KQ2M-XH4PA».</param>
/// <param name="Login">E-mail or phone number: the citizen signs in with it.</param>
/// <param name="Surname">The payer's surname as on the receipt: a second thing the holder of the code must know.</param>
public sealed record CitizenRegistration(string? AccountNumber, string? Code, string? Login, string? Password, string? ConfirmPassword, string? FullName = null,
    string? Surname = null);

/// <summary>The outcome of a sign-in: the user, or the message to show.</summary>
public sealed record SignInOutcome(User? User, string? Error, bool LockedOut = false);

/// <summary>The seam to deliver a password-reset link: mail by default; an SMS gateway plugs in here for phone logins.</summary>
public interface IPasswordResetSender
{
    Task SendAsync(User user, string link, CancellationToken ct);
}

/// <summary>
/// Sends the reset link by e-mail through the centre's mail sender; a user with only a phone gets nothing until an SMS gateway
/// is plugged in. A letter the server refuses is logged, not shown: the answer must not tell that the login exists.
/// </summary>
public sealed class MailPasswordResetSender(IMailSender mail, MailSettings settings, RegionClock clock, ILogger<MailPasswordResetSender> log)
    : IPasswordResetSender
{
    public async Task SendAsync(User user, string link, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(user.Email))
        {
            log.LogWarning("No e-mail for user {User}: the password-reset link was not sent (no SMS gateway configured)", user.UserName);
            return;
        }
        using var message = Letters.Compose(settings.From, user.Email, "Восстановление пароля — личный кабинет ЕРЦ",
            $"Здравствуйте!\n\nЧтобы задать новый пароль, откройте ссылку (она действует один раз):\n{link}\n\nЕсли вы не запрашивали смену пароля, ничего не делайте.",
            clock.Now);
        try
        {
            await mail.SendAsync(message, ct);
        }
        catch (Exception e) when (Letters.IsRefusal(e))
        {
            log.LogError(e, "The password-reset letter to user {User} was not sent", user.UserName);
        }
    }
}

/// <summary>
/// Sign-in, citizen registration, linking accounts to a cabinet and password reset, each written to the
/// <see cref="AuthJournal"/>. Messages are for the person, in Russian; a refused request changes nothing.
/// </summary>
public sealed class AuthService(SignInManager<User> signIn, UserManager<User> users, UsersDbContext usersDb, AuthJournal journal, OpenErcDatabase db,
    RegionClock clock, IPasswordResetSender resetSender, TimeProvider framework, IMailSender mail, MailSettings mailSettings, ILogger<AuthService> log)
{
    private const string NoSurname = "Укажите фамилию плательщика, как в платёжном документе";

    /// <summary>Wrong registration codes allowed per account number within <see cref="CodeWindow"/>.</summary>
    public const int MaxCodeFailures = 5;

    public static readonly TimeSpan CodeWindow = TimeSpan.FromMinutes(15);

    public const string WrongCredentials = "Неверный логин или пароль";

    /// <summary>
    /// Signs in by login and password. An attempt is taken atomically before the password is checked, so a parallel burst
    /// of wrong passwords checks at most <c>MaxFailedAccessAttempts</c> of them and locks the login: the rest are answered
    /// «заблокирован» unchecked. An unknown login costs the same PBKDF2 work as a known one, so the answer's time does not
    /// tell which logins exist. Lockouts run on the framework's time, as Identity's own checks do.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string? login, string? password, bool remember, string? address)
    {
        var name = NormalizeLogin(login);
        if (name.Length == 0 || string.IsNullOrEmpty(password)) return new(null, "Укажите логин и пароль");
        var user = await users.FindByNameAsync(name);
        if (user is null)
        {
            users.PasswordHasher.VerifyHashedPassword(Nobody, NobodyHash(users.PasswordHasher), password);
            await journal.WriteAsync(AuthEvent.SignIn, name, false, details: "нет такого пользователя", address: address);
            return new(null, WrongCredentials);
        }
        var lockout = signIn.Options.Lockout;
        int? attempt = await TakeAttemptAsync(user.Id);
        if (attempt is null || attempt > lockout.MaxFailedAccessAttempts)
        {
            if (attempt is not null) await LockAsync(user.Id, lockout.DefaultLockoutTimeSpan);
            return await LockedOutAsync(user, name, address);
        }
        user.AccessFailedCount = attempt.Value;
        if (await users.CheckPasswordAsync(user, password))
        {
            if (!await signIn.CanSignInAsync(user))
            {
                await journal.WriteAsync(AuthEvent.SignIn, name, false, user.Id, "вход не разрешён", address);
                return new(null, "Вход для этой учётной записи не разрешён");
            }
            await usersDb.Database.ExecuteSqlAsync($"UPDATE users SET access_failed_count = 0 WHERE id = {user.Id}");
            user.AccessFailedCount = 0;
            await signIn.SignInAsync(user, remember);
            await journal.WriteAsync(AuthEvent.SignIn, name, true, user.Id, address: address);
            return new(user, null);
        }
        if (attempt == lockout.MaxFailedAccessAttempts)
        {
            await LockAsync(user.Id, lockout.DefaultLockoutTimeSpan);
            return await LockedOutAsync(user, name, address);
        }
        await journal.WriteAsync(AuthEvent.SignIn, name, false, user.Id, "неверный пароль", address);
        return new(null, WrongCredentials);
    }

    /// <summary>The attempt's number (failures so far + 1), taken in one statement; null while the login is locked out.</summary>
    private async Task<int?> TakeAttemptAsync(long userId)
    {
        var now = framework.GetUtcNow();
        var taken = await usersDb.Database.SqlQuery<int>($"""
            UPDATE users SET access_failed_count = access_failed_count + 1
            WHERE id = {userId} AND (NOT lockout_enabled OR lockout_end IS NULL OR lockout_end <= {now})
            RETURNING access_failed_count AS "Value"
            """).ToListAsync();
        return taken.Count == 0 ? null : taken[0];
    }

    private async Task LockAsync(long userId, TimeSpan span)
    {
        var until = framework.GetUtcNow() + span;
        await usersDb.Database.ExecuteSqlAsync($"""
            UPDATE users SET lockout_end = {until}, access_failed_count = 0
            WHERE id = {userId} AND (lockout_end IS NULL OR lockout_end < {until})
            """);
    }

    private async Task<SignInOutcome> LockedOutAsync(User user, string name, string? address)
    {
        var until = await usersDb.Database.SqlQuery<DateTimeOffset?>($"SELECT lockout_end AS \"Value\" FROM users WHERE id = {user.Id}").SingleAsync();
        await journal.WriteAsync(AuthEvent.LockedOut, name, false, user.Id, $"до {Fmt.Moment(until)}", address);
        return new(null, $"Вход заблокирован после {signIn.Options.Lockout.MaxFailedAccessAttempts} неудачных попыток до {Fmt.Moment(until)}. " +
                         "Повторите позже или обратитесь к администратору.", LockedOut: true);
    }

    /// <summary>Whose password an unknown login is checked against.</summary>
    private static readonly User Nobody = new() { UserName = "nobody" };
    private static string? _nobodyHash;

    private static string NobodyHash(IPasswordHasher<User> hasher) =>
        _nobodyHash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

    public async Task SignOutAsync(ClaimsPrincipal user, string? address)
    {
        // A machine client has no session to end (its key is revoked instead) and no users.id.
        if (user.Identity?.Name is { } name && !ApiKeys.IsServiceAccount(user))
            await journal.WriteAsync(AuthEvent.SignOut, name, true, AccessScope.UserId(user), address: address);
        await signIn.SignOutAsync();
    }

    /// <summary>Registers a citizen by the account number and code of their receipt and signs them in; returns the messages by field when refused.</summary>
    public async Task<Dictionary<string, string[]>> RegisterCitizenAsync(CitizenRegistration request, string? address)
    {
        var errors = new Dictionary<string, string[]>();
        var login = NormalizeLogin(request.Login);
        var loginError = CheckCitizenLogin(request.Login, login);
        if (loginError is not null) errors["login"] = [loginError];
        if (string.IsNullOrWhiteSpace(request.Surname)) errors["surname"] = [NoSurname];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Придумайте пароль"];
        else if (request.Password != request.ConfirmPassword) errors["confirmPassword"] = ["Пароли не совпадают"];
        if (errors.Count == 0 && await users.FindByNameAsync(login) is not null)
            errors["login"] = ["Пользователь с таким логином уже зарегистрирован: войдите и добавьте лицевой счёт в кабинете"];
        if (errors.Count > 0) return errors;

        var (accountId, codeError) = await CheckCodeAsync(request.AccountNumber, request.Code, login, address, request.Surname!);
        if (codeError is not null) return new() { ["code"] = [codeError] };

        var user = new User
        {
            UserName = login,
            Email = login.Contains('@') ? login : null,
            PhoneNumber = login.StartsWith('+') ? login : null,
            FullName = request.FullName?.Trim() ?? "",
            CreatedAt = clock.Now,
        };
        await using (var tx = await usersDb.Database.BeginTransactionAsync())
        {
            var created = await users.CreateAsync(user, request.Password!);
            if (!created.Succeeded) return new() { [created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : "login"] = Messages(created) };
            await users.AddToRoleAsync(user, Roles.Citizen);
            await usersDb.Database.ExecuteSqlAsync($"INSERT INTO cabinet_accounts (user_id, account_id, linked_at) VALUES ({user.Id}, {accountId!.Value}, {clock.Now})");
            await tx.CommitAsync();
        }
        await journal.WriteAsync(AuthEvent.Register, login, true, user.Id, request.AccountNumber?.Trim(), address);
        await TellEarlierUsersAsync(accountId.Value, request.AccountNumber!.Trim(), user.Id, login);
        await signIn.SignInAsync(user, isPersistent: false);
        return [];
    }

    /// <summary>
    /// Adds another account to a citizen's cabinet by its number, code and payer's surname, as at registration (the code
    /// alone is printed on every receipt); returns the message when refused.
    /// </summary>
    public async Task<string?> LinkAccountAsync(ClaimsPrincipal principal, string? number, string? code, string? surname, string? address)
    {
        long userId = AccessScope.UserId(principal);
        if (string.IsNullOrWhiteSpace(surname)) return NoSurname;
        var (accountId, error) = await CheckCodeAsync(number, code, principal.Identity!.Name!, address, surname);
        if (error is not null) return error;
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("INSERT INTO cabinet_accounts (user_id, account_id, linked_at) VALUES (@u, @a, @at) ON CONFLICT DO NOTHING", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("u", userId));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<long>("a", accountId!.Value));
        if (await cmd.ExecuteNonQueryAsync() == 0) return "Этот лицевой счёт уже есть в вашем кабинете";
        await journal.WriteAsync(AuthEvent.LinkAccount, principal.Identity.Name!, true, userId, number!.Trim(), address);
        await TellEarlierUsersAsync(accountId.Value, number.Trim(), userId, principal.Identity.Name!);
        return null;
    }

    /// <summary>
    /// Writes to the account's earlier cabinet users who have an e-mail that someone new has joined the account (the cabinet's
    /// notices show it too, see <see cref="OpenErc.Operations.Cabinet.CabinetNotices"/>). A letter the server refuses is logged:
    /// the registration stands.
    /// </summary>
    private async Task TellEarlierUsersAsync(long accountId, string number, long newUserId, string newLogin)
    {
        var emails = await usersDb.Database.SqlQuery<string>($"""
            SELECT u.email AS "Value" FROM cabinet_accounts c JOIN users u ON u.id = c.user_id
            WHERE c.account_id = {accountId} AND c.user_id <> {newUserId} AND u.email IS NOT NULL AND u.email <> ''
            """).ToListAsync();
        foreach (var email in emails)
        {
            using var message = Letters.Compose(mailSettings.From, email, "Новый пользователь личного кабинета — ЕРЦ",
                $"Здравствуйте!\n\nК лицевому счёту {number} подключён новый пользователь личного кабинета: {OpenErc.Operations.Cabinet.CabinetNotices.MaskLogin(newLogin)}.\n\n" +
                "Если это не член вашей семьи и не известный вам человек, обратитесь в расчётный центр.", clock.Now);
            try
            {
                await mail.SendAsync(message, CancellationToken.None);
            }
            catch (Exception e) when (Letters.IsRefusal(e))
            {
                log.LogError(e, "The new-cabinet-user letter for account {Account} was not sent", number);
            }
        }
    }

    /// <summary>
    /// Sends a reset link when the login exists. The answer is the same either way, so that the form does not tell
    /// who is registered.
    /// </summary>
    public async Task RequestPasswordResetAsync(string? login, Func<string, string, string> link, string? address, CancellationToken ct = default)
    {
        var name = NormalizeLogin(login);
        var user = name.Length > 0 ? await users.FindByNameAsync(name) : null;
        await journal.WriteAsync(AuthEvent.PasswordResetRequested, name, user is not null, user?.Id, address: address, ct: ct);
        if (user is null) return;
        var token = await users.GeneratePasswordResetTokenAsync(user);
        await resetSender.SendAsync(user, link(name, token), ct);
    }

    public async Task<Dictionary<string, string[]>> ResetPasswordAsync(string? login, string? token, string? password, string? confirm, string? address)
    {
        var name = NormalizeLogin(login);
        if (string.IsNullOrEmpty(password)) return new() { ["password"] = ["Придумайте пароль"] };
        if (password != confirm) return new() { ["confirmPassword"] = ["Пароли не совпадают"] };
        var user = name.Length > 0 ? await users.FindByNameAsync(name) : null;
        var result = user is null || string.IsNullOrEmpty(token)
            ? IdentityResult.Failed(users.ErrorDescriber.InvalidToken())
            : await users.ResetPasswordAsync(user, token, password);
        await journal.WriteAsync(AuthEvent.PasswordReset, name, result.Succeeded, user?.Id, address: address);
        if (!result.Succeeded) return new() { [result.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "password" : ""] = Messages(result) };
        // A reset also lifts a lockout: the person has just proved they own the login.
        await users.SetLockoutEndDateAsync(user!, null);
        await users.ResetAccessFailedCountAsync(user!);
        return [];
    }

    /// <summary>A login as stored: e-mail in lower case, a Russian phone as +7 and ten digits, anything else trimmed.</summary>
    public static string NormalizeLogin(string? login)
    {
        var text = (login ?? "").Trim();
        if (text.Contains('@')) return text.ToLowerInvariant();
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        bool phoneLike = text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')');
        if (phoneLike && digits.Length == 11 && digits[0] is '7' or '8') return "+7" + digits[1..];
        if (phoneLike && digits.Length == 10 && digits[0] == '9') return "+7" + digits;
        return text;
    }

    private static string? CheckCitizenLogin(string? raw, string login)
    {
        if (string.IsNullOrWhiteSpace(raw)) return "Укажите адрес электронной почты или номер телефона";
        if (login.Contains('@'))
            return MailAddress.TryCreate(login, out var address) && address.Address == login ? null : "Неверный адрес электронной почты";
        return login.StartsWith("+7", StringComparison.Ordinal) ? null : "Укажите адрес электронной почты или номер мобильного телефона: +7 и 10 цифр";
    }

    /// <summary>The account of <paramref name="number"/> when <paramref name="code"/> is its registration code; wrong codes are counted per account number.</summary>
    /// <paramref name="surname"/> must be the payer's surname too (case, «ё» and spaces aside); a wrong one counts as a wrong code.
    private async Task<(long? AccountId, string? Error)> CheckCodeAsync(string? number, string? code, string login, string? address, string surname)
    {
        number = number?.Trim() ?? "";
        if (number.Length == 0) return (null, "Укажите номер лицевого счёта");
        if (string.IsNullOrWhiteSpace(code)) return (null, "Укажите код регистрации из платёжного документа");
        if (await journal.FailuresAsync(AuthEvent.Register, number, clock.Now - CodeWindow) >= MaxCodeFailures)
            return (null, $"Слишком много неверных попыток для лицевого счёта {number}: повторите через {CodeWindow.TotalMinutes:0} минут");

        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        // A number of an earlier system (or the ЕЛС) finds the account too.
        string own = await AccountAliases.MainNumberAsync(conn, number) ?? number;
        await using var cmd = new NpgsqlCommand(
            """
            SELECT a.id, c.code, p.last_name FROM personal_accounts a JOIN cabinet_codes c ON c.account_id = a.id
            LEFT JOIN people p ON p.id = a.payer_person_id WHERE a.number = @n
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("n", own));
        await using var reader = await cmd.ExecuteReaderAsync();
        (long Id, string Code, string? Surname)? found = await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : null;
        await reader.DisposeAsync();
        bool codeRight = found is { } f && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Canonical(code)), Encoding.ASCII.GetBytes(Canonical(f.Code)));
        if (codeRight && SameSurname(surname, found!.Value.Surname)) return (found!.Value.Id, null);
        await journal.WriteAsync(AuthEvent.Register, login, false, details: number, address: address);
        return (null, codeRight ? "Фамилия плательщика не совпадает с указанной в платёжном документе"
            : "Неверный номер лицевого счёта или код регистрации. Код напечатан в шапке платёжного документа");
    }

    /// <summary>Whether a typed surname is the payer's: trimmed, in any case, «ё» read as «е»; an account without a payer matches nothing.</summary>
    public static bool SameSurname(string typed, string? payer) =>
        payer is not null && string.Equals(Plain(typed), Plain(payer), StringComparison.Ordinal);

    private static string Plain(string name) => name.Trim().ToLowerInvariant().Replace('ё', 'е');

    /// <summary>A code as typed, without spaces and dashes, in capitals (Cyrillic look-alikes read as Latin).</summary>
    private static string Canonical(string code) =>
        new(code.ToUpperInvariant().Select(c => "АВСЕНКМОРТХ".IndexOf(c) is var i and >= 0 ? "ABCEHKMOPTX"[i] : c)
            .Where(c => c is not (' ' or '-')).ToArray());

    private static string[] Messages(IdentityResult result) => result.Errors.Select(e => e.Description).ToArray();
}
