using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Tests.Storage;

/// <summary>An erase reaches the rollups' visitor states: no state keeps the erased visitor's hash, every other count and every sum stays.</summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class ErasedVisitorStatesTests(ClickHouseMode mode)
{
    private const string Anonymous = "toUUID('00000000-0000-0000-0000-000000000000')";
    private const string Cookie = $"visitor_id != {Anonymous}";

    // Visitors per key from each rollup's states, and exactly from the raw rows: equal while the states hold
    // exactly the visitors of the raw rows (exact below 16,384), so a hash left behind by an erase shows.
    private static readonly (string Name, string FromRollup, string FromRaw)[] Visitors =
    [
        ("site per hour",
            "SELECT hour, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_site_hourly GROUP BY hour HAVING v > 0 ORDER BY ALL",
            $"SELECT toStartOfHour(timestamp) h, uniqExactIf(visitor_id, {Cookie}) v FROM {{db}}.hits WHERE NOT is_bot GROUP BY h HAVING v > 0 ORDER BY ALL"),
        ("pages",
            "SELECT day, path, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_paths_daily GROUP BY day, path HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(timestamp) d, path, uniqExactIf(visitor_id, {Cookie}) v FROM {{db}}.hits WHERE kind = 1 AND NOT is_bot GROUP BY d, path HAVING v > 0 ORDER BY ALL"),
        ("events",
            "SELECT day, event_name, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_events_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(timestamp) d, event_name, uniqExactIf(visitor_id, {Cookie}) v FROM {{db}}.hits WHERE kind = 2 AND NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("link clicks",
            "SELECT day, link_campaign, link_target, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_link_clicks_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(timestamp) d, link_campaign, link_target, uniqExactIf(visitor_id, {Cookie}) v FROM {{db}}.hits WHERE kind = 3 AND NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("sources",
            "SELECT day, channel, source, utm_campaign, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_sources_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, channel, source, utm_campaign, uniqExactIf(visitor_id, sign > 0 AND {Cookie}) v FROM {{db}}.sessions WHERE NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("locations",
            "SELECT day, country, city, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_locations_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, country, city, uniqExactIf(visitor_id, sign > 0 AND {Cookie}) v FROM {{db}}.sessions WHERE NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("devices",
            "SELECT day, device_type, browser, os, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_devices_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, device_type, browser, os, uniqExactIf(visitor_id, sign > 0 AND {Cookie}) v FROM {{db}}.sessions WHERE NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("visit attributes",
            "SELECT day, attribute, value, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_visit_attributes_daily GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, a, x, uniqExactIf(visitor_id, sign > 0 AND {Cookie}) v FROM {{db}}.sessions ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS a, [country, browser, os, device_type] AS x WHERE NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("visitor spans of hits",
            "SELECT attribute, span_days, day, value, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_visitor_spans_fine WHERE attribute IN ('hits', 'page') GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT a, n, toDate(intDiv(toUInt32(toDate(timestamp)), n) * n) s, x, uniqExactIf(visitor_id, {Cookie}) v FROM {{db}}.hits ARRAY JOIN ['hits', 'page'] AS a, ['', path] AS x ARRAY JOIN [1, 4, 16] AS n WHERE NOT is_bot AND (a = 'hits' OR kind = 1) GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
        ("visitor spans of visits",
            "SELECT attribute, span_days, day, value, uniqCombined64Merge(19)(visitors_exact) v FROM {db}.rollup_visitor_spans_fine WHERE attribute NOT IN ('hits', 'page') GROUP BY ALL HAVING v > 0 ORDER BY ALL",
            $"SELECT a, n, toDate(intDiv(toUInt32(toDate(started_at)), n) * n) s, x, uniqExactIf(visitor_id, sign > 0 AND {Cookie}) v FROM {{db}}.sessions ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS a, ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS x ARRAY JOIN [1, 4, 16] AS n WHERE NOT is_bot GROUP BY ALL HAVING v > 0 ORDER BY ALL"),
    ];

    private const string Sums =
        "SELECT (SELECT sum(hits) + sum(pageviews) + sum(visits) FROM {db}.rollup_site_hourly), (SELECT sum(pageviews) + sum(entries) FROM {db}.rollup_paths_daily), " +
        "(SELECT sum(visits) + sum(pageviews) FROM {db}.rollup_sources_daily), (SELECT sum(visits) FROM {db}.rollup_visit_attributes_daily), " +
        "(SELECT sum(visits) + sum(pageviews) + sum(anonymous_pageviews) FROM {db}.rollup_visitor_spans_fine)";

    [Test]
    public async Task An_erased_visitor_leaves_no_hash_in_any_rollup_state_and_every_other_count_and_sum_stays()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var db = await Transports.NewMigratedDatabaseAsync(mode);
        var store = new HitStore(db);
        var hits = RollupConsistencyTests.RandomTraffic(new Random(seed), visitors: 60, hits: 1_500);
        await store.WriteAsync(new HitBatch(hits[..700], "first"), CancellationToken.None);
        await store.WriteAsync(new HitBatch(hits[700..], "second"), CancellationToken.None);
        // The busiest visitor: on every day of the traffic, in most rollup rows.
        var erased = hits.Where(h => h.VisitorId != Guid.Empty).GroupBy(h => h.VisitorId).MaxBy(g => g.Count())!.Key;
        var sums = await TextAsync(db, Sums);
        foreach (var (name, fromRollup, fromRaw) in Visitors)
        {
            Assert.That(await TextAsync(db, fromRollup), Is.EqualTo(await TextAsync(db, fromRaw)), $"{name} before the erase (seed {seed})");
        }

        await new VisitorDataStore(db).EraseAsync(erased, CancellationToken.None);

        Assert.That(await TextAsync(db, $"SELECT count() FROM {{db}}.hits WHERE visitor_id = '{erased}'"), Is.EqualTo("0\n"));
        foreach (var (name, fromRollup, fromRaw) in Visitors)
        {
            Assert.That(await TextAsync(db, fromRollup), Is.EqualTo(await TextAsync(db, fromRaw)), $"{name} after the erase (seed {seed})");
        }
        Assert.That(await TextAsync(db, Sums), Is.EqualTo(sums), "counts without IDs stay");
    }

    private static async Task<string> TextAsync(IClickHouse db, string sql) =>
        Encoding.UTF8.GetString(await db.QueryAsync(sql.Replace("{db}", db.Database, StringComparison.Ordinal), "TabSeparated"));
}
