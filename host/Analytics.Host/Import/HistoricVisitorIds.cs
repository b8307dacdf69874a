using System.Security.Cryptography;
using System.Text;

namespace Analytics.Host.Import;

/// <summary>
/// Visitor IDs for imported history, where no cookie ever existed: HMAC-SHA256 over IP, user-agent and
/// UTC day, keyed by a random secret made for one import and discarded when it completes, truncated to
/// 128 bits. Without the secret nobody (us included) can recompute an ID from an IP, and IDs do not link
/// one day to the next. See README "Importing access logs" for the trade-off.
/// </summary>
public sealed class HistoricVisitorIds(byte[] secret)
{
    public const int SecretLength = 32;

    public byte[] Secret { get; } = secret.Length == SecretLength ? secret : throw new ArgumentException($"The secret must be {SecretLength} bytes.", nameof(secret));

    public static HistoricVisitorIds WithNewSecret() => new(RandomNumberGenerator.GetBytes(SecretLength));

    public Guid For(LogEntry entry)
    {
        var day = entry.Time.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var input = Encoding.UTF8.GetBytes($"{entry.Ip}\n{entry.UserAgent}\n{day}");
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Secret, input, mac);
        var id = new Guid(mac[..16]);
        // Guid.Empty means "anonymous" downstream; a 2^-128 chance, but never let it happen.
        return id == Guid.Empty ? new Guid(mac[16..]) : id;
    }
}
