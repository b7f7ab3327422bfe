using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <param name="Name">What the client is («1С АО Водоканал», «Выгрузка УК Жилсервис»); unique among the keys in force.</param>
/// <param name="Roles">Role codes (<see cref="Security.Roles"/>), as a person's: what the client may do.</param>
/// <param name="AccessGroupId">The access group that narrows what the client sees; none for the centre's own scripts.</param>
public sealed record ServiceAccountRequest(string? Name, IReadOnlyList<string>? Roles, long? AccessGroupId);

/// <summary>A service account as the administrator sees it: never its key, only the key's first characters.</summary>
public sealed record ServiceAccountView(long Id, string Name, IReadOnlyList<string> Roles, long? AccessGroupId, string KeyPrefix,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy, DateTimeOffset? LastUsedAt);

/// <summary>A service account just made, with its key: the one time the key is told.</summary>
public sealed record NewServiceAccount(ServiceAccountView Account, string Key);

/// <summary>The service account a request's key belongs to.</summary>
public sealed record ServiceAccountIdentity(long Id, string Name, IReadOnlyList<string> Roles, long? AccessGroupId);

/// <summary>
/// Machine clients (README, "Machine clients (API keys)"): the service accounts of suppliers', management companies' and
/// banks' systems and of scripts, each with one API key, roles and an access group as a person has. The administrator
/// makes one and is told its key once; the centre keeps only the key's SHA-256. A revoked key is refused at once (there
/// is no cache of keys), and rotating a key is making a new account and revoking the old one. Creation and revocation
/// go to the sign-in journal under the client's login <c>api:&lt;name&gt;</c>.
/// </summary>
/// <remarks>
/// Why SHA-256 and not a password hash (PBKDF2, as <c>PasswordHasher</c>): a key is 256 random bits made here, not
/// something a person chose, so there is no dictionary to try and brute force over 2²⁵⁶ keys is out of reach however
/// fast the hash; a slow hash would only cost every request ~50 ms of CPU. A fast, unsalted hash is also what lets a
/// request find its account by an index on the hash — the key itself is never compared, so there is no timing to measure.
/// </remarks>
public sealed class ServiceAccounts(OpenErcDatabase db, RegionClock clock, AuthJournal journal)
{
    /// <summary>Every key begins so: a secret scanner (and a person) can tell an OpenErc key in a leaked file or log.</summary>
    public const string KeyStart = "oerc_";

    /// <summary>The random part: 32 bytes, 43 characters of base64url.</summary>
    private const int RandomBytes = 32;

    /// <summary>The length of every key: <see cref="KeyStart"/> and 43 characters.</summary>
    public static readonly int KeyLength = KeyStart.Length + Base64Url.GetEncodedLength(RandomBytes);

    /// <summary>How much of a key is kept in the clear to tell keys apart on the screen: the start and 8 random characters.</summary>
    private static readonly int PrefixLength = KeyStart.Length + 8;

    /// <summary>
    /// The last use is written at most once in this time per key: a client calling many times a second costs no write
    /// per request, and the administrator still sees which keys are alive.
    /// </summary>
    public static readonly TimeSpan LastUseStep = TimeSpan.FromMinutes(1);

    /// <summary>The name a client signs as — in the archive of changes, postings and the sign-in journal.</summary>
    public static string Login(string name) => "api:" + name;

