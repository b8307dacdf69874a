using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Host.Bench.Report;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Bench.Sections;

/// <summary>
/// Stats query latency on generated hits: the engine generates them (<c>INSERT ... SELECT FROM numbers</c>,
/// which also feeds any rollup views), then each dashboard query runs a few times through the host's
/// stats API and straight on the raw table.
/// </summary>
public sealed class QuerySection(BenchSettings settings, TextWriter log)
{
    public const string Site = "bench-q";
    private const int Runs = 5;

    /// <summary>Dashboard questions answered from the raw hits table, as the stats API would ask them.</summary>
    private static readonly (string Name, string Sql)[] RawQueries =
    [
        ("visitors and pageviews per day (30 days)", "SELECT toDate(timestamp) d, countIf(kind = 1), uniq(visitor_id) FROM {db}.hits WHERE site_id = '{site}' AND NOT is_bot GROUP BY d ORDER BY d"),
        ("totals: visitors, pageviews (30 days)", "SELECT count(), uniq(visitor_id) FROM {db}.hits WHERE site_id = '{site}' AND NOT is_bot"),
        ("top 10 pages", "SELECT path, count() c, uniq(visitor_id) FROM {db}.hits WHERE site_id = '{site}' AND kind = 1 GROUP BY path ORDER BY c DESC LIMIT 10"),
        ("top 10 sources", "SELECT source, uniq(visitor_id) v FROM {db}.hits WHERE site_id = '{site}' GROUP BY source ORDER BY v DESC LIMIT 10"),
        ("countries", "SELECT country, uniq(visitor_id) v FROM {db}.hits WHERE site_id = '{site}' GROUP BY country ORDER BY v DESC"),
        ("browsers", "SELECT browser, uniq(visitor_id) v FROM {db}.hits WHERE site_id = '{site}' GROUP BY browser ORDER BY v DESC"),
        ("visitors in the last 30 minutes", "SELECT uniq(visitor_id) FROM {db}.hits WHERE site_id = '{site}' AND timestamp > now() - INTERVAL 30 MINUTE"),
    ];

    /// <summary>The same questions from the rollup tables (schema 0004), timed when those tables exist.</summary>
    private static readonly (string Name, string Table, string Sql)[] RollupQueries =
    [
        ("visitors and pageviews per day (30 days)", "rollup_site_hourly", "SELECT toDate(hour) d, sum(pageviews), uniqMerge(visitors) FROM {db}.rollup_site_hourly WHERE site_id = '{site}' GROUP BY d ORDER BY d"),
        ("totals: visitors, pageviews (30 days)", "rollup_site_hourly", "SELECT sum(pageviews), uniqMerge(visitors) FROM {db}.rollup_site_hourly WHERE site_id = '{site}'"),
        ("top 10 pages", "rollup_pages_daily", "SELECT path, sum(pageviews) pv, uniqMerge(visitors) FROM {db}.rollup_pages_daily WHERE site_id = '{site}' GROUP BY path ORDER BY pv DESC LIMIT 10"),
    ];

    /// <summary>Stats API paths timed over HTTP; one that answers 404 is reported as missing, not failed.</summary>
    private static readonly string[] ApiPaths =
    [
        "/api/stats/daily?site={site}",
    ];

