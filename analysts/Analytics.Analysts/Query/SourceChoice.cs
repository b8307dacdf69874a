using Analytics.Pipeline.Hits;

namespace Analytics.Analysts.Query;

/// <summary>
/// Picks the narrowest stored data that answers a query exactly as raw data would. Hit questions (no
/// visit metric, no visit dimension) read hits or a hit-fed rollup; visit questions read the visits
/// table or a visit-fed rollup; a hit-level dimension or filter (page, event name) with a visit metric
/// rebuilds visits from raw hits. RollupPlannerTests compares every rollup answer with the raw one.
/// </summary>
public static class SourceChoice
{
    private static readonly HashSet<string> SiteHourlyMetrics = ["visitors", "pageviews", "events", "link_clicks", "bot_hits"];
    private static readonly HashSet<string> PageMetrics = ["visitors", "pageviews"];
    private static readonly HashSet<string> VisitRollupMetrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration"];

    /// <summary>The columns rollup_visit_attributes_daily holds one at a time (its attribute names).</summary>
    private static readonly HashSet<string> VisitAttributes = [.. HitFields.ColumnsIn("rollup_visit_attributes_daily")];

    /// <summary>Visit-fed daily rollups, smallest first (fewest distinct keys per day in real traffic), with the columns each is keyed by.</summary>
    private static readonly (PlanSource Source, HashSet<string> Columns)[] VisitRollups =
    [
        (PlanSource.SourcesDailyRollup, [.. HitFields.ColumnsIn("rollup_sources_daily")]),
        (PlanSource.LocationsDailyRollup, [.. HitFields.ColumnsIn("rollup_locations_daily")]),
        (PlanSource.DevicesDailyRollup, [.. HitFields.ColumnsIn("rollup_devices_daily")]),
    ];

