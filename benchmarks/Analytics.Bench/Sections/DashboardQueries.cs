namespace Analytics.Bench.Sections;

/// <summary>
/// The query bodies the dashboard (analysts/dashboard/src/app.js) sends for the default view, last 30
/// days compared with the previous period, and again with a page filter as after a click on a row of
/// the top pages. <c>{site}</c> is replaced by the site id.
/// </summary>
public static class DashboardQueries
{
    /// <summary>A top page of the generated data, as if its row had been clicked.</summary>
    public const string ClickedPage = "/pricing";

    private const string Period = "\"site_id\":\"{site}\",\"date_range\":\"30d\"";
    private const string Compare = "\"include\":{\"comparisons\":{\"mode\":\"previous_period\"}}";
    private const string PageFilter = "[\"is\",\"page\",[\"" + ClickedPage + "\"]]";

    public static IReadOnlyList<(string Name, string Body)> Default { get; } = Build("");

    public static IReadOnlyList<(string Name, string Body)> PageFiltered { get; } =
    [
        .. Build(PageFilter).Where(q => q.Name is "top line" or "chart" or "panel: sources" or "panel: countries" or "panel: pages"),
    ];

    /// <summary>The questions timed through the planner and with rollups switched off (issue 6: rollups versus raw).</summary>
    public static IReadOnlyList<string> MainQuestions { get; } =
        ["top line", "chart", "panel: pages", "panel: entry pages", "panel: sources", "panel: campaigns", "panel: countries", "panel: browsers", "panel: devices"];

    private static List<(string Name, string Body)> Build(string filter)
    {
        var filters = filter.Length == 0 ? "" : filter;
        string Panel(string dimension, string metrics, bool hideEmpty) =>
            $"{{{Period},\"metrics\":[{metrics}],\"dimensions\":[\"{dimension}\"],\"pagination\":{{\"limit\":10}},\"filters\":[{Join(filters, hideEmpty ? $"[\"is_not\",\"{dimension}\",[\"\"]]" : "")}]}}";
        return
        [
            ("top line", $"{{{Period},\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"views_per_visit\",\"bounce_rate\",\"visit_duration\",\"estimated_visitors\"],{Compare},\"filters\":[{filters}]}}"),
            ("chart", $"{{{Period},\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"time:day\"],{Compare},\"pagination\":{{\"limit\":1000}},\"filters\":[{filters}]}}"),
            ("panel: pages", Panel("page", "\"visitors\",\"pageviews\"", false)),
            ("panel: entry pages", Panel("entry_page", "\"visits\"", true)),
            ("panel: exit pages", Panel("exit_page", "\"visits\"", true)),
            ("panel: sources", Panel("source", "\"visitors\",\"visits\"", false)),
            ("panel: campaigns", Panel("utm_campaign", "\"visitors\",\"visits\"", true)),
            ("panel: countries", Panel("country", "\"visitors\"", false)),
            ("panel: browsers", Panel("browser", "\"visitors\"", false)),
            ("panel: operating systems", Panel("os", "\"visitors\"", false)),
            ("panel: devices", Panel("device", "\"visitors\"", false)),
            ("panel: events", Panel("event_name", "\"visitors\",\"events\"", true)),
            ("panel: link clicks", Panel("link_campaign", "\"visitors\",\"link_clicks\"", true)),
        ];
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "," + b;
}
