namespace Analytics.Pipeline.Hits;

/// <summary>
/// One enriched hit as it leaves the collector: only derived, anonymous dimensions. There is no field
/// for an IP address, a raw user-agent or any personal identifier, and there must never be one
/// (privacy invariants 1 and 2). Strings are empty, never null, when unknown.
/// The collector's steps fill it in place (one allocation per hit); once handed to a sink it is not changed.
/// </summary>
public sealed class Hit
{
    /// <summary>UUIDv7 made at the collector; unique per hit, so anything downstream can deduplicate.</summary>
    public required Guid HitId { get; init; }

    public required string SiteId { get; init; }

    public required DateTime Timestamp { get; init; }

    /// <summary>The random visitor ID from the cookie; <see cref="Guid.Empty"/> for an anonymous (consent-less) hit.</summary>
    public required Guid VisitorId { get; init; }

    /// <summary>The visitor ID was minted on this request (a browser that refuses cookies looks new every time).</summary>
    public bool IsNewVisitor { get; set; }

    public HitKind Kind { get; set; } = HitKind.Pageview;

    /// <summary>Custom event name for <see cref="HitKind.Event"/>; empty otherwise.</summary>
    public string EventName { get; set; } = "";

    public string Hostname { get; set; } = "";

    /// <summary>The page path, scrubbed (no query string, no fragment, personal tokens redacted).</summary>
    public string Path { get; set; } = "";

    public string Title { get; set; } = "";

    /// <summary>The referrer as scheme://host/path, scrubbed; empty for direct or same-site navigation.</summary>
    public string Referrer { get; set; } = "";

    /// <summary>The source: referrer host or utm_source, normalized.</summary>
    public string Source { get; set; } = "";

    /// <summary>direct, search, social, email, paid, referral.</summary>
    public string Channel { get; set; } = "";

    public string UtmSource { get; set; } = "";
    public string UtmMedium { get; set; } = "";
    public string UtmCampaign { get; set; } = "";
    public string UtmTerm { get; set; } = "";
    public string UtmContent { get; set; } = "";

    /// <summary>ISO 3166-1 alpha-2 country code.</summary>
    public string Country { get; set; } = "";

    /// <summary>ISO 3166-2 subdivision code, e.g. "US-CA".</summary>
    public string Region { get; set; } = "";

    public string City { get; set; } = "";

    public string Browser { get; set; } = "";
    public string BrowserVersion { get; set; } = "";
    public string Os { get; set; } = "";
    public string OsVersion { get; set; } = "";

    /// <summary>desktop, mobile, tablet, bot, other.</summary>
    public string DeviceType { get; set; } = "";

    public ushort ScreenWidth { get; set; }

    public bool IsBot { get; set; }

    /// <summary>Campaign of a signed link click (<see cref="HitKind.LinkClick"/>).</summary>
    public string LinkCampaign { get; set; } = "";

    /// <summary>Target URL of a link click, or of an outbound-link/download event.</summary>
    public string LinkTarget { get; set; } = "";

    /// <summary>A few custom string properties (bounded in count and size by the collector).</summary>
    public IReadOnlyDictionary<string, string> Props { get; set; } = EmptyProps;

    private static readonly IReadOnlyDictionary<string, string> EmptyProps = new Dictionary<string, string>();
}