    public async Task<QueryFigures> RunAsync(IServiceProvider services, Uri hostAddress, CancellationToken cancellationToken)
    {
        var clickHouse = services.GetRequiredService<IClickHouse>();
        var db = clickHouse.Database;
        var started = Stopwatch.GetTimestamp();
        await clickHouse.ExecuteAsync(GenerateSql(db, Site, settings.QueryHits, settings.Seed), cancellationToken: cancellationToken);
        var generate = Stopwatch.GetElapsedTime(started).TotalSeconds;
        log.WriteLine($"  generated {settings.QueryHits:N0} hits in {generate:0.0} s");

        var timings = new List<QueryTiming>();
        using var http = new HttpClient { BaseAddress = hostAddress, Timeout = TimeSpan.FromMinutes(2) };
        foreach (var template in ApiPaths)
        {
            var path = template.Replace("{site}", Site, StringComparison.Ordinal);
            var samples = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var t = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    break;
                }
                samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            timings.Add(new QueryTiming("GET " + path, "stats API", Stat.Median(samples), samples.DefaultIfEmpty(0).Max(), samples.Count));
        }
        foreach (var (name, template) in RawQueries)
        {
            timings.Add(await TimeSqlAsync(clickHouse, name, "raw hits (SQL)", template, cancellationToken));
        }
        var existing = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT name FROM system.tables WHERE database = '{db}'", "TabSeparated", cancellationToken: cancellationToken)).Split('\n');
        foreach (var (name, table, template) in RollupQueries.Where(q => existing.Contains(q.Table)))
        {
            timings.Add(await TimeSqlAsync(clickHouse, name, $"rollup ({table})", template, cancellationToken));
        }
        foreach (var timing in timings)
        {
            log.WriteLine($"  {timing.Kind,-15} {timing.Name,-45} median {timing.MedianMs,8:0.0} ms  max {timing.MaxMs,8:0.0} ms");
        }
        var tables = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT name, engine, total_rows FROM system.tables WHERE database = '{db}' ORDER BY name", "TabSeparated", cancellationToken: cancellationToken));
        return new QueryFigures(settings.QueryHits, generate, timings,
            [.. tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(" · ", l.Split('\t')))]);
    }

    private static async Task<QueryTiming> TimeSqlAsync(IClickHouse clickHouse, string name, string kind, string template, CancellationToken cancellationToken)
    {
        var sql = template.Replace("{db}", clickHouse.Database, StringComparison.Ordinal).Replace("{site}", Site, StringComparison.Ordinal);
        var samples = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await clickHouse.QueryAsync(sql, "TabSeparated", cancellationToken: cancellationToken);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return new QueryTiming(name, kind, Stat.Median(samples), samples.Max(), samples.Count);
    }

    /// <summary>
    /// Hits over the last 30 days: visitors coming back (a visitor pool a fifth of the hits), skewed pages,
    /// a handful of sources, countries and browsers, 2% bots.
    /// </summary>
    internal static string GenerateSql(string db, string site, long hits, int seed)
    {
        var n = hits.ToString(CultureInfo.InvariantCulture);
        var visitors = Math.Max(1, hits / 5).ToString(CultureInfo.InvariantCulture);
        var s = seed.ToString(CultureInfo.InvariantCulture);
        return $"""
            INSERT INTO {db}.hits (site_id, timestamp, hit_id, visitor_id, is_new_visitor, kind, hostname, path, title, referrer, source, channel,
                                   country, browser, browser_version, os, device_type, screen_width, is_bot)
            SELECT '{site}',
                   now64(3) - toIntervalMillisecond(cityHash64(number, {s}, 1) % (30 * 86400000)),
                   generateUUIDv4(number),
                   reinterpretAsUUID(toFixedString(concat(reinterpretAsString(cityHash64(cityHash64(number, {s}, 2) % {visitors})), reinterpretAsString(toUInt64({s}))), 16)),
                   cityHash64(number, {s}, 3) % 4 = 0,
                   1,
                   'www.example.com',
                   concat('/blog/post-', toString(toUInt32(pow((cityHash64(number, {s}, 4) % 10000) / 10000, 3) * 2000))),
                   'A post',
                   '', ['', 'google', 'bing', 't.co', 'news.ycombinator.com', 'newsletter'][1 + cityHash64(number, {s}, 5) % 6] AS src,
                   multiIf(src = '', 'direct', src IN ('google', 'bing'), 'search', src = 't.co', 'social', src = 'newsletter', 'email', 'referral'),
                   ['US', 'DE', 'GB', 'FR', 'IN', 'BR', 'NL', 'CA', 'JP', 'ES'][1 + cityHash64(number, {s}, 6) % 10],
                   ['Chrome', 'Safari', 'Firefox', 'Edge', 'Samsung Internet'][1 + cityHash64(number, {s}, 7) % 5],
                   '131',
                   ['Windows', 'iOS', 'Android', 'Mac OS X', 'Linux'][1 + cityHash64(number, {s}, 8) % 5],
                   ['desktop', 'mobile', 'tablet'][1 + cityHash64(number, {s}, 9) % 3],
                   1920,
                   cityHash64(number, {s}, 10) % 50 = 0
            FROM numbers({n})
            """;
    }
}
