using System.ComponentModel.DataAnnotations;

namespace Analytics.Collector.Enrichment.Geo;

/// <summary>Geo lookup and client addresses, section "Enrichment:Geo".</summary>
public sealed record GeoOptions
{
    public const string Section = "Enrichment:Geo";

    /// <summary>Look up country, region and city at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>A MaxMind-format City or Country database; empty: geoip/GeoLite2-City.mmdb in the dependency cache.</summary>
    public string DatabasePath { get; init; } = "";

    /// <summary>
    /// When the database is missing or unreadable at start: false fails start-up with a message naming
    /// the file; true starts with geo disabled and logs a warning.
    /// </summary>
    public bool ContinueWithoutDatabase { get; init; }

    /// <summary>How often the database file is checked for replacement (it is reloaded when it changed).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan ReloadCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Addresses answered from memory (least recently used go first); 0 turns the cache off.</summary>
    [Range(0, 1_000_000)]
    public int CacheSize { get; init; } = 10_000;

    /// <summary>
    /// Proxies (addresses or CIDR networks such as "10.0.0.0/8") whose X-Forwarded-For or Forwarded
    /// header is believed. From anyone else those headers are ignored: the socket address is the client.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}
