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
        // "-visits": generated since hits carry their visit (schema/0018); an older folder is left alone, not reused.
        var path = Path.Combine(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_DATA") ?? Path.Combine(Path.GetTempPath(), "analytics-bench"), $"analysts-{hits}-visits");
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
        foreach (var table in new[] { "generated_traffic", "hits", "sessions", "rollup_site_hourly", "rollup_paths_daily", "rollup_sources_daily", "rollup_visit_attributes_daily", "rollup_locations_daily", "rollup_devices_daily", "rollup_events_daily", "rollup_link_clicks_daily", "rollup_bots_daily" })
        {
            engine.Query($"TRUNCATE TABLE IF EXISTS analytics.{table}");
        }
        var visitors = Math.Max(1, hits / 20);
        // The hits are made in a staging table first: each is then written with its visit's session_id
        // (the visit's first hit's ID), as the aggregator's session tracker stamps it (schema/0018).
        engine.Query("DROP TABLE IF EXISTS analytics.generated_traffic");
        engine.Query($"""
            CREATE TABLE analytics.generated_traffic ENGINE = MergeTree ORDER BY (visitor_id, timestamp) AS
            SELECT '{Site}' AS site_id,
                   toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalSecond((cityHash64(visitor, burst) % 30) * 86400 + (cityHash64(visitor, burst, 2) % 24) * 3600 + cityHash64(number, 3) % 900) AS timestamp,
                   generateUUIDv4(number) AS hit_id,
                   toUUID(concat('00000000-0000-4000-8000-', leftPad(hex(visitor), 12, '0'))) AS visitor_id,
                   toUInt8(multiIf(number % 20 = 0, 2, number % 50 = 1, 3, 1)) AS kind,
                   if(number % 20 = 0, ['signup', 'download', 'play'][1 + number % 3], '') AS event_name,
                   'www.example.com' AS hostname,
                   concat('/page/', toString(toUInt32(pow((cityHash64(number, 4) % 10000) / 10000, 3) * 2000))) AS path,
                   ['', 'google', 'bing', 'news.ycombinator.com', 'twitter.com', 'newsletter'][1 + cityHash64(visitor, burst, 5) % 6] AS source,
                   ['direct', 'search', 'search', 'referral', 'social', 'email'][1 + cityHash64(visitor, burst, 5) % 6] AS channel,
                   if(cityHash64(visitor, burst, 6) % 10 = 0, 'winter-sale', '') AS utm_campaign,
                   ['US', 'DE', 'FR', 'GB', 'IN', 'BR', 'JP', 'CA', 'NL', 'ES'][1 + cityHash64(visitor) % 10] AS country,
                   ['Chrome', 'Firefox', 'Safari', 'Edge'][1 + cityHash64(visitor, 7) % 4] AS browser,
                   ['Windows', 'macOS', 'Linux', 'iOS', 'Android'][1 + cityHash64(visitor, 8) % 5] AS os,
                   ['desktop', 'mobile', 'tablet'][1 + cityHash64(visitor, 9) % 3] AS device_type,
                   number % 100 = 7 AS is_bot,
                   if(number % 50 = 1, 'newsletter-1', '') AS link_campaign
            FROM (SELECT number, cityHash64(number) % {visitors} AS visitor, cityHash64(number, 1) % 8 AS burst FROM numbers({hits}))
            """);
        // A visit is a visitor's run of hits (bots apart) with gaps under 30 minutes; ties in time are ordered by hit ID, as the tracker orders them.
        engine.Query("""
            INSERT INTO analytics.hits (site_id, timestamp, hit_id, visitor_id, kind, event_name, hostname, path, source, channel,
                utm_campaign, country, browser, os, device_type, is_bot, link_campaign, session_id)
            SELECT site_id, timestamp, hit_id, visitor_id, kind, event_name, hostname, path, source, channel,
                   utm_campaign, country, browser, os, device_type, is_bot, link_campaign,
                   first_value(hit_id) OVER (PARTITION BY visitor_id, is_bot, visit_number ORDER BY timestamp, hit_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            FROM (
                SELECT *, sum(is_start) OVER (PARTITION BY visitor_id, is_bot ORDER BY timestamp, hit_id ROWS UNBOUNDED PRECEDING) AS visit_number
                FROM (
                    SELECT *, toUInt8(dateDiff('second', lagInFrame(timestamp) OVER (PARTITION BY visitor_id, is_bot ORDER BY timestamp, hit_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), timestamp) >= 1800) AS is_start
                    FROM analytics.generated_traffic
                )
            )
            """);
        engine.Query("DROP TABLE analytics.generated_traffic");
        // The visits, as the aggregator's session tracker writes them (one final version each).
        engine.Query($"""
            INSERT INTO analytics.sessions (site_id, visitor_id, session_id, sign, version, started_at, ended_at, duration, hits, pageviews,
                events, link_clicks, is_bounce, is_bot, hostname, entry_page, exit_page, source, channel, utm_campaign, country, browser, os, device_type)
            SELECT site_id, visitor_id, session_id, 1, 1, min(timestamp), max(timestamp),
                   toUInt32(dateDiff('second', min(timestamp), max(timestamp))), count(), countIf(kind = 1), countIf(kind = 2), countIf(kind = 3),
                   countIf(kind = 1) = 1 AND countIf(kind = 2) = 0, is_bot, argMin(hostname, timestamp), argMin(path, timestamp), argMax(path, timestamp),
                   argMin(source, timestamp), argMin(channel, timestamp), argMin(utm_campaign, timestamp), argMin(country, timestamp),
                   argMin(browser, timestamp), argMin(os, timestamp), argMin(device_type, timestamp)
            FROM analytics.hits WHERE site_id = '{Site}'
            GROUP BY site_id, visitor_id, is_bot, session_id
            """);
        engine.Query("OPTIMIZE TABLE analytics.rollup_site_hourly FINAL");
        engine.Query("OPTIMIZE TABLE analytics.rollup_paths_daily FINAL");
    }
}
