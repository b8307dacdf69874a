namespace Analytics.Analysts.Query;

/// <summary>
/// One metric of the allow-list. <see cref="IsVisitMetric"/> metrics need visits (sessions), the others
/// count hits. The SQL lives in the planner, keyed by <see cref="Name"/>; callers never send SQL.
/// </summary>
public sealed record Metric(string Name, bool IsVisitMetric, bool IsInteger, string Description)
{
    public static readonly Metric Visitors = new("visitors", false, true, "Unique visitors: distinct visitor IDs (cookies). Hits without one (DNT, GPC, opt-out, link clicks) are never visitors.");
    public static readonly Metric EstimatedVisitors = new("estimated_visitors", false, true,
        "An estimate of all visitors, cookie-less ones included: visitors plus the cookie-less pageviews divided by the cookie visitors' pageviews per visitor in the same cell (docs/analysts.md).");
    public static readonly Metric Visits = new("visits", true, true, "Visits: runs of one visitor's hits with gaps under 30 minutes.");
    public static readonly Metric Pageviews = new("pageviews", false, true, "Pageview hits.");
    public static readonly Metric ViewsPerVisit = new("views_per_visit", true, false, "Pageviews per visit.");
    public static readonly Metric BounceRate = new("bounce_rate", true, false, "Percent of visits with one pageview.");
    public static readonly Metric VisitDuration = new("visit_duration", true, true, "Mean visit length in seconds, first to last hit.");
    public static readonly Metric Events = new("events", false, true, "Custom event hits.");
    public static readonly Metric LinkClicks = new("link_clicks", false, true, "Signed link clicks.");
    public static readonly Metric BotHits = new("bot_hits", false, true, "Hits recognised as bots (excluded from every other metric).");

    public static readonly Metric Conversions = new("conversions", false, true, "Visitors who completed the goal(s) filtered by, or of each goal (dimension goal).");
    public static readonly Metric ConversionRate = new("conversion_rate", false, false, "Percent of the visitors (same period and other filters) who completed the goal.");

    public static IReadOnlyList<Metric> All { get; } =
        [Visitors, EstimatedVisitors, Visits, Pageviews, ViewsPerVisit, BounceRate, VisitDuration, Events, LinkClicks, BotHits, Conversions, ConversionRate];

    /// <summary>Metrics answered from goal conversions (ConversionQuery), never planned as SQL of their own.</summary>
    public bool IsGoalMetric => Name is "conversions" or "conversion_rate";

    public static bool TryFind(string name, out Metric metric)
    {
        metric = All.FirstOrDefault(m => m.Name == name)!;
        return metric is not null;
    }
}
