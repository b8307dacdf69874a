using System.Collections.Frozen;
using Analytics.Pipeline.Sites;

namespace Analytics.Collector.Sites;

/// <summary>A registered site as the collector uses it.</summary>
public sealed record Site(
    string Id, FrozenSet<string> Hosts, string TimeZone, ConsentMode ConsentMode, int RetentionDays, int KThreshold, FrozenSet<string> KeepQueryParameters)
{
    /// <summary>Host names compare case-insensitively, without allocating a lower-cased copy.</summary>
    public bool Allows(string host) => Hosts.Contains(host);

    public bool Allows(ReadOnlySpan<char> host) => _lookup.Contains(host);

    /// <summary>Store only hits whose Origin or Referer header names one of <see cref="Hosts"/> (<see cref="SiteOptions.StrictOrigin"/>).</summary>
    public bool StrictOrigin { get; init; }

    /// <summary>What the other parts read of this site (<see cref="ISiteSettings"/>).</summary>
    public SiteSettings Settings { get; } = new(Id, TimeZone, RetentionDays, KThreshold, KeepQueryParameters);

    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup = Hosts.GetAlternateLookup<ReadOnlySpan<char>>();

    internal static Site From(SiteOptions o) => new(
        o.Id,
        o.Hosts.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
        o.TimeZone,
        o.ConsentMode,
        o.RetentionDays,
        o.KThreshold,
        o.KeepQueryParameters.ToFrozenSet(StringComparer.OrdinalIgnoreCase))
    {
        StrictOrigin = o.StrictOrigin,
    };
}
