using Analytics.Bench;
using Analytics.Bench.Report;

namespace Analytics.Host.Tests.Bench;

/// <summary>Tiny, bounded runs of the whole harness: they check that every figure is produced, never how fast.</summary>
public class BenchRunTests
{
    [Test]
    public async Task A_small_bench_run_measures_every_server_and_section_and_writes_both_reports()
    {
        var settings = new BenchSettings
        {
            Duration = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.FromSeconds(1),
            Repeats = 2,
            Connections = 8,
            Visitors = 20,
            FreshnessDuration = TimeSpan.FromSeconds(3),
            FreshnessRate = 200,
            AggregatorHits = 2_000,
            QueryHits = [20_000, 30_000],
            Seed = Environment.TickCount & 0xFFFF,
        };
        var (report, _) = await RunAsync(settings);

        // Every check reported at once: a failure on this shared machine should say all that went wrong.
        Assert.Multiple(() =>
        {
            Assert.That(report.Beacon.Select(s => s.Key), Is.EqualTo(new[] { "nginx", "kestrel", "collector", "embedded", "embedded-memory" }));
            Assert.That(report.Beacon.SelectMany(s => s.Runs).Count(), Is.EqualTo(10));
            Assert.That(report.Notes, Has.One.Contains("Collector role:").And.Contains("(all shipped)"));
            Assert.That(report.Beacon.SelectMany(s => s.Runs).All(r => r.Requests > 0 && r.CpuSecondsPer1000 > 0), Is.True);
            Assert.That(report.Ratios!.ThroughputVsNginx, Is.GreaterThan(0));
            Assert.That(report.SteadyLatency!.AchievedRate, Is.GreaterThan(0));
            Assert.That(report.Freshness!.Probes, Is.GreaterThan(0));
            Assert.That(report.Delivery!.HitsStored, Is.EqualTo(report.Delivery.HitsAccepted));
            Assert.That(report.Delivery.HitsAccepted, Is.GreaterThan(0));
            Assert.That(report.Kafka!.EndToEnd.Accepted, Is.GreaterThan(0));
            Assert.That(report.Kafka.EndToEnd.CaughtUp, Is.True, "the aggregator role should read every hit the collector role accepted");
            Assert.That(report.Kafka.EndToEnd.CollectorCpuPer1000, Is.GreaterThan(0));
            Assert.That(report.Kafka.EndToEnd.AggregatorCpuPer1000, Is.GreaterThan(0));
            Assert.That(report.Kafka.EndToEnd.Batches, Is.GreaterThan(0).And.LessThanOrEqualTo(report.Kafka.EndToEnd.Accepted));
            Assert.That(report.Kafka.Freshness.Probes, Is.GreaterThan(0));
            Assert.That(report.Kafka.AggregatorHitsPerSecond, Has.Count.EqualTo(2).And.All.GreaterThan(0));
            // The alone rounds' backlog bound, in hits, as the report states it: 4 MiB per partition at the hits' mean size.
            Assert.That(report.Kafka.MaxLag, Is.GreaterThan(settings.AggregatorHits));
            Assert.That(report.Aggregator!.PipelineHitsPerSecond, Has.Count.EqualTo(2));
            Assert.That(report.Aggregator.Ceiling, Is.GreaterThan(0));
            // Three batch sizes a round (20, 100 and 2,000 hits here), smallest first, each costing some CPU.
            Assert.That(report.Aggregator.BatchCosts.Select(c => c.Size), Is.EqualTo(new[] { 20, 100, 2_000, 20, 100, 2_000 }));
            Assert.That(report.Aggregator.BatchCosts.Select(c => c.Batches), Is.EqualTo(new[] { 100, 20, 1, 100, 20, 1 }));
            Assert.That(report.Aggregator.BatchCosts.All(c => c.CpuSeconds > 0), Is.True);
            // One section per size, in order; the engine generates whole visits, so the counts are near the sizes
            // asked for. 20,000 hits are about 6,060 visits of 2.5 hits' standard deviation each: the total's is
            // about 1 % (seed 23898 gave 19,512), so 5 % is five of them.
            Assert.That(report.Queries.Select(q => q.Hits), Is.EqualTo(new[] { 20_000L, 30_000L }).Within(5).Percent);
            Assert.That(report.Queries[1].Timings.Where(t => t.Runs > 0).Select(t => t.Kind), Does.Contain("stats API").And.Contain("planner (rollups)").And.Contain("planner, no windows").And.Contain("raw hits + sessions"));
            Assert.That(report.Memory.Select(m => m.Process), Does.Contain("collector").And.Contain("embedded").And.Contain("nginx").And.Contain("kestrel"));
        });

        var folder = Directory.CreateTempSubdirectory("analytics-bench-test-").FullName;
        try
        {
            var path = Path.Combine(folder, "report.md");
            await BenchCommand.WriteAsync(report, path, CancellationToken.None);
            var markdown = await File.ReadAllTextAsync(path);
            Assert.That(markdown, Does.Contain("## Beacon throughput and latency").And.Contain("collector / nginx").And.Contain("## Freshness").And.Contain("## Kafka transport end to end")
                .And.Contain("## Aggregator throughput").And.Contain("### What a batch costs, by its size").And.Contain("## Stats queries").And.Contain("## Peak memory")
                .And.Contain("Cost of durable answers"));
            Assert.That(File.Exists(Path.ChangeExtension(path, ".json")), Is.True);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task A_soak_with_the_collector_frozen_midway_still_stores_every_hit_it_acknowledged()
    {
        var settings = new BenchSettings
        {
            Soak = TimeSpan.FromSeconds(6),
            SoakRate = 300,
            Faults = ["pause"],
            Visitors = 20,
            Seed = Environment.TickCount & 0xFFFF,
        };
        var (report, _) = await RunAsync(settings);

        var soak = report.Soak!;
        Assert.That(soak.Faults, Is.EqualTo(new[] { "pause" }));
        Assert.That(soak.Delivery.HitsAccepted, Is.GreaterThan(0));
        Assert.That(soak.Delivery.HitsStored, Is.EqualTo(soak.Delivery.HitsAccepted));
        Assert.That(MarkdownReport.Render(report), Does.Contain("## Soak"));
    }

    [Test]
    public async Task A_soak_through_kafka_on_the_harness_mock_cluster_stores_every_hit_it_acknowledged()
    {
        var settings = new BenchSettings
        {
            Soak = TimeSpan.FromSeconds(5),
            SoakRate = 200,
            Transport = "kafka",
            Visitors = 20,
            Seed = Environment.TickCount & 0xFFFF,
        };
        var (report, log) = await RunAsync(settings);

        Assert.That(log, Does.Contain("Kafka mock cluster at 127.0.0.1:"));
        Assert.That(report.Soak!.Delivery.HitsAccepted, Is.GreaterThan(0));
        Assert.That(report.Soak.Delivery.HitsStored, Is.EqualTo(report.Soak.Delivery.HitsAccepted));
    }

    [Test]
    public async Task A_soak_with_the_embedded_host_killed_midway_reports_every_answered_beacon_stored_exactly_once()
    {
        var settings = new BenchSettings
        {
            Soak = TimeSpan.FromSeconds(10),
            SoakRate = 300,
            Faults = ["kill-embedded"],
            Visitors = 20,
            Seed = Environment.TickCount & 0xFFFF,
        };
        var (report, log) = await RunAsync(settings);

        var answered = report.Soak!.Delivery.Answered!;
        Assert.That(log, Does.Contain("fault kill-embedded"));
        // The kill took the host down for a while: beacons were answered before and after, refused between.
        Assert.That(answered.Answered, Is.GreaterThan(0));
        Assert.That(report.Soak.Errors, Is.GreaterThan(0), "the kill should have refused some beacons");
        Assert.That(answered.AnsweredMissing, Is.Zero, "answered beacons missing from hits");
        Assert.That(answered.StoredDistinctPaths, Is.GreaterThanOrEqualTo(answered.Answered));
        Assert.That(answered.StoredRows, Is.EqualTo(answered.StoredDistinctPaths), "a beacon stored twice");
        Assert.That(answered.StoredDistinctHitIds, Is.EqualTo(answered.StoredRows));
        Assert.That(answered.RollupHits, Is.EqualTo(answered.StoredRows), "the hourly rollup counts each stored hit once");
        Assert.That(report.Soak.Delivery.AllStored, Is.True);
        // Returning visitors: a visit spans many beacons and the kill; it stays one visit with every pageview.
        Assert.That(answered.Visits!.Visitors, Is.LessThan(answered.StoredRows / 2));
        Assert.That(answered.VisitsAgree, Is.True, answered.Visits.ToString());
        Assert.That(MarkdownReport.Render(report), Does.Contain("answered ⊆ stored, no doubles, rollup agrees").And.Contain("one visit per visitor, every pageview in it"));
    }

    [Test]
    public async Task A_soak_with_the_collector_role_killed_midway_stores_every_answered_beacon_once_through_kafka()
    {
        var report = await KafkaSoakAsync("kill-collector");

        Assert.That(report.Soak!.Errors, Is.GreaterThan(0), "the kill should have refused some beacons");
        AssertStoredOnceInOneVisitPerVisitor(report);
    }

    /// <summary>
    /// The aggregator role killed while visits are open: the restarted one continues them from storage (before, each
    /// visitor's visit was cut in two at the kill: 2,000 visits for 1,000 visitors in a 30 s soak).
    /// </summary>
    [Test]
    public async Task A_soak_with_the_aggregator_role_killed_midway_keeps_one_visit_per_visitor_through_kafka()
    {
        AssertStoredOnceInOneVisitPerVisitor(await KafkaSoakAsync("kill-aggregator"));
    }

    /// <summary>A 10 s soak at 300 beacons/s from 20 returning visitors, the roles apart on Kafka, with <paramref name="fault"/> midway.</summary>
    private static async Task<BenchReport> KafkaSoakAsync(string fault)
    {
        var (report, log) = await RunAsync(new BenchSettings
        {
            Soak = TimeSpan.FromSeconds(10),
            SoakRate = 300,
            Faults = [fault],
            Transport = "kafka",
            Visitors = 20,
            Seed = Environment.TickCount & 0xFFFF,
        });
        Assert.That(log, Does.Contain("soak (roles apart)").And.Contain("fault " + fault));
        return report;
    }

    /// <summary>Every answered beacon stored once, in hits and the hourly rollup, and each returning visitor's pageviews in one visit.</summary>
    private static void AssertStoredOnceInOneVisitPerVisitor(BenchReport report)
    {
        var answered = report.Soak!.Delivery.Answered!;
        Assert.That(answered.Answered, Is.GreaterThan(0));
        Assert.That(answered.AnsweredMissing, Is.Zero, "answered beacons missing from hits");
        Assert.That(answered.StoredRows, Is.EqualTo(answered.StoredDistinctPaths), "a beacon stored twice");
        Assert.That(answered.StoredDistinctHitIds, Is.EqualTo(answered.StoredRows));
        Assert.That(answered.RollupHits, Is.EqualTo(answered.StoredRows), "the hourly rollup counts each stored hit once");
        Assert.That(report.Soak.Delivery.AllStored, Is.True);
        Assert.That(answered.Visits!.Visitors, Is.LessThan(answered.StoredRows / 2));
        Assert.That(answered.VisitsAgree, Is.True, answered.Visits.ToString());
    }

    /// <summary>Runs the harness, logging its seed and everything it printed; the report and that output.</summary>
    private static async Task<(BenchReport Report, string Log)> RunAsync(BenchSettings settings)
    {
        TestContext.Out.WriteLine($"seed {settings.Seed}");
        var log = new StringWriter();
        var report = await new BenchRunner(settings, log).RunAsync(CancellationToken.None);
        TestContext.Out.WriteLine(log.ToString());
        return (report, log.ToString());
    }
}
