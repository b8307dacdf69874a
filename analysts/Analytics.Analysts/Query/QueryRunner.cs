using System.Globalization;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts.Query;

/// <summary>Runs a query (and its comparison period) and reads the rows back.</summary>
/// <param name="clickHouse">Where the data is.</param>
/// <param name="options">Limits and time-outs.</param>
/// <param name="definitions">The sites' goals and segments, for conversion queries.</param>
/// <param name="windows">Merged closed days the top rows of a breakdown read when they can (<see cref="VisitorWindows"/>); none when null.</param>
/// <param name="pageWindows">A page filter's visits of closed days, answered ahead, that its views read when they can (<see cref="PageWindows"/>); none when null.</param>
public sealed partial class QueryRunner(IClickHouse clickHouse, IOptions<AnalystsOptions> options, DefinitionStore? definitions = null, VisitorWindows? windows = null,
    PageWindows? pageWindows = null)
{
    private readonly QueryPlanner _planner = new(clickHouse.Database, options.Value.QueryTimeout);
    private readonly int _maxRows = options.Value.MaxRows;

    public QueryPlanner Planner => _planner;

    /// <param name="query">The validated query.</param>
    /// <param name="minVisitors">When set, rows with fewer visitors are left out, and more with them so that none can be computed from the others (shared dashboards).</param>
    /// <param name="cancellationToken">Stops waiting for the engine.</param>
    /// <param name="mode">Which data the planner may read; anything but <see cref="PlanMode.Best"/> is for tests and the benchmark.</param>
    public async Task<QueryResult> RunAsync(StatsQuery query, int? minVisitors, CancellationToken cancellationToken, PlanMode mode = PlanMode.Best)
    {
        if (query.Range.AllTime)
        {
            query = query with { Range = await FromFirstDayAsync(query, cancellationToken) };
        }
        return ConversionQuery.Applies(query)
            ? await new ConversionQuery(this, definitions).RunAsync(query, minVisitors, mode, cancellationToken)
            : await RunPlainAsync(query, minVisitors, cancellationToken, mode);
    }

    /// <summary>
    /// An all-time range starting at the site's first day with data, in its time zone, from the hourly rollup
    /// (kept longest, imported history included); today alone when the site has none. A series then starts
    /// where the data does, and the answer says which days it covers.
    /// </summary>
    private async Task<DateRange> FromFirstDayAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $"SELECT toString(toDate(min(hour), {{zone:String}})), count() FROM {clickHouse.Database}.rollup_site_hourly WHERE site_id = {{site:String}}",
            "TabSeparated",
            new Dictionary<string, string> { ["site"] = query.SiteId, ["zone"] = query.TimeZone.Id },
            cancellationToken);
        var fields = System.Text.Encoding.UTF8.GetString(output).Trim().Split('\t');
        var first = fields is [var day, not "0"] ? DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture) : query.Range.LastDay;
        var range = query.Range;
        return DateRange.OfDays(first < range.FirstDay ? range.FirstDay : first > range.LastDay ? range.LastDay : first, range.LastDay, query.TimeZone);
    }

    /// <summary>A query without goal metrics or the goal dimension: planned and read as SQL.</summary>
    internal async Task<QueryResult> RunPlainAsync(StatsQuery query, int? minVisitors, CancellationToken cancellationToken, PlanMode mode = PlanMode.Best)
    {
        query = await WithVisitsCarriedAsync(query, mode, cancellationToken);
        double? daysAtLeast = null;
        List<ResultRow> rows;
        long total;
        if (minVisitors is { } k)
        {
            (rows, total) = await ReadSharedAsync(query, query.Range, k, mode, paged: true, cancellationToken);
        }
        else if (await ReadTopAsync(query, mode, cancellationToken) is { } top)
        {
            (rows, total) = top;
        }
        else
        {
            (rows, total, daysAtLeast) = await ReadWithPartsAsync(query, query.Range, null, mode, cancellationToken);
        }
        var series = IsPlainSeries(query);
        if (series)
        {
            (rows, total) = FilledSeries(query, query.Range, rows);
        }
        if (query.Dimensions.Count == 0 && rows.Count == 0 && minVisitors is null)
        {
            // An aggregate answers one row whatever the period holds: visit metrics read with HAVING
            // (signed sums) leave no row when there were no visits, hit metrics a row of zeros.
            (rows, total) = ([new ResultRow([], new double[query.Metrics.Count])], 1);
        }
        rows = await AtMostTheSumOfItsDaysAsync(query, query.Range, rows, daysAtLeast, mode, cancellationToken);
        var comparisonRange = ComparisonRange(query);
        if (comparisonRange is not null)
        {
            double? earlierDaysAtLeast = null;
            List<ResultRow> earlier;
            if (minVisitors is { } kEarlier)
            {
                (earlier, _) = await ReadSharedAsync(query, comparisonRange, kEarlier, mode, paged: false, cancellationToken);
            }
            else
            {
                (earlier, _, earlierDaysAtLeast) = await ReadWithPartsAsync(query, comparisonRange, _maxRows, mode, cancellationToken);
            }
            earlier = await AtMostTheSumOfItsDaysAsync(query, comparisonRange, earlier, earlierDaysAtLeast, mode, cancellationToken);
            if (series)
            {
                (earlier, _) = FilledSeries(query, comparisonRange, earlier);
            }
            rows = Compare(query, rows, earlier);
        }
        return new QueryResult(query, rows, total, comparisonRange);
    }

    /// <summary>
    /// Marks a query that picks visits by their hits (a page filter on visit metrics) when every hit it
    /// picks, in its period and its comparison's, carries its visit (schema/0018): the planner then joins
    /// hits to visits by it. One look at the hits' session_id index, for both periods at once.
    /// </summary>
    private async Task<StatsQuery> WithVisitsCarriedAsync(StatsQuery query, PlanMode mode, CancellationToken cancellationToken)
    {
        var range = ComparisonRange(query) is { } earlier ? new DateRange(earlier.From, query.Range.To, earlier.FirstDay, query.Range.LastDay) : query.Range;
        return _planner.UnstampedFilterHitsPlan(query, range, mode) is { } check
            && (await ReadAsync(check, 1, cancellationToken)).Rows is [{ Metrics: [0.0] }]
            ? query with { HitsCarryVisits = true }
            : query;
    }

    /// <summary>The period the query is compared with, if any.</summary>
    private static DateRange? ComparisonRange(StatsQuery query) => query.Comparison switch
    {
        Comparison.None => null,
        Comparison.PreviousPeriod => query.Range.PreviousPeriod(query.TimeZone),
        _ => query.Range.YearOverYear(query.TimeZone),
    };

    /// <summary>
    /// A period's visitors are at most the sum of its days' visitors (someone counted in the period was
    /// counted on one of its days). Counts up to <see cref="VisitorSketch.ExactUpTo"/> are exact and keep
    /// that by themselves; above it they are estimates (about 0.14% standard error), which can come out
    /// above the sum where few visitors come back on another day. Then an aggregate over several days
    /// also counts each day and answers the smaller figure. <paramref name="daysAtLeast"/> is the covering spans'
    /// visitors summed, read with the total (<see cref="ReadWithPartsAsync"/>), if any: a lower bound of the sum of the
    /// days (on the top line's visit rows: the same sum as on hit rows but for visits that cross midnight).
    /// </summary>
    private async Task<List<ResultRow>> AtMostTheSumOfItsDaysAsync(StatsQuery query, DateRange range, List<ResultRow> rows, double? daysAtLeast, PlanMode mode, CancellationToken cancellationToken)
    {
        var visitors = query.Metrics.ToList().IndexOf(Metric.Visitors);
        if (visitors < 0 || query.Dimensions.Count > 0 || range.Days < 2 || rows.Count != 1 || rows[0].Metrics[visitors] <= VisitorSketch.ExactUpTo)
        {
            return rows;
        }
        // As for the spans below, read with the total: a total 1% below their sum is below the sum of the days.
        if (daysAtLeast is { } parts && 0.99 * parts >= rows[0].Metrics[visitors])
        {
            return rows;
        }
        var byDay = QueryPlanner.VisitorsByDay(query, range);
        // The spans that cover the period first, unless read with the total: their visitors' sum is at most the
        // sum of the days (exactly so for exact counts; estimates are within about 0.14% each), so a total 1% below
        // it (seven errors) is below the sum of the days too, and the days need not be counted (each is a state to finalize).
        if (daysAtLeast is null && _planner.SpanSumPlan(byDay, range, mode) is { } spanSum
            && (await ReadAsync(spanSum, 1, cancellationToken)).Rows is [var spans] && 0.99 * spans.Metrics[0] >= rows[0].Metrics[visitors])
        {
            return rows;
        }
        // True day counts, also for a shared link: only used to lower a total that is far above any k.
        var (days, _) = await ReadAsync(_planner.Plan(byDay, range, null, range.Days, mode), 1, cancellationToken);
        var sum = days.Sum(d => d.Metrics[0]);
        if (sum >= rows[0].Metrics[visitors])
        {
            return rows;
        }
        var metrics = rows[0].Metrics.ToArray();
        metrics[visitors] = sum;
        return [rows[0] with { Metrics = metrics }];
    }

    /// <summary>
    /// Reads the query over <paramref name="range"/>; a total on the visitor spans comes with a lower bound
    /// of the sum of its days' visitors from the same read, its covering spans' visitors summed
    /// (<see cref="QueryPlanner.TotalWithPartsPlan"/>), which saves the reads of <see cref="AtMostTheSumOfItsDaysAsync"/>
    /// on the dashboard's top line: the days, when that decides; the spans' sum again, when it does not.
    /// </summary>
    private async Task<(List<ResultRow> Rows, long Total, double? DaysAtLeast)> ReadWithPartsAsync(StatsQuery query, DateRange range, int? unlimited, PlanMode mode, CancellationToken cancellationToken)
    {
        if (_planner.TotalWithPartsPlan(query, QueryPlanner.VisitorsByDay(query, range), range, mode) is { } withParts)
        {
            return await ReadWithBoundAsync(withParts, query.Metrics.Count, 0, cancellationToken);
        }
        QueryPlan Plan(StoredPageWindow? pageWindow) => _planner.Plan(query, range, null, unlimited, mode, pageWindow: pageWindow);
        // Through a page window with a bound of its days' visitors, the fresh days' are read with the total.
        Task<(List<ResultRow>, long, double?)> Read(QueryPlan plan) => plan.WindowDaysVisitorsAtLeast is { } windowDays
            ? ReadWithBoundAsync(plan, query.Metrics.Count, windowDays, cancellationToken)
            : ReadWithoutBoundAsync(plan, query.Metrics.Count, cancellationToken);
        // A page window may give a total it kept from an earlier load: nothing after this changes the rows it is given.
        return pageWindows is not null && mode == PlanMode.Best ? await pageWindows.ReadAsync(query, range, Plan, Read, cancellationToken) : await Read(Plan(null));
    }

    private async Task<(List<ResultRow>, long, double?)> ReadWithoutBoundAsync(QueryPlan plan, int metrics, CancellationToken cancellationToken)
    {
        var (rows, total) = await ReadAsync(plan, metrics, cancellationToken);
        return (rows, total, null);
    }

    /// <summary>Reads a plan with one more number after its metrics, a part of the lower bound of the sum of the days' visitors; <paramref name="known"/> is the rest.</summary>
    private async Task<(List<ResultRow>, long, double?)> ReadWithBoundAsync(QueryPlan plan, int metrics, double known, CancellationToken cancellationToken)
    {
        var (rows, total) = await ReadAsync(plan, metrics + 1, cancellationToken);
        var parts = rows is [var row] ? known + row.Metrics[^1] : (double?)null;
        return ([.. rows.Select(r => r with { Metrics = [.. r.Metrics.Take(metrics)] })], total, parts);
    }

    /// <summary>Runs a plan whose output is d0..dN (text), m0..mK (numbers), total_rows.</summary>
    internal async Task<(List<ResultRow> Rows, long Total)> ReadAsync(QueryPlan plan, int metrics, CancellationToken cancellationToken)
    {
        byte[] output;
        try
        {
            output = await clickHouse.QueryAsync(plan.Sql, "JSONCompactEachRow", plan.Parameters, cancellationToken);
        }
        catch (ClickHouseException e) when (e.Message.Contains("TIMEOUT_EXCEEDED", StringComparison.Ordinal) || e.Message.Contains("Timeout exceeded", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadQueryException("The query ran longer than the time limit: narrow the date range or the filters.");
        }
        catch (ClickHouseException e) when (e.Message.Contains("CANNOT_COMPILE_REGEXP", StringComparison.Ordinal))
        {
            throw new BadQueryException("A regular expression in the filters is not valid RE2 syntax.");
        }
        // Through a page window the statement reads sums in the place of the metrics (the numbers after them stay as read).
        var numbers = plan.MetricsFromSums is { } sums ? metrics - sums.Count + WindowMetrics.SumsSql.Count : metrics;
        var rows = new List<ResultRow>();
        long total = 0;
        var rest = output.AsMemory();
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            using (var document = JsonDocument.Parse(line))
            {
                var row = document.RootElement;
                var count = row.GetArrayLength();
                var dimensions = new string[count - numbers - 1];
                for (var i = 0; i < dimensions.Length; i++)
                {
                    dimensions[i] = row[i].GetString() ?? "";
                }
                var values = new double[numbers];
                for (var i = 0; i < numbers; i++)
                {
                    values[i] = Number(row[dimensions.Length + i]);
                }
                if (plan.MetricsFromSums is { } fromSums)
                {
                    values = [.. WindowMetrics.From(fromSums, values), .. values.AsSpan(WindowMetrics.SumsSql.Count)];
                }
                total = (long)Number(row[count - 1]);
                rows.Add(new ResultRow(dimensions, values));
            }
        }
        return (rows, total);
    }

    /// <summary>A time series alone (one time dimension, default order, first page) gets a row for every bucket.</summary>
    private static bool IsPlainSeries(StatsQuery query) =>
        query.Dimensions.Count == 1 && query.HasTimeDimension && query.OrderBy.Count == 0 && query.Offset == 0;

    private static (List<ResultRow> Rows, long Total) FilledSeries(StatsQuery query, DateRange range, List<ResultRow> rows)
    {
        var buckets = TimeBuckets.Of(query.Dimensions[0].Grain!.Value, range);
        if (buckets.Count > query.Limit)
        {
            return (rows, rows.Count);
        }
        var found = rows.ToDictionary(r => r.Dimensions[0], StringComparer.Ordinal);
        var zeros = new double[query.Metrics.Count];
        return (buckets.Select(b => found.TryGetValue(b, out var row) ? row : new ResultRow([b], zeros)).ToList(), buckets.Count);
    }

    /// <summary>
    /// Pairs each row with its comparison row: by the non-time dimension values, and for time buckets
    /// by position (the first day of this period with the first day of the earlier one).
    /// </summary>
    private static List<ResultRow> Compare(StatsQuery query, List<ResultRow> rows, List<ResultRow> earlier)
    {
        var time = query.Dimensions.ToList().FindIndex(d => d.Grain is not null);
        var earlierByKey = new Dictionary<string, ResultRow>(StringComparer.Ordinal);
        foreach (var (row, key) in Keyed(earlier, time))
        {
            earlierByKey.TryAdd(key, row);
        }
        var bounce = query.Metrics.ToList().IndexOf(Metric.BounceRate);
        var compared = new List<ResultRow>(rows.Count);
        foreach (var (row, key) in Keyed(rows, time))
        {
            var before = earlierByKey.TryGetValue(key, out var match)
                ? match
                : new ResultRow(row.Dimensions, new double[query.Metrics.Count]);
            // Nothing in the earlier period and something now: every figure is new (null), the bounce rate
            // too (its change is in points, and 0% before would be a made-up baseline). Two empty periods
            // compare as no change.
            var isNew = before.Metrics.All(m => m == 0) && row.Metrics.Any(m => m != 0);
            var change = new double?[query.Metrics.Count];
            for (var i = 0; i < change.Length; i++)
            {
                change[i] = isNew ? null : Change(before.Metrics[i], row.Metrics[i], i == bounce);
            }
            compared.Add(row with { Comparison = new ComparedRow(before.Dimensions, before.Metrics, change) });
        }
        return compared;
    }

    private static IEnumerable<(ResultRow Row, string Key)> Keyed(List<ResultRow> rows, int time)
    {
        var ordinals = time < 0
            ? null
            : rows.Select(r => r.Dimensions[time]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select((value, index) => (value, index)).ToDictionary(x => x.value, x => x.index, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var parts = row.Dimensions.Select((d, i) => i == time ? ordinals![d].ToString(CultureInfo.InvariantCulture) : d);
            yield return (row, string.Join('\u001f', parts));
        }
    }

    private static double? Change(double before, double after, bool points)
    {
        if (points)
        {
            return Math.Round(after - before, 1);
        }
        if (before == 0)
        {
            return after == 0 ? 0 : null;
        }
        return Math.Round(100 * (after - before) / before, 1);
    }

    private static double Number(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
        : value.GetDouble();
}
