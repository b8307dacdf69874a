namespace Analytics.Bench;

/// <summary>What one `analytics bench` run does; every default keeps a run within about five minutes here.</summary>
public sealed record BenchSettings
{
    /// <summary>Sections to run: beacon, latency, freshness, kafka, aggregator, queries (soak runs alone).</summary>
    public IReadOnlySet<string> Sections { get; init; } = AllSections;

    public static IReadOnlySet<string> AllSections { get; } = new HashSet<string> { "beacon", "latency", "freshness", "kafka", "aggregator", "queries" };

    /// <summary>Partitions of the hits topic on the harness's mock cluster.</summary>
    public int Partitions { get; init; } = 2;

    /// <summary>Length of one measured wrk run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured run per server before the first round (JIT, caches, connection setup).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Rounds; each round runs every server once, in a rotated order (interleaved).</summary>
    public int Repeats { get; init; } = 3;

    public int Connections { get; init; } = 64;

    public int Threads { get; init; } = 2;

    /// <summary>Returning visitors in the cookie pool (each server hands out its own cookies first).</summary>
    public int Visitors { get; init; } = 1000;

    public TimeSpan FreshnessDuration { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Steady load during the freshness probes, requests/s; 0 means half the collector's measured rate.</summary>
    public int FreshnessRate { get; init; }

    /// <summary>Hits pushed through queue + aggregator per round.</summary>
    public int AggregatorHits { get; init; } = 100_000;

    /// <summary>Generated hits the stats queries run on, one site per size (10 M and 50 M are the sizes; they take minutes here).</summary>
    public IReadOnlyList<long> QueryHits { get; init; } = [1_000_000];

    /// <summary>Soak mode when set: steady load for this long, faults triggered, answered vs stored.</summary>
    public TimeSpan? Soak { get; init; }

    /// <summary>Steady soak load, requests/s.</summary>
    public int SoakRate { get; init; } = 2000;

    /// <summary>Fault scenario names triggered during a soak, in turn.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    public string? FaultCommand { get; init; }

    public string? HealCommand { get; init; }

    /// <summary>The collector's transport: inprocess (embedded default) or kafka (a mock cluster run by the harness).</summary>
    public string Transport { get; init; } = "inprocess";

    /// <summary>Whether the run uses the Kafka transport (the harness's mock cluster).</summary>
    public bool UsesKafka => string.Equals(Transport, "kafka", StringComparison.OrdinalIgnoreCase);

    /// <summary>Extra arguments for the collector's `analytics run` (e.g. a Kafka transport's settings).</summary>
    public IReadOnlyList<string> CollectorArguments { get; init; } = [];

    public int Seed { get; init; } = Environment.TickCount & 0x7FFFFFFF;

    /// <summary>Where the Markdown report goes; the JSON report is written beside it.</summary>
    public string ReportPath { get; init; } = "bench-report.md";

    /// <summary>The command line as typed, for the report.</summary>
    public string CommandLine { get; init; } = "analytics bench";
}
