using Analytics.Analysts.Insights;
using Analytics.Analysts.Query;

namespace Analytics.Bench.Sections;

/// <summary>
/// Goal and funnel questions on the generated traffic (<see cref="QueryData"/>): conversions per goal (a
/// page, a page pattern and a custom event) and a three-step funnel within one visit and within 7 days,
/// as the dashboard's Goals panel and Funnel view send them. <c>{site}</c> is replaced by the site id.
/// </summary>
public static class InsightsQueries
{
    private const string Steps = "\"steps\":[{\"page\":\"/\"},{\"goal\":\"Pricing\"},{\"goal\":\"Signup\"}]";

    /// <summary>The goals the questions name, added to the site if it lacks them.</summary>
    public static void AddGoals(DefinitionStore definitions, string site)
    {
        foreach (var (name, path, eventName) in new[] { ("Pricing", "/pricing", (string?)null), ("Blog", "/blog/*", null), ("Signup", null, "signup") })
        {
            if (definitions.FindGoal(site, name) is null)
            {
                definitions.AddGoal(site, name, path, eventName, null, null);
            }
        }
    }

    /// <summary>(name, endpoint, body).</summary>
    public static IReadOnlyList<(string Name, string Path, string Body)> All { get; } =
    [
        ("goals: conversions per goal", "/api/v2/query", "{\"site_id\":\"{site}\",\"date_range\":\"30d\",\"metrics\":[\"conversions\",\"conversion_rate\"],\"dimensions\":[\"goal\"]}"),
        ("funnel: 3 steps within a visit", "/api/v2/funnel", "{\"site_id\":\"{site}\",\"date_range\":\"30d\"," + Steps + "}"),
        ("funnel: 3 steps within 7 days", "/api/v2/funnel", "{\"site_id\":\"{site}\",\"date_range\":\"30d\"," + Steps + ",\"within_days\":7}"),
    ];
}