    public static PlanSource For(StatsQuery query, DateRange range, PlanMode mode)
    {
        var filter = Simplified(query.Filter);
        var conditions = filter?.Conditions().ToList() ?? [];
        var bots = query.Metrics.Contains(Metric.BotHits);
        var hitLevel = query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Hit) || conditions.Any(c => c.Dimension.Level == DimensionLevel.Hit);
        var visits = IsVisitQuery(query, conditions);
        if (visits && bots)
        {
            // Bots' hits form no visits, so nothing ties them to an entry page, a source or a campaign.
            throw new BadQueryException("bot_hits cannot be broken down or filtered by a visit dimension (entry_page, exit_page, source, referrer, channel, utm_*): bots' hits form no visits.");
        }
        if (visits)
        {
            // The visits table holds each visit's first-hit values, entry and exit: it answers unless a
            // dimension or filter differs from hit to hit (page, event name), which needs the hits.
            if (mode == PlanMode.HitsOnly || query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Hit))
            {
                return PlanSource.VisitsFromHits;
            }
            if (hitLevel)
            {
                return SplitsIntoHitAndVisitParts(filter) ? PlanSource.SessionsByHits : PlanSource.VisitsFromHits;
            }
            if (mode == PlanMode.Best && UtcDays(range) && query.Dimensions is [{ Column.Name: "entry_page" or "exit_page" } page]
                && conditions.All(c => c.Dimension.Name == page.Name)
                && query.Metrics.All(m => m.Name == "visits" || (m.Name == "bounce_rate" && page.Name == "entry_page")))
            {
                // The pages rollup counts each visit's entry and exit page (and bounces at entry), not their visitors.
                return page.Name == "entry_page" ? PlanSource.EntryPagesDailyRollup : PlanSource.ExitPagesDailyRollup;
            }
            if (mode == PlanMode.Best && VisitorSpans.AttributeFor(query, conditions, range, visits: true) is not null)
            {
                return PlanSource.VisitorSpans;
            }
            return mode == PlanMode.Best && VisitRollup(query, conditions, range) is { } rollup ? rollup : PlanSource.Sessions;
        }
        if (mode == PlanMode.Best)
        {
            if (VisitorSpans.AttributeFor(query, conditions, range, visits: false) is not null)
            {
                // The site's visitors and pageviews, or a page's, per period or per day.
                return PlanSource.VisitorSpans;
            }
            if (filter is null && query.Dimensions.All(d => d.Grain is not null) && query.Metrics.All(m => SiteHourlyMetrics.Contains(m.Name))
                && WholeHours(query.TimeZone, range))
            {
                return PlanSource.SiteHourlyRollup;
            }
            if (UtcDays(range) && query.Metrics.All(m => PageMetrics.Contains(m.Name)) && conditions.All(c => c.Dimension.Name is "page" or "hostname")
                && (query.Dimensions is [{ Column.Name: "page" }] || (conditions.Any(c => c.Dimension.Name == "page") && DailyGrains(query))))
            {
                // A page breakdown, or the pageviews and visitors of the pages a filter picks (a clicked row) in total or per day.
                return PlanSource.PagesDailyRollup;
            }
            // Only custom events carry an event name and only link clicks a link campaign, so once the
            // empty value is filtered out the hits left are exactly the rollup's.
            if (UtcDays(range) && query.Dimensions is [{ Column.Name: "event_name" }] && query.Metrics.All(m => m.Name is "visitors" or "events")
                && ExcludesEmpty(filter, "event_name"))
            {
                return PlanSource.EventsDailyRollup;
            }
            if (UtcDays(range) && query.Dimensions is [{ Column.Name: "link_campaign" }] && query.Metrics.All(m => m.Name is "visitors" or "link_clicks")
                && ExcludesEmpty(filter, "link_campaign"))
            {
                return PlanSource.LinkClicksDailyRollup;
            }
        }
        return PlanSource.Hits;
    }

    /// <summary>The query needs visits: a visit metric, a visit dimension or filter, or a breakdown by a value of the visit's first hit.</summary>
    public static bool IsVisitQuery(StatsQuery query, IReadOnlyList<Condition> conditions)
    {
        var bots = query.Metrics.Contains(Metric.BotHits);
        var hitLevel = query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Hit) || conditions.Any(c => c.Dimension.Level == DimensionLevel.Hit);
        return query.Metrics.Any(m => m.IsVisitMetric)
            || query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Visit)
            || conditions.Any(c => c.Dimension.Level == DimensionLevel.Visit)
            // A breakdown by country, browser or device counts the visits with that value (of their first
            // hit), as the visit rollups do; hit metrics then count the hits of those visits.
            || (!bots && !hitLevel && query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Both));
    }

    /// <summary>
    /// Each part of the top-level "and" tests either hit-level dimensions only (met by one hit of the visit)
    /// or none (met by the visit's own values), and the first kind exists: the visits table can answer.
    /// </summary>
    private static bool SplitsIntoHitAndVisitParts(Filter? filter)
    {
        var parts = filter switch { AllOf all => all.Filters, null => [], _ => [filter] };
        var hitOnly = parts.Where(f => f.Conditions().Any() && f.Conditions().All(c => c.Dimension.Level == DimensionLevel.Hit)).ToList();
        return hitOnly.Count > 0 && parts.Except(hitOnly).All(f => f.Conditions().All(c => c.Dimension.Level != DimensionLevel.Hit));
    }

    /// <summary>An empty "and" is no filter (the dashboard always sends a list, often empty); nested ands are one.</summary>
    public static Filter? Simplified(Filter? filter) => filter switch
    {
        AllOf all => all.Filters.Select(Simplified).OfType<Filter>().SelectMany(f => f is AllOf inner ? inner.Filters : [f]).ToList() switch
        {
            [] => null,
            [var one] => one,
            var many => new AllOf(many),
        },
        _ => filter,
    };

    /// <summary>The first visit rollup keyed by every column the query groups or filters by, over whole UTC days.</summary>
    private static PlanSource? VisitRollup(StatsQuery query, List<Condition> conditions, DateRange range)
    {
        if (!UtcDays(range) || !query.Metrics.All(m => VisitRollupMetrics.Contains(m.Name))
            || query.Dimensions.Any(d => d.Grain == TimeGrain.Hour || (d.Grain is not null && !UtcZone(query.TimeZone))))
        {
            return null;
        }
        var columns = query.Dimensions.Where(d => d.Column is not null).Select(d => d.Column!.Column).Concat(conditions.Select(c => c.Dimension.Column)).ToHashSet();
        if (columns.Count == 1 && VisitAttributes.Contains(columns.Single()))
        {
            return PlanSource.VisitAttributesDailyRollup;
        }
        foreach (var (source, keyed) in VisitRollups)
        {
            if (columns.IsSubsetOf(keyed))
            {
                return source;
            }
        }
        return null;
    }

    /// <summary>The filter is an "and" (or a single condition) with "is not ''" on <paramref name="dimension"/>, and filters on nothing else.</summary>
    private static bool ExcludesEmpty(Filter? filter, string dimension)
    {
        var parts = filter switch
        {
            AllOf all => all.Filters,
            Condition c => [c],
            _ => [],
        };
        return parts.Any(f => f is Condition { Operator: FilterOperator.IsNot } c && c.Dimension.Name == dimension && c.Values.Contains(""))
            && filter!.Conditions().All(c => c.Dimension.Name == dimension);
    }

    /// <summary>No dimension but time by day, week or month, in a zone whose days are UTC days.</summary>
    private static bool DailyGrains(StatsQuery query) =>
        query.Dimensions.All(d => d.Grain is TimeGrain.Day or TimeGrain.Week or TimeGrain.Month) && (query.Dimensions.Count == 0 || UtcZone(query.TimeZone));

    /// <summary>The period is whole UTC days, as the daily rollups are.</summary>
    private static bool UtcDays(DateRange range) => range.From.TimeOfDay == TimeSpan.Zero && range.To.TimeOfDay == TimeSpan.Zero;

    /// <summary>The zone's days are UTC days throughout (so daily rollup rows are the zone's days).</summary>
    private static bool UtcZone(TimeZoneInfo zone) => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;

    /// <summary>UTC hours map onto the zone's hours: the zone is a whole number of hours from UTC throughout the range.</summary>
    private static bool WholeHours(TimeZoneInfo zone, DateRange range) =>
        range.From.Minute == 0 && range.To.Minute == 0
        && zone.BaseUtcOffset.Minutes == 0 && zone.GetAdjustmentRules().All(r => r.DaylightDelta.Minutes == 0);
}
