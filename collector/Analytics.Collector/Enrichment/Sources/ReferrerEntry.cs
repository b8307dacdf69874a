namespace Analytics.Collector.Enrichment.Sources;

/// <summary>A known referrer: its display name ("Google") and medium (search, social, email, paid, referral, unknown).</summary>
public sealed record ReferrerEntry(string Source, string Medium);
