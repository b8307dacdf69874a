
namespace Analytics.Analysts.Query;

/// <summary>
/// Goal conversions on top of ordinary queries. A goal is a hit-level filter (the hit meets the goal), so
/// "visitors" filtered by a goal are the visitors who converted, by any dimension (source, country, page).
/// <c>conversions</c> is that figure; <c>conversion_rate</c> divides it by the visitors of the same
/// period, dimensions and other filters without the goal. The <c>goal</c> dimension runs the query once
/// per goal of the site.
/// </summary>
internal sealed class ConversionQuery(QueryRunner runner, DefinitionStore? definitions)
{
    private const int MaxRowsPerGoal = 10_000;

    public static bool Applies(StatsQuery query) =>
        query.Metrics.Any(m => m.IsGoalMetric) || query.Dimensions.Any(d => d.Name == StatsQueryParser.GoalDimension);

    public async Task<QueryResult> RunAsync(StatsQuery query, int? minVisitors, PlanMode mode, CancellationToken cancellationToken)
    {
        var goalAt = query.Dimensions.ToList().FindIndex(d => d.Name == StatsQueryParser.GoalDimension);
        if (goalAt < 0)
        {
            return await OneAsync(query, minVisitors, mode, new Baseline(), cancellationToken);
        }
        var rest = query.Dimensions.Where((_, i) => i != goalAt).ToList();
        var order = query.OrderBy.Where(o => o.Name != StatsQueryParser.GoalDimension).ToList();
        var rows = new List<(int Goal, ResultRow Row)>();
        DateRange? compared = null;
        // Every goal's conversion rate divides by the same visitors (the query without any goal): read once.
        var baseline = new Baseline();
        var goals = definitions?.GoalsOf(query.SiteId) ?? [];
        for (var g = 0; g < goals.Count; g++)
        {
            var one = query with
            {
                Dimensions = rest,
                Filter = And(query.Filter, goals[g].Condition()),
                OrderBy = order,
                Offset = 0,
                Limit = Math.Min(query.Offset + query.Limit, MaxRowsPerGoal),
            };
            var result = await OneAsync(one, minVisitors, mode, baseline, cancellationToken);
            compared = result.ComparisonRange;
            foreach (var row in result.Rows)
            {
                rows.Add((g, WithGoal(row, goalAt, goals[g].Name)));
            }
        }
        // Default order: the goals' own order (as defined), then the query's order within each goal.
        var ordered = query.OrderBy.Count > 0 && query.OrderBy[0] is var first && first.Name != StatsQueryParser.GoalDimension
            ? (first.Descending
                ? rows.OrderByDescending(r => SortKey(query, first, r.Row))
                : rows.OrderBy(r => SortKey(query, first, r.Row))).ThenBy(r => r.Goal)
            : rows.OrderBy(r => r.Goal);
        var page = ordered.Select(r => r.Row).Skip(query.Offset).Take(query.Limit).ToList();
        return new QueryResult(query, page, rows.Count, compared);
    }

    private static double SortKey(StatsQuery query, OrderBy order, ResultRow row)
    {
        var metric = query.Metrics.ToList().FindIndex(m => m.Name == order.Name);
        return metric >= 0 ? row.Metrics[metric] : 0;
    }

    private static ResultRow WithGoal(ResultRow row, int at, string goal)
    {
        var dimensions = row.Dimensions.ToList();
        dimensions.Insert(at, goal);
        var comparison = row.Comparison is { } c ? c with { Dimensions = [.. c.Dimensions.Take(at), goal, .. c.Dimensions.Skip(at)] } : null;
        return row with { Dimensions = dimensions, Comparison = comparison };
    }

