using Analytics.Pipeline.Aggregation;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Tests.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Kafka.Wait;

namespace Analytics.Pipeline.Tests.Spool;

public class SpoolQueueTests
{
    private string _path = "";

    [SetUp]
    public void NewFolder() => _path = Path.Combine(Path.GetTempPath(), "spool-queue-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private HitSpool OpenSpool() => HitSpool.Open(new SpoolOptions { Path = _path });

    private static Aggregator NewAggregator(SpoolQueue queue, IClickHouse db) =>
        new(queue, new HitStore(db), Options.Create(new AggregatorOptions { BatchSize = 100, FlushInterval = TimeSpan.FromMilliseconds(50) }), NullLogger<Aggregator>.Instance);

    [Test]
    public async Task A_batch_stored_but_not_acknowledged_before_a_crash_is_stored_once_after_the_restart()
    {
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var random = KafkaTestKit.SeededRandom();
        var first = Enumerable.Range(0, 80).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var second = Enumerable.Range(0, 50).Select(_ => KafkaTestKit.NewHit(random)).ToList();

        using (var spool = OpenSpool())
        {
            var queue = new SpoolQueue(spool, NullLogger<SpoolQueue>.Instance);
            foreach (var hit in first)
            {
                await queue.WriteAsync(hit, CancellationToken.None);
            }
            var batch = await queue.ReadBatchAsync(1000, TimeSpan.FromMilliseconds(50), CancellationToken.None);
            await queue.PrepareAsync(batch, CancellationToken.None);
            await new HitStore(db).WriteAsync(batch, CancellationToken.None);
            Assert.That(batch.Count, Is.EqualTo(first.Count));
            // Dies here: stored, never acknowledged.
        }

        using var reopened = OpenSpool();
        var restarted = new SpoolQueue(reopened, NullLogger<SpoolQueue>.Instance);
        foreach (var hit in second)
        {
            await restarted.WriteAsync(hit, CancellationToken.None);
        }
        using var aggregator = NewAggregator(restarted, db);
        await aggregator.StartAsync(CancellationToken.None);
        await Until(() => aggregator.Stored >= first.Count + second.Count, "everything stored");
        await aggregator.StopAsync(CancellationToken.None);

        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        Assert.That(rows, Is.EqualTo(first.Count + second.Count));
        Assert.That(distinct, Is.EqualTo(first.Count + second.Count));
        Assert.That(reopened.PendingBytes, Is.Zero);
    }

    [Test]
    public async Task A_batch_being_stored_while_the_next_is_prepared_is_rebuilt_with_its_own_range_after_a_crash()
    {
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 120).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        string storedToken;

        using (var spool = OpenSpool())
        {
            var queue = new SpoolQueue(spool, NullLogger<SpoolQueue>.Instance);
            foreach (var hit in hits)
            {
                await queue.WriteAsync(hit, CancellationToken.None);
            }
            // The aggregator's order: batch N is prepared and written while N+1 is read and prepared.
            var current = await queue.ReadBatchAsync(50, TimeSpan.Zero, CancellationToken.None);
            await queue.PrepareAsync(current, CancellationToken.None);
            var next = await queue.ReadBatchAsync(50, TimeSpan.Zero, CancellationToken.None);
            await queue.PrepareAsync(next, CancellationToken.None);
            await new HitStore(db).WriteAsync(current, CancellationToken.None);
            storedToken = current.DeduplicationToken!;
            // Dies here: batch N stored, never acknowledged; N+1 prepared, not stored.
        }

        using var reopened = OpenSpool();
        var restarted = new SpoolQueue(reopened, NullLogger<SpoolQueue>.Instance);
        var rebuilt = await restarted.ReadBatchAsync(1000, TimeSpan.Zero, CancellationToken.None);
        Assert.That(rebuilt.DeduplicationToken, Is.EqualTo(storedToken), "the stored batch is cut again with its own range");

        using var aggregator = NewAggregator(restarted, db);
        await new HitStore(db).WriteAsync(rebuilt, CancellationToken.None);
        await restarted.CommitAsync(rebuilt, CancellationToken.None);
        await aggregator.StartAsync(CancellationToken.None);
        await Until(() => aggregator.Stored + rebuilt.Count >= hits.Count, "everything stored");
        await aggregator.StopAsync(CancellationToken.None);

        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        Assert.That(distinct, Is.EqualTo(hits.Count));
        Assert.That(rows, Is.EqualTo(hits.Count));
    }

    [Test]
    public async Task Stopping_stores_everything_spooled()
    {
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var random = KafkaTestKit.SeededRandom();
        using var spool = OpenSpool();
        var queue = new SpoolQueue(spool, NullLogger<SpoolQueue>.Instance);
        using var aggregator = NewAggregator(queue, db);
        await aggregator.StartAsync(CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => queue.WriteAsync(KafkaTestKit.NewHit(random), CancellationToken.None).AsTask()));
        await aggregator.StopAsync(CancellationToken.None);

        Assert.That((await ConsumerSide.CountAsync(db)).Rows, Is.EqualTo(300));
        Assert.That(spool.PendingBytes, Is.Zero);
    }
}
