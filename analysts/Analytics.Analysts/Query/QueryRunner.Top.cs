using System.Text;

namespace Analytics.Analysts.Query;

/// <summary>The first rows of a breakdown by visitors, read through an upper bound of each value's visitors.</summary>
public sealed partial class QueryRunner
{
    /// <summary>
    /// The first rows of a breakdown ordered by visitors, reading visitor states only for the values that
    /// can reach them: a cheap query ranks the values by an upper bound of their visitors (visits or
    /// pageviews). Visitors are counted first for the leading values (the page's and their near
    /// neighbours by the bound); the last row of the page among them, t, is at most the last row of the
    /// true page (those values are candidates too). A value whose bound is below t cannot reach the page,
    /// so visitors are then counted only for the other candidates whose bound reaches t, and the answer is
    /// exact when the largest bound left out is below the last row's visitors. Null when the query is not
    /// of that shape or the bound cannot decide (then the full query runs).
    /// </summary>
    /// <remarks>
    /// Each value counted costs a read of each of its visitor states and a finalization (several ms for a
    /// value with more than 16,384 visitors over 30 days), so the first read is kept to the page and its
    /// near neighbours by the bound: where visits per visitor hardly differ between values (countries,
    /// pages), no other value reaches t and the rest is never read. A second statement runs only where
    /// some value's bound does reach it.
    /// </remarks>
    private async Task<(List<ResultRow> Rows, long Total)?> ReadTopAsync(StatsQuery query, PlanMode mode, CancellationToken cancellationToken)
    {
        var wanted = query.Offset + query.Limit;
        if (wanted > 100 || _planner.BoundPlan(query, query.Range, (3 * wanted) + 6, mode) is not { } boundPlan)
        {
            return null;
        }
        var window = await WindowOfAsync(query, mode, cancellationToken);
        var (bounds, total) = await ReadAsync(boundPlan, 1, cancellationToken);
        var candidates = bounds.Count > (3 * wanted) + 5 ? bounds[..^1] : bounds;
        var outside = bounds.Count > candidates.Count ? bounds[^1].Metrics[0] : 0;
        var margin = EstimateMargin(boundPlan.Source);
        // First the values the page shows by the bound and those whose bound is within 5% of the last one's:
        // values of nearly one size have nearly the same visits per visitor, so those would reach the page
        // and be counted by a second statement (many referrers of one size, say).
        var first = candidates.Count <= wanted ? candidates.Count
            : candidates.TakeWhile((c, i) => i < wanted || c.Metrics[0] * 1.05 >= candidates[wanted - 1].Metrics[0]).Count();
        var rows = await VisitorsOfAsync(query, candidates[..first], mode, window, cancellationToken);
        if (candidates.Count > first)
        {
            // Fewer rows than the page (a leading value without visitors' row) leave every candidate in.
            var last = rows.Count >= wanted ? rows[wanted - 1].Metrics[0] : 0;
            var reaching = candidates.Skip(first).Where(c => c.Metrics[0] * margin >= last).ToList();
            if (reaching.Count > 0)
            {
                rows = [.. rows.Concat(await VisitorsOfAsync(query, reaching, mode, window, cancellationToken))
                    .OrderByDescending(r => r.Metrics[0]).ThenBy(r => r.Dimensions[0], Utf8Order.Instance)];
            }
        }
        if (outside > 0 && (rows.Count < wanted || outside * margin >= rows[wanted - 1].Metrics[0]))
        {
            return null;
        }
        return ([.. rows.Skip(query.Offset).Take(query.Limit)], total);
    }

    /// <summary>
    /// How far above its true visitors a counted value may come out, as a factor, so that an estimate that
    /// came out high never leaves out a value that could reach the page. The visitor spans hold only
    /// <c>uniqCombined64(19)</c> states: exact to 16,384 visitors, about 0.14% (one standard error) above,
    /// so 1% is seven errors. The daily rollups may fall back to the older <c>uniqCombined(12)</c> states
    /// of rows written before schema 0012 (about 1.6%): 10% for them.
    /// </summary>
    private static double EstimateMargin(PlanSource source) => source == PlanSource.VisitorSpans ? 1.01 : 1.1;

    /// <summary>The query's rows for the values of <paramref name="candidates"/> only, in the query's order.</summary>
    private async Task<List<ResultRow>> VisitorsOfAsync(StatsQuery query, List<ResultRow> candidates, PlanMode mode, StoredWindow? window, CancellationToken cancellationToken) =>
        (await ReadAsync(_planner.Plan(query, query.Range, mode: mode, unlimited: candidates.Count, onlyValues: [.. candidates.Select(c => c.Dimensions[0])], window: window),
            query.Metrics.Count, cancellationToken)).Rows;

    /// <summary>The stored window the query's period can be read through (its states merged ahead), or null.</summary>
    private async Task<StoredWindow?> WindowOfAsync(StatsQuery query, PlanMode mode, CancellationToken cancellationToken) =>
        windows is not null && QueryPlanner.WindowAttribute(query, query.Range, mode) is { } attribute
            ? await windows.FreshAsync(query.SiteId, attribute, query.Range, cancellationToken)
            : null;

    /// <summary>Strings in the engine's order (bytes of UTF-8), for ties in visitors (ORDER BY m0 DESC, d0 ASC).</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
