namespace Analytics.Pipeline.Hits;

/// <summary>
/// One enriched hit as it leaves the collector: only derived, anonymous dimensions. There is no field
/// for an IP address, a raw user-agent or any personal identifier, and there must never be one
/// (privacy invariants 1 and 2). Strings are empty, never null, when unknown.
/// </summary>
public sealed record Hit
{
    /// <summary>UUIDv7 made at the collector; unique per hit, so anything downstream can deduplicate.</summary>
    public required Guid HitId { get; init; }

    public required string SiteId { get; init; }

    public required DateTime Timestamp { get; init; }

    /// <summary>The random visitor ID from the cookie; <see cref="Guid.Empty"/> for an anonymous (consent-less) hit.</summary>
    public required Guid VisitorId { get; init; }

    /// <summary>The visitor ID was minted on this request (a browser that refuses cookies looks new every time).</summary>
    public bool IsNewVisitor { get; init; }

    public HitKind Kind { get; init; } = HitKind.Pageview;

    /// <summary>Custom event name for <see cref="HitKind.Event"/>; empty otherwise.</summary>
    public string EventName { get; init; } = "";

    public string Hostname { get; init; } = "";

    /// <summary>The page path, scrubbed (no query string, no fragment, personal tokens redacted).</summary>
    public string Path { get; init; } = "";

    public string Title { get; init; } = "";

    /// <summary>The referrer as scheme://host/path, scrubbed; empty for direct or same-site navigation.</summary>
    public string Referrer { get; init; } = "";

    /// <summary>The source: referrer host or utm_source, normalized.</summary>
    public string Source { get; init; } = "";

    /// <summary>direct, search, social, email, paid, referral.</summary>
    public string Channel { get; init; } = "";

    public string UtmSource { get; init; } = "";
    public string UtmMedium { get; init; } = "";
    public string UtmCampaign { get; init; } = "";
    public string UtmTerm { get; init; } = "";
    public string UtmContent { get; init; } = "";

    /// <summary>ISO 3166-1 alpha-2 country code.</summary>
    public string Country { get; init; } = "";

    /// <summary>ISO 3166-2 subdivision code, e.g. "US-CA".</summary>
    public string Region { get; init; } = "";

    public string City { get; init; } = "";

    public string Browser { get; init; } = "";
    public string BrowserVersion { get; init; } = "";
    public string Os { get; init; } = "";
    public string OsVersion { get; init; } = "";

    /// <summary>desktop, mobile, tablet, bot, other.</summary>
    public string DeviceType { get; init; } = "";

    public ushort ScreenWidth { get; init; }

    public bool IsBot { get; init; }

    /// <summary>Campaign of a signed link click (<see cref="HitKind.LinkClick"/>).</summary>
    public string LinkCampaign { get; init; } = "";

    /// <summary>Target URL of a link click, or of an outbound-link/download event.</summary>
    public string LinkTarget { get; init; } = "";

    /// <summary>A few custom string properties (bounded in count and size by the collector).</summary>
    public IReadOnlyDictionary<string, string> Props { get; init; } = EmptyProps;

    private static readonly IReadOnlyDictionary<string, string> EmptyProps = new Dictionary<string, string>();
}