    /// <summary>One query without the goal dimension: its goal metrics from visitors with and without the goal filter.</summary>
    private async Task<QueryResult> OneAsync(StatsQuery query, int? minVisitors, PlanMode mode, Baseline shared, CancellationToken cancellationToken)
    {
        if (!query.Metrics.Any(m => m.IsGoalMetric))
        {
            return await runner.RunPlainAsync(query, minVisitors, cancellationToken, mode);
        }
        var parts = SourceChoice.Simplified(query.Filter) switch { AllOf all => all.Filters, null => [], var one => [one] };
        var goalParts = parts.Where(f => f.Conditions().Any(c => c.Dimension.Name == StatsQueryParser.GoalDimension)).ToList();
        if (goalParts.Count == 0)
        {
            throw new BadQueryException("conversions and conversion_rate need a goal: add the filter [\"is\", \"goal\", [\"NAME\"]] or the dimension \"goal\".");
        }
        var plain = new List<Metric>();
        var from = new int[query.Metrics.Count];
        for (var i = 0; i < query.Metrics.Count; i++)
        {
            var metric = query.Metrics[i].IsGoalMetric ? Metric.Visitors : query.Metrics[i];
            if (!plain.Contains(metric))
            {
                plain.Add(metric);
            }
            from[i] = plain.IndexOf(metric);
        }
        if (plain.Contains(Metric.BotHits))
        {
            throw new BadQueryException("bot_hits cannot be combined with conversions.");
        }
        var order = query.OrderBy
            .Select(o => o.Name is "conversions" or "conversion_rate" ? o with { Name = Metric.Visitors.Name } : o)
            .DistinctBy(o => o.Name)
            .ToList();
        var converted = await FromRollupAsync(query, plain, parts, minVisitors, mode, cancellationToken)
            ?? await runner.RunPlainAsync(query with { Metrics = plain, OrderBy = order }, minVisitors, cancellationToken, mode);

        var baseline = shared.Rows ?? new Dictionary<string, ResultRow>(StringComparer.Ordinal);
        if (query.Metrics.Contains(Metric.ConversionRate) && shared.Rows is null)
        {
            var others = parts.Except(goalParts).ToList();
            var all = await runner.RunPlainAsync(query with
            {
                Metrics = [Metric.Visitors],
                Filter = others.Count == 0 ? null : new AllOf(others),
                OrderBy = [],
                Offset = 0,
                Limit = MaxRowsPerGoal,
            }, null, cancellationToken, mode);
            foreach (var row in all.Rows)
            {
                baseline.TryAdd(KeyOf(row.Dimensions), row);
            }
            shared.Rows = baseline;
        }
        var visitorsAt = plain.IndexOf(Metric.Visitors);
        var rows = converted.Rows.Select(row =>
        {
            baseline.TryGetValue(KeyOf(row.Dimensions), out var total);
            var metrics = Metrics(query, from, visitorsAt, row.Metrics, total?.Metrics[0] ?? 0);
            if (row.Comparison is not { } earlier)
            {
                return new ResultRow(row.Dimensions, metrics);
            }
            var before = Metrics(query, from, visitorsAt, earlier.Metrics, total?.Comparison?.Metrics[0] ?? 0);
            var change = metrics.Select((m, i) => Change(before[i], m, query.Metrics[i] == Metric.ConversionRate || query.Metrics[i] == Metric.BounceRate)).ToList();
            return new ResultRow(row.Dimensions, metrics) { Comparison = new ComparedRow(earlier.Dimensions, before, change) };
        }).ToList();
        return new QueryResult(query, rows, converted.TotalRows, converted.ComparisonRange);
    }

    /// <summary>
    /// Conversions of one goal with nothing else asked (no dimension, other filter, comparison or shared
    /// link), over whole UTC days: the union of the visitor states of the goal's pages in
    /// rollup_paths_daily or of its event in rollup_events_daily. Those rollups hold every page's and
    /// event's visitors for as long as rollups are kept, so a goal added today answers for past days at
    /// once (nothing to backfill). Null when the query is of another shape, or the goal has a property
    /// match (raw hits only): then the ordinary plan answers.
    /// </summary>
    private async Task<QueryResult?> FromRollupAsync(StatsQuery query, List<Metric> plain, IReadOnlyList<Filter> parts, int? minVisitors, PlanMode mode,
        CancellationToken cancellationToken)
    {
        if (mode != PlanMode.Best || minVisitors is not null || query.Dimensions.Count > 0 || query.Comparison != Comparison.None
            || plain is not [var only] || only != Metric.Visitors || parts is not [Condition { Operator: FilterOperator.Holds } condition]
            || condition.Dimension.Name != StatsQueryParser.GoalDimension || condition.Values is not [var name]
            || query.Range.From.TimeOfDay != TimeSpan.Zero || query.Range.To.TimeOfDay != TimeSpan.Zero
            || definitions?.FindGoal(query.SiteId, name) is not { } goal || goal.MatchSql() != condition.Dimension.Column
            || goal.Rollup() is not (string table, string test))
        {
            return null;
        }
        var (rows, total) = await runner.ReadAsync(runner.Planner.GoalVisitorsPlan(query.SiteId, query.Range, table, test), 1, cancellationToken);
        return new QueryResult(query with { Metrics = plain }, rows, total, null);
    }

    private static double[] Metrics(StatsQuery query, int[] from, int visitorsAt, IReadOnlyList<double> values, double visitors)
    {
        var metrics = new double[query.Metrics.Count];
        for (var i = 0; i < metrics.Length; i++)
        {
            metrics[i] = query.Metrics[i] == Metric.ConversionRate
                ? (visitors <= 0 ? 0 : Math.Round(100 * values[visitorsAt] / visitors, 1))
                : values[from[i]];
        }
        return metrics;
    }

    private static double? Change(double before, double after, bool points) =>
        points ? Math.Round(after - before, 1)
        : before == 0 ? (after == 0 ? 0 : null)
        : Math.Round(100 * (after - before) / before, 1);

    private static string KeyOf(IReadOnlyList<string> dimensions) => string.Join('\u001f', dimensions);

    private static Filter And(Filter? filter, Filter more) => filter is null ? more : new AllOf([filter, more]);

    /// <summary>The visitors without the goal, by the other dimensions: the same for every goal of one query.</summary>
    private sealed class Baseline
    {
        public Dictionary<string, ResultRow>? Rows { get; set; }
    }
}
