using System.Security.Cryptography;
using System.Text;

namespace Analytics.Partners.Api;

/// <summary>API keys for partners and the operator: random, shown once, stored only as a SHA-256 hash.</summary>
public static class PartnerKeys
{
    /// <summary>A new key: 256 random bits, URL-safe base64.</summary>
    public static string NewKey() => "ak_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The SHA-256 of the key as lowercase hex, as configuration holds it.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether <paramref name="presented"/> hashes to <paramref name="expectedSha256"/>, in constant time.</summary>
    public static bool Matches(string? presented, string expectedSha256)
    {
        if (string.IsNullOrEmpty(presented) || expectedSha256.Length != 64)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[32];
        if (Convert.FromHexString(expectedSha256, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>The bearer token of a request's Authorization header, if any.</summary>
    public static string? BearerToken(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
