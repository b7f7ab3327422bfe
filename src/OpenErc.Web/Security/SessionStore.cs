using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using OpenErc.Storage;

namespace OpenErc.Web.Security;

/// <summary>
/// The sessions of signed-in people, kept in <c>auth_sessions</c>: the cookie carries a random key only. Signing out
/// deletes the row, so the old cookie is dead at once (a stolen cookie does not outlive the logout), and a session
/// past its expiry is never read back. Times are the framework's (the cookie's own expiry), not business dates.
/// </summary>
public sealed class SessionStore(OpenErcDatabase db, TimeProvider framework) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM auth_sessions WHERE expires_at < @now;
            INSERT INTO auth_sessions (key, user_id, ticket, expires_at, created_at) VALUES (@key, @user, @ticket, @expires, @now);
            """, conn);
        Bind(cmd, key, ticket);
        await cmd.ExecuteNonQueryAsync();
        return key;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("UPDATE auth_sessions SET ticket = @ticket, expires_at = @expires, user_id = @user WHERE key = @key", conn);
        Bind(cmd, key, ticket);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT ticket FROM auth_sessions WHERE key = @key AND (expires_at IS NULL OR expires_at > @now)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("key", key));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", framework.GetUtcNow()));
        return await cmd.ExecuteScalarAsync() is byte[] bytes ? TicketSerializer.Default.Deserialize(bytes) : null;
    }

    public async Task RemoveAsync(string key)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("DELETE FROM auth_sessions WHERE key = @key", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("key", key));
        await cmd.ExecuteNonQueryAsync();
    }

    private void Bind(NpgsqlCommand cmd, string key, AuthenticationTicket ticket)
    {
        cmd.Parameters.Add(new NpgsqlParameter<string>("key", key));
        cmd.Parameters.Add(new NpgsqlParameter<long?>("user", ticket.Principal.HasClaim(c => c.Type == System.Security.Claims.ClaimTypes.NameIdentifier) ? AccessScope.UserId(ticket.Principal) : null) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]>("ticket", TicketSerializer.Default.Serialize(ticket)));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("expires", ticket.Properties.ExpiresUtc) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", framework.GetUtcNow()));
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }
}
