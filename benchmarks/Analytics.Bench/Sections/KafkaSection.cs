using System.Diagnostics;
using Analytics.Analysts.Access;
using Analytics.Bench.Processes;
using Analytics.Bench.Report;
using Analytics.Bench.Servers;
using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;

namespace Analytics.Bench.Sections;

/// <summary>
/// The Kafka transport end to end, the roles apart as a distributed deployment runs them: `analytics
/// collector` → the mock cluster (in the harness process) → `analytics aggregator`, each a process of its
/// own. Measures the collector role at full load with the aggregator consuming behind it (and the CPU
/// each process spent per hit: the per-core figures docs/capacity.md is built from), beacon → queryable
/// freshness through the aggregator's stats API, and the aggregator alone fed through Kafka.
/// </summary>
public sealed class KafkaSection(BenchSettings settings, BeaconSection beacon, TextWriter log)
{
    /// <summary>Site only the aggregator-alone rounds write to.</summary>
    public const string AggregatorSitePrefix = "kagg-r";

    /// <summary>
    /// Bytes of hits produced but not yet consumed, at most, per partition: the mock keeps only the newest
    /// ~5 MiB per partition (as produced, compressed), so a deeper backlog would lose messages instead of
    /// measuring the consumer. Counted before compression, so the mock holds them with room to spare.
    /// </summary>
    private const int MaxLagBytesPerPartition = 4 << 20;

    private static readonly TimeSpan CatchUpDeadline = TimeSpan.FromSeconds(90);

    public async Task<KafkaFigures> RunAsync(string bootstrapServers, int partitions, CollectorServer collector, CollectorServer aggregator, CancellationToken cancellationToken)
    {
        var key = new ApiKeyStore(Path.Combine(aggregator.DataDirectory, "keys.json"))
            .Create([CollectorServer.FreshnessSite, .. Enumerable.Range(1, settings.Repeats).Select(r => AggregatorSitePrefix + r)], "bench kafka").Secret;
        using var collectorClient = new CollectorClient(collector.BaseUrl);
        using var aggregatorClient = new CollectorClient(aggregator.BaseUrl, key);

        log.WriteLine("  end to end: wrk on the collector role while the aggregator role consumes");
        var (acceptedBefore, _) = await collectorClient.CountersAsync(cancellationToken);
        var consumedBefore = await aggregatorClient.MetricAsync("analytics_kafka_consumed_total", cancellationToken) ?? 0;
        var commitsBefore = await aggregatorClient.MetricAsync("analytics_kafka_commits_total", cancellationToken) ?? 0;
        var cpuBefore = Cpu(collector, aggregator);
        var started = Stopwatch.GetTimestamp();
        var runs = await beacon.RunAsync([collector], cancellationToken);
        var loadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (acceptedAfter, _) = await collectorClient.CountersAsync(cancellationToken);
        var accepted = acceptedAfter - acceptedBefore;
        var caughtUp = await ConsumedAsync(aggregatorClient, consumedBefore + accepted, cancellationToken);
        var endToEndSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Cpu(collector, aggregator) - cpuBefore;
        var endToEnd = new KafkaEndToEnd(
            runs[0], accepted, loadSeconds, endToEndSeconds, caughtUp,
            PerThousand(cpu.Collector, accepted), PerThousand(cpu.Aggregator, accepted), PerThousand(cpu.Harness, accepted))
        {
            // Read once every hit was read: a batch still being written then (one per partition at most) is not counted.
            Batches = (long)((await aggregatorClient.MetricAsync("analytics_kafka_commits_total", cancellationToken) ?? 0) - commitsBefore),
        };
        var shippedHits = await collectorClient.MetricAsync("analytics_kafka_shipped_total", cancellationToken) ?? 0;
        var shippedMessages = await collectorClient.MetricAsync("analytics_kafka_shipped_messages_total", cancellationToken) ?? 0;
        log.WriteLine($"  the collector role shipped {shippedHits:N0} hits in {shippedMessages:N0} Kafka messages ({shippedHits / Math.Max(1, shippedMessages):0.0} per message)");
        log.WriteLine($"  {accepted:N0} hits accepted in {loadSeconds:0.0} s, all consumed after {endToEndSeconds:0.0} s ({(caughtUp ? "caught up" : "NOT caught up")}); " +
            $"CPU s per 1,000 hits: collector {endToEnd.CollectorCpuPer1000:0.0000}, aggregator {endToEnd.AggregatorCpuPer1000:0.0000}, harness with the mock broker {endToEnd.BrokerCpuPer1000:0.0000}; " +
            $"{endToEnd.Batches:N0} batches stored ({endToEnd.HitsPerBatch:N0} hits per batch)");

        var rate = settings.FreshnessRate > 0 ? settings.FreshnessRate : 0.5 * runs[0].RequestsPerSecond;
        log.WriteLine($"  freshness: beacon to the collector role → count moves in the aggregator's stats API ({rate:N0} req/s, {settings.FreshnessDuration.TotalSeconds:0} s)");
        var freshness = await new FreshnessSection(beacon, log).RunAsync(collector, rate, settings.FreshnessDuration, cancellationToken, aggregator, key);

        log.WriteLine($"  aggregator alone through Kafka ({settings.AggregatorHits:N0} hits per round, at most {MaxLagBytesPerPartition >> 20} MiB per partition unconsumed)");
        var alone = new List<double>();
        var aloneCpu = new List<double>();
        var maxLag = 0;
        for (var round = 1; round <= settings.Repeats; round++)
        {
            var (hitsPerSecond, cpuPer1000, lag) = await AggregatorAloneAsync(bootstrapServers, partitions, aggregator, aggregatorClient, round, cancellationToken);
            alone.Add(hitsPerSecond);
            aloneCpu.Add(cpuPer1000);
            maxLag = Math.Max(maxLag, lag);
            log.WriteLine($"  round {round}: {hitsPerSecond:N0} hits/s produced → consumed → queryable (at most {lag:N0} unconsumed), aggregator CPU {cpuPer1000:0.0000} s per 1,000 hits");
        }
        return new KafkaFigures(partitions, endToEnd, freshness, settings.AggregatorHits, alone, aloneCpu) { MaxLag = maxLag };
    }

