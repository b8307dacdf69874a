namespace Analytics.Analysts.Query;

/// <summary>SQL for one query over one period, with its bound parameters and the data it reads.</summary>
public sealed record QueryPlan(string Sql, IReadOnlyDictionary<string, string> Parameters, PlanSource Source)
{
    /// <summary>
    /// When set, the statement reads a page window's sums (<see cref="WindowMetrics.SumsSql"/>) in the place of these
    /// metrics, and the reader computes them (<see cref="WindowMetrics.From"/>); numbers after the sums are read as they are.
    /// </summary>
    public IReadOnlyList<Metric>? MetricsFromSums { get; init; }

    /// <summary>
    /// When set, the statement reads one more number after the metrics, the visitors of the days after the page window
    /// that viewed the page; with this, the window's days' own (<see cref="StoredPageWindow.DaysVisitorsAtLeast"/>), a lower
    /// bound of the sum of the period's days' visitors, which the reader then need not read (<see cref="QueryRunner"/>).
    /// </summary>
    public double? WindowDaysVisitorsAtLeast { get; init; }

    /// <summary>Settings (SQL, comma-separated) for the statement that reads this plan's SQL as a subquery, if it needs any.</summary>
    public string? Settings { get; init; }
}

/// <summary>Which stored data answers a query; the planner's choice, never the caller's.</summary>
public enum PlanSource
{
    /// <summary>Raw hits, aggregated directly (hit metrics, hit-level dimensions).</summary>
    Hits,

    /// <summary>Raw hits grouped into visits on the fly with the 30-minute rule.</summary>
    VisitsFromHits,

    /// <summary>The visits table the aggregator keeps (sessions): visit metrics by visit-level dimensions.</summary>
    Sessions,

    /// <summary>The visits table, visits picked by their hits that meet a page or event filter (matched by visitor and time span).</summary>
    SessionsByHits,

    /// <summary>Hourly site totals (rollup_site_hourly): hit metrics over time, no filters.</summary>
    SiteHourlyRollup,

    /// <summary>Daily pages (rollup_paths_daily): pageviews and visitors per page, filters on page or host only, UTC days.</summary>
    PagesDailyRollup,

    /// <summary>Visits (and bounces) per entry page from the entries of rollup_paths_daily. UTC days.</summary>
    EntryPagesDailyRollup,

    /// <summary>Visits per exit page from the exits of rollup_paths_daily. UTC days.</summary>
    ExitPagesDailyRollup,

    /// <summary>Visits per day by source, channel and UTM (rollup_sources_daily); also the visit totals. UTC days.</summary>
    SourcesDailyRollup,

    /// <summary>Visits per day by one of country, browser, OS or device type, filtered by that one only (rollup_visit_attributes_daily). UTC days.</summary>
    VisitAttributesDailyRollup,

    /// <summary>Visits per day by country, region and city (rollup_locations_daily). UTC days.</summary>
    LocationsDailyRollup,

    /// <summary>Visits per day by device, browser and OS (rollup_devices_daily). UTC days.</summary>
    DevicesDailyRollup,

    /// <summary>Custom events per day by name (rollup_events_daily), once the empty name is filtered out. UTC days.</summary>
    EventsDailyRollup,

    /// <summary>Link clicks per day by campaign (rollup_link_clicks_daily), once the empty campaign is filtered out. UTC days.</summary>
    LinkClicksDailyRollup,

    /// <summary>Visitors and sums per attribute value over aligned spans of 1, 4 and 16 days (rollup_visitor_spans_fine, <see cref="VisitorSpans"/>). UTC days.</summary>
    VisitorSpans,
}
