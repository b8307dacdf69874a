using System.ComponentModel.DataAnnotations;

namespace Analytics.Analysts;

/// <summary>Stats API, dashboard and access settings, section "Analysts".</summary>
public sealed record AnalystsOptions
{
    public const string Section = "Analysts";

    /// <summary>JSON file of API keys and shared links (hashes only); written by `analytics key`.</summary>
    [Required]
    public string KeysPath { get; init; } = "data/keys.json";

    /// <summary>JSON file of the sites' goals and segments; empty: definitions.json beside the keys file.</summary>
    public string DefinitionsPath { get; init; } = "";

    /// <summary>Where goals and segments are kept (<see cref="DefinitionsPath"/>, or beside the keys file).</summary>
    public string DefinitionsFile => DefinitionsPath is { Length: > 0 } path
        ? path
        : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(KeysPath))!, "definitions.json");

    /// <summary>IANA time zone per site id; a site not listed uses its Sites entry's TimeZone, else UTC.</summary>
    public Dictionary<string, string> TimeZones { get; init; } = [];

    [Range(1, 36600)]
    public int MaxRangeDays { get; init; } = 3660;

    [Range(1, 10)]
    public int MaxDimensions { get; init; } = 3;

    [Range(1, 100)]
    public int MaxFilterConditions { get; init; } = 20;

    [Range(1, 1000)]
    public int MaxFilterValues { get; init; } = 100;

    [Range(1, 1000)]
    public int MaxRegexLength { get; init; } = 200;

    [Range(1, 100_000)]
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Longest a stats query may run before the engine stops it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests per key per minute; more get 429.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>
    /// Whether the panels merge a period's days before yesterday once and store them (visitor_windows, schema
    /// 0027), so later loads merge 3 states per value instead of about 6 for 30 days. Needs INSERT on that table.
    /// </summary>
    public bool VisitorWindows { get; init; } = true;

    /// <summary>
    /// Whether a page filter's views store its visits of a period's days before today (before yesterday while
    /// yesterday's visits are open) once (page_windows, schema 0029), so later loads join only today's visits to the page's hits. Needs INSERT on that table.
    /// </summary>
    public bool PageWindows { get; init; } = true;

    /// <summary>Shared dashboards hide rows with fewer visitors than this (privacy invariant 5).</summary>
    [Range(1, 1000)]
    public int SharedMinVisitors { get; init; } = 10;

    /// <summary>How long a realtime answer is reused, so polling dashboards cost one query per site.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RealtimeCacheFor { get; init; } = TimeSpan.FromSeconds(2);
}
