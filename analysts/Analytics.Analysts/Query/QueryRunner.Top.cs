using System.Text;

namespace Analytics.Analysts.Query;

/// <summary>The first rows of a breakdown by visitors, read through an upper bound of each value's visitors.</summary>
public sealed partial class QueryRunner
{
    /// <summary>
    /// The first rows of a breakdown ordered by visitors, reading visitor states only for the values that
    /// can reach them: a cheap query ranks the values by an upper bound of their visitors (visits or
    /// pageviews). Visitors are counted first for the leading values (at least as many as the page
    /// shows); the last row of the page among them, t, is at most the last row of the true page (those
    /// values are candidates too). A value whose bound is below t cannot reach the page, so visitors are
    /// then counted only for the other candidates whose bound reaches t, and the answer is exact when the
    /// largest bound left out is below the last row's visitors. Null when the query is not of that shape
    /// or the bound cannot decide (then the full query runs).
    /// </summary>
    private async Task<(List<ResultRow> Rows, long Total)?> ReadTopAsync(StatsQuery query, PlanMode mode, CancellationToken cancellationToken)
    {
        var wanted = query.Offset + query.Limit;
        if (wanted > 100 || _planner.BoundPlan(query, query.Range, (3 * wanted) + 6, mode) is not { } boundPlan)
        {
            return null;
        }
        var (bounds, total) = await ReadAsync(boundPlan, 1, cancellationToken);
        var candidates = bounds.Count > (3 * wanted) + 5 ? bounds[..^1] : bounds;
        var outside = bounds.Count > candidates.Count ? bounds[^1].Metrics[0] : 0;
        // First the values the page shows by the bound and those whose bound is at least half the last
        // one's: where visitors per visit (or pageview) differ less than twofold that is all it takes.
        var first = candidates.Count <= wanted ? candidates.Count
            : candidates.TakeWhile((c, i) => i < wanted || c.Metrics[0] * 2 >= candidates[wanted - 1].Metrics[0]).Count();
        var rows = await VisitorsOfAsync(query, candidates[..first], mode, cancellationToken);
        if (candidates.Count > first)
        {
            // Visitors are exact to 16,384 and within about 0.14% (one standard error) above:
            // a 10% margin (six errors) keeps an estimate that came out high from leaving a value out.
            // Fewer rows than the page (a leading value without visitors' row) leave every candidate in.
            var last = rows.Count >= wanted ? rows[wanted - 1].Metrics[0] : 0;
            var reaching = candidates.Skip(first).Where(c => c.Metrics[0] * 1.1 >= last).ToList();
            if (reaching.Count > 0)
            {
                rows = [.. rows.Concat(await VisitorsOfAsync(query, reaching, mode, cancellationToken))
                    .OrderByDescending(r => r.Metrics[0]).ThenBy(r => r.Dimensions[0], Utf8Order.Instance)];
            }
        }
        if (outside > 0 && (rows.Count < wanted || outside * 1.1 >= rows[wanted - 1].Metrics[0]))
        {
            return null;
        }
        return ([.. rows.Skip(query.Offset).Take(query.Limit)], total);
    }

    /// <summary>The query's rows for the values of <paramref name="candidates"/> only, in the query's order.</summary>
    private async Task<List<ResultRow>> VisitorsOfAsync(StatsQuery query, List<ResultRow> candidates, PlanMode mode, CancellationToken cancellationToken) =>
        (await ReadAsync(_planner.Plan(query, query.Range, mode: mode, unlimited: candidates.Count, onlyValues: [.. candidates.Select(c => c.Dimensions[0])]),
            query.Metrics.Count, cancellationToken)).Rows;

    /// <summary>Strings in the engine's order (bytes of UTF-8), for ties in visitors (ORDER BY m0 DESC, d0 ASC).</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
