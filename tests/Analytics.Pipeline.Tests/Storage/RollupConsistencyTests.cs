using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Pipeline.Tests.Storage;

/// <summary>Property: on random traffic written in random batches, every rollup equals the same aggregate computed from raw rows.</summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class RollupConsistencyTests(ClickHouseMode mode)
{
    private const string Anonymous = "toUUID('00000000-0000-0000-0000-000000000000')";

    // Raw rows count visitors exactly (uniqExact): the rollups' states are exact up to 16,384 distinct
    // IDs (schema 0012), far above what this traffic has. Only cookie visitors count (0014): an anonymous
    // hit is no visitor. Under the uniqCombined(12) sketches of 0008 this differed by one in about one seed in 20.

    internal static readonly (string Name, string FromRollup, string FromRaw)[] Checks =
    [
        ("site per day",
            "SELECT toDate(hour) d, sum(hits), sum(pageviews), sum(events), sum(link_clicks), uniqCombined64Merge(19)(visitors_exact), sum(bot_hits) FROM {db}.rollup_site_hourly GROUP BY d ORDER BY d",
            $"SELECT toDate(timestamp) d, countIf(NOT is_bot), countIf(NOT is_bot AND kind = 1), countIf(NOT is_bot AND kind = 2), countIf(NOT is_bot AND kind = 3), uniqExactIf(visitor_id, NOT is_bot AND visitor_id != {Anonymous}), countIf(is_bot) FROM {{db}}.hits GROUP BY d ORDER BY d"),
        ("visits per hour",
            "SELECT hour, sum(visits), sum(bounces), sum(visit_duration) FROM {db}.rollup_site_hourly GROUP BY hour HAVING sum(visits) != 0 ORDER BY hour",
            "SELECT toStartOfHour(started_at) h, count(), countIf(is_bounce), sum(duration) FROM {db}.sessions FINAL WHERE NOT is_bot GROUP BY h ORDER BY h"),
        ("pages",
            "SELECT day, path, sum(pageviews), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_paths_daily GROUP BY day, path HAVING sum(pageviews) > 0 ORDER BY day, path",
            $"SELECT toDate(timestamp) d, path, count(), uniqExactIf(visitor_id, visitor_id != {Anonymous}) FROM {{db}}.hits WHERE kind = 1 AND NOT is_bot GROUP BY d, path ORDER BY d, path"),
        ("entry pages",
            "SELECT day, path, sum(entries), sum(bounces) FROM {db}.rollup_paths_daily GROUP BY day, path HAVING sum(entries) != 0 ORDER BY day, path",
            "SELECT toDate(started_at) d, entry_page, count(), countIf(is_bounce) FROM {db}.sessions FINAL WHERE NOT is_bot GROUP BY d, entry_page ORDER BY d, entry_page"),
        ("exit pages",
            "SELECT day, path, sum(exits) FROM {db}.rollup_paths_daily GROUP BY day, path HAVING sum(exits) != 0 ORDER BY day, path",
            "SELECT toDate(started_at) d, exit_page, count() FROM {db}.sessions FINAL WHERE NOT is_bot GROUP BY d, exit_page ORDER BY d, exit_page"),
        ("sources",
            "SELECT day, channel, source, utm_campaign, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(pageviews), sum(bounces), sum(visit_duration) FROM {db}.rollup_sources_daily GROUP BY ALL HAVING sum(visits) != 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, channel, source, utm_campaign, uniqExactIf(visitor_id, visitor_id != {Anonymous}), count(), sum(pageviews), countIf(is_bounce), sum(duration) FROM {{db}}.sessions FINAL WHERE NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("locations",
            "SELECT day, country, city, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(pageviews) FROM {db}.rollup_locations_daily GROUP BY ALL HAVING sum(visits) != 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, country, city, uniqExactIf(visitor_id, visitor_id != {Anonymous}), count(), sum(pageviews) FROM {{db}}.sessions FINAL WHERE NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("devices",
            "SELECT day, device_type, browser, os, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(bounces) FROM {db}.rollup_devices_daily GROUP BY ALL HAVING sum(visits) != 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, device_type, browser, os, uniqExactIf(visitor_id, visitor_id != {Anonymous}), count(), countIf(is_bounce) FROM {{db}}.sessions FINAL WHERE NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("visit attributes",
            "SELECT day, attribute, value, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(pageviews), sum(bounces), sum(visit_duration) FROM {db}.rollup_visit_attributes_daily GROUP BY ALL HAVING sum(visits) != 0 ORDER BY ALL",
            $"SELECT toDate(started_at) d, a, v, uniqExactIf(visitor_id, visitor_id != {Anonymous}), count(), sum(pageviews), countIf(is_bounce), sum(duration) FROM {{db}}.sessions FINAL ARRAY JOIN ['country', 'browser', 'os', 'device_type'] AS a, [country, browser, os, device_type] AS v WHERE NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("link clicks",
            "SELECT day, link_campaign, link_target, sum(clicks), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_link_clicks_daily GROUP BY ALL ORDER BY ALL",
            $"SELECT toDate(timestamp) d, link_campaign, link_target, count(), uniqExactIf(visitor_id, visitor_id != {Anonymous}) FROM {{db}}.hits WHERE kind = 3 AND NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("events",
            "SELECT day, event_name, sum(events), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_events_daily GROUP BY ALL ORDER BY ALL",
            $"SELECT toDate(timestamp) d, event_name, count(), uniqExactIf(visitor_id, visitor_id != {Anonymous}) FROM {{db}}.hits WHERE kind = 2 AND NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("bots",
            "SELECT day, browser, sum(hits) FROM {db}.rollup_bots_daily GROUP BY ALL ORDER BY ALL",
            "SELECT toDate(timestamp) d, browser, count() FROM {db}.hits WHERE is_bot GROUP BY ALL ORDER BY ALL"),
        ("visitor spans of hits",
            "SELECT attribute, span_days, day, value, uniqCombined64Merge(19)(visitors_exact) v, sum(pageviews), sum(anonymous_pageviews) FROM {db}.rollup_visitor_spans_fine WHERE attribute IN ('hits', 'page') GROUP BY ALL HAVING v > 0 OR sum(pageviews) != 0 ORDER BY ALL",
            $"SELECT a, n, toDate(intDiv(toUInt32(toDate(timestamp)), n) * n) s, x, uniqExactIf(visitor_id, visitor_id != {Anonymous}), countIf(kind = 1), countIf(kind = 1 AND visitor_id = {Anonymous}) FROM {{db}}.hits ARRAY JOIN ['hits', 'page'] AS a, ['', path] AS x ARRAY JOIN [1, 4, 16] AS n WHERE NOT is_bot AND (a = 'hits' OR kind = 1) GROUP BY ALL ORDER BY ALL"),
        ("visitor spans of visits",
            "SELECT attribute, span_days, day, value, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(pageviews), sum(anonymous_pageviews), sum(bounces), sum(visit_duration) FROM {db}.rollup_visitor_spans_fine WHERE attribute NOT IN ('hits', 'page') GROUP BY ALL HAVING sum(visits) != 0 ORDER BY ALL",
            $"SELECT a, n, toDate(intDiv(toUInt32(toDate(started_at)), n) * n) s, x, uniqExactIf(visitor_id, visitor_id != {Anonymous}), count(), sum(pageviews), sumIf(pageviews, visitor_id = {Anonymous}), countIf(is_bounce), sum(duration) FROM {{db}}.sessions FINAL ARRAY JOIN ['visits', 'source', 'utm_campaign', 'country', 'browser', 'os', 'device_type'] AS a, ['', toString(source), utm_campaign, toString(country), toString(browser), toString(os), toString(device_type)] AS x ARRAY JOIN [1, 4, 16] AS n WHERE NOT is_bot GROUP BY ALL ORDER BY ALL"),
        ("every hit is in exactly one visit",
            "SELECT sum(sign * hits) FROM {db}.sessions",
            "SELECT count() FROM {db}.hits"),
    ];

    [Test]
    public async Task Every_rollup_equals_the_aggregate_of_the_raw_rows_on_random_traffic()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var db = await MigratedAsync();
        var store = new HitStore(db);

        var hits = RandomTraffic(random, visitors: 150, hits: 3_000);
        var offset = 0;
        while (offset < hits.Count)
        {
            var size = Math.Min(random.Next(1, 400), hits.Count - offset);
            await store.WriteAsync(new HitBatch(hits.GetRange(offset, size), $"random/{offset}-{offset + size - 1}"), CancellationToken.None);
            offset += size;
        }

        foreach (var (name, fromRollup, fromRaw) in Checks)
        {
            var rollup = await TextAsync(db, fromRollup);
            var raw = await TextAsync(db, fromRaw);
            Assert.That(rollup, Is.Not.Empty, name);
            Assert.That(rollup, Is.EqualTo(raw), $"{name} (seed {seed})");
        }
    }

    [Test]
    public async Task A_late_hit_that_becomes_a_visits_entry_moves_the_visit_and_its_visitor_to_the_entrys_rollup_rows()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        var visitor = Guid.NewGuid();
        var start = new DateTime(2026, 10, 30, 0, 5, 0, DateTimeKind.Utc);
        Hit At(DateTime time, string country, string source, string browser) => new()
        {
            HitId = Guid.CreateVersion7(new DateTimeOffset(time)),
            SiteId = "s",
            Timestamp = time,
            VisitorId = visitor,
            Kind = HitKind.Pageview,
            Path = "/",
            Hostname = "www.example.com",
            Channel = "social",
            Source = source,
            Country = country,
            Browser = browser,
            Os = "Linux",
            DeviceType = "desktop",
        };

        // The visit is stored, grows, then a hit from before its start arrives: an entry with other values, on the day before.
        await store.WriteAsync(new HitBatch([At(start, "DE", "first.example", "Firefox")], "first"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(start.AddMinutes(5), "DE", "first.example", "Firefox")], "grown"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(start.AddMinutes(-7), "FR", "late.example", "Chrome")], "late"), CancellationToken.None);

        foreach (var (name, fromRollup, fromRaw) in Checks)
        {
            Assert.That(await TextAsync(db, fromRollup), Is.EqualTo(await TextAsync(db, fromRaw)), name);
        }
        Assert.That(await TextAsync(db, "SELECT day, source, uniqCombined64Merge(19)(visitors_exact), sum(visits), sum(pageviews) FROM {db}.rollup_sources_daily GROUP BY day, source HAVING sum(visits) != 0"),
            Is.EqualTo("2026-10-29\tlate.example\t1\t1\t3\n"), "one visit of three pageviews, and its visitor, under the late entry's day and source");
    }

    [TestCase(8, TestName = "A database upgraded to visitor sketches (0008) keeps every rollup equal to the raw rows")]
    [TestCase(12, TestName = "A database upgraded to exact visitors (0012) keeps every rollup equal to the raw rows, nothing lost or doubled")]
    [TestCase(14, TestName = "A database upgraded to visitor spans and cookie visitors (0014) keeps every rollup equal to the raw rows, nothing lost or doubled")]
    [TestCase(19, TestName = "A database upgraded to visitor spans in fine granules (0019) keeps every rollup equal to the raw rows, nothing lost or doubled")]
    [TestCase(23, TestName = "A database upgraded to visitor spans filled by day (0023) keeps every rollup equal to the raw rows, nothing lost or doubled")]
    [TestCase(27, TestName = "A database upgraded to visitor spans that count their writes (0027) keeps every rollup equal to the raw rows, nothing lost or doubled")]
    public async Task A_database_upgraded_keeps_every_rollup_equal_to_the_raw_rows(int version)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var db = await Transports.NewDatabaseAsync(mode);
        var migrator = new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance);
        // A database at the version before: its migrations applied and recorded in the ledger.
        await migrator.PendingAsync(CancellationToken.None);
        foreach (var migration in SchemaMigrator.Shipped.Where(m => m.Version < version))
        {
            foreach (var statement in migration.Statements(db.Database))
            {
                await db.ExecuteAsync(statement);
            }
            await db.ExecuteAsync($"INSERT INTO {db.Database}.schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}')");
        }
        // This build's store looks hit IDs up in stored_hit_ids (0010); an older one did not look at all:
        // the table alone, empty and unfilled, stands for that.
        await db.ExecuteAsync(SchemaMigrator.Shipped.Single(m => m.Version == 10).Statements(db.Database)[0]);
        // It also records each batch's write in batch_writes (0020, with 0021's visit marks) before inserting it; an older
        // one recorded nothing.
        await db.ExecuteAsync(SchemaMigrator.Shipped.Single(m => m.Version == 20).Statements(db.Database)[0]);
        await db.ExecuteAsync(SchemaMigrator.Shipped.Single(m => m.Version == 21).Statements(db.Database)[0]);
        // This build's encoders write every column of hits and sessions, also those added after the version
        // (0013's language, 0018's session_id on hits): those columns alone stand for the older build's row shape.
        foreach (var statement in SchemaMigrator.Shipped.Single(m => m.Version == 13).Statements(db.Database))
        {
            await db.ExecuteAsync(statement);
        }
        await db.ExecuteAsync(SchemaMigrator.Shipped.Single(m => m.Version == 18).Statements(db.Database)[0]);
        var store = new HitStore(db);
        var hits = RandomTraffic(random, visitors: 150, hits: 2_000);
        var half = hits.Count / 2;

        await store.WriteAsync(new HitBatch(hits[..half], "before"), CancellationToken.None);
        await migrator.MigrateAsync(CancellationToken.None);
        // As if the upgrade had been interrupted after its last statement and run again (with the later ones, in order).
        foreach (var statement in SchemaMigrator.Shipped.Where(m => m.Version >= version).SelectMany(m => m.Statements(db.Database)))
        {
            await db.ExecuteAsync(statement);
        }
        await store.WriteAsync(new HitBatch(hits[half..], "after"), CancellationToken.None);

        foreach (var (name, fromRollup, fromRaw) in Checks)
        {
            var rollup = await TextAsync(db, fromRollup);
            Assert.That(rollup, Is.Not.Empty, name);
            Assert.That(rollup, Is.EqualTo(await TextAsync(db, fromRaw)), $"{name} (seed {seed})");
        }
    }

    /// <summary>
    /// Visitors coming back, 45 s between hits on average (3,000 hits last about 37 hours), from <paramref name="start"/>
    /// (by default a fixed day), hits roughly in time order with some shuffling inside each minute.
    /// </summary>
    internal static List<Hit> RandomTraffic(Random random, int visitors, int hits, DateTime? start = null)
    {
        var ids = Enumerable.Range(0, visitors).Select(_ => new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16))).ToArray();
        string[] paths = ["/", "/a", "/b", "/c", "/blog/1", "/blog/2"];
        string[] channels = ["direct", "search", "social", "email"];
        string[] countries = ["DE", "FR", "US"];
        var list = new List<Hit>(hits);
        var time = start ?? new DateTime(2026, 10, 30, 20, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < hits; i++)
        {
            time = time.AddSeconds(random.Next(0, 90));
            var anonymous = random.Next(20) == 0;
            var bot = random.Next(20) == 0;
            var kind = random.Next(10) switch { < 7 => HitKind.Pageview, < 9 => HitKind.Event, _ => HitKind.LinkClick };
            var channel = channels[random.Next(channels.Length)];
            list.Add(new Hit
            {
                HitId = Guid.CreateVersion7(new DateTimeOffset(time)),
                SiteId = "s",
                Timestamp = time.AddSeconds(-random.Next(0, 30)),
                VisitorId = anonymous ? Guid.Empty : ids[(int)(Math.Pow(random.NextDouble(), 2) * visitors)],
                Kind = kind,
                Path = paths[random.Next(paths.Length)],
                Hostname = "www.example.com",
                EventName = kind == HitKind.Event ? "signup" : "",
                LinkCampaign = kind == HitKind.LinkClick ? "news-" + random.Next(3) : "",
                LinkTarget = kind == HitKind.LinkClick ? "https://www.example.com/" + random.Next(3) : "",
                Channel = channel,
                Source = channel == "direct" ? "" : channel + ".example",
                UtmCampaign = random.Next(4) == 0 ? "autumn" : "",
                Country = countries[random.Next(countries.Length)],
                City = "c" + random.Next(3),
                Browser = bot ? "Googlebot" : random.Next(2) == 0 ? "Firefox" : "Chrome",
                Os = random.Next(2) == 0 ? "Linux" : "Windows",
                DeviceType = bot ? "bot" : "desktop",
                IsBot = bot,
            });
        }
        return list;
    }

    private Task<IClickHouse> MigratedAsync() => Transports.NewMigratedDatabaseAsync(mode);

    internal static async Task<string> TextAsync(IClickHouse db, string sql) =>
        Encoding.UTF8.GetString(await db.QueryAsync(sql.Replace("{db}", db.Database, StringComparison.Ordinal), "TabSeparated"));
}
