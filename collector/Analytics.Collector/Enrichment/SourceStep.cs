using System.Collections.Frozen;
using Analytics.Collector.Enrichment.Sources;
using Analytics.Collector.Enrichment.Urls;
using Analytics.Collector.Pipeline;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Enrichment;

/// <summary>
/// Campaign fields (utm_* and their aliases) from the page URL, the referrer (scrubbed to
/// scheme://host/path) and its source, and the channel (<see cref="Channels"/>). Navigation within the
/// site is not a source: its referrer is not stored.
/// </summary>
public sealed class SourceStep : IHitStep
{
    private const int StackLimit = 512;

    private readonly ReferrerList _referrers;
    private readonly IOptions<CollectorOptions> _collector;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _aliases;

    public SourceStep(ReferrerList referrers, IOptions<UrlOptions> options, IOptions<CollectorOptions> collector)
    {
        _referrers = referrers;
        _collector = collector;
        _aliases = options.Value.SourceAliases.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public DropReason? Apply(HitContext hit)
    {
        var h = hit.Hit;
        var max = _collector.Value.MaxTextLength;
        var paidClick = ReadCampaign(hit, max);

        ReferrerEntry? known = null;
        var external = false;
        if (!string.IsNullOrEmpty(hit.Parameters.Referrer) && ReferrerUrl.TryParse(hit.Parameters.Referrer, out var referrer) && !IsSameSite(hit, referrer.Host))
        {
            external = true;
            known = _referrers.Find(referrer.Host, referrer.Path);
            h.Referrer = Compose(referrer);
            h.Source = known?.Source ?? SourceHost(referrer.Host);
        }
        if (h.UtmSource.Length > 0)
        {
            var named = _referrers.FindSource(h.UtmSource) ?? _referrers.Find(h.UtmSource, []);
            h.Source = named?.Source ?? h.UtmSource.ToLowerInvariant();
            known ??= named;
        }
        h.Channel = Channels.Classify(h.UtmMedium, paidClick, known, external, h.UtmSource.Length > 0);
        return null;
    }

    /// <summary>Fills the utm fields; true when the URL carries an ad click ID.</summary>
    private bool ReadCampaign(HitContext hit, int max)
    {
        var h = hit.Hit;
        var query = QueryParameters.Of(hit.Parameters.Url);
        if (query.IsEmpty)
        {
            return false;
        }
        var paidClick = false;
        ReadOnlySpan<char> alias = [];
        foreach (var range in query.Split('&'))
        {
            QueryParameters.Split(query[range], out var key, out var value);
            if (key.StartsWith("utm_", StringComparison.OrdinalIgnoreCase))
            {
                var name = key[4..];
                if (name.Equals("source", StringComparison.OrdinalIgnoreCase))
                {
                    h.UtmSource = Value(value, max);
                }
                else if (name.Equals("medium", StringComparison.OrdinalIgnoreCase))
                {
                    h.UtmMedium = Value(value, max);
                }
                else if (name.Equals("campaign", StringComparison.OrdinalIgnoreCase))
                {
                    h.UtmCampaign = Value(value, max);
                }
                else if (name.Equals("term", StringComparison.OrdinalIgnoreCase))
                {
                    h.UtmTerm = Value(value, max);
                }
                else if (name.Equals("content", StringComparison.OrdinalIgnoreCase))
                {
                    h.UtmContent = Value(value, max);
                }
            }
            else if (alias.IsEmpty && _aliases.Contains(key))
            {
                alias = value;
            }
            else if (!paidClick && Channels.PaidClickIds.Contains(key))
            {
                paidClick = true;
            }
        }
        if (h.UtmSource.Length == 0 && !alias.IsEmpty)
        {
            h.UtmSource = Value(alias, max);
        }
        return paidClick;
    }

    /// <summary>A campaign value, decoded; an e-mail address or token in it is replaced by its placeholder.</summary>
    private static string Value(ReadOnlySpan<char> raw, int max)
    {
        var decoded = QueryParameters.Decode(raw, max);
        return UrlScrubber.Placeholder(decoded) ?? decoded;
    }

    private static bool IsSameSite(HitContext hit, ReadOnlySpan<char> host)
    {
        if (host.Equals(hit.PageUrl!.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var siteHost in hit.Site!.Hosts)
        {
            if (host.Equals(siteHost, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>scheme://host/path, lower-case scheme and host, the path scrubbed; query and fragment dropped.</summary>
    private static string Compose(ReferrerUrl referrer)
    {
        var scrubbed = UrlScrubber.NeedsScrubbing(referrer.Path) ? UrlScrubber.Scrub(referrer.Path) : null;
        var path = scrubbed is null ? referrer.Path : scrubbed.AsSpan();
        var length = referrer.Scheme.Length + 3 + referrer.Host.Length + path.Length;
        var buffer = length <= StackLimit ? stackalloc char[length] : new char[length];
        referrer.Scheme.ToLowerInvariant(buffer);
        "://".CopyTo(buffer[referrer.Scheme.Length..]);
        referrer.Host.ToLowerInvariant(buffer[(referrer.Scheme.Length + 3)..]);
        path.CopyTo(buffer[(referrer.Scheme.Length + 3 + referrer.Host.Length)..]);
        return new string(buffer);
    }

    /// <summary>An unlisted referrer's source: its host, lower case, without "www.".</summary>
    private static string SourceHost(ReadOnlySpan<char> host)
    {
        if (host.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            host = host[4..];
        }
        var buffer = host.Length <= StackLimit ? stackalloc char[host.Length] : new char[host.Length];
        host.ToLowerInvariant(buffer);
        return new string(buffer);
    }
}
