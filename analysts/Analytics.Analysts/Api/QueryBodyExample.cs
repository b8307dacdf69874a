using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.Analysts.Api;

/// <summary>The query body, described for the OpenAPI document (the endpoint reads it as JSON itself).</summary>
public sealed record QueryBodyExample
{
    /// <summary>The site to read; the key must be scoped to it.</summary>
    [JsonPropertyName("site_id")]
    public required string SiteId { get; init; }

    /// <summary>visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration, events, link_clicks, bot_hits.</summary>
    [JsonPropertyName("metrics")]
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>today, yesterday, Nd, month, last_month, year, 6mo, 12mo, all (from the site's first day with data), or ["YYYY-MM-DD", "YYYY-MM-DD"]; in the site's time zone.</summary>
    [JsonPropertyName("date_range")]
    public JsonElement? DateRange { get; init; }

    /// <summary>time:hour|day|week|month, props:NAME, or a dimension of docs/analysts.md (page, source, country, browser, device, ...; the list is declared in HitFields).</summary>
    [JsonPropertyName("dimensions")]
    public IReadOnlyList<string>? Dimensions { get; init; }

    /// <summary>[op, dimension, [values]] with op is, is_not, contains, contains_not, matches, matches_not; or ["and"|"or", [filters]], ["not", filter].</summary>
    [JsonPropertyName("filters")]
    public JsonElement? Filters { get; init; }

    /// <summary>[[name, "asc"|"desc"], ...] over the query's metrics and dimensions.</summary>
    [JsonPropertyName("order_by")]
    public JsonElement? OrderBy { get; init; }

    /// <summary>{"limit": 100, "offset": 0}.</summary>
    [JsonPropertyName("pagination")]
    public JsonElement? Pagination { get; init; }

    /// <summary>{"comparisons": {"mode": "previous_period"|"year_over_year"}}.</summary>
    [JsonPropertyName("include")]
    public JsonElement? Include { get; init; }

    /// <summary>"json" (default) or "csv"; Accept: text/csv works too.</summary>
    [JsonPropertyName("format")]
    public string? Format { get; init; }
}
