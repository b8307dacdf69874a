using Analytics.Collector.Beacon;
using Analytics.Collector.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>Accepts only beacons for a registered site, from a page on one of its hosts, within the size limits.</summary>
public sealed class ValidateStep(SiteRegistry sites, IOptions<CollectorOptions> options) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var limits = options.Value;
        var p = hit.Parameters;
        if (!PercentEncoding.DecodesToValidUtf8(hit.Http.Request.QueryString.Value))
        {
            return DropReason.InvalidEncoding;
        }
        if (string.IsNullOrEmpty(p.Site))
        {
            return DropReason.MissingSite;
        }
        if (string.IsNullOrEmpty(p.Url))
        {
            return DropReason.MissingUrl;
        }
        if (p.Url.Length > limits.MaxUrlLength || p.Referrer?.Length > limits.MaxReferrerLength || p.Site.Length > 64)
        {
            return DropReason.TooLong;
        }
        if (!IsCleanText(p.Site) || !IsCleanText(p.Url) || !IsCleanText(p.Referrer) || !IsCleanText(p.Title) || !IsCleanText(p.EventName))
        {
            return DropReason.InvalidEncoding;
        }
        if (!sites.TryGet(p.Site, out var site))
        {
            return DropReason.UnknownSite;
        }
        if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return DropReason.InvalidUrl;
        }
        if (!site.Allows(url.Host))
        {
            return DropReason.ForeignHost;
        }
        hit.Site = site;
        hit.PageUrl = url;
        return null;
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
