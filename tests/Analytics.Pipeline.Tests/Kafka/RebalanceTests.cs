using Analytics.Pipeline.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using static Analytics.Pipeline.Tests.Kafka.Wait;

namespace Analytics.Pipeline.Tests.Kafka;

public class RebalanceTests
{
    private string _spoolPath = "";

    [SetUp]
    public void NewSpool() => _spoolPath = Path.Combine(Path.GetTempPath(), "rebalance-test-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteSpool()
    {
        if (Directory.Exists(_spoolPath))
        {
            Directory.Delete(_spoolPath, recursive: true);
        }
    }

    [Test]
    public async Task Aggregators_joining_and_leaving_the_group_share_the_partitions_and_store_every_hit_once()
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 4);
        var options = KafkaTestKit.Options(cluster, topic);
        var db = Engine.NewDatabase();
        await new SchemaMigrator(db, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var random = KafkaTestKit.SeededRandom();
        var written = 0;
        await using var producer = await ProducerSide.StartAsync(options, _spoolPath);

        async Task WriteAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await producer.Sink.WriteAsync(KafkaTestKit.NewHit(random), CancellationToken.None);
                written++;
            }
        }

        var first = await ConsumerSide.StartAsync(options, db, batchSize: 50);
        await WriteAsync(200);
        await Until(() => first.Source.AssignedPartitions == 4, "the first aggregator owns all partitions");

        await using var second = await ConsumerSide.StartAsync(options, db, batchSize: 50);
        await Until(() => second.Source.AssignedPartitions > 0 && first.Source.AssignedPartitions + second.Source.AssignedPartitions == 4, "partitions shared", TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"shared: {first.Source.AssignedPartitions} + {second.Source.AssignedPartitions}");
        Assert.That(first.Source.AssignedPartitions, Is.LessThan(4));
        await WriteAsync(200);

        // A clean stop hands the first aggregator's partitions to the second.
        await first.DisposeAsync();
        await Until(() => second.Source.AssignedPartitions == 4, "the second aggregator owns all partitions", TimeSpan.FromSeconds(30));
        await WriteAsync(200);

        await UntilAsync(async () => (await ConsumerSide.CountAsync(db)).Rows >= written, "all stored", TimeSpan.FromSeconds(60));
        var (rows, distinct) = await ConsumerSide.CountAsync(db);
        Assert.That(rows, Is.EqualTo(written));
        Assert.That(distinct, Is.EqualTo(written));
    }
}
