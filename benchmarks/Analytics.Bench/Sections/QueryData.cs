using System.Globalization;

namespace Analytics.Bench.Sections;

/// <summary>
/// Generated traffic for the stats queries, made by the engine itself (no rows cross the API): visits
/// are derived from <c>numbers()</c> by hashing, and the same visit expressions feed both the hits
/// insert (one row per hit, through <c>ARRAY JOIN</c>) and the sessions insert (one row per visit,
/// sign 1, version 1), so hits, visits and every rollup view agree. Each hit carries its visit's
/// session_id, as the aggregator stamps it (schema/0018).
/// </summary>
/// <remarks>
/// Shape: 30 days up to the given end (the run's start); 40% one-page visits, others 2-8 hits 15-300 s apart; 8% custom events and
/// 3% link clicks after the first page; a visitor pool a third of the visits (about three visits each);
/// 3% anonymous visits (one hit each) and 2% bot visits; a few top pages and 2,000 blog posts with a
/// cubic skew; a search-heavy source mix with newsletter and paid UTM campaigns; 20 countries skewed,
/// regions and cities within them; a realistic browser, OS and device mix. Two visits of one visitor
/// may fall within 30 minutes of each other (rarely): then the 30-minute rule on raw hits sees one visit
/// where the sessions table has two.
/// </remarks>
public static class QueryData
{
    /// <summary>Mean hits per generated visit (0.03 × 1 + 0.97 × (0.4 × 1 + 0.6 × 5)).</summary>
    public const double HitsPerVisit = 3.328;

    public static long VisitsFor(long hits) => Math.Max(1, (long)Math.Round(hits / HitsPerVisit));

    /// <summary>Hits of the visits, in the hits table's columns.</summary>
    public static string HitsSql(string db, string site, long hits, int seed, DateTime end)
    {
        var s = seed.ToString(CultureInfo.InvariantCulture);
        return $"""
            INSERT INTO {db}.hits (site_id, timestamp, hit_id, visitor_id, is_new_visitor, kind, event_name, hostname, path, title, referrer, source, channel,
                                   utm_source, utm_medium, utm_campaign, country, region, city, browser, browser_version, os, os_version, device_type,
                                   screen_width, is_bot, link_campaign, link_target, session_id)
            SELECT site, started + toIntervalSecond(offsets[j]), reinterpretAsUUID(concat(reinterpretAsFixedString(hid), reinterpretAsFixedString(toUInt64(j - 1)))),
                   visitor, is_new AND j = 1, kinds[j], if(kinds[j] = 2, ['signup', 'download', 'contact'][1 + cityHash64(v, {s}, 17, j) % 3], ''),
                   'www.example.com', paths[j], 'A page',
                   if(j = 1, referrer, ''), if(j = 1, source, ''), if(j = 1, channel, ''), if(j = 1, utm_source, ''), if(j = 1, utm_medium, ''), if(j = 1, utm_campaign, ''),
                   country, region, city, browser, browser_version, os, os_version, device, if(device = 'mobile', 390, 1920), bot,
                   if(kinds[j] = 3, ['nov-digest', 'launch-week'][1 + cityHash64(v, {s}, 19, j) % 2], ''), if(kinds[j] = 3, 'https://www.example.com/offer', ''),
                   session_id
            FROM ({VisitsSql(site, hits, seed, end)}) ARRAY JOIN arrayEnumerate(kinds) AS j
            """;
    }

    /// <summary>The same visits as the sessions table holds them: one +1 row each, as a visit that never grew.</summary>
    public static string SessionsSql(string db, string site, long hits, int seed, DateTime end) => $"""
        INSERT INTO {db}.sessions (site_id, visitor_id, session_id, sign, version, started_at, ended_at, duration, hits, pageviews, events, link_clicks,
                                   is_bounce, is_new_visitor, is_bot, hostname, entry_page, exit_page, referrer, source, channel, utm_source, utm_medium,
                                   utm_campaign, link_campaign, country, region, city, browser, browser_version, os, os_version, device_type, screen_width)
        SELECT site, visitor, session_id, 1, 1, started, started + toIntervalSecond(offsets[n]), toUInt32(offsets[n]), n,
               countEqual(kinds, 1), countEqual(kinds, 2), countEqual(kinds, 3), countEqual(kinds, 1) = 1 AND countEqual(kinds, 2) = 0,
               is_new, bot, 'www.example.com', paths[1], paths[n], referrer, source, channel, utm_source, utm_medium, utm_campaign, '',
               country, region, city, browser, browser_version, os, os_version, device, if(device = 'mobile', 390, 1920)
        FROM ({VisitsSql(site, hits, seed, end)})
        """;

