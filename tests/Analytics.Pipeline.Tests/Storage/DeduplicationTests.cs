using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Storage;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class DeduplicationTests(ClickHouseMode mode)
{
    private const string Totals =
        "SELECT (SELECT count() FROM {db}.hits), (SELECT sum(sign), sum(sign * pageviews) FROM {db}.sessions)," +
        " (SELECT sum(pageviews), sum(visits), uniqCombined64Merge(19)(visitors_exact) FROM {db}.rollup_site_hourly)," +
        " (SELECT sum(pageviews), sum(entries) FROM {db}.rollup_paths_daily), (SELECT sum(visits) FROM {db}.rollup_sources_daily)";

    private Task<IClickHouse> MigratedAsync() => Transports.NewMigratedDatabaseAsync(mode);

    private static async Task<string> TotalsAsync(IClickHouse db) =>
        Encoding.UTF8.GetString(await db.QueryAsync(Totals.Replace("{db}", db.Database, StringComparison.Ordinal), "TabSeparated")).TrimEnd();

    [Test]
    public async Task A_replayed_batch_is_counted_once_in_hits_sessions_and_rollups()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var first = new HitBatch([At(a, Noon, "/x"), At(b, Noon, "/y")], "hits/0/0-1");
        var second = new HitBatch([At(a, Noon.AddMinutes(1), "/z")], "hits/0/2-2");

        await store.WriteAsync(first, CancellationToken.None);
        await store.WriteAsync(second, CancellationToken.None);
        var once = await TotalsAsync(db);
        // The source hands the same range again (a consumer restarted before its commit reached the broker).
        await store.WriteAsync(first with { }, CancellationToken.None);
        await store.WriteAsync(second with { }, CancellationToken.None);

        Assert.That(once, Is.EqualTo("3\t(2,3)\t(3,2,2)\t(3,2)\t2"));
        Assert.That(await TotalsAsync(db), Is.EqualTo(once));
    }

    [Test]
    public async Task A_batch_replayed_after_a_restart_never_cancels_visits_that_were_not_stored()
    {
        var db = await MigratedAsync();
        var visitor = Guid.NewGuid();
        var first = new HitBatch([At(visitor, Noon, "/x"), At(visitor, Noon.AddMinutes(1), "/y")], "hits/0/0-1");
        await new HitStore(db).WriteAsync(first, CancellationToken.None);

        // A new process: its tracker has never seen the visit, and the source replays the uncommitted batch.
        var restarted = new HitStore(db);
        await restarted.WriteAsync(first with { }, CancellationToken.None);
        await restarted.WriteAsync(new HitBatch([At(visitor, Noon.AddMinutes(2), "/z")], "hits/0/2-2"), CancellationToken.None);

        // The visit is split in two at the restart (its state was in the old process), but nothing is
        // counted twice and no stored row is cancelled by a state that was never written.
        Assert.That(await TotalsAsync(db), Is.EqualTo("3\t(2,3)\t(3,2,1)\t(3,2)\t2"));
        var negative = await db.QueryAsync($"SELECT count() FROM (SELECT session_id, sum(sign) s FROM {db.Database}.sessions GROUP BY session_id HAVING s < 0)", "TabSeparated");
        Assert.That(Encoding.UTF8.GetString(negative), Is.EqualTo("0\n"));
    }

    [Test]
    public async Task The_engine_drops_a_repeated_insert_in_hits_and_in_every_rollup_its_views_feed()
    {
        var db = await MigratedAsync();
        var batch = new HitBatch([At(Guid.NewGuid(), Noon, "/x"), At(Guid.Empty, Noon, "/y")], "hits/0/0-1");
        var rows = new System.Buffers.ArrayBufferWriter<byte>();
        HitRowsEncoder.Encode(batch.Hits, rows);

        // A crash after the hits insert and before the batch was recorded: the whole batch is written again.
        await db.InsertAsync($"{db.Database}.hits", HitRowsEncoder.Format, rows.WrittenMemory, batch.DeduplicationToken);
        await new HitStore(db).WriteAsync(batch, CancellationToken.None);

        Assert.That(await TotalsAsync(db), Is.EqualTo("2\t(2,2)\t(2,2,2)\t(2,2)\t2"));
    }

    [Test]
    public async Task A_different_token_is_a_different_batch()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        var hit = At(Guid.NewGuid(), Noon);

        await store.WriteAsync(new HitBatch([hit], "hits/0/0-0"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([hit], "hits/1/0-0"), CancellationToken.None);

        var count = await db.QueryAsync($"SELECT count() FROM {db.Database}.hits", "TabSeparated");
        Assert.That(Encoding.UTF8.GetString(count), Is.EqualTo("2\n"));
    }
}
