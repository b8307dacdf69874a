using Analytics.Collector.Sites;

namespace Analytics.Host.Sites;

/// <summary>
/// A site as the admin API reads and writes it (snake_case JSON). On POST every field but <see cref="Id"/> and
/// <see cref="Hosts"/> may be left out (defaults); on PATCH a field left out stays as it is.
/// </summary>
public sealed record SiteBody
{
    public string? Id { get; init; }

    public IReadOnlyList<string>? Hosts { get; init; }

    public string? TimeZone { get; init; }

    public ConsentMode? ConsentMode { get; init; }

    public int? RetentionDays { get; init; }

    public int? KThreshold { get; init; }

    public IReadOnlyList<string>? KeepQueryParameters { get; init; }

    public bool? StrictOrigin { get; init; }

    public SitePatch ToPatch() => new()
    {
        Hosts = Hosts,
        TimeZone = TimeZone,
        ConsentMode = ConsentMode,
        RetentionDays = RetentionDays,
        KThreshold = KThreshold,
        KeepQueryParameters = KeepQueryParameters,
        StrictOrigin = StrictOrigin,
    };

    public static SiteBody From(SiteOptions site) => new()
    {
        Id = site.Id,
        Hosts = site.Hosts,
        TimeZone = site.TimeZone,
        ConsentMode = site.ConsentMode,
        RetentionDays = site.RetentionDays,
        KThreshold = site.KThreshold,
        KeepQueryParameters = site.KeepQueryParameters,
        StrictOrigin = site.StrictOrigin,
    };
}
