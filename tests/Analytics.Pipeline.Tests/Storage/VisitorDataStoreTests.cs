using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Storage;

[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class VisitorDataStoreTests(ClickHouseMode mode)
{
    private Task<IClickHouse> MigratedAsync() => Transports.NewMigratedDatabaseAsync(mode);

    [Test]
    public async Task Erasing_a_visitor_removes_their_hits_and_keeps_everyone_elses()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        var visitors = new VisitorDataStore(db);
        Guid me = Guid.NewGuid(), other = Guid.NewGuid();
        await store.WriteAsync(new HitBatch([Hit(me, "/a"), Hit(me, "/b"), Hit(other, "/c")]), CancellationToken.None);

        var before = Lines(await visitors.ExportAsync(me, CancellationToken.None));
        await visitors.EraseAsync(me, CancellationToken.None);
        var after = Lines(await visitors.ExportAsync(me, CancellationToken.None));
        var others = Lines(await visitors.ExportAsync(other, CancellationToken.None));

        Assert.That(before, Has.Length.EqualTo(2));
        Assert.That(before, Has.All.Contains("\"path\":\"/"));
        Assert.That(before, Has.None.Contains(me.ToString()));
        Assert.That(after, Is.Empty);
        Assert.That(others, Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_visitor_can_export_their_visits_one_line_per_visit()
    {
        var db = await MigratedAsync();
        var store = new HitStore(db);
        var me = Guid.NewGuid();
        await store.WriteAsync(new HitBatch([At(me, Noon, "/a")]), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(me, Noon.AddMinutes(1), "/b"), At(me, Noon.AddHours(2), "/c")]), CancellationToken.None);

        var visits = Lines(await new VisitorDataStore(db).ExportVisitsAsync(me, CancellationToken.None));

        Assert.That(visits, Has.Length.EqualTo(2));
        Assert.That(visits[0], Does.Contain("\"entry_page\":\"/a\"").And.Contain("\"exit_page\":\"/b\"").And.Contain("\"pageviews\":2"));
        Assert.That(visits, Has.None.Contains(me.ToString()).And.None.Contains("\"sign\""));
    }

    [Test]
    public async Task After_erasure_nothing_keyed_by_the_visitor_id_remains_anywhere_even_when_they_come_back()
    {
        var db = await MigratedAsync();
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var store = new HitStore(db, tracker, Options.Create(new RetentionOptions()));
        var visitors = new VisitorDataStore(db, tracker);
        Guid me = Guid.NewGuid(), other = Guid.NewGuid();
        await store.WriteAsync(new HitBatch([At(me, Noon, "/a"), At(other, Noon, "/a")], "t/0"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(me, Noon.AddMinutes(1), "/b", HitKind.Event), At(me, Noon.AddMinutes(2), "/go", HitKind.LinkClick)], "t/1"), CancellationToken.None);

        await visitors.EraseAsync(me, CancellationToken.None);
        var remainingAfterErase = await RowsKeyedByAsync(db, me);
        // The same browser comes back a minute later, its open visit already forgotten.
        await store.WriteAsync(new HitBatch([At(me, Noon.AddMinutes(3), "/c")], "t/2"), CancellationToken.None);

        Assert.That(remainingAfterErase, Is.Empty);
        var fresh = await RowsKeyedByAsync(db, me);
        Assert.That(fresh, Is.EquivalentTo(new[] { "hits.visitor_id: 1", "sessions.visitor_id: 1" }), "only the new hit and its new visit");
        var cancelled = await db.QueryAsync($"SELECT sum(sign) FROM {db.Database}.sessions WHERE visitor_id = {{v:UUID}}", "TabSeparated",
            new Dictionary<string, string> { ["v"] = me.ToString() });
        Assert.That(Encoding.UTF8.GetString(cancelled), Is.EqualTo("1\n"));
        Assert.That(await RowsKeyedByAsync(db, other), Is.EquivalentTo(new[] { "hits.visitor_id: 1", "sessions.visitor_id: 1" }));
    }

    [TestCase(false, TestName = "Hits on their way when the visitor erases are not left under the erased id")]
    [TestCase(true, TestName = "Hits on their way when another process erases the visitor are not left under the erased id")]
    public async Task Hits_on_their_way_at_erasure_are_not_left_under_the_erased_id(bool erasedElsewhere)
    {
        var db = await MigratedAsync();
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var visitors = new VisitorDataStore(db, tracker);
        var store = new HitStore(db, tracker, Options.Create(new RetentionOptions()), visitors);
        // The erase runs in this (aggregating) process, or in another one: a collector of a distributed deployment.
        var erasing = erasedElsewhere ? new VisitorDataStore(db) : visitors;
        Guid me = Guid.NewGuid(), other = Guid.NewGuid();
        await store.WriteAsync(new HitBatch([At(me, Noon, "/a"), At(other, Noon, "/a")], "t/0"), CancellationToken.None);
        // The aggregator has prepared the next batch and is about to write it when the visitor erases.
        var inFlight = await store.PrepareAsync(new HitBatch([At(me, Noon.AddMinutes(1), "/b"), At(other, Noon.AddMinutes(1), "/b")], "t/1"), CancellationToken.None);

        await erasing.EraseAsync(me, CancellationToken.None);
        // Lands after the erase deleted the visitor's rows.
        await store.WriteAsync(inFlight!, CancellationToken.None);
        // A hit still queued behind them (or in a collector's spool), sent before the browser's cookie was removed.
        await store.WriteAsync(new HitBatch([At(me, Noon.AddMinutes(2), "/c"), At(other, Noon.AddMinutes(2), "/c")], "t/2"), CancellationToken.None);

        Assert.That(await RowsKeyedByAsync(db, me), Is.Empty);
        Assert.That(Lines(await visitors.ExportAsync(other, CancellationToken.None)), Has.Length.EqualTo(3));
        Assert.That(Lines(await visitors.ExportVisitsAsync(other, CancellationToken.None)), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Hits_held_back_for_days_are_not_stored_under_an_id_erased_meanwhile()
    {
        var db = await MigratedAsync();
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var visitors = new VisitorDataStore(db, tracker);
        var store = new HitStore(db, tracker, Options.Create(new RetentionOptions()), visitors);
        Guid early = Guid.NewGuid(), late = Guid.NewGuid(), other = Guid.NewGuid();
        // Erased three days ago in another process (a collector), while this visitor's hits sat in a
        // collector's spool behind a broker outage; this aggregator started since.
        await db.ExecuteAsync(
            $"INSERT INTO {db.Database}.erasures (visitor_hash, erased_at) VALUES (unhex({{hash:String}}), now64(3) - toIntervalDay(3))",
            new Dictionary<string, string> { ["hash"] = Convert.ToHexString(ErasedVisitors.Tombstone(early)) });
        var threeDaysAgo = DateTime.UtcNow.AddDays(-3);

        await store.WriteAsync(new HitBatch([At(early, threeDaysAgo, "/a"), At(other, threeDaysAgo, "/a")], "t/0"), CancellationToken.None);
        // Another visitor erased elsewhere after this aggregator read the tombstones once.
        await new VisitorDataStore(db).EraseAsync(late, CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(early, threeDaysAgo.AddMinutes(1), "/b"), At(late, threeDaysAgo, "/b"), At(other, threeDaysAgo.AddMinutes(1), "/b")], "t/1"), CancellationToken.None);
        await store.WriteAsync(new HitBatch([At(late, threeDaysAgo.AddMinutes(1), "/c")], "t/2"), CancellationToken.None);

        Assert.That(await RowsKeyedByAsync(db, early), Is.Empty);
        Assert.That(await RowsKeyedByAsync(db, late), Is.Empty);
        Assert.That(Lines(await visitors.ExportAsync(other, CancellationToken.None)), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task The_anonymous_id_keys_no_ones_data()
    {
        var visitors = new VisitorDataStore(await Transports.NewDatabaseAsync(mode));

        Assert.ThrowsAsync<ArgumentException>(() => visitors.EraseAsync(Guid.Empty, CancellationToken.None));
    }

    /// <summary>Every UUID or String column of every table in the database, searched for the ID: "table.column: rows".</summary>
    private static async Task<List<string>> RowsKeyedByAsync(IClickHouse db, Guid visitor)
    {
        var columns = Lines(await db.QueryAsync(
            "SELECT table, name, type FROM system.columns WHERE database = {db:String} AND (type = 'UUID' OR type LIKE '%String%') AND table NOT LIKE '%_mv'",
            "TabSeparated", new Dictionary<string, string> { ["db"] = db.Database }));
        var found = new List<string>();
        foreach (var column in columns.Select(c => c.Split('\t')))
        {
            var predicate = column[2] == "UUID" ? $"{column[1]} = {{v:UUID}}" : $"position(toString({column[1]}), {{s:String}}) > 0";
            var count = Encoding.UTF8.GetString(await db.QueryAsync(
                $"SELECT count() FROM {db.Database}.{column[0]} WHERE {predicate}", "TabSeparated",
                new Dictionary<string, string> { ["v"] = visitor.ToString(), ["s"] = visitor.ToString() })).Trim();
            if (count != "0")
            {
                found.Add($"{column[0]}.{column[1]}: {count}");
            }
        }
        return found;
    }

    private static Hit Hit(Guid visitor, string path) =>
        new() { HitId = Guid.CreateVersion7(), SiteId = "s", Timestamp = DateTime.UtcNow, VisitorId = visitor, Path = path };

    private static string[] Lines(byte[] output) => Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
