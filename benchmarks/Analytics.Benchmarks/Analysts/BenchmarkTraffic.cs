using System.Globalization;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse.ChDb;
using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Benchmarks.Analysts;

/// <summary>
/// Generated traffic for the stats benchmarks, kept in the dependency cache so a rerun does not pay for
/// it again: January 2026, one site, a visitor per 20 hits coming back in bursts (so visits have several
/// hits), skewed page popularity, per-visit sources and places; the visits table and the rollups are
/// filled as the aggregator and the materialized views fill them.
/// </summary>
internal static class BenchmarkTraffic
{
    public const string Site = "bench";

    /// <summary>Generates the traffic ahead of a run (`-- analysts-traffic N`), since it takes minutes at 10 M hits.</summary>
    public static void Prepare(int hits) => Open(hits).Dispose();

    public static ChDbEngine Open(int hits)
    {
        var path = Path.Combine(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_DATA") ?? Path.Combine(Path.GetTempPath(), "analytics-bench"), $"analysts-{hits}");
        var engine = ChDbEngine.Open(path, DependencyCache.PathOf("chdb/libchdb.so"));
        var clickHouse = new EmbeddedClickHouse(engine, "analytics");
        engine.Query("CREATE DATABASE IF NOT EXISTS analytics");
        new SchemaMigrator(clickHouse, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        // The marker is written last: an interrupted generation is redone, not half used.
        var complete = Path.Combine(path, "generated");
        if (!File.Exists(complete))
        {
            Generate(engine, hits);
            File.WriteAllText(complete, hits.ToString(CultureInfo.InvariantCulture));
        }
        return engine;
    }

    private static void Generate(ChDbEngine engine, int hits)
    {
        foreach (var table in new[] { "hits", "sessions", "rollup_site_hourly", "rollup_paths_daily", "rollup_sources_daily", "rollup_visit_attributes_daily", "rollup_locations_daily", "rollup_devices_daily", "rollup_events_daily", "rollup_link_clicks_daily", "rollup_bots_daily" })
        {
            engine.Query($"TRUNCATE TABLE IF EXISTS analytics.{table}");
        }
        var visitors = Math.Max(1, hits / 20);
        engine.Query($"""
            INSERT INTO analytics.hits (site_id, timestamp, hit_id, visitor_id, kind, event_name, hostname, path, source, channel,
                utm_campaign, country, browser, os, device_type, is_bot, link_campaign)
            SELECT '{Site}',
                   toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond((cityHash64(visitor, burst) % 30) * 86400 + (cityHash64(visitor, burst, 2) % 24) * 3600 + cityHash64(number, 3) % 900),
                   generateUUIDv4(number),
                   toUUID(concat('00000000-0000-4000-8000-', leftPad(hex(visitor), 12, '0'))),
                   multiIf(number % 20 = 0, 2, number % 50 = 1, 3, 1),
                   if(number % 20 = 0, ['signup', 'download', 'play'][1 + number % 3], ''),
                   'www.example.com',
                   concat('/page/', toString(toUInt32(pow((cityHash64(number, 4) % 10000) / 10000, 3) * 2000))),
                   ['', 'google', 'bing', 'news.ycombinator.com', 'twitter.com', 'newsletter'][1 + cityHash64(visitor, burst, 5) % 6],
                   ['direct', 'search', 'search', 'referral', 'social', 'email'][1 + cityHash64(visitor, burst, 5) % 6],
                   if(cityHash64(visitor, burst, 6) % 10 = 0, 'winter-sale', ''),
                   ['US', 'DE', 'FR', 'GB', 'IN', 'BR', 'JP', 'CA', 'NL', 'ES'][1 + cityHash64(visitor) % 10],
                   ['Chrome', 'Firefox', 'Safari', 'Edge'][1 + cityHash64(visitor, 7) % 4],
                   ['Windows', 'macOS', 'Linux', 'iOS', 'Android'][1 + cityHash64(visitor, 8) % 5],
                   ['desktop', 'mobile', 'tablet'][1 + cityHash64(visitor, 9) % 3],
                   number % 100 = 7,
                   if(number % 50 = 1, 'newsletter-1', '')
            FROM (SELECT number, cityHash64(number) % {visitors} AS visitor, cityHash64(number, 1) % 8 AS burst FROM numbers({hits}))
            """);
        // The visits, as the aggregator's session tracker writes them (one final version each).
        engine.Query($"""
            INSERT INTO analytics.sessions (site_id, visitor_id, session_id, sign, version, started_at, ended_at, duration, hits, pageviews,
                events, link_clicks, is_bounce, is_bot, hostname, entry_page, exit_page, source, channel, utm_campaign, country, browser, os, device_type)
            SELECT site_id, visitor_id, argMin(hit_id, timestamp), 1, 1, min(timestamp), max(timestamp),
                   toUInt32(dateDiff('second', min(timestamp), max(timestamp))), count(), countIf(kind = 1), countIf(kind = 2), countIf(kind = 3),
                   countIf(kind = 1) = 1 AND countIf(kind = 2) = 0, is_bot, argMin(hostname, timestamp), argMin(path, timestamp), argMax(path, timestamp),
                   argMin(source, timestamp), argMin(channel, timestamp), argMin(utm_campaign, timestamp), argMin(country, timestamp),
                   argMin(browser, timestamp), argMin(os, timestamp), argMin(device_type, timestamp)
            FROM (
                SELECT *, sum(is_start) OVER (PARTITION BY visitor_id, is_bot ORDER BY timestamp ROWS UNBOUNDED PRECEDING) AS visit_number
                FROM (
                    SELECT *, toUInt8(dateDiff('second', lagInFrame(timestamp) OVER (PARTITION BY visitor_id, is_bot ORDER BY timestamp ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), timestamp) >= 1800) AS is_start
                    FROM analytics.hits WHERE site_id = '{Site}'
                )
            )
            GROUP BY site_id, visitor_id, is_bot, visit_number
            """);
        engine.Query("OPTIMIZE TABLE analytics.rollup_site_hourly FINAL");
        engine.Query("OPTIMIZE TABLE analytics.rollup_paths_daily FINAL");
    }
}