    /// <summary>
    /// One row per visit; every value a hash of the visit number and the seed, so both inserts see the same
    /// visits. The period ends at <paramref name="end"/>, one instant for both inserts: <c>now()</c> would be
    /// read again by the second, a minute later, and move every visit's span away from its hits.
    /// </summary>
    private static string VisitsSql(string site, long hits, int seed, DateTime end)
    {
        var s = seed.ToString(CultureInfo.InvariantCulture);
        var endSql = end.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var visits = VisitsFor(hits);
        var pool = Math.Max(1, visits / 3).ToString(CultureInfo.InvariantCulture);
        return $"""
            SELECT '{site}' AS site, number AS v,
                   cityHash64(v, {s}, 1) % 100 < 3 AS anon, cityHash64(v, {s}, 2) % 50 = 0 AS bot, cityHash64(v, {s}, 4) AS hid,
                   cityHash64(v, {s}, 3) % {pool} AS visitor_number,
                   if(anon, toUUID('00000000-0000-0000-0000-000000000000'),
                      reinterpretAsUUID(concat(reinterpretAsFixedString(cityHash64(visitor_number, {s})), reinterpretAsFixedString(cityHash64(visitor_number, {s}, 1))))) AS visitor,
                   reinterpretAsUUID(concat(reinterpretAsFixedString(hid), reinterpretAsFixedString(toUInt64(0)))) AS session_id,
                   toDateTime64(toDateTime('{endSql}', 'UTC') - toIntervalSecond(cityHash64(v, {s}, 5) % (30 * 86400)), 3, 'UTC') AS started,
                   if(anon OR cityHash64(v, {s}, 6) % 100 < 40, 1, 2 + cityHash64(v, {s}, 7) % 7) AS n,
                   arrayMap(i -> if(i = 0, 1, multiIf(cityHash64(v, {s}, 8, i) % 100 < 8, 2, cityHash64(v, {s}, 8, i) % 100 < 11, 3, 1)), range(n)) AS kinds,
                   arrayMap(i -> multiIf(cityHash64(v, {s}, 9, i) % 1000 < 150, '/', cityHash64(v, {s}, 9, i) % 1000 < 200, '/pricing',
                                         cityHash64(v, {s}, 9, i) % 1000 < 230, '/docs', cityHash64(v, {s}, 9, i) % 1000 < 250, '/about',
                                         concat('/blog/post-', toString(toUInt32(pow((cityHash64(v, {s}, 16, i) % 10000) / 10000, 3) * 2000)))), range(n)) AS paths,
                   arrayMap(i -> toInt64(i) * (15 + cityHash64(v, {s}, 10) % 285), range(n)) AS offsets,
                   cityHash64(v, {s}, 11) % 1000 AS sx,
                   multiIf(sx < 400, '', sx < 650, 'google', sx < 700, 'bing', sx < 760, 'duckduckgo', sx < 820, 't.co', sx < 860, 'facebook.com',
                           sx < 900, 'news.ycombinator.com', sx < 950, 'newsletter', concat('blog', toString(sx % 40), '.example.org')) AS source,
                   multiIf(source = '', 'direct', source IN ('google', 'bing', 'duckduckgo'), 'search', source IN ('t.co', 'facebook.com'), 'social',
                           source = 'newsletter', 'email', 'referral') AS channel,
                   if(source IN ('', 'newsletter'), '', concat('https://', source, '/')) AS referrer,
                   multiIf(source = 'newsletter', 'newsletter', source = 'google' AND sx % 5 = 0, 'google', '') AS utm_source,
                   multiIf(source = 'newsletter', 'email', utm_source = 'google', 'cpc', '') AS utm_medium,
                   multiIf(source = 'newsletter', ['nov-digest', 'launch-week', 'black-friday'][1 + sx % 3], utm_source = 'google', 'brand', '') AS utm_campaign,
                   cityHash64(v, {s}, 12) % 1000 AS cx,
                   ['US', 'DE', 'GB', 'FR', 'IN', 'BR', 'NL', 'CA', 'JP', 'ES', 'IT', 'PL', 'SE', 'AU', 'MX', 'KR', 'CH', 'AT', 'BE', ''][1 + toUInt32(pow(cx / 1000, 2) * 20)] AS country,
                   if(country = '', '', concat(country, '-', toString(cx % 7))) AS region,
                   if(country = '', '', concat(country, ' city ', toString(cx % 13))) AS city,
                   cityHash64(v, {s}, 13) % 100 AS bx,
                   if(bot, 'Googlebot', multiIf(bx < 55, 'Chrome', bx < 78, 'Safari', bx < 88, 'Edge', bx < 96, 'Firefox', 'Samsung Internet')) AS browser,
                   toString(120 + cityHash64(v, {s}, 14) % 12) AS browser_version,
                   cityHash64(v, {s}, 15) % 100 AS dx,
                   if(bot, 'bot', multiIf(dx < 55, 'desktop', dx < 95, 'mobile', 'tablet')) AS device,
                   if(bot, '', multiIf(device = 'desktop', ['Windows', 'Mac OS X', 'Linux', 'Windows'][1 + dx % 4], device = 'mobile', ['Android', 'iOS'][1 + dx % 2], 'iOS')) AS os,
                   toString(10 + dx % 8) AS os_version,
                   cityHash64(visitor_number, {s}, 18) % 4 = 0 AS is_new
            FROM numbers({visits.ToString(CultureInfo.InvariantCulture)})
            """;
    }
}
