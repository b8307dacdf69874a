using System.ComponentModel.DataAnnotations;

namespace Analytics.Collector.Identity;

/// <summary>
/// HMAC keys for visitor cookies, signed links and CSRF tokens, section "Signing". The first key signs;
/// every key verifies, so a key is rotated by putting a new one first and dropping the old one later.
/// </summary>
public sealed record SigningOptions
{
    public const string Section = "Signing";

    /// <summary>Base64 keys of at least 32 bytes, newest first. Empty: one key is kept in <see cref="KeyFile"/>.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Where a generated key is kept when <see cref="Keys"/> is empty; relative to the current directory.</summary>
    [Required]
    public string KeyFile { get; init; } = "data/signing.key";
}
