using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts.Api;

/// <summary>
/// Visitors and pageviews in the last five minutes. The hits table is sorted by site and day, so the
/// query reads only today's newest parts; the answer is reused for a couple of seconds per site, so any
/// number of dashboards polling costs one query per site per interval. A filter (a shared link's locked
/// one) narrows the count to the matching hits, through the same planner as every other query.
/// </summary>
public sealed class RealtimeQuery(IClickHouse clickHouse, QueryRunner runner, IOptions<AnalystsOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Realtime Value)> _cache = new(StringComparer.Ordinal);

    public Task<Realtime> RunAsync(string siteId, CancellationToken cancellationToken) => RunAsync(siteId, null, cancellationToken);

    /// <param name="siteId">The site.</param>
    /// <param name="filter">Only hits (or, for visit dimensions, visits) that match count; null for the whole site.</param>
    /// <param name="cancellationToken">Stops waiting for the engine.</param>
    public async Task<Realtime> RunAsync(string siteId, Filter? filter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cacheKey = filter is null ? siteId : siteId + "\n" + KeyOf(filter);
        if (_cache.TryGetValue(cacheKey, out var cached) && now - cached.At < options.Value.RealtimeCacheFor)
        {
            return cached.Value;
        }
        var since = now - Window;
        if (filter is not null)
        {
            var filtered = await FilteredAsync(siteId, filter, since, now, cancellationToken);
            _cache[cacheKey] = (now, filtered);
            return filtered;
        }
        var output = await clickHouse.QueryAsync(
            $"""
            SELECT uniqIf(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')), countIf(kind = 1)
            FROM {clickHouse.Database}.hits
            WHERE site_id = {"{site:String}"} AND NOT is_bot
              AND toDate(timestamp) >= toDate(fromUnixTimestamp64Milli({"{since:Int64}"}, 'UTC'))
              AND timestamp >= fromUnixTimestamp64Milli({"{since:Int64}"}, 'UTC')
            """,
            "TabSeparated",
            new Dictionary<string, string> { ["site"] = siteId, ["since"] = since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        var fields = Encoding.UTF8.GetString(output).Trim().Split('\t');
        var value = new Realtime(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
        _cache[siteId] = (now, value);
        return value;
    }

    /// <summary>The filter tree as text, one text per tree (records print their lists by type name only).</summary>
    private static string KeyOf(Filter filter) => filter switch
    {
        AllOf all => "and(" + string.Join(',', all.Filters.Select(KeyOf)) + ")",
        AnyOf any => "or(" + string.Join(',', any.Filters.Select(KeyOf)) + ")",
        NotFilter not => "not(" + KeyOf(not.Inner) + ")",
        Condition c => c.Operator + "(" + c.Dimension.Name + "," + System.Text.Json.JsonSerializer.Serialize(c.Values, AnalystsJsonContext.Default.IReadOnlyListString) + ")",
        _ => throw new InvalidOperationException("Unknown filter."),
    };

    /// <summary>The window as a stats query over raw hits (the rollups hold whole hours and days), with the filter.</summary>
    private async Task<Realtime> FilteredAsync(string siteId, Filter filter, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var query = new StatsQuery
        {
            SiteId = siteId,
            TimeZone = TimeZoneInfo.Utc,
            // A minute past now, for hits stamped by a collector whose clock runs slightly ahead.
            Range = new DateRange(since.UtcDateTime, now.UtcDateTime.AddMinutes(1), today, today),
            Metrics = [Metric.Visitors, Metric.Pageviews],
            Filter = filter,
            Limit = 1,
        };
        var result = await runner.RunAsync(query, null, cancellationToken, PlanMode.HitsOnly);
        return result.Rows is [var row, ..] ? new Realtime((long)row.Metrics[0], (long)row.Metrics[1]) : new Realtime(0, 0);
    }
}

/// <summary>Activity in the last five minutes.</summary>
public sealed record Realtime(long Visitors, long Pageviews);