    /// <summary>The SHA-256 of a key, the only form of it the database holds (see the remarks of the class).</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public async Task<List<ServiceAccountView>> ListAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT {Columns} FROM service_accounts ORDER BY revoked_at IS NOT NULL, lower(name), id LIMIT 1000", conn);
        return await ReadAsync(cmd, ct);
    }

    public async Task<ServiceAccountView?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM service_accounts WHERE id = @id", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return (await ReadAsync(cmd, ct)).SingleOrDefault();
    }

    /// <summary>
    /// Makes a service account with a new key; the messages by field (the API's camel-case names) when refused, and then
    /// nothing is saved.
    /// </summary>
    public async Task<(NewServiceAccount? Created, Dictionary<string, string[]> Errors)> CreateAsync(ServiceAccountRequest request, string actor,
        CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0) errors["name"] = ["Укажите название клиента: чья это система или скрипт"];
        else if (name.Length > 200) errors["name"] = ["Название — не длиннее 200 символов"];
        if (Roles.Refusal(request.Roles, request.AccessGroupId) is { } refusal) errors[AuthApi.Field(refusal.Code)] = [refusal.Message];
        if (errors.Count > 0) return (null, errors);

        var key = KeyStart + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO service_accounts (name, roles, access_group_id, key_prefix, key_hash, created_at, created_by)
            VALUES (@name, @roles, @group, @prefix, @hash, @now, @actor) RETURNING id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("roles", [.. request.Roles!.Distinct()]));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("group", request.AccessGroupId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<string>("prefix", key[..PrefixLength]));
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("hash", Hash(key)));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
        cmd.Parameters.Add(new NpgsqlParameter<string>("actor", actor));
        long id;
        try
        {
            id = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "service_accounts_active_name")
        {
            return (null, new() { ["name"] = [$"Ключ с названием «{name}» уже действует: отзовите его или выберите другое название"] });
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return (null, new() { ["accessGroupId"] = [$"Группа доступа {request.AccessGroupId} не найдена"] });
        }
        var account = (await FindAsync(id, ct))!;
        await journal.WriteAsync(AuthEvent.ServiceAccountCreated, Login(name), true,
            details: $"{AuthEvent.RolesAndGroup(account.Roles, account.AccessGroupId)}; ключ {account.KeyPrefix}…", actor: actor, ct: ct);
        return (new NewServiceAccount(account, key), errors);
    }

    /// <summary>Revokes the account's key from now on; a key already revoked stays as it was. Null when there is no such account.</summary>
    public async Task<ServiceAccountView?> RevokeAsync(long id, string actor, CancellationToken ct = default)
    {
        (string Name, string Prefix)? revoked = null;
        await using (var conn = await OpenAsync(ct))
        {
            await using var cmd = new NpgsqlCommand(
                "UPDATE service_accounts SET revoked_at = @now, revoked_by = @actor WHERE id = @id AND revoked_at IS NULL RETURNING name, key_prefix", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
            cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", clock.Now));
            cmd.Parameters.Add(new NpgsqlParameter<string>("actor", actor));
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct)) revoked = (reader.GetString(0), reader.GetString(1));
        }
        if (revoked is { } key)
            await journal.WriteAsync(AuthEvent.ServiceAccountRevoked, Login(key.Name), true, details: $"ключ {key.Prefix}…", actor: actor, ct: ct);
        return await FindAsync(id, ct);
    }

    /// <summary>
    /// The account of a key in force, or null for anything else (malformed, unknown, revoked). One round trip: the same
    /// statement stamps the last use when the stamp is older than <see cref="LastUseStep"/>, and writes nothing otherwise.
    /// </summary>
    public async Task<ServiceAccountIdentity?> AuthenticateAsync(string key, CancellationToken ct = default)
    {
        // Anything not shaped like a key is refused without asking the database.
        if (key.Length != KeyLength || !key.StartsWith(KeyStart, StringComparison.Ordinal)) return null;
        var now = clock.Now;
        await using var conn = await OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH found AS (
                SELECT id, name, roles, access_group_id, last_used_at FROM service_accounts WHERE key_hash = @hash AND revoked_at IS NULL),
            touched AS (
                UPDATE service_accounts s SET last_used_at = @now FROM found f
                WHERE s.id = f.id AND (f.last_used_at IS NULL OR f.last_used_at <= @stale))
            SELECT id, name, roles, access_group_id FROM found
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("hash", Hash(key)));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("stale", now - LastUseStep));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
    }

    private const string Columns = "id, name, roles, access_group_id, key_prefix, created_at, created_by, revoked_at, revoked_by, last_used_at";

    private static async Task<List<ServiceAccountView>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<ServiceAccountView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new(r.GetInt64(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9)));
        return rows;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }
}
