using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using static Analytics.Pipeline.Tests.Kafka.Wait;

namespace Analytics.Pipeline.Tests.Kafka;

public class KafkaHitSinkTests
{
    private string _spoolPath = "";

    [SetUp]
    public void NewSpool() => _spoolPath = Path.Combine(Path.GetTempPath(), "sink-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteSpool()
    {
        if (Directory.Exists(_spoolPath))
        {
            Directory.Delete(_spoolPath, recursive: true);
        }
    }

    [Test]
    public async Task Written_hits_reach_the_topic_keyed_by_visitor_in_order()
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 3);
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 500).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        await using (var side = await ProducerSide.StartAsync(KafkaTestKit.Options(cluster, topic), _spoolPath))
        {
            await Task.WhenAll(hits.Select(h => side.Sink.WriteAsync(h, CancellationToken.None).AsTask()));
            await Until(() => side.Shipper.Shipped == hits.Count, "all shipped");
            await Until(() => side.Spool.PendingBytes == 0, "spool emptied");
            Assert.That(side.Sink.IsHealthy, Is.True);
        }

        var read = KafkaTestKit.ReadHits(cluster, topic, 3, hits.Count, TimeSpan.FromSeconds(20));

        Assert.That(read.Select(h => h.Hit.HitId), Is.EquivalentTo(hits.Select(h => h.HitId)));
        var known = read.Where(h => h.Hit.VisitorId != Guid.Empty).ToList();
        Assert.That(known.All(h => new Guid(HitCodec.KeyOf(h.Value), bigEndian: true) == h.Hit.VisitorId), Is.True, "key = visitor ID");
        Assert.That(known.All(h => h.Partition == TopicPartitions.Of(HitCodec.KeyOf(h.Value), 3)), Is.True, "each hit on its key's partition");
        Assert.That(known.GroupBy(h => h.Hit.VisitorId).All(g => g.Select(h => h.Partition).Distinct().Count() == 1), Is.True, "a visitor's hits on one partition");
    }

    [Test]
    public async Task While_the_broker_is_down_hits_are_acknowledged_from_the_spool_and_shipped_when_it_returns()
    {
        using var cluster = MockCluster.Start();
        if (!cluster.CanInjectFaults)
        {
            Assert.Ignore("needs the mock cluster");
        }
        var topic = cluster.CreateTopic("hits", partitions: 1);
        var random = KafkaTestKit.SeededRandom();
        await using var side = await ProducerSide.StartAsync(KafkaTestKit.Options(cluster, topic), _spoolPath);
        await side.Sink.WriteAsync(KafkaTestKit.NewHit(random), CancellationToken.None);
        await Until(() => side.Shipper.Shipped == 1, "first hit shipped");

        cluster.SetBrokerDown();
        for (var i = 0; i < 200; i++)
        {
            await side.Sink.WriteAsync(KafkaTestKit.NewHit(random), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        await Until(() => !side.Sink.IsHealthy, "degraded");
        Assert.That(side.Shipper.Shipped, Is.EqualTo(1));
        Assert.That(side.Spool.PendingBytes, Is.GreaterThan(0));

        cluster.SetBrokerUp();
        await Until(() => side.Shipper.Shipped == 201, "shipped after the broker returned", TimeSpan.FromSeconds(30));
        await Until(() => side.Sink.IsHealthy, "healthy again");
        Assert.That(KafkaTestKit.ReadHits(cluster, topic, 1, 201, TimeSpan.FromSeconds(10)), Has.Count.EqualTo(201));
    }

    [Test]
    public async Task A_delivery_kafka_refuses_is_sent_again_and_arrives_once()
    {
        using var cluster = MockCluster.Start();
        if (!cluster.CanInjectFaults)
        {
            Assert.Ignore("needs the mock cluster");
        }
        var topic = cluster.CreateTopic("hits", partitions: 1);
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 100).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        // TOPIC_AUTHORIZATION_FAILED: a refusal librdkafka does not retry by itself.
        cluster.PushRequestErrors(apiKey: 0, 29);
        await using var side = await ProducerSide.StartAsync(KafkaTestKit.Options(cluster, topic), _spoolPath);

        foreach (var hit in hits)
        {
            await side.Sink.WriteAsync(hit, CancellationToken.None);
        }
        await Until(() => side.Shipper.Shipped == hits.Count, "all shipped", TimeSpan.FromSeconds(30));

        Assert.That(side.Shipper.Failures, Is.GreaterThan(0));
        var ids = KafkaTestKit.ReadHits(cluster, topic, 1, hits.Count, TimeSpan.FromSeconds(10)).Select(h => h.Hit.HitId);
        Assert.That(ids, Is.EquivalentTo(hits.Select(h => h.HitId)));
    }

    [TestCase(1, TestName = "A backlog sent one hit per message lands where librdkafka's own partitioner puts each key")]
    [TestCase(1000, TestName = "A backlog goes out packed, each pack on the partition of every hit in it")]
    public async Task A_spooled_backlog_reaches_each_hit_on_its_keys_partition(int maxHitsPerMessage)
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 3);
        var random = KafkaTestKit.SeededRandom();
        var hits = Enumerable.Range(0, 300).Select(_ => KafkaTestKit.NewHit(random)).ToList();
        // A collector restarted with a backlog: the hits wait in the spool before the shipper starts.
        using (var spool = HitSpool.Open(new SpoolOptions { Path = _spoolPath }))
        {
            foreach (var hit in hits)
            {
                await spool.AppendAsync(HitCodec.Encode(hit), CancellationToken.None);
            }
        }

        await using (var side = await ProducerSide.StartAsync(KafkaTestKit.Options(cluster, topic) with { MaxHitsPerMessage = maxHitsPerMessage }, _spoolPath))
        {
            await Until(() => side.Shipper.Shipped == hits.Count, "all shipped");
            await Until(() => side.Spool.PendingBytes == 0, "spool emptied");
            TestContext.Out.WriteLine($"{side.Shipper.Messages} messages");
            Assert.That(side.Shipper.Messages, maxHitsPerMessage == 1 ? Is.EqualTo(hits.Count) : Is.LessThanOrEqualTo(hits.Count / 10));
        }

        var read = KafkaTestKit.ReadHits(cluster, topic, 3, hits.Count, TimeSpan.FromSeconds(20));
        Assert.That(read.Select(h => h.Hit.HitId), Is.EquivalentTo(hits.Select(h => h.HitId)));
        Assert.That(read.Where(h => h.Partition != TopicPartitions.Of(HitCodec.KeyOf(h.Value), 3)), Is.Empty, "hits off their key's partition");
        var perMessage = read.GroupBy(h => (h.Partition, h.Offset)).Select(g => g.Count()).ToList();
        Assert.That(perMessage.Max(), maxHitsPerMessage == 1 ? Is.EqualTo(1) : Is.GreaterThan(1));
        // In spool order within each partition.
        var order = hits.Select((hit, i) => (hit.HitId, i)).ToDictionary(p => p.HitId, p => p.i);
        foreach (var partition in read.GroupBy(h => h.Partition))
        {
            Assert.That(partition.Select(h => order[h.Hit.HitId]), Is.Ordered, $"partition {partition.Key}");
        }
    }
}
