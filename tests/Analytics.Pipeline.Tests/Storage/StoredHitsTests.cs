using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Storage;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class StoredHitsTests(ClickHouseMode mode)
{
    private Task<IClickHouse> MigratedAsync() => Transports.NewMigratedDatabaseAsync(mode);

    private static async Task<string> ScalarAsync(IClickHouse db, string sql) =>
        Encoding.UTF8.GetString(await db.QueryAsync(sql.Replace("{db}", db.Database, StringComparison.Ordinal), "TabSeparated")).TrimEnd('\n');

    [Test]
    public async Task A_visit_written_in_two_batches_reads_back_as_one_visit()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        var visitor = Guid.NewGuid();

        await store.WriteAsync(new HitBatch([At(visitor, Noon, "/a")], "t/0-0"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(visitor, Noon.AddMinutes(5), "/b"), At(visitor, Noon.AddMinutes(7), "/c")], "t/1-2"), CancellationToken.None);

        Assert.That(await ScalarAsync(db, "SELECT sum(sign), sum(sign * pageviews), sum(sign * duration), sum(sign * is_bounce) FROM {db}.sessions"), Is.EqualTo("1\t3\t420\t0"));
        Assert.That(await ScalarAsync(db, "SELECT entry_page, exit_page, pageviews, version FROM {db}.sessions FINAL"), Is.EqualTo("/a\t/c\t3\t2"));
        Assert.That(await ScalarAsync(db, "SELECT sum(visits), sum(bounces), sum(visit_duration), sum(pageviews) FROM {db}.rollup_site_hourly"), Is.EqualTo("1\t0\t420\t3"));
        Assert.That(await ScalarAsync(db, "SELECT path, sum(entries), sum(exits) FROM {db}.rollup_paths_daily GROUP BY path HAVING sum(entries) + sum(exits) > 0 ORDER BY path"),
            Is.EqualTo("/a\t1\t0\n/c\t0\t1"));
    }

    [Test]
    public async Task Bots_are_counted_apart_from_human_figures()
    {
        var db = await MigratedAsync();
        var visitor = Guid.NewGuid();

        await new HitStore(db).WriteAsync(new HitBatch([At(visitor, Noon, "/a"), At(visitor, Noon.AddSeconds(5), "/a", isBot: true)]), CancellationToken.None);

        Assert.That(await ScalarAsync(db, "SELECT sum(pageviews), sum(visits), sum(bot_hits) FROM {db}.rollup_site_hourly"), Is.EqualTo("1\t1\t1"));
        Assert.That(await ScalarAsync(db, "SELECT browser, sum(hits) FROM {db}.rollup_bots_daily GROUP BY browser"), Is.EqualTo("Googlebot\t1"));
        Assert.That(await ScalarAsync(db, "SELECT sum(visits) FROM {db}.rollup_devices_daily"), Is.EqualTo("1"));
    }

    [Test]
    public async Task Each_row_carries_its_sites_retention()
    {
        var db = await MigratedAsync();
        var retention = new RetentionOptions { Sites = new() { ["short"] = 30 } };
        var store = new HitStore(db, new Pipeline.Sessions.SessionTracker(Microsoft.Extensions.Options.Options.Create(new Pipeline.Sessions.SessionOptions())),
            Microsoft.Extensions.Options.Options.Create(retention));

        await store.WriteAsync(new HitBatch([At(Guid.NewGuid(), Noon, site: "short"), At(Guid.NewGuid(), Noon, site: "long")]), CancellationToken.None);

        Assert.That(await ScalarAsync(db, "SELECT site_id, retention_days FROM {db}.hits ORDER BY site_id"), Is.EqualTo("long\t396\nshort\t30"));
        Assert.That(await ScalarAsync(db, "SELECT site_id, retention_days FROM {db}.sessions ORDER BY site_id"), Is.EqualTo("long\t396\nshort\t30"));
    }

    [Test]
    public async Task Rows_past_their_retention_are_deleted_by_the_database()
    {
        var db = await MigratedAsync();
        var old = DateTime.UtcNow.AddDays(-40);
        var store = new HitStore(db, new Pipeline.Sessions.SessionTracker(Microsoft.Extensions.Options.Options.Create(new Pipeline.Sessions.SessionOptions())),
            Microsoft.Extensions.Options.Options.Create(new RetentionOptions { Sites = new() { ["short"] = 30 } }));

        await store.WriteAsync(new HitBatch([At(Guid.NewGuid(), old, site: "short"), At(Guid.NewGuid(), old, site: "long")]), CancellationToken.None);
        await db.ExecuteAsync($"OPTIMIZE TABLE {db.Database}.hits FINAL");
        await db.ExecuteAsync($"OPTIMIZE TABLE {db.Database}.sessions FINAL");

        Assert.That(await ScalarAsync(db, "SELECT groupArray(site_id) FROM {db}.hits"), Is.EqualTo("['long']"));
        Assert.That(await ScalarAsync(db, "SELECT groupArray(site_id) FROM {db}.sessions"), Is.EqualTo("['long']"));
        Assert.That(await ScalarAsync(db, "SELECT sum(pageviews) FROM {db}.rollup_site_hourly"), Is.EqualTo("2"), "rollups outlive raw data");
    }
}
