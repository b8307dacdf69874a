namespace Analytics.Pipeline.Hits;

/// <summary>
/// Every column of the hits and sessions tables, declared once. To add a field: add it here (a string,
/// at the end, with <see cref="HitField.Message"/> one above the highest in use), run
/// <c>ANALYTICS_REGENERATE=1 dotnet test tests/Analytics.Pipeline.Tests --filter HitFieldsCodeTests</c>
/// to rewrite HitFields.g.cs, add the migration that adds the column, and a collector step that fills it.
/// HitFieldsSchemaTests holds this list against <c>DESCRIBE TABLE</c> of every table it names.
/// </summary>
public static class HitFields
{
    private const string Text = "String";
    private const string Low = "LowCardinality(String)";
    private const string Time = "DateTime64(3, 'UTC')";
    private const string Sources = "rollup_sources_daily";
    private const string Locations = "rollup_locations_daily";
    private const string Devices = "rollup_devices_daily";
    private const string Attributes = "rollup_visit_attributes_daily";

    private static FieldDimension Dim(string name, FieldLevel level, string panel, string panelTitle, string label) =>
        new(name, level, panel, panelTitle, label);

    /// <summary>The columns in table order: the hits table's, then the sessions table's own.</summary>
    public static IReadOnlyList<HitField> All { get; } =
    [
        new("site_id", Low, FieldTables.Both, PrivacyClass.Technical) { Property = "SiteId", Required = true, VisitorPhrase = "the site" },
        new("timestamp", Time, FieldTables.Hits, PrivacyClass.Technical)
        {
            Property = "Timestamp", Required = true, Message = 0, VisitorPhrase = "the time",
        },
        new("hit_id", "UUID", FieldTables.Hits, PrivacyClass.Technical)
        {
            Property = "HitId", Required = true, Message = 0,
            Summary = "UUIDv7 made at the collector; unique per hit, so anything downstream can deduplicate.",
        },
        new("visitor_id", "UUID", FieldTables.Both, PrivacyClass.VisitorKey)
        {
            Property = "VisitorId", Required = true, Message = 0,
            Summary = "The random visitor ID from the cookie; <see cref=\"Guid.Empty\"/> for an anonymous (consent-less) hit.",
        },
        new("is_new_visitor", "Bool", FieldTables.Both, PrivacyClass.Technical)
        {
            Property = "IsNewVisitor", Message = 0,
            Summary = "The visitor ID was minted on this request (a browser that refuses cookies looks new every time).",
        },
        new("kind", "UInt8", FieldTables.Hits, PrivacyClass.Technical) { Property = "Kind", ClrType = "HitKind", Message = 0 },
        new("event_name", Low, FieldTables.Hits, PrivacyClass.PageContent)
        {
            Property = "EventName", Summary = "Custom event name for <see cref=\"HitKind.Event\"/>; empty otherwise.",
            Dimension = Dim("event_name", FieldLevel.Hit, "events", "Events", "Event"), Rollups = ["rollup_events_daily"],
        },
        new("hostname", Low, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "Hostname", Dimension = new("hostname", FieldLevel.Both),
            Rollups = ["rollup_paths_daily"],
        },
        new("path", Text, FieldTables.Hits, PrivacyClass.PageContent)
        {
            Property = "Path", Summary = "The page path, scrubbed (no query string, no fragment, personal tokens redacted).",
            Dimension = Dim("page", FieldLevel.Hit, "pages", "Top pages", "Page"), Rollups = ["rollup_paths_daily"],
            VisitorPhrase = "the page's address without its query string",
        },
        new("title", Text, FieldTables.Hits, PrivacyClass.PageContent) { Property = "Title", VisitorPhrase = "the page title" },
        new("referrer", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "Referrer", Summary = "The referrer as scheme://host/path, scrubbed; empty for direct or same-site navigation.",
            Dimension = Dim("referrer", FieldLevel.Visit, "sources", "Sources", "Referrer"), VisitorPhrase = "the referring site",
        },
        new("source", Low, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "Source", Summary = "The source: referrer host or utm_source, normalized.",
            Dimension = Dim("source", FieldLevel.Visit, "sources", "Sources", "Source"), Rollups = [Sources],
        },
        new("channel", Low, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "Channel", Summary = "direct, search, social, email, paid, referral.",
            Dimension = Dim("channel", FieldLevel.Visit, "sources", "Sources", "Channel"), Rollups = [Sources],
        },
        new("utm_source", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "UtmSource", Dimension = Dim("utm_source", FieldLevel.Visit, "utm", "Campaigns", "UTM source"), Rollups = [Sources],
            VisitorPhrase = "campaign tags",
        },
        new("utm_medium", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "UtmMedium", Dimension = Dim("utm_medium", FieldLevel.Visit, "utm", "Campaigns", "UTM medium"), Rollups = [Sources],
        },
        new("utm_campaign", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "UtmCampaign", Dimension = Dim("utm_campaign", FieldLevel.Visit, "utm", "Campaigns", "UTM campaign"), Rollups = [Sources],
        },
        new("utm_term", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "UtmTerm", Dimension = Dim("utm_term", FieldLevel.Visit, "utm", "Campaigns", "UTM term"), Rollups = [Sources],
        },
        new("utm_content", Text, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "UtmContent", Dimension = Dim("utm_content", FieldLevel.Visit, "utm", "Campaigns", "UTM content"), Rollups = [Sources],
        },
        new("country", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "Country", Summary = "ISO 3166-1 alpha-2 country code.",
            Dimension = Dim("country", FieldLevel.Both, "countries", "Countries", "Country"), Rollups = [Locations, Attributes],
            VisitorPhrase = "your country, region and city (worked out from your IP address, which is then discarded)",
        },
        new("region", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "Region", Summary = "ISO 3166-2 subdivision code, e.g. \"US-CA\".",
            Dimension = Dim("region", FieldLevel.Both, "countries", "Countries", "Region"), Rollups = [Locations],
        },
        new("city", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "City", Dimension = Dim("city", FieldLevel.Both, "countries", "Countries", "City"), Rollups = [Locations],
        },
        new("browser", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "Browser", Dimension = Dim("browser", FieldLevel.Both, "browsers", "Browsers", "Browser"),
            Rollups = [Devices, Attributes, "rollup_bots_daily"], VisitorPhrase = "your browser, operating system and device type",
        },
        new("browser_version", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "BrowserVersion", Dimension = Dim("browser_version", FieldLevel.Both, "browsers", "Browsers", "Browser version"),
            Rollups = [Devices],
        },
        new("os", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "Os", Dimension = Dim("os", FieldLevel.Both, "os", "Operating systems", "OS"), Rollups = [Devices, Attributes],
        },
        new("os_version", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "OsVersion", Dimension = Dim("os_version", FieldLevel.Both, "os", "Operating systems", "OS version"), Rollups = [Devices],
        },
        new("device_type", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "DeviceType", Summary = "desktop, mobile, tablet, bot, other.",
            Dimension = Dim("device", FieldLevel.Both, "devices", "Devices", "Device"), Rollups = [Devices, Attributes],
        },
        new("screen_width", "UInt16", FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "ScreenWidth", Message = 0, Summary = "CSS pixels, 0 when unknown.", VisitorPhrase = "your screen width",
        },
        new("is_bot", "Bool", FieldTables.Both, PrivacyClass.Derived) { Property = "IsBot", Message = 0 },
        new("link_campaign", Low, FieldTables.Both, PrivacyClass.PageContent)
        {
            Property = "LinkCampaign", Summary = "Campaign of a signed link click (<see cref=\"HitKind.LinkClick\"/>).",
            Dimension = Dim("link_campaign", FieldLevel.Hit, "links", "Link clicks", "Link campaign"),
            Rollups = ["rollup_link_clicks_daily", Sources],
        },
        new("link_target", Text, FieldTables.Hits, PrivacyClass.PageContent)
        {
            Property = "LinkTarget", Summary = "Target URL of a link click, or of an outbound-link/download event.",
            Rollups = ["rollup_link_clicks_daily"],
        },
        new("props", "Map(String, String)", FieldTables.Hits, PrivacyClass.PageContent)
        {
            Property = "Props", Message = 0, Summary = "A few custom string properties (bounded in count and size by the collector).",
        },
        new("language", Low, FieldTables.Both, PrivacyClass.Derived)
        {
            Property = "Language", Message = 2,
            Summary = "Primary subtag of the browser's first Accept-Language choice, lower-cased (\"de\"); empty unless 2-3 letters.",
            Dimension = Dim("language", FieldLevel.Both, "languages", "Languages", "Language"),
            VisitorPhrase = "your browser's preferred language (such as \"de\", not its whole list)",
        },
        new("retention_days", "UInt16", FieldTables.Both, PrivacyClass.Technical)
        {
            HitsValue = "retention.RawDaysFor(hit.SiteId, hit.Timestamp)", SessionsValue = "retention.RawDaysFor(entry.SiteId, session.StartedAt)",
        },

        // The sessions table's own columns: the visit's state, computed by the session tracker.
        // On hits too (schema/0018): the visit the aggregator's session tracker placed the hit in, so a funnel within
        // a visit groups hits by it instead of joining them to sessions. All zeros on hits stored before 0018.
        new("session_id", "UUID", FieldTables.Both, PrivacyClass.Technical)
        {
            Property = "SessionId", Message = HitField.NotInMessages, SessionsValue = "session.SessionId",
            Summary = "The visit holding the hit (its first hit's ID), set by the aggregator's session tracker; never carried in messages.",
        },
        new("sign", "Int8", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Sign" },
        new("version", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Version" },
        new("started_at", Time, FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.StartedAt" },
        new("ended_at", Time, FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.EndedAt" },
        new("duration", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Duration" },
        new("hits", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Hits" },
        new("pageviews", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Pageviews" },
        new("events", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.Events" },
        new("link_clicks", "UInt32", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.LinkClicks" },
        new("is_bounce", "Bool", FieldTables.Sessions, PrivacyClass.Technical) { SessionsValue = "session.IsBounce" },
        new("entry_page", Text, FieldTables.Sessions, PrivacyClass.PageContent)
        {
            SessionsValue = "entry.Path", Dimension = Dim("entry_page", FieldLevel.Visit, "entry", "Entry pages", "Entry page"),
        },
        new("exit_page", Text, FieldTables.Sessions, PrivacyClass.PageContent)
        {
            SessionsValue = "session.ExitPage", Dimension = Dim("exit_page", FieldLevel.Visit, "exit", "Exit pages", "Exit page"),
        },
    ];

    /// <summary>The columns of <paramref name="table"/> ("hits" or "sessions"), in declaration order.</summary>
    public static IEnumerable<HitField> In(FieldTables table) => All.Where(f => (f.Tables & table) != 0);

    /// <summary>The declared columns a rollup table carries, by column name.</summary>
    public static string[] ColumnsIn(string rollup) => [.. All.Where(f => f.Rollups.Contains(rollup)).Select(f => f.Column)];

    /// <summary>
    /// What the visitor's own page says is kept under their ID: the phrases of the hits table's columns,
    /// joined as an English list ("the time, the site, ... and your screen width").
    /// </summary>
    public static string VisitorDescription { get; } = JoinPhrases([.. In(FieldTables.Hits).Select(f => f.VisitorPhrase).OfType<string>()]);

    private static string JoinPhrases(string[] phrases) =>
        phrases.Length < 2 ? string.Concat(phrases) : string.Join(", ", phrases[..^1]) + ", and " + phrases[^1];
}
