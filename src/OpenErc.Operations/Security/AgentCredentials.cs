using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Security;

/// <summary>A payment agent signed in to an online protocol, with the networks it may call from.</summary>
public sealed record AgentLogin(long AgentId, string Login, IReadOnlyList<IPNetwork> AllowedNetworks)
{
    /// <summary>True when <paramref name="address"/> is one of the allowed addresses or inside an allowed network.</summary>
    public bool Allows(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return AllowedNetworks.Any(n => n.Contains(address));
    }

    /// <summary>"127.0.0.1, ::1, 10.20.0.0/16" → networks (an address alone is a network of one); entries that do not parse are skipped.</summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string? list) =>
        (list ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Contains('/') ? IPNetwork.TryParse(entry, out var n) ? n : (IPNetwork?)null
                : IPAddress.TryParse(entry, out var a) ? new IPNetwork(a, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128) : null)
            .OfType<IPNetwork>().ToList();
}

/// <summary>
/// Checks an agent's login and password against <c>payment_agent_accesses</c> (PBKDF2, <see cref="PasswordHasher"/>).
/// PBKDF2 is slow on purpose (≈ 50 ms), far too slow for every request of a bank sending thousands a second, so a
/// verified pair is remembered for <see cref="Lifetime"/> under a SHA-256 of the pair (never the password itself);
/// a changed password or address list takes effect within that time. Failures are not remembered.
/// </summary>
public sealed class AgentCredentials(string connectionString, RegionClock clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (AgentLogin Login, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    /// <summary>The agent, or null when the login is unknown or the password wrong.</summary>
    public async Task<AgentLogin?> VerifyAsync(string login, string password, CancellationToken ct = default)
    {
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(login + "\0" + password)));
        var now = clock.Now;
        if (_verified.TryGetValue(key, out var known) && known.Until > now) return known.Login;

        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT organisation_id, password_hash, allowed_addresses FROM payment_agent_accesses WHERE login = @login", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string>("login", login));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || !PasswordHasher.Verify(password, r.GetString(1))) return null;
        var agent = new AgentLogin(r.GetInt64(0), login, AgentLogin.ParseNetworks(r.IsDBNull(2) ? null : r.GetString(2)));
        _verified[key] = (agent, now + Lifetime);
        return agent;
    }
}
