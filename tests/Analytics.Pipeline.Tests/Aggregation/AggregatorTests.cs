using System.Text;
using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Aggregation;

public class AggregatorTests
{
    [Test]
    public async Task A_visits_insert_failing_after_its_hits_were_stored_is_retried_without_storing_a_hit_or_a_visit_twice()
    {
        var db = new FailingInserts(Engine.NewDatabase(), "sessions", failures: 3);
        await new Pipeline.Schema.SchemaMigrator(db, NullLogger<Pipeline.Schema.SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var queue = new InProcessQueue(1_000);
        using var aggregator = SmallBatches(queue, db);
        await aggregator.StartAsync(CancellationToken.None);

        // 12 visitors, 5 pageviews each a minute apart: 12 visits that grow across several batches.
        var visitors = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        for (var minute = 0; minute < 5; minute++)
        {
            foreach (var visitor in visitors)
            {
                await queue.WriteAsync(At(visitor, Noon.AddMinutes(minute), "/p" + minute), CancellationToken.None);
            }
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (aggregator.Stored < 60 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await aggregator.StopAsync(CancellationToken.None);

        Assert.That(db.Failed, Is.EqualTo(3), "the visit inserts failed as arranged");
        Assert.That(aggregator.Stored, Is.EqualTo(60));
        var totals = await db.QueryAsync(
            $"SELECT (SELECT count() FROM {db.Database}.hits), sum(sign), sum(sign * pageviews), sum(sign * duration) FROM {db.Database}.sessions",
            "TabSeparated");
        Assert.That(Encoding.UTF8.GetString(totals), Is.EqualTo("60\t12\t60\t" + (12 * 4 * 60) + "\n"));
    }

    [Test]
    public async Task An_aggregator_stopped_as_soon_as_it_starts_still_stores_what_its_source_holds()
    {
        // A killed host restarted and stopped at once (the crash tests do so): the stop can come before the
        // aggregator's loop has begun, even before the task that runs it was scheduled.
        var (db, queue) = await QueuedHits.CreateAsync(20);
        using var aggregator = SmallBatches(queue, db);

        await aggregator.StartAsync(CancellationToken.None);
        await aggregator.StopAsync(CancellationToken.None);

        Assert.That(aggregator.ExecuteTask!.IsFaulted, Is.False);
        Assert.That(aggregator.Stored, Is.EqualTo(20));
        Assert.That(Encoding.UTF8.GetString(await db.QueryAsync($"SELECT count() FROM {db.Database}.hits", "TabSeparated")), Is.EqualTo("20\n"));
    }

    /// <summary>An aggregator of batches of 7 hits, flushed every 20 ms, a failed write retried after 10 ms.</summary>
    private static Aggregator SmallBatches(InProcessQueue queue, IClickHouse db) =>
        new(queue, new HitStore(db), Options.Create(new AggregatorOptions
        {
            BatchSize = 7,
            FlushInterval = TimeSpan.FromMilliseconds(20),
            RetryDelay = TimeSpan.FromMilliseconds(10),
        }), NullLogger<Aggregator>.Instance);
}
