using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Partners.Delivery;

/// <summary>
/// The push signature: X-Analytics-Signature: v1=HEX(HMAC-SHA256(secret, TIMESTAMP + "." + body)), with the
/// Unix-seconds TIMESTAMP in X-Analytics-Timestamp. A receiver recomputes it, compares in constant time and
/// rejects old timestamps, so a captured push can be neither altered nor replayed later.
/// </summary>
public static class PushSignature
{
    public const string SignatureHeader = "X-Analytics-Signature";
    public const string TimestampHeader = "X-Analytics-Timestamp";
    public const string DeliveryHeader = "X-Analytics-Delivery";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>What a receiver does: true when the signature matches and the timestamp is within <paramref name="tolerance"/> of now.</summary>
    public static bool Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        var actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
