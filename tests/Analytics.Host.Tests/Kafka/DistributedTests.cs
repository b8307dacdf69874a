using System.Net;
using Analytics.KafkaMock;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;

namespace Analytics.Host.Tests.Kafka;

/// <summary>The distributed deployment with configuration only: collector and aggregator apart, over Kafka.</summary>
public class DistributedTests : DataFolderTests
{
    private static async Task SendBeaconsAsync(Uri collector, int count)
    {
        using var browser = new HttpClient { BaseAddress = collector };
        // A browser's user-agent: a request without one is counted as a bot, apart from human stats.
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(RunningHost.BrowserUserAgent);
        for (var i = 0; i < count; i++)
        {
            using var response = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fpage{i}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/gif"));
        }
    }

    [Test]
    public async Task A_collector_SIGKILLed_with_hits_in_its_spool_ships_them_once_after_a_restart()
    {
        using var cluster = MockCluster.Start();
        if (!cluster.CanInjectFaults)
        {
            Assert.Ignore("needs the mock cluster");
        }
        var topic = cluster.CreateTopic("hits", partitions: 2);
        const int hits = 150;

        using (var collector = await CollectorProcess.StartAsync(cluster.BootstrapServers, topic, Data))
        {
            cluster.SetBrokerDown();
            await SendBeaconsAsync(collector.Address, hits);
            using var probe = new HttpClient { BaseAddress = collector.Address };
            await Until(async () => (await probe.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness says degraded");
            Assert.That(await probe.GetStringAsync("/metrics"), Does.Contain("analytics_kafka_degraded 1"));
            collector.Kill();
        }
        Assert.That(Directory.GetFiles(Path.Combine(Data, "spool"), "*.seg").Sum(f => new FileInfo(f).Length), Is.GreaterThan(0), "hits wait in the spool");
        cluster.SetBrokerUp();

        using var restarted = await CollectorProcess.StartAsync(cluster.BootstrapServers, topic, Data);
        var read = ReadHits(cluster.BootstrapServers, topic, partitions: 2, hits + 1, TimeSpan.FromSeconds(20), idleAfterExpected: hits);

        var ids = read.Select(hit => HitCodec.TryDecode(hit, out var decoded, out _) ? decoded.HitId : Guid.Empty).ToList();
        Assert.That(ids, Has.Count.EqualTo(hits));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(hits));
        Assert.That(ids, Does.Not.Contain(Guid.Empty));
    }

    [Test]
    public async Task Collector_and_aggregator_run_as_separate_processes_against_a_bootstrap_address()
    {
        using var cluster = MockCluster.Start();
        var topic = cluster.CreateTopic("hits", partitions: 2);
        const int hits = 40;
        using var collector = await CollectorProcess.StartAsync(cluster.BootstrapServers, topic, Data);
        await using var aggregator = await RunningHost.StartAsync(null,
            "--Transport:Kind=Kafka", "--Host:Roles=aggregator",
            "--Kafka:BootstrapServers=" + cluster.BootstrapServers, "--Kafka:Topic=" + topic,
            "--Kafka:Consumer:group.id=aggregators-" + Guid.NewGuid().ToString("N"),
            "--Kafka:Consumer:session.timeout.ms=6000");

        await SendBeaconsAsync(collector.Address, hits);

        var stats = await aggregator.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= hits, TimeSpan.FromSeconds(60));
        Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(hits));
        using var probe = new HttpClient { BaseAddress = collector.Address };
        Assert.That((await probe.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var metrics = await probe.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Contain("analytics_kafka_shipped_total " + hits));
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Reads the topic's hits (each hit of a pack on its own) until <paramref name="idleAfterExpected"/> hits arrived
    /// and then nothing more for a second.
    /// </summary>
    private static List<byte[]> ReadHits(string bootstrap, string topic, int partitions, int max, TimeSpan deadline, int idleAfterExpected)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<byte[]>();
        var until = DateTime.UtcNow + deadline;
        DateTime? quietUntil = null;
        while (results.Count < max && DateTime.UtcNow < until && (quietUntil is null || DateTime.UtcNow < quietUntil))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                results.AddRange(TopicHits.Unpack(result.Message.Value));
            }
            if (results.Count >= idleAfterExpected && quietUntil is null)
            {
                quietUntil = DateTime.UtcNow.AddSeconds(1);
            }
        }
        consumer.Close();
        return results;
    }
}