    /// <summary>
    /// Generated hits produced straight into the topic, packed per partition as a collector ships a backlog
    /// (<see cref="HitPacker"/>, the product's default pack size), no faster than the aggregator role consumes
    /// them, timed until the stats API counts them all. The most hits unconsumed at once is as many as
    /// <see cref="MaxLagBytesPerPartition"/> holds on every partition, at the generated hits' mean size.
    /// </summary>
    private async Task<(double HitsPerSecond, double CpuPer1000, int MaxLag)> AggregatorAloneAsync(string bootstrapServers, int partitions, CollectorServer aggregator, CollectorClient client, int round, CancellationToken cancellationToken)
    {
        var site = AggregatorSitePrefix + round;
        var hits = HitGenerator.Create(settings.AggregatorHits, site, settings.Seed + 100 + round, DateTime.UtcNow.Date.AddDays(-1));
        var payloads = hits.Select(HitCodec.Encode).ToList();
        var maxLag = (int)((long)MaxLagBytesPerPartition * partitions / payloads.Average(p => p.Length));
        var consumedBefore = await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) ?? 0;
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        }).Build();
        var cpuBefore = ProcessStats.TreeCpuSeconds(aggregator.Pid);
        var started = Stopwatch.GetTimestamp();
        var produced = 0;
        var failed = 0;
        while (produced < payloads.Count)
        {
            var consumed = (await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) ?? 0) - consumedBefore;
            var until = Math.Min(payloads.Count, (int)consumed + maxLag);
            foreach (var (partition, pack) in HitPacker.Group(payloads.Skip(produced).Take(until - produced), partitions, new KafkaOptions().MaxHitsPerMessage))
            {
                var message = new Message<byte[], byte[]> { Key = HitCodec.KeyOf(pack[0]), Value = HitPacker.Value(pack) };
                producer.Produce(new TopicPartition("analytics.hits", partition), message, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Add(ref failed, pack.Count);
                    }
                });
            }
            produced = Math.Max(produced, until);
            producer.Poll(TimeSpan.Zero);
            await Task.Delay(10, cancellationToken);
        }
        producer.Flush(cancellationToken);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {payloads.Count} generated hits were not acknowledged by the mock cluster.");
        }
        var deadline = Stopwatch.GetTimestamp();
        while (await client.PageviewsAsync(site, cancellationToken) < hits.Count)
        {
            if (Stopwatch.GetElapsedTime(deadline) > CatchUpDeadline)
            {
                throw new InvalidOperationException($"The aggregator role did not make {hits.Count:N0} hits of {site} queryable within {CatchUpDeadline.TotalSeconds:0} s.");
            }
            await Task.Delay(20, cancellationToken);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (hits.Count / seconds, PerThousand(ProcessStats.TreeCpuSeconds(aggregator.Pid) - cpuBefore, hits.Count), maxLag);
    }

    /// <summary>Waits until the aggregator role has read <paramref name="target"/> messages in all; false at the deadline.</summary>
    private static async Task<bool> ConsumedAsync(CollectorClient client, double target, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while ((await client.MetricAsync("analytics_kafka_consumed_total", cancellationToken) ?? 0) < target)
        {
            if (Stopwatch.GetElapsedTime(started) > CatchUpDeadline)
            {
                return false;
            }
            await Task.Delay(20, cancellationToken);
        }
        return true;
    }

    private static CpuSample Cpu(CollectorServer collector, CollectorServer aggregator) =>
        new(ProcessStats.TreeCpuSeconds(collector.Pid), ProcessStats.TreeCpuSeconds(aggregator.Pid), ProcessStats.CpuSeconds(Environment.ProcessId) ?? 0);

    private static double PerThousand(double cpuSeconds, long hits) => hits == 0 ? 0 : cpuSeconds / hits * 1000;

    private readonly record struct CpuSample(double Collector, double Aggregator, double Harness)
    {
        public static CpuSample operator -(CpuSample a, CpuSample b) => new(a.Collector - b.Collector, a.Aggregator - b.Aggregator, a.Harness - b.Harness);
    }
}
