namespace Analytics.Collector.Sites;

/// <summary>The settings a change gives; null leaves a setting as it is (or at its default, for a new site).</summary>
public sealed record SitePatch
{
    public IReadOnlyList<string>? Hosts { get; init; }

    public string? TimeZone { get; init; }

    public ConsentMode? ConsentMode { get; init; }

    public int? RetentionDays { get; init; }

    public int? KThreshold { get; init; }

    public IReadOnlyList<string>? KeepQueryParameters { get; init; }

    public bool? StrictOrigin { get; init; }

    public SiteOptions ApplyTo(SiteOptions site) => site with
    {
        Hosts = Hosts ?? site.Hosts,
        TimeZone = TimeZone ?? site.TimeZone,
        ConsentMode = ConsentMode ?? site.ConsentMode,
        RetentionDays = RetentionDays ?? site.RetentionDays,
        KThreshold = KThreshold ?? site.KThreshold,
        KeepQueryParameters = KeepQueryParameters ?? site.KeepQueryParameters,
        StrictOrigin = StrictOrigin ?? site.StrictOrigin,
    };
}
