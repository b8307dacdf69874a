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

        var messages = KafkaTestKit.ReadTopic(cluster, topic, 3, hits.Count, TimeSpan.FromSeconds(20));

        var decoded = messages.Select(m => HitCodec.TryDecode(m.Message.Value, out var hit, out _) ? hit : null).ToList();
        Assert.That(decoded.Select(h => h!.HitId), Is.EquivalentTo(hits.Select(h => h.HitId)));
        var known = messages.Where(m => HitCodec.TryDecode(m.Message.Value, out var hit, out _) && hit.VisitorId != Guid.Empty).ToList();
        Assert.That(known.All(m => new Guid(m.Message.Key, bigEndian: true) == Decode(m.Message.Value).VisitorId), Is.True, "key = visitor ID");
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
        Assert.That(KafkaTestKit.ReadTopic(cluster, topic, 1, 201, TimeSpan.FromSeconds(10)), Has.Count.EqualTo(201));
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
        var ids = KafkaTestKit.ReadTopic(cluster, topic, 1, hits.Count, TimeSpan.FromSeconds(10)).Select(m => Decode(m.Message.Value).HitId);
        Assert.That(ids, Is.EquivalentTo(hits.Select(h => h.HitId)));
    }

    private static Hits.Hit Decode(byte[] message) => HitCodec.TryDecode(message, out var hit, out _) ? hit : throw new InvalidDataException();
}
