using Analytics.Pipeline.Hits;

namespace Analytics.Partners.Reports;

/// <summary>
/// The dimensions and metrics a partner report may use: those of the rollup tables, all aggregates, none an
/// identifier. A report's dimensions, filters and metrics must all be in one rollup (schema/README.md says
/// why breakdowns across rollups need raw data, which partner reports never read).
/// </summary>
public static class ReportCatalog
{
    /// <summary>The site id; every report has it as its first dimension.</summary>
    public const string Site = "site";

    /// <summary>Distinct visitors; every report has it, and k applies to it.</summary>
    public const string Visitors = "visitors";

    private static readonly string[] SessionMeasures = [Visitors, "visits", "pageviews", "bounces", "visit_duration"];

    /// <summary>The rollups, in the order they are preferred when several cover a report.</summary>
    public static IReadOnlyList<Rollup> Rollups { get; } =
    [
        new("rollup_site_hourly", "toDate(hour)", Set(),
            Set(Visitors, "hits", "pageviews", "events", "link_clicks", "visits", "bounces", "visit_duration")),
        new("rollup_paths_daily", "day", Columns("rollup_paths_daily"), Set(Visitors, "pageviews", "entries", "exits", "bounces")),
        new("rollup_sources_daily", "day",
            Columns("rollup_sources_daily"), Set(SessionMeasures)),
        new("rollup_locations_daily", "day", Columns("rollup_locations_daily"), Set(SessionMeasures)),
        new("rollup_devices_daily", "day", Columns("rollup_devices_daily"), Set(SessionMeasures)),
        new("rollup_link_clicks_daily", "day", Columns("rollup_link_clicks_daily"), Set(Visitors, "clicks")),
        new("rollup_events_daily", "day", Columns("rollup_events_daily"), Set(Visitors, "events")),
    ];

    public static IReadOnlySet<string> Dimensions { get; } = Rollups.SelectMany(r => r.Dimensions).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlySet<string> Metrics { get; } = Rollups.SelectMany(r => r.Metrics).ToHashSet(StringComparer.Ordinal);

    /// <summary>Allowed coarsenings: a dimension and the coarser ones it may be replaced by.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Coarser { get; } = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        ["city"] = Set("region", "country"),
        ["region"] = Set("country"),
        ["path"] = Set(Site),
        ["source"] = Set("channel"),
        ["browser_version"] = Set("browser"),
        ["os_version"] = Set("os"),
    };

    /// <summary>The first rollup holding all of <paramref name="dimensions"/> (filters included) and <paramref name="metrics"/>.</summary>
    public static Rollup? RollupFor(IEnumerable<string> dimensions, IEnumerable<string> metrics)
    {
        var d = dimensions.ToList();
        var m = metrics.Append(Visitors).ToList();
        return Rollups.FirstOrDefault(r => r.Covers(d, m));
    }

    private static HashSet<string> Set(params string[] values) => new(values, StringComparer.Ordinal);

    /// <summary>The dimensions of a rollup as declared in <see cref="HitFields"/>.</summary>
    private static HashSet<string> Columns(string rollup) => Set(HitFields.ColumnsIn(rollup));
}
