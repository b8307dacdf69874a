using Analytics.Bench.Load;
using Analytics.Bench.Processes;
using Analytics.Bench.Report;
using Analytics.Bench.Sections;
using Analytics.Bench.Servers;
using Analytics.Bench.Soak;
using Analytics.Host;
using Analytics.KafkaMock;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Bench;

/// <summary>
/// One `analytics bench` run: starts the servers in a temporary folder on free loopback ports, runs the
/// chosen sections, stops everything and returns the report. Bounded: every load run has a fixed
/// duration and every wait a deadline.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, TextWriter log)
{
    private static readonly string[] ServerSections = ["beacon", "latency", "freshness"];

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        if (FaultScenarios.Problem(settings.Faults, settings.UsesKafka) is { } problem)
        {
            throw new ArgumentException(problem);
        }
        var report = new BenchReport
        {
            Command = settings.CommandLine,
            StartedAt = DateTime.UtcNow,
            Machine = Tools.Describe(),
            Seed = settings.Seed,
            Settings = $"wrk -t{settings.Threads} -c{settings.Connections}, {settings.Duration.TotalSeconds:0} s per run, {settings.Repeats} interleaved rounds, " +
                $"{settings.Warmup.TotalSeconds:0} s warm-up, {settings.Visitors} returning visitors, seed {settings.Seed}",
        };
        var work = Directory.CreateTempSubdirectory("analytics-bench-").FullName;
        log.WriteLine($"analytics bench: seed {settings.Seed}, work folder {work}");
        var mix = BeaconMix.Create(settings.Seed, visitors: settings.Visitors);
        var beacon = new BeaconSection(settings, mix, work, log);
        try
        {
            if (settings.Soak is not null)
            {
                await RunSoakAsync(report, work, cancellationToken);
            }
            else
            {
                if (ServerSections.Any(settings.Sections.Contains))
                {
                    await RunServersAsync(report, beacon, work, cancellationToken);
                }
                if (settings.Sections.Contains("kafka"))
                {
                    await RunKafkaAsync(report, beacon, work, cancellationToken);
                }
                if (settings.Sections.Contains("aggregator") || settings.Sections.Contains("queries"))
                {
                    await RunEmbeddedAsync(report, work, cancellationToken);
                }
            }
        }
        finally
        {
            TryDelete(work);
        }
        report.FinishedAt = DateTime.UtcNow;
        report.LoadAtEnd = Tools.LoadAverage();
        return report;
    }

    private async Task RunServersAsync(BenchReport report, BeaconSection beacon, string work, CancellationToken cancellationToken)
    {
        var withBaselines = settings.Sections.Contains("beacon");
        RequireTools(withBaselines);
        await using var nginx = new NginxServer(Path.Combine(work, "nginx"));
        await using var kestrel = new BareKestrelServer();
        // The collector role always ships to a mock cluster; the embedded host only with --transport kafka.
        using var broker = StartMockCluster();
        var embeddedKafka = UsesKafka ? broker : null;
        await using var collector = CollectorServer.CollectorRole(Path.Combine(work, "collector"), broker.BootstrapServers, settings.CollectorArguments);
        await using var embedded = CollectorServer.Embedded(Path.Combine(work, "embedded"), CollectorArguments(embeddedKafka, Path.Combine(work, "spool")));
        // With the default transport, the same host on the in-memory queue runs in the same rounds: what durable answers cost.
        await using var inMemory = CollectorServer.EmbeddedInMemory(Path.Combine(work, "embedded-memory"), settings.CollectorArguments);
        List<IServerUnderTest> servers = withBaselines ? [nginx, kestrel, collector, embedded] : [collector, embedded];
        if (embeddedKafka is null)
        {
            servers.Add(inMemory);
        }
        foreach (var server in servers)
        {
            log.WriteLine($"starting {server.Key}: {server.Description}");
            await server.StartAsync(cancellationToken);
            await beacon.PrepareAsync(server, cancellationToken);
        }

        report.Notes.Add("wrk runs on the same 2 cores as the servers, as a browser population would not; every server pays that alike.");
        report.Notes.Add("Two forms of our collector are measured: the collector role alone (what each of many stateless collectors runs in a distributed deployment; the ratios and the latency target are for it) and the embedded host, whose CPU and memory also include its own aggregator and chDB engine storing every hit while the beacons are answered.");
        report.Notes.Add($"Both acknowledge a beacon only once its hit is held: the collector role from its fsynced spool (then shipped to the mock cluster in the harness process, 2 partitions), the embedded host from its {(embeddedKafka is null ? "transport (the fsynced spool unless --collector-arg sets another Transport:Kind)" : "Kafka sink and spool")}.");
        report.Notes.Add("The collectors' per-client rate limit is lifted for the runs: all load comes from 127.0.0.1. Returning visitors send cookies each server issued to the harness beforehand.");
        log.WriteLine("beacon throughput and latency");
        var runs = await beacon.RunAsync(servers, cancellationToken);
        if (withBaselines)
        {
            report.Beacon.AddRange(runs);
            var (a, b, c) = (runs[0], runs[1], runs[2]);
            report.Ratios = new BeaconRatios(
                Ratio(c.RequestsPerSecond, a.RequestsPerSecond), Ratio(c.RequestsPerSecond, b.RequestsPerSecond),
                Ratio(c.RequestsPerCpuSecond, a.RequestsPerCpuSecond), Ratio(c.RequestsPerCpuSecond, b.RequestsPerCpuSecond));
        }
        // Latency and freshness are set relative to each collector's measured maximum.
        var collectorRate = runs.Single(r => r.Key == collector.Key).RequestsPerSecond;
        var embeddedRate = runs.Single(r => r.Key == embedded.Key).RequestsPerSecond;

        if (settings.Sections.Contains("latency"))
        {
            const double share = 0.8;
            log.WriteLine($"collector latency at {share:P0} of its maximum ({share * collectorRate:N0} req/s)");
            var (steady, connections) = await beacon.SteadyAsync(collector, share * collectorRate, settings.Duration, cancellationToken);
            report.SteadyLatency = new SteadyFigures(share, share * collectorRate, steady.RequestsPerSecond, connections,
                steady.P50Microseconds / 1000.0, steady.P90Microseconds / 1000.0, steady.P99Microseconds / 1000.0, steady.Errors);
            log.WriteLine($"  achieved {steady.RequestsPerSecond:N0} req/s over {connections} connections: p50 {steady.P50Microseconds / 1000.0:0.00} ms, p99 {steady.P99Microseconds / 1000.0:0.00} ms");
        }
        if (settings.Sections.Contains("freshness"))
        {
            var rate = settings.FreshnessRate > 0 ? settings.FreshnessRate : 0.5 * embeddedRate;
            log.WriteLine($"freshness under steady load on the embedded host ({rate:N0} req/s, {settings.FreshnessDuration.TotalSeconds:0} s)");
            report.Freshness = await new FreshnessSection(beacon, log).RunAsync(embedded, rate, settings.FreshnessDuration, cancellationToken);
            report.Notes.Add("Freshness is measured on the embedded host through GET /api/stats/daily, so it includes that query's own time; the aggregator's flush interval (Aggregator:FlushInterval) bounds it from below.");
        }

        foreach (var server in servers)
        {
            report.Memory.Add(new MemoryFigure(server.Key, ProcessStats.TreePeakRssBytes(server.Pid)));
        }
        log.WriteLine("counting what the collector role shipped to Kafka");
        var shipped = await DeliveryCheck.ShippedAsync(collector, cancellationToken);
        report.Notes.Add($"Collector role: {shipped.Accepted:N0} hits accepted, {shipped.Shipped:N0} acknowledged by the Kafka mock cluster after the runs ({(shipped.Accepted == shipped.Shipped ? "all shipped" : "MISMATCH")}).");
        log.WriteLine($"  accepted {shipped.Accepted:N0}, shipped {shipped.Shipped:N0}");
        log.WriteLine("stopping the embedded host and counting what it stored");
        report.Delivery = await DeliveryCheck.RunAsync(embedded, beacon.Answered(embedded.Key), cancellationToken);
        log.WriteLine($"  accepted {report.Delivery.HitsAccepted:N0}, stored {report.Delivery.HitsStored:N0} ({(report.Delivery.AllStored ? "all stored" : "MISMATCH")})");
    }

    /// <summary>The Kafka transport end to end: the collector and aggregator roles as processes of their own on the mock cluster.</summary>
    private async Task RunKafkaAsync(BenchReport report, BeaconSection beacon, string work, CancellationToken cancellationToken)
    {
        RequireTools(needNginx: false);
        using var kafka = StartMockCluster();
        await using var collector = CollectorServer.CollectorRole(Path.Combine(work, "kafka-collector"), kafka.BootstrapServers, settings.CollectorArguments);
        var aggregatorData = Path.Combine(work, "kafka-aggregator");
        await using var aggregator = CollectorServer.AggregatorRole(aggregatorData, kafka.BootstrapServers,
        [
            "--Analysts:KeysPath=" + Path.Combine(aggregatorData, "keys.json"), "--Analysts:RequestsPerMinute=1000000",
            // The sites the aggregator-alone rounds write to, so the stats API answers for them.
            .. Enumerable.Range(1, settings.Repeats).SelectMany(r => new[] { $"--Sites:Sites:{92 + r}:Id={KafkaSection.AggregatorSitePrefix}{r}", $"--Sites:Sites:{92 + r}:Hosts:0={BeaconMix.SiteHost}" }),
        ]);
        log.WriteLine($"Kafka transport, roles apart: starting {aggregator.Description}; {collector.Description}");
        await aggregator.StartAsync(cancellationToken);
        await collector.StartAsync(cancellationToken);
        await beacon.PrepareAsync(collector, cancellationToken);
        report.Kafka = await new KafkaSection(settings, beacon, log).RunAsync(kafka.BootstrapServers, settings.Partitions, collector, aggregator, cancellationToken);
        report.Memory.Add(new MemoryFigure("collector role (Kafka section)", ProcessStats.TreePeakRssBytes(collector.Pid)));
        report.Memory.Add(new MemoryFigure("aggregator role (Kafka section)", ProcessStats.TreePeakRssBytes(aggregator.Pid)));
        report.Notes.Add("The Kafka section's broker is librdkafka's mock cluster in the harness process: the real protocol, data in memory, no replication or disk; a real broker's cost per message is not measured here.");
    }

    private async Task RunEmbeddedAsync(BenchReport report, string work, CancellationToken cancellationToken)
    {
        log.WriteLine("embedded host in this process (aggregator and queries)");
        await using var app = EmbeddedHost.Build(
        [
            "--Urls=http://127.0.0.1:0",
            "--ClickHouse:DataPath=" + Path.Combine(work, "embedded", "clickhouse"),
            "--Spool:Path=" + Path.Combine(work, "embedded", "spool"),
            "--Logging:LogLevel:Default=Warning",
            "--Signing:KeyFile=" + Path.Combine(work, "embedded", "signing.key"),
            .. settings.QueryHits.SelectMany((_, i) => new[]
            {
                $"--Sites:Sites:{90 + i}:Id={QuerySection.SiteFor(i)}",
                $"--Sites:Sites:{90 + i}:Hosts:0={BeaconMix.SiteHost}",
            }),
            "--Analysts:KeysPath=" + Path.Combine(work, "embedded", "keys.json"),
            // Every file of the host in the work folder: the defaults are in the caller's ./data, where a
            // sites registry of the caller's own `analytics run` would replace the bench's sites.
            "--Sites:StorePath=" + Path.Combine(work, "embedded", "sites.json"),
            "--Partners:StorePath=" + Path.Combine(work, "embedded", "partners"),
            "--Analysts:RequestsPerMinute=1000000",
        ]);
        await app.StartAsync(cancellationToken);
        try
        {
            if (settings.Sections.Contains("aggregator"))
            {
                log.WriteLine($"aggregator throughput ({settings.AggregatorHits:N0} hits per round)");
                report.Aggregator = await new AggregatorSection(settings, log).RunAsync(app.Services, cancellationToken);
                report.Notes.Add("The aggregator section's figures are for the embedded transport (in-process queue); the Kafka section measures the aggregator role fed through the mock cluster.");
            }
            if (settings.Sections.Contains("queries"))
            {
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                for (var i = 0; i < settings.QueryHits.Count; i++)
                {
                    log.WriteLine($"stats queries on {settings.QueryHits[i]:N0} generated hits");
                    report.Queries.Add(await new QuerySection(settings, log).RunAsync(app.Services, address, i, cancellationToken));
                }
            }
            report.Memory.Add(new MemoryFigure("embedded host (aggregator + chDB + queries, in the harness process)", ProcessStats.PeakRssBytes(Environment.ProcessId) ?? 0));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private async Task RunSoakAsync(BenchReport report, string work, CancellationToken cancellationToken)
    {
        RequireTools(needNginx: false);
        if (FaultScenarios.NeedsRolesApart(settings.Faults))
        {
            await RunSoakApartAsync(report, work, cancellationToken);
            return;
        }
        using var kafka = StartKafka();
        await using var collector = CollectorServer.Embedded(Path.Combine(work, "soak"), CollectorArguments(kafka, Path.Combine(work, "spool")));
        log.WriteLine($"soak: {settings.Soak!.Value.TotalSeconds:0} s at {settings.SoakRate:N0} req/s, faults: {(settings.Faults.Count == 0 ? "none" : string.Join(", ", settings.Faults))}");
        await collector.StartAsync(cancellationToken);
        report.Soak = await new SoakSection(settings, log).RunAsync(collector, kafka, cancellationToken);
        report.Memory.Add(new MemoryFigure(collector.Key, collector.PeakRssBytes));
    }

    /// <summary>The soak with `analytics collector` and `analytics aggregator` as processes of their own (kill-collector, kill-aggregator).</summary>
    private async Task RunSoakApartAsync(BenchReport report, string work, CancellationToken cancellationToken)
    {
        using var kafka = StartMockCluster();
        await using var collector = CollectorServer.CollectorRole(Path.Combine(work, "soak-collector"), kafka.BootstrapServers, settings.CollectorArguments);
        // A short session: after a kill, the restarted aggregator gets the partitions back within seconds.
        await using var aggregator = CollectorServer.AggregatorRole(Path.Combine(work, "soak-aggregator"), kafka.BootstrapServers, ["--Kafka:Consumer:session.timeout.ms=6000"]);
        log.WriteLine($"soak (roles apart): {settings.Soak!.Value.TotalSeconds:0} s at {settings.SoakRate:N0} req/s, faults: {string.Join(", ", settings.Faults)}");
        await aggregator.StartAsync(cancellationToken);
        await collector.StartAsync(cancellationToken);
        report.Soak = await new SoakSection(settings, log).RunAsync(collector, kafka, cancellationToken, aggregator);
        report.Memory.Add(new MemoryFigure(collector.Key, collector.PeakRssBytes));
        report.Memory.Add(new MemoryFigure(aggregator.Key, aggregator.PeakRssBytes));
    }

    private bool UsesKafka => settings.UsesKafka;

    /// <summary>With `--transport kafka`: a mock cluster in this process, with the collector's topics.</summary>
    private MockCluster? StartKafka() => UsesKafka ? StartMockCluster() : null;

    private MockCluster StartMockCluster()
    {
        var kafka = MockCluster.StartMock();
        kafka.CreateNamedTopic("analytics.hits", settings.Partitions);
        kafka.CreateNamedTopic("analytics.hits.dead-letter", 1);
        log.WriteLine($"Kafka mock cluster at {kafka.BootstrapServers}");
        return kafka;
    }

    private List<string> CollectorArguments(MockCluster? kafka, string spool) =>
        kafka is null
            ? [.. settings.CollectorArguments]
            : ["--Transport:Kind=Kafka", "--Kafka:BootstrapServers=" + kafka.BootstrapServers, "--Spool:Path=" + spool, .. settings.CollectorArguments];

    private static void RequireTools(bool needNginx)
    {
        var missing = Tools.Missing(needNginx);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"analytics bench needs {string.Join(" and ", missing)} (Debian packages). Install with: {Tools.InstallHint}");
        }
    }

    private static double Ratio(double a, double b) => b == 0 ? 0 : a / b;

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; a report is worth more than a tidy /tmp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
