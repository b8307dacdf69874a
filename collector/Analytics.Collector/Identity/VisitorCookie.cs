using System.Security.Cryptography;

namespace Analytics.Collector.Identity;

/// <summary>
/// The visitor ID cookie: 128 random bits from a CSPRNG, as 32 hex digits. A value that is not exactly
/// that is never trusted; the visitor gets a new ID.
/// </summary>
public static class VisitorCookie
{
    public const string Name = "_vid";

    public static Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new Guid(bytes);
    }

    public static string Format(Guid id) => id.ToString("N");

    public static bool TryParse(string? value, out Guid id)
    {
        id = Guid.Empty;
        return value is { Length: 32 }
            && value.All(char.IsAsciiHexDigitLower)
            && Guid.TryParseExact(value, "N", out id)
            && id != Guid.Empty;
    }
}
