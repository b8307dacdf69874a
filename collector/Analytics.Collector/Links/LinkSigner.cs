using System.Buffers.Text;
using Analytics.Collector.Identity;

namespace Analytics.Collector.Links;

/// <summary>
/// Signed newsletter links: /r/{site}/{campaign}?to={target}&amp;sig={tag}. The tag covers site, campaign
/// and target, so none can be changed, and only http(s) targets with a host are ever signed or followed.
/// </summary>
public sealed class LinkSigner(SigningKeys keys)
{
    public const int MaxTargetLength = 2048;

    /// <summary>The path and query of the signed link, to put after the collector's base address.</summary>
    public string Sign(string site, string campaign, string target)
    {
        if (!IsName(site) || !IsName(campaign))
        {
            throw new ArgumentException("Site and campaign must be 1-64 letters, digits, '-', '_' or '.'.");
        }
        if (!TryParseTarget(target, out _))
        {
            throw new ArgumentException("The target must be an absolute http(s) URL with a host, no user name, backslash, space or control character.", nameof(target));
        }
        Span<byte> tag = stackalloc byte[SigningKeys.TagLength];
        keys.Sign(SigningPurpose.Link, Message(site, campaign, target), tag);
        return $"/r/{site}/{campaign}?to={Uri.EscapeDataString(target)}&sig={Base64Url.EncodeToString(tag)}";
    }

    /// <summary>The redirect target when the signature is valid and the target is safe; null otherwise.</summary>
    public Uri? Verify(string site, string campaign, string? target, string? signature)
    {
        if (!IsName(site) || !IsName(campaign) || target is null || signature is not { Length: 22 }
            || !TryParseTarget(target, out var url))
        {
            return null;
        }
        Span<byte> tag = stackalloc byte[SigningKeys.TagLength];
        if (Base64Url.DecodeFromChars(signature, tag, out _, out var written) != System.Buffers.OperationStatus.Done || written != tag.Length)
        {
            return null;
        }
        return keys.Verify(SigningPurpose.Link, Message(site, campaign, target), tag) >= 0 ? url : null;
    }

    internal static bool IsName(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>
    /// Only an absolute http(s) URL, spelled out from its scheme, with a host and no user info: this
    /// refuses //evil, /\evil, javascript:, data:, https:evil, https://trusted@evil and anything with
    /// backslashes, spaces or control characters, however it was encoded on the way in.
    /// </summary>
    internal static bool TryParseTarget(string target, out Uri url)
    {
        url = null!;
        if (target.Length is 0 or > MaxTargetLength
            || !(target.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        foreach (var c in target)
        {
            if (c is '\\' or ' ' || char.IsControl(c) || char.IsWhiteSpace(c) || c > 0x7E)
            {
                return false;
            }
        }
        if (!Uri.TryCreate(target, UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(parsed.Host) || parsed.UserInfo.Length > 0)
        {
            return false;
        }
        url = parsed;
        return true;
    }

    private static string Message(string site, string campaign, string target) => $"{site}\n{campaign}\n{target}";
}
