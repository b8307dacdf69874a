using System.Collections.Concurrent;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Pipeline.Tests.Kafka.Wait;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>The five fault tests, counted exactly (the collector SIGKILL one runs in the host tests).</summary>
public class KafkaFaultTests
{
    private string _spoolPath = "";

    [SetUp]
    public void NewSpool() => _spoolPath = Path.Combine(Path.GetTempPath(), "fault-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteSpool()
    {
        if (Directory.Exists(_spoolPath))
        {
            Directory.Delete(_spoolPath, recursive: true);
        }
    }

    private static async Task<IClickHouse> NewDatabaseAsync()
    {
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }

    [Test]
    public async Task Broker_down_during_steady_load_then_back_stores_every_acknowledged_hit_exactly_once()
    {
        using var cluster = MockCluster.Start();
        if (!cluster.CanInjectFaults)
        {
            Assert.Ignore("needs the mock cluster");
        }
        var topic = cluster.CreateTopic("hits", partitions: 2);
        var options = KafkaTestKit.Options(cluster, topic);
        var db = await NewDatabaseAsync();
        var random = KafkaTestKit.SeededRandom();
        var acknowledged = new ConcurrentBag<Guid>();
        await using var producer = await ProducerSide.StartAsync(options, _spoolPath);
        await using var consumer = await ConsumerSide.StartAsync(options, db);

        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                Hit hit;
                lock (random)
                {
                    hit = KafkaTestKit.NewHit(random);
                }
                // What a beacon answers only after: the hit is durable.
                await producer.Sink.WriteAsync(hit, CancellationToken.None);
                acknowledged.Add(hit.HitId);
                await Task.Delay(2);
            }
        }));
        await Until(() => acknowledged.Count > 200, "load running");
        cluster.SetBrokerDown();
        var atOutage = acknowledged.Count;
        await Until(() => !producer.Sink.IsHealthy, "collector degraded");
        await Until(() => acknowledged.Count > atOutage + 300, "hits acknowledged during the outage");
        cluster.SetBrokerUp();
        await Until(() => producer.Sink.IsHealthy, "collector healthy again", TimeSpan.FromSeconds(30));
        await Until(() => acknowledged.Count > atOutage + 600, "load after the outage");
        await stop.CancelAsync();
        await load;

        var expected = acknowledged.ToHashSet();
        await UntilAsync(async () => (await ConsumerSide.CountAsync(db)).Rows >= expected.Count, "all stored", TimeSpan.FromSeconds(60));
        await Until(() => consumer.Aggregator.Stored >= expected.Count, "aggregator caught up");

        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        TestContext.Out.WriteLine($"acknowledged {expected.Count}, stored rows {rows}, distinct {distinct}, fsyncs {producer.Spool.Fsyncs}");
        Assert.That(rows, Is.EqualTo(expected.Count));
        Assert.That(distinct, Is.EqualTo(expected.Count));
        Assert.That(await ConsumerSide.HitIdsAsync(db), Is.EquivalentTo(expected));
    }

    /// <summary>
    /// With <paramref name="batchFillsTheBuffer"/>, the stored batch is as large as the partition's buffer
    /// (<c>Kafka:MaxBufferedPerPartition</c> equal to the batch size, as the defaults are): the successor's
    /// replay of that range needs the whole buffer and must neither wait forever on a paused partition nor cut it shorter.
    /// </summary>
    [TestCase(false, TestName = "Aggregator killed after the insert before the commit leaves no duplicates and no gaps")]
    [TestCase(true, TestName = "Aggregator killed after the insert before the commit leaves no duplicates and no gaps when its batch filled the partition's buffer")]
    public async Task Aggregator_killed_after_the_insert_before_the_commit_leaves_no_duplicates_and_no_gaps(bool batchFillsTheBuffer)
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 1);
        var options = KafkaTestKit.Options(cluster, topic, group: "aggregators-" + Guid.NewGuid().ToString("N")[..8]);
        var batchSize = batchFillsTheBuffer ? 300 : 10_000;
        options = batchFillsTheBuffer ? options with { MaxBufferedPerPartition = batchSize } : options;
        var db = await NewDatabaseAsync();
        var random = KafkaTestKit.SeededRandom();
        var first = Enumerable.Range(0, 300).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var second = Enumerable.Range(0, 200).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        await using var producer = await ProducerSide.StartAsync(options, _spoolPath);
        foreach (var hit in first)
        {
            await producer.Sink.WriteAsync(hit, CancellationToken.None);
        }
        await Until(() => producer.Shipper.Shipped == first.Count, "first hits shipped");

        // The first aggregator stores a batch and dies before committing its offsets.
        using (var dlq = ConsumerSide.NewProducer(options))
        {
            var doomed = ConsumerSide.NewSource(options, db, dlq);
            var wait = TimeSpan.FromMilliseconds(batchFillsTheBuffer ? 5_000 : 300);
            var batch = await doomed.ReadBatchAsync(batchSize, wait, CancellationToken.None);
            while (batch.Count == 0)
            {
                batch = await doomed.ReadBatchAsync(batchSize, wait, CancellationToken.None);
            }
            if (batchFillsTheBuffer)
            {
                Assert.That(batch.Count, Is.EqualTo(options.MaxBufferedPerPartition), "the batch took the whole buffer");
            }
            await doomed.PrepareAsync(batch, CancellationToken.None);
            await new HitStore(db).WriteAsync(batch, CancellationToken.None);
            TestContext.Out.WriteLine($"stored {batch.Count} hits as {batch.DeduplicationToken}, then crashed");
            doomed.Abandon();
        }
        // More hits arrive meanwhile, so a naive replay would cut a different, larger batch.
        foreach (var hit in second)
        {
            await producer.Sink.WriteAsync(hit, CancellationToken.None);
        }
        await Until(() => producer.Shipper.Shipped == first.Count + second.Count, "second hits shipped");

        await using var successor = await ConsumerSide.StartAsync(options, db, batchSize);
        var all = first.Concat(second).Select(h => h.HitId).ToHashSet();
        await Until(() => successor.Aggregator.Stored >= all.Count, "successor stored everything", TimeSpan.FromSeconds(60));

        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        Assert.That(rows, Is.EqualTo(all.Count));
        Assert.That(distinct, Is.EqualTo(all.Count));
        Assert.That(await ConsumerSide.HitIdsAsync(db), Is.EquivalentTo(all));
    }

    [Test]
    public async Task ClickHouse_unavailable_for_a_while_pauses_the_aggregator_without_commits_and_loses_nothing()
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 2);
        var options = KafkaTestKit.Options(cluster, topic) with { MaxBufferedPerPartition = 100 };
        var db = new FlakyClickHouse(await NewDatabaseAsync());
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 600).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        await using var producer = await ProducerSide.StartAsync(options, _spoolPath);
        db.Down = true;
        await using var consumer = await ConsumerSide.StartAsync(options, db, batchSize: 100);

        foreach (var hit in hits)
        {
            await producer.Sink.WriteAsync(hit, CancellationToken.None);
        }
        await Until(() => producer.Shipper.Shipped == hits.Count, "shipped");
        await Until(() => db.Failures >= 8, "the aggregator retried", TimeSpan.FromSeconds(30));
        Assert.That(consumer.Source.Commits, Is.Zero, "nothing committed while ClickHouse is down");
        Assert.That(consumer.Source.AssignedPartitions, Is.EqualTo(2), "still in the group");

        db.Down = false;
        await Until(() => consumer.Aggregator.Stored >= hits.Count, "stored after ClickHouse returned", TimeSpan.FromSeconds(60));

        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        Assert.That(rows, Is.EqualTo(hits.Count));
        Assert.That(distinct, Is.EqualTo(hits.Count));
        Assert.That(consumer.Source.Commits, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_poison_message_goes_to_the_dead_letter_topic_with_its_reason_and_the_partition_keeps_flowing()
    {
        using var cluster = MockCluster.Start();
        var (options, db) = await WithDeadLetterTopicAsync(cluster);
        var random = KafkaTestKit.SeededRandom();
        var before = Enumerable.Range(0, 50).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var after = Enumerable.Range(0, 50).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        await ProduceAsIsAsync(options, [
            .. before.Select(HitCodec.Encode),
            Encoding.UTF8.GetBytes("{\"not\":\"a hit\"}"),
            HitCodec.Encode(KafkaTestKit.NewHit(random))[..30],
            .. after.Select(HitCodec.Encode)]);

        await using var consumer = await ConsumerSide.StartAsync(options, db);
        await Until(() => consumer.Aggregator.Stored >= before.Count + after.Count, "hits around the poison stored", TimeSpan.FromSeconds(30));
        var dead = KafkaTestKit.ReadTopic(cluster, options.DeadLetterTopic, 1, 2, TimeSpan.FromSeconds(15));

        var (rows, _) = await ConsumerSide.CountAsync(db);
        Assert.That(rows, Is.EqualTo(before.Count + after.Count));
        Assert.That(consumer.Source.DeadLettered, Is.EqualTo(2));
        Assert.That(dead.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("reason"))),
            Is.EqualTo(new[] { "unknown version 123", "truncated header" }));
        Assert.That(dead[0].Message.Value, Is.EqualTo(Encoding.UTF8.GetBytes("{\"not\":\"a hit\"}")));
        await Until(() => consumer.Source.Commits > 0, "offsets committed past the poison");
    }

    [Test]
    public async Task Packs_are_stored_whole_by_batches_smaller_than_them_and_a_bad_hit_in_a_pack_goes_to_the_dead_letter_topic_alone()
    {
        using var cluster = MockCluster.Start();
        var (options, db) = await WithDeadLetterTopicAsync(cluster);
        var topic = options.Topic;
        var random = KafkaTestKit.SeededRandom();
        var first = Enumerable.Range(0, 12).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var around = Enumerable.Range(0, 2).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var last = Enumerable.Range(0, 12).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        var truncated = HitCodec.Encode(KafkaTestKit.NewHit(random))[..30];
        byte[] malformedPack = [HitCodec.PackVersion, 2, 10, 1, 2];
        await ProduceAsIsAsync(options, [
            HitCodec.Pack([.. first.Select(HitCodec.Encode)]),
            HitCodec.Pack([HitCodec.Encode(around[0]), truncated, HitCodec.Encode(around[1])]),
            malformedPack,
            HitCodec.Pack([.. last.Select(HitCodec.Encode)])]);

        // Batches of 5: a cut inside a pack would give two batches the same offset range, and the second would be dropped as a repeat.
        await using var consumer = await ConsumerSide.StartAsync(options, db, batchSize: 5);
        var expected = first.Concat(around).Concat(last).Select(h => h.HitId).ToHashSet();
        await Until(() => consumer.Source.DeadLettered == 2 && consumer.Source.Commits > 0, "read and committed", TimeSpan.FromSeconds(30));
        await UntilAsync(async () => (await ConsumerSide.HitIdsAsync(db)).Count >= expected.Count, "every good hit stored", TimeSpan.FromSeconds(30));
        var dead = KafkaTestKit.ReadTopic(cluster, options.DeadLetterTopic, 1, 2, TimeSpan.FromSeconds(15));

        Assert.That(await ConsumerSide.HitIdsAsync(db), Is.EquivalentTo(expected));
        Assert.That(await ConsumerSide.CountAsync(db), Is.EqualTo(((long)expected.Count, (long)expected.Count)));
        Assert.That(dead.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("source"))),
            Is.EqualTo(new[] { topic + "/0/1#1", topic + "/0/2" }));
        Assert.That(dead.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("reason"))), Is.EqualTo(new[] { "truncated header", "truncated" }));
        Assert.That(dead[0].Message.Value, Is.EqualTo(truncated), "the bad hit alone, unchanged");
        Assert.That(dead[1].Message.Value, Is.EqualTo(malformedPack), "a malformed pack whole, unchanged");
    }

    [Test]
    public async Task Aggregator_stopped_with_hits_read_but_not_yet_batched_stores_them_before_it_stops()
    {
        // What the bench soak does after a broker outage: the backlog arrives all at once, the harness sees it
        // consumed and stops the collector at once. What the consumer has read must still be stored.
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 2);
        var options = KafkaTestKit.Options(cluster, topic, group: "aggregators-" + Guid.NewGuid().ToString("N")[..8]);
        var db = await NewDatabaseAsync();
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 500).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        using (var raw = ConsumerSide.NewProducer(options))
        {
            for (var i = 0; i < hits.Count; i++)
            {
                await raw.Producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = [(byte)i], Value = HitCodec.Encode(hits[i]) });
            }
        }

        // A flush interval longer than the test: no batch is cut before the stop.
        await using var consumer = await ConsumerSide.StartAsync(options, db, flushInterval: TimeSpan.FromMinutes(10));
        await Until(() => consumer.Source.Consumed == hits.Count, "all hits read", TimeSpan.FromSeconds(30));
        Assert.That(consumer.Aggregator.Stored, Is.Zero);
        await consumer.DisposeAsync();

        Assert.That(consumer.Aggregator.Stored, Is.EqualTo(hits.Count));
        Assert.That(await ConsumerSide.HitIdsAsync(db), Is.EquivalentTo(hits.Select(h => h.HitId)));
    }

    /// <summary>A one-partition hits topic with its dead-letter topic, and a database of the test's own.</summary>
    private static async Task<(KafkaOptions Options, IClickHouse Db)> WithDeadLetterTopicAsync(MockCluster cluster)
    {
        var options = KafkaTestKit.Options(cluster, cluster.CreateTopic("hits", partitions: 1));
        cluster.CreateNamedTopic(options.DeadLetterTopic, partitions: 1);
        return (options, await NewDatabaseAsync());
    }

    /// <summary>Produces these message values as they are, in order, as a collector of another version (or a broken one) might.</summary>
    private static async Task ProduceAsIsAsync(KafkaOptions options, IEnumerable<byte[]> values)
    {
        using var raw = ConsumerSide.NewProducer(options);
        foreach (var value in values)
        {
            await raw.Producer.ProduceAsync(options.Topic, new Message<byte[], byte[]> { Key = [1], Value = value });
        }
    }
}
