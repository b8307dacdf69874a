using Analytics.Pipeline.Schema;

namespace Analytics.Analysts.Query;

/// <summary>
/// The metrics of a read through a page window (<see cref="PageWindows"/>), computed from the window's sums after the
/// read instead of in its statement. Over the join of the fresh days the engine's analyzer spends about 0.45 ms on
/// each function of the outer SELECT, and the top line's seven metrics are some 45 of them: 25 ms of a 119 ms
/// statement at 10 M hits (benchmarks/README.md, "Page windows"). The figures and their rounding are those of the
/// planner's SQL for span rows (the engine rounds a Float64 half to even, as <see cref="Math.Round(double, int)"/>
/// does), which the page window tests compare figure by figure with the join and with raw hits.
/// </summary>
public static class WindowMetrics
{
    /// <summary>The sums the statement reads in place of the metrics, in the order <see cref="From"/> takes them.</summary>
    public static IReadOnlyList<string> SumsSql { get; } =
        [VisitorSketch.MergeOf(VisitorSketch.Column), "sum(visits)", "sum(pageviews)", "sum(bounces)", "sum(visit_duration)", "sum(anonymous_pageviews)"];

    /// <summary>The column of <see cref="SumsSql"/> that already is <paramref name="metric"/>, so an ORDER BY needs no expression of its own; null for a ratio.</summary>
    public static int? SumOf(Metric metric) => metric.Name switch
    {
        "visitors" => 0,
        "visits" => 1,
        "pageviews" => 2,
        _ => null,
    };

    /// <summary><paramref name="metrics"/> from the sums read in the order of <see cref="SumsSql"/>.</summary>
    public static double[] From(IReadOnlyList<Metric> metrics, ReadOnlySpan<double> sums)
    {
        var (visitors, visits, pageviews, bounces, duration, anonymous) = (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
        var values = new double[metrics.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = metrics[i].Name switch
            {
                "visitors" => visitors,
                "visits" => visits,
                "pageviews" => pageviews,
                "views_per_visit" => visits <= 0 ? 0 : Math.Round(pageviews / visits, 2),
                "bounce_rate" => visits <= 0 ? 0 : Math.Round(100 * bounces / visits, 1),
                "visit_duration" => visits <= 0 ? 0 : Math.Round(duration / visits),
                // As the planner's estimate: cookie visitors plus the cookie-less pageviews scaled by the cookie visitors' pageviews per visitor.
                "estimated_visitors" => Math.Round(visitors + (pageviews - anonymous > 0 && visitors > 0 ? anonymous * visitors / (pageviews - anonymous) : anonymous)),
                _ => throw new InvalidOperationException($"{metrics[i].Name} is not in a page window."),
            };
        }
        return values;
    }
}
