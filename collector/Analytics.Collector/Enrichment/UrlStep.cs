using System.Collections.Frozen;
using System.Text;
using Analytics.Collector.Enrichment.Urls;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;

namespace Analytics.Collector.Enrichment;

/// <summary>
/// Scrubs the stored page path (<see cref="UrlScrubber"/>) and appends the query parameters the site
/// keeps (<see cref="Site.KeepQueryParameters"/>); every other parameter and the fragment are dropped.
/// </summary>
public sealed class UrlStep : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var h = hit.Hit;
        h.Path = UrlScrubber.ScrubPath(h.Path);
        // The validated site (from configuration or the sites file, as reloaded) says what it keeps.
        if (hit.Site is { KeepQueryParameters.Count: > 0 } site)
        {
            h.Path = WithKeptParameters(h.Path, QueryParameters.Of(hit.Parameters.Url), site.KeepQueryParameters);
        }
        return null;
    }

    private static string WithKeptParameters(string path, ReadOnlySpan<char> query, FrozenSet<string> keep)
    {
        var lookup = keep.GetAlternateLookup<ReadOnlySpan<char>>();
        StringBuilder? kept = null;
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            QueryParameters.Split(pair, out var key, out var value);
            if (key.IsEmpty || !lookup.Contains(key))
            {
                continue;
            }
            kept ??= new StringBuilder(path).Append('?');
            if (kept[^1] != '?')
            {
                kept.Append('&');
            }
            var placeholder = UrlScrubber.Placeholder(QueryParameters.Decode(value, int.MaxValue));
            kept.Append(key).Append('=').Append(placeholder is null ? value : Uri.EscapeDataString(placeholder));
        }
        return kept?.ToString() ?? path;
    }
}
