using Analytics.Collector.Sites;
using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// Accepts only beacons for a registered site, from a page on one of its hosts, within the size limits.
/// The page URL, and the Origin and Referer headers when the browser sends them, must all name one of
/// the site's hosts. A beacon with neither header cannot be traced to a page, so it passes unless the
/// site is in strict-origin mode (docs/tracking.md explains the trade-off).
/// </summary>
public sealed class ValidateStep(SiteRegistry sites, IOptions<CollectorOptions> options) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var limits = options.Value;
        var p = hit.Parameters;
        var request = hit.Http.Request;
        if (p.IsUnreadable || !PercentEncoding.DecodesToValidUtf8(request.QueryString.Value))
        {
            return DropReason.InvalidEncoding;
        }
        if (string.IsNullOrEmpty(p.Site))
        {
            return DropReason.MissingSite;
        }
        if (p.Site.Length > 64)
        {
            return DropReason.TooLong;
        }
        if (!sites.TryGet(p.Site, out var site))
        {
            return DropReason.UnknownSite;
        }
        hit.Site = site;
        if (hit.Kind == HitKind.LinkClick)
        {
            // The link endpoint checked the signature over site, campaign and target; there is no page.
            return null;
        }
        if (string.IsNullOrEmpty(p.Url))
        {
            return DropReason.MissingUrl;
        }
        if (p.Url.Length > limits.MaxUrlLength || p.Referrer?.Length > limits.MaxReferrerLength || p.LinkTarget?.Length > limits.MaxUrlLength)
        {
            return DropReason.TooLong;
        }
        if (p.Props.Count > limits.MaxProps || p.Props.Keys.Any(k => k.Length > limits.MaxPropNameLength))
        {
            return DropReason.TooLong;
        }
        if (!IsCleanText(p.Url) || !IsCleanText(p.Referrer) || !IsCleanText(p.Title) || !IsCleanText(p.EventName) || !IsCleanText(p.LinkTarget) || !PropsAreClean(p.Props))
        {
            return DropReason.InvalidEncoding;
        }
        if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var url) || !IsWeb(url))
        {
            return DropReason.InvalidUrl;
        }
        if (!site.Allows(url.Host) || !HeaderHostAllowed(site, request.Headers.Origin) || !HeaderHostAllowed(site, request.Headers.Referer))
        {
            return DropReason.ForeignHost;
        }
        if (site.StrictOrigin && !HasHeader(request.Headers.Origin) && !HasHeader(request.Headers.Referer) && !hit.Http.Items.ContainsKey(HitContext.ServerLogItem))
        {
            // A page anywhere can send a beacon with neither header (referrerpolicy="no-referrer", a script):
            // strict sites store only hits a browser vouches for. Both headers, when sent, were checked above.
            return DropReason.MissingOrigin;
        }
        hit.PageUrl = url;
        return null;
    }

    private static bool HasHeader(Microsoft.Extensions.Primitives.StringValues header) => header.Count == 1 && !string.IsNullOrEmpty(header[0]);

    internal static bool IsWeb(Uri url) => url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp;

    /// <summary>A missing header passes (privacy tools strip them); a present one must name a site host. "null" never does.</summary>
    private static bool HeaderHostAllowed(Site site, Microsoft.Extensions.Primitives.StringValues header)
    {
        if (header.Count == 0)
        {
            return true;
        }
        if (header.Count > 1)
        {
            return false;
        }
        var value = header[0];
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        return TryGetHost(value, out var host) && site.Allows(host);
    }

    /// <summary>The host of an absolute http(s) URL or origin, without allocating.</summary>
    internal static bool TryGetHost(ReadOnlySpan<char> url, out ReadOnlySpan<char> host)
    {
        host = default;
        int start;
        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            start = 8;
        }
        else if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            start = 7;
        }
        else
        {
            return false;
        }
        var rest = url[start..];
        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        if (authority.Contains('@') || authority.Contains('\\'))
        {
            return false;
        }
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = authority[1..close];
            return host.Length > 0;
        }
        var colon = authority.IndexOf(':');
        host = colon < 0 ? authority : authority[..colon];
        return host.Length > 0;
    }

    private static bool PropsAreClean(IReadOnlyDictionary<string, string> props)
    {
        if (props.Count == 0)
        {
            return true;
        }
        foreach (var (key, value) in props)
        {
            if (key.Length == 0 || !IsCleanText(key) || !IsCleanText(value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// ASP.NET decodes invalid UTF-8 in the query string to U+FFFD; that and control characters mean the
    /// input was not clean text.
    /// </summary>
    internal static bool IsCleanText(string? value)
    {
        if (value is null)
        {
            return true;
        }
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\uFFFD' || char.IsControl(c) || char.IsLowSurrogate(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
