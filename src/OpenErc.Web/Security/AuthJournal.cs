using OpenErc.Core.Common;
using Npgsql;
using OpenErc.Operations.Registry;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <summary>The events of the journal <c>auth_events</c>.</summary>
public static class AuthEvent
{
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
    public const string LockedOut = "locked-out";
    public const string Register = "register";
    public const string LinkAccount = "link-account";
    public const string PasswordResetRequested = "password-reset-requested";
    public const string PasswordReset = "password-reset";
    public const string UserCreated = "user-created";
    public const string UserChanged = "user-changed";
    public const string Unlocked = "unlocked";
    public const string CodeShown = "cabinet-code-shown";
    public const string CodePrinted = "cabinet-code-printed";
    public const string CabinetViewed = "cabinet-viewed";
    public const string ServiceAccountCreated = "service-account-created";
    public const string ServiceAccountRevoked = "service-account-revoked";

    public static string Name(string code) => code switch
    {
        SignIn => "Вход",
        SignOut => "Выход",
        LockedOut => "Блокировка после неудачных попыток",
        Register => "Регистрация в личном кабинете",
        LinkAccount => "Добавление лицевого счёта в кабинет",
        PasswordResetRequested => "Запрос восстановления пароля",
        PasswordReset => "Смена пароля по ссылке",
        UserCreated => "Создание пользователя",
        UserChanged => "Изменение пользователя",
        Unlocked => "Снятие блокировки",
        CodeShown => "Показ кода регистрации в кабинете",
        CodePrinted => "Печать платёжного документа с кодом регистрации",
        CabinetViewed => "Просмотр личного кабинета администратором",
        ServiceAccountCreated => "Создание ключа API",
        ServiceAccountRevoked => "Отзыв ключа API",
        _ => code,
    };

    /// <summary>The details of a change of roles and group, as the journal shows them: «роли: Расчётчик; группа: 3».</summary>
    public static string RolesAndGroup(IEnumerable<string>? roles, long? accessGroupId) =>
        $"роли: {string.Join(", ", (roles ?? []).Select(Roles.NameOf))}; группа: {(accessGroupId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "нет")}";
}

/// <summary>One row of the sign-in journal.</summary>
public sealed record AuthEventRow(DateTimeOffset At, long? UserId, string Login, string Event, bool Success, string? Address, string? Details, string? Actor);

/// <summary>
/// The journal of sign-in and account events: every sign-in (successful or not), lockout, registration, password reset
/// and change of a user or their roles, with the address it came from and who did it. Insert-only.
/// </summary>
public sealed class AuthJournal(OpenErcDatabase db, RegionClock clock)
{
    public async Task WriteAsync(string @event, string login, bool success, long? userId = null, string? details = null, string? address = null,
        string? actor = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO auth_events (user_id, login, event, success, address, details, actor, at) VALUES (@u, @l, @e, @s, @a, @d, @w, @at)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("u", userId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<string>("l", login));
        cmd.Parameters.Add(new NpgsqlParameter<string>("e", @event));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("s", success));
        cmd.Parameters.Add(new NpgsqlParameter<string?>("a", address) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("d", details) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("w", actor) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many times <paramref name="event"/> failed with <paramref name="details"/> since <paramref name="since"/>.</summary>
    public async Task<int> FailuresAsync(string @event, string details, DateTimeOffset since, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*)::int FROM auth_events WHERE event = @e AND details = @d AND NOT success AND at >= @t", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("e", @event));
        cmd.Parameters.Add(new NpgsqlParameter<string>("d", details));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("t", since));
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The latest events, of one user when <paramref name="userId"/> is given.</summary>
    public async Task<List<AuthEventRow>> LatestAsync(long? userId, int limit, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT {Columns} FROM auth_events WHERE @u IS NULL OR user_id = @u ORDER BY id DESC LIMIT @n", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long?>("u", userId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", limit));
        return await ReadAsync(cmd, ct);
    }

    /// <summary>
    /// One page of the journal, newest first: the events whose login contains <paramref name="login"/> (any case) when it is
    /// given — failed sign-ins under a mistyped or unknown login have no user, so the journal is searched by the login typed.
    /// </summary>
    public async Task<Page<AuthEventRow>> FindAsync(string? login, int page, int pageSize, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        const string where = "@l::text IS NULL OR login ILIKE @l";
        var pattern = string.IsNullOrWhiteSpace(login) ? null : Components.Shared.ListColumn.Like(login);
        await using var count = new NpgsqlCommand($"SELECT count(*)::int FROM auth_events WHERE {where}", conn);
        count.Parameters.Add(new NpgsqlParameter<string?>("l", pattern) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        int total = (int)(await count.ExecuteScalarAsync(ct))!;
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM auth_events WHERE {where} ORDER BY id DESC LIMIT @n OFFSET @o", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("l", pattern) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<int>("n", pageSize));
        cmd.Parameters.Add(new NpgsqlParameter<int>("o", checked((page - 1) * pageSize)));
        return new Page<AuthEventRow>(await ReadAsync(cmd, ct), total, page, pageSize);
    }

    private const string Columns = "at, user_id, login, event, success, address, details, actor";

    private static async Task<List<AuthEventRow>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<AuthEventRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new(reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        return rows;
    }
}
