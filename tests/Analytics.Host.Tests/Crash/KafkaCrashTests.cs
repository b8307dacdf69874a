using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Host.Tests.Kafka;
using Analytics.KafkaMock;
using Analytics.Pipeline.ClickHouse;
using Confluent.Kafka;
using static Analytics.Host.Tests.Crash.EmbeddedCrashTests;

namespace Analytics.Host.Tests.Crash;

/// <summary>
/// The distributed deployment on librdkafka's mock cluster, with its processes killed with SIGKILL:
/// the collector with produces unacknowledged or the broker down, the aggregator between its insert
/// and its offset commit. Each counts what its own client saw answered against what was stored.
/// </summary>
public class KafkaCrashTests
{
    private const int Beacons = 300;
    private string _data = "";
    private MockCluster _cluster = null!;
    private string _topic = "";
    private string _group = "";

    [SetUp]
    public void Start()
    {
        _data = RunningHost.NewDataPath();
        _cluster = MockCluster.Start();
        if (!_cluster.CanInjectFaults)
        {
            Assert.Ignore("needs the mock cluster");
        }
        _topic = _cluster.CreateTopic("hits", partitions: 2);
        _group = "aggregators-" + Guid.NewGuid().ToString("N");
    }

    [TearDown]
    public void Stop()
    {
        _cluster.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private string[] AggregatorSettings() =>
    [
        "--Transport:Kind=Kafka", "--Host:Roles=aggregator",
        "--Kafka:BootstrapServers=" + _cluster.BootstrapServers, "--Kafka:Topic=" + _topic,
        "--Kafka:Consumer:group.id=" + _group, "--Kafka:Consumer:session.timeout.ms=6000",
    ];

    private Task<RunningHost> StartAggregatorAsync() =>
        RunningHost.StartAsync(Path.Combine(_data, "aggregator", "clickhouse"), AggregatorSettings());

    // All load comes from 127.0.0.1: the per-client limit would answer most beacons without storing them.
    private Task<CollectorProcess> StartCollectorAsync() => CollectorProcess.StartAsync(
        _cluster.BootstrapServers, _topic, Path.Combine(_data, "collector"), "--RateLimit:Burst=1000000", "--RateLimit:PerSecond=1000000");

    [Test]
    public async Task A_collector_SIGKILLed_while_the_broker_has_not_acknowledged_its_produces_has_each_hit_stored_once()
    {
        await using var aggregator = await StartAggregatorAsync();
        var load = new BeaconLoad();
        using (var collector = await StartCollectorAsync())
        {
            // One hit shipped first, so the producer knows the topic's leaders before answers slow down.
            await load.RunAsync(collector.Address, 1, 1, CancellationToken.None);
            await UntilAsync(async () => await MetricAsync(collector.Address, "analytics_kafka_shipped_total") >= 1, "the first hit shipped");
            _cluster.SetRoundTripTime(3000);
            await load.RunAsync(collector.Address, Beacons, 4, CancellationToken.None);
            // The shipper produced the hits at once; the broker appended them and answers 3 s later. A
            // second on, none of the last ones is acknowledged: the restarted collector sends them again.
            var answeredAt = DateTime.UtcNow;
            await Until(() => DateTime.UtcNow - answeredAt >= TimeSpan.FromSeconds(1), "a second after the last answer");
            collector.Kill();
        }
        _cluster.SetRoundTripTime(0);
        using (await StartCollectorAsync())
        {
            var inTopic = await CountTopicHitsAsync();
            TestContext.Out.WriteLine($"hits in the topic: {inTopic}");
            Assert.That(inTopic, Is.GreaterThan(Beacons), "the restarted collector sent some hits again");
            var db = aggregator.App.Services.GetRequiredService<IClickHouse>();
            await StoredCounts.WaitForAsync(db, Beacons);
            await aggregator.App.StopAsync();
            var stored = await StoredCounts.ReadAsync(db);

            Assert.That(load.Answered, Has.Count.EqualTo(Beacons));
            stored.AssertEachAnsweredBeaconStoredOnce(load);
            Assert.That(stored.Rows, Is.EqualTo(Beacons));
        }
    }

    [Test]
    public async Task A_collector_SIGKILLed_while_the_broker_is_down_has_each_hit_stored_once_after_both_return()
    {
        await using var aggregator = await StartAggregatorAsync();
        var load = new BeaconLoad();
        using (var collector = await StartCollectorAsync())
        {
            _cluster.SetBrokerDown();
            await load.RunAsync(collector.Address, Beacons, 4, CancellationToken.None);
            collector.Kill();
        }
        _cluster.SetBrokerUp();
        using (await StartCollectorAsync())
        {
            var db = aggregator.App.Services.GetRequiredService<IClickHouse>();
            await StoredCounts.WaitForAsync(db, Beacons);
            await aggregator.App.StopAsync();
            var stored = await StoredCounts.ReadAsync(db);

            Assert.That(load.Answered, Has.Count.EqualTo(Beacons));
            stored.AssertEachAnsweredBeaconStoredOnce(load);
            Assert.That(stored.Rows, Is.EqualTo(Beacons));
        }
    }

    /// <summary>
    /// The first aggregator on a new database (the process that creates the schema) killed with SIGKILL in the middle of
    /// a batch: after its inserts and its ledger row, before its offset commit; or after its inserts, before its ledger
    /// row, so the restarted aggregator writes the whole batch again. Before the migrator reloaded the views whose query
    /// a migration changes, the second kill left the rollups counting that batch twice (the views named themselves one
    /// way in the deduplication tokens in the process that changed them, another after a restart).
    /// </summary>
    [TestCase("FaultPauseAfterStore", "Fault injection: stored a batch", TestName = "An aggregator SIGKILLed between its insert and its offset commit has each hit stored once after a restart")]
    [TestCase("FaultPauseAfterHits", "Fault injection: stored the hits of a batch", TestName = "An aggregator SIGKILLed between its inserts and its ledger row has each hit stored once after a restart")]
    public async Task An_aggregator_SIGKILLed_in_the_middle_of_a_batch_has_each_hit_stored_once_after_a_restart(string fault, string paused)
    {
        var load = new BeaconLoad();
        using var collector = await StartCollectorAsync();
        await load.RunAsync(collector.Address, Beacons, 4, CancellationToken.None);

        var port = FreePort.Next();
        await using (var first = AnalyticsProcess.Start("aggregator", [
            "aggregator", "--kafka", _cluster.BootstrapServers, "--data", Path.Combine(_data, "aggregator"), "--urls", $"http://127.0.0.1:{port}",
            "--Kafka:Topic=" + _topic, "--Kafka:Consumer:group.id=" + _group, "--Kafka:Consumer:session.timeout.ms=6000",
            "--Logging:LogLevel:Default=Warning",
            // Fault injection: in its first batch the aggregator waits at the fault's point; it is killed there.
            $"--Aggregator:{fault}=00:05:00"]))
        {
            await Until(() => first.Output.Contains(paused, StringComparison.Ordinal) || first.HasExited, $"the first batch paused ({fault})");
            Assert.That(first.HasExited, Is.False, first.Output);
            await first.KillAsync();
        }

        await using var restarted = await StartAggregatorAsync();
        var db = restarted.App.Services.GetRequiredService<IClickHouse>();
        await StoredCounts.WaitForAsync(db, Beacons);
        await restarted.App.StopAsync();
        var stored = await StoredCounts.ReadAsync(db);

        Assert.That(load.Answered, Has.Count.EqualTo(Beacons));
        stored.AssertEachAnsweredBeaconStoredOnce(load);
        Assert.That(stored.Rows, Is.EqualTo(Beacons));
    }

    /// <summary>
    /// A visitor (one cookie jar) views a page, the aggregator that stores it is killed with SIGKILL before committing
    /// it, and a new aggregator in the group views the visitor's next page. It continues the visit the killed one stored:
    /// one visit of two pageviews, no bounce. (Before, every visit open at the kill started anew: two bounces.)
    /// </summary>
    [Test]
    public async Task A_visit_continued_after_its_aggregator_was_SIGKILLed_stays_one_visit()
    {
        using var collector = await StartCollectorAsync();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), UseCookies = true }) { BaseAddress = collector.Address };
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(RunningHost.BrowserUserAgent);
        using (var first = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa"))
        {
            Assert.That(first.Headers.Contains("Set-Cookie"), Is.True, "a new visitor's cookie");
        }

        await using (var killed = AnalyticsProcess.Start("aggregator", [
            "aggregator", "--kafka", _cluster.BootstrapServers, "--data", Path.Combine(_data, "aggregator"), "--urls", $"http://127.0.0.1:{FreePort.Next()}",
            "--Kafka:Topic=" + _topic, "--Kafka:Consumer:group.id=" + _group, "--Kafka:Consumer:session.timeout.ms=6000",
            "--Logging:LogLevel:Default=Warning", "--Aggregator:FaultPauseAfterStore=00:05:00"]))
        {
            await Until(() => killed.Output.Contains("Fault injection: stored a batch", StringComparison.Ordinal) || killed.HasExited, "the first pageview stored, not committed");
            Assert.That(killed.HasExited, Is.False, killed.Output);
            await killed.KillAsync();
        }

        await using var restarted = await StartAggregatorAsync();
        using (var second = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fb"))
        {
            Assert.That(second.Headers.Contains("Set-Cookie"), Is.False, "the same visitor");
        }
        var db = restarted.App.Services.GetRequiredService<IClickHouse>();
        await StoredCounts.WaitForAsync(db, 2);
        await restarted.App.StopAsync();

        var visits = System.Text.Encoding.UTF8.GetString(await db.QueryAsync(
            $"SELECT sum(sign), sum(sign * pageviews), sum(sign * (pageviews = 1)) FROM {db.Database}.sessions WHERE site_id = 'demo'", "TabSeparated"));
        Assert.That(visits, Is.EqualTo("1\t2\t0\n"), "visits, their pageviews, bounces");
    }

    private static async Task<double> MetricAsync(Uri address, string name)
    {
        using var client = new HttpClient { BaseAddress = address };
        var line = (await client.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Messages in the topic (both partitions), duplicates included.</summary>
    /// <summary>Hits in the topic (a pack counts its hits), read from the start until more than were answered arrived or 30 s passed.</summary>
    private async Task<long> CountTopicHitsAsync()
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "count-" + Guid.NewGuid().ToString("N") }).Build();
        consumer.Assign(Enumerable.Range(0, 2).Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long total = 0;
        // The restarted collector ships within moments.
        while (total <= Beacons && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                total += TopicHits.Unpack(result.Message.Value).Count();
            }
            await Task.Yield();
        }
        consumer.Close();
        return total;
    }
}
