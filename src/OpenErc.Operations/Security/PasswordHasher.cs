using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenErc.Storage;

namespace OpenErc.Operations.Security;

/// <summary>
/// Password hashes for credentials we check ourselves (bank and payment-agent protocol logins):
/// PBKDF2-HMAC-SHA256, <c>pbkdf2$&lt;iterations&gt;$&lt;salt Base64&gt;$&lt;hash Base64&gt;</c>. The <c>pbkdf2$</c> prefix
/// is what <see cref="OpenErcDbContext.PasswordHashPrefix"/> keeps out of the audit archive.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 100_000;
    public const int SaltBytes = 16;
    private const int HashBytes = 32;

    // A stored hash names its own iteration count so that it can be raised later; bound it so that a
    // tampered row cannot make a login attempt spin for minutes.
    private const int MaxIterations = 10_000_000;

    /// <summary>Hashes with a fresh random salt: the normal case.</summary>
    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes));

    /// <summary>
    /// Hashes with the given salt. Only for reproducible data (the demo region derives the salt from its seed,
    /// so that the same seed gives the same rows); real credentials use <see cref="Hash(string)"/>.
    /// </summary>
    public static string Hash(string password, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (salt.Length < 8) throw new ArgumentException("The salt must be at least 8 bytes", nameof(salt));
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"{OpenErcDbContext.PasswordHashPrefix}{Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="hash"/>; false for a wrong password or a malformed hash.</summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (string.IsNullOrEmpty(hash) || !hash.StartsWith(OpenErcDbContext.PasswordHashPrefix, StringComparison.Ordinal)) return false;
        var parts = hash[OpenErcDbContext.PasswordHashPrefix.Length..].Split('$');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations)
            || iterations is < 1 or > MaxIterations)
            return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[1]);
            expected = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false; // a malformed stored hash matches no password
        }
        if (salt.Length == 0 || expected.Length == 0) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
