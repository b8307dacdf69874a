using Analytics.Bench.Sections;
namespace Analytics.Bench.Report;

/// <summary>Everything one `analytics bench` run measured (serialized as the JSON report).</summary>
public sealed record BenchReport
{
    public required string Command { get; init; }
    public required DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; set; }
    public string LoadAtEnd { get; set; } = "";
    public required MachineInfo Machine { get; init; }
    public required int Seed { get; init; }
    public required string Settings { get; init; }
    public List<ServerFigures> Beacon { get; } = [];
    public BeaconRatios? Ratios { get; set; }
    public SteadyFigures? SteadyLatency { get; set; }
    public FreshnessFigures? Freshness { get; set; }
    public DeliveryFigures? Delivery { get; set; }
    public AggregatorFigures? Aggregator { get; set; }
    public KafkaFigures? Kafka { get; set; }
    /// <summary>One per generated size, in the order asked for.</summary>
    public List<QueryFigures> Queries { get; } = [];
    public SoakFigures? Soak { get; set; }
    public List<MemoryFigure> Memory { get; } = [];
    public List<string> Notes { get; } = [];

    /// <summary>
    /// The exit code's verdict: every accepted hit stored; in a soak, every answered beacon stored exactly
    /// once and, for a soak shorter than the visit timeout, one visit per visitor holding all its pageviews.
    /// </summary>
    public bool Passed => Delivery is not { AllStored: false } && Soak is not { Delivery.AllStored: false }
        && Soak?.Delivery.Answered is not { Visits: not null, VisitsAgree: false };
}

public sealed record MachineInfo(string Os, string Cpu, int Cores, long MemoryBytes, string Runtime, string Wrk, string Nginx, string GitCommit, string LoadAtStart);

/// <summary>One measured wrk run against one server.</summary>
public sealed record BeaconRun(int Round, double RequestsPerSecond, double P50Ms, double P99Ms, double CpuSecondsPer1000, long Requests, long Errors);

public sealed record ServerFigures(string Key, string Description, List<BeaconRun> Runs)
{
    public double RequestsPerSecond => Stat.Median(Runs.Select(r => r.RequestsPerSecond));
    public double P50Ms => Stat.Median(Runs.Select(r => r.P50Ms));
    public double P99Ms => Stat.Median(Runs.Select(r => r.P99Ms));
    public double CpuSecondsPer1000 => Stat.Median(Runs.Select(r => r.CpuSecondsPer1000));

    /// <summary>Requests served per second of server CPU.</summary>
    public double RequestsPerCpuSecond => CpuSecondsPer1000 == 0 ? 0 : 1000 / CpuSecondsPer1000;
}

/// <summary>Collector against each baseline, from medians of the same interleaved run.</summary>
public sealed record BeaconRatios(double ThroughputVsNginx, double ThroughputVsKestrel, double PerCpuVsNginx, double PerCpuVsKestrel);

/// <summary>Latency of the collector under steady load at a share of its measured maximum.</summary>
public sealed record SteadyFigures(double TargetShare, double TargetRate, double AchievedRate, int Connections, double P50Ms, double P90Ms, double P99Ms, long Errors);

/// <summary>Beacon answered to hit visible through the stats API.</summary>
public sealed record FreshnessFigures(double LoadRate, int Probes, int Missed, double P50Ms, double P99Ms, double MaxMs);

/// <summary>What the collector acknowledged against what reached storage (must be equal).</summary>
public sealed record DeliveryFigures(long BeaconsAnswered, long HitsAccepted, long HitsRejected, long HitsStored)
{
    /// <summary>The soak's exact check (answered paths against stored ones); null outside a soak.</summary>
    public AnsweredFigures? Answered { get; init; }

    /// <summary>
    /// Accepted = stored; in a soak also every answered beacon stored exactly once. A fault that restarts
    /// the process resets its counters, so there only the exact check counts.
    /// </summary>
    public bool AllStored => Answered is { } answered ? answered.Exact && (answered.Restarted || HitsAccepted == HitsStored) : HitsAccepted == HitsStored;
}

/// <summary>
/// The soak's exact check: beacons answered 200 (each for its own path) against the soak site's stored
/// rows, distinct hit IDs and distinct paths, and the hits its hourly rollup counts (a batch killed halfway
/// through its inserts can be in hits and not in a rollup). Exact when every answered path is stored, nothing
/// twice, and the rollup counts each stored hit once. A beacon the client gave up on may still have been
/// stored, so stored may exceed answered.
/// The beacons come from a pool of returning visitors, and a soak shorter than the visit timeout (30 minutes) makes each
/// visitor one visit of all their stored pageviews, however the faults fell: <see cref="VisitsAgree"/> when `sessions`
/// counts one visit per stored visitor, every stored hit as a pageview of one, a bounce per visitor with one stored hit,
/// no cancelling row left over, and the hourly rollup the same visits, bounces and seconds (<see cref="Visits"/> is null
/// for a longer soak).
/// </summary>
public sealed record AnsweredFigures(
    long Answered, long StoredRows, long StoredDistinctHitIds, long StoredDistinctPaths, long RollupHits, long AnsweredMissing, bool Restarted, StoredVisits? Visits)
{
    public bool NoDoubles => StoredRows == StoredDistinctHitIds && StoredRows == StoredDistinctPaths;

    public bool RollupAgrees => RollupHits == StoredRows;

    public bool Exact => AnsweredMissing == 0 && NoDoubles && RollupAgrees;

    public bool VisitsAgree => Visits is { } v && v.Visits == v.Visitors && v.Pageviews == StoredRows && v.Bounces == v.OneHitVisitors
        && v.Unmatched == 0 && v.Rollup == new RollupVisits(v.Visits, v.Bounces, v.Duration);
}

public sealed record AggregatorFigures(int HitsPerRound, List<double> PipelineHitsPerSecond, List<double> BacklogHitsPerSecond, List<double> StoreOnlyHitsPerSecond, List<double> CeilingHitsPerSecond, List<double> CeilingWithViewsHitsPerSecond)
{
    public double Pipeline => Stat.Median(PipelineHitsPerSecond);
    public double Backlog => Stat.Median(BacklogHitsPerSecond);
    public double StoreOnly => Stat.Median(StoreOnlyHitsPerSecond);
    public double Ceiling => Stat.Median(CeilingHitsPerSecond);
    public double CeilingWithViews => Stat.Median(CeilingWithViewsHitsPerSecond);

    /// <summary>The storage write's CPU by batch size, every round's sizes.</summary>
    public List<BatchCostFigure> BatchCosts { get; init; } = [];

    /// <summary>CPU seconds a batch costs whatever its size: the intercept of <see cref="BatchCostFit"/>.</summary>
    public double CpuPerBatch => BatchCostFit()[0];

    /// <summary>CPU seconds each hit adds to its batch: the slope of <see cref="BatchCostFit"/>.</summary>
    public double CpuPerHit => BatchCostFit()[1];

    /// <summary>
    /// The least-squares line through every round's (batch size, CPU seconds per batch) at the live sizes (all but
    /// the largest, a backlog's, where merging bigger parts costs less per hit): intercept and slope, zeros with
    /// fewer than two such sizes.
    /// </summary>
    private double[] BatchCostFit()
    {
        var largest = BatchCosts.Count == 0 ? 0 : BatchCosts.Max(c => c.Size);
        var live = BatchCosts.Where(c => c.Size < largest).ToList();
        if (live.Select(c => c.Size).Distinct().Count() < 2)
        {
            return [0, 0];
        }
        var meanSize = live.Average(c => (double)c.Size);
        var meanCpu = live.Average(c => c.CpuPerBatch);
        var slope = live.Sum(c => (c.Size - meanSize) * (c.CpuPerBatch - meanCpu)) / live.Sum(c => (c.Size - meanSize) * (c.Size - meanSize));
        return [meanCpu - (slope * meanSize), slope];
    }
}

/// <param name="Size">Hits per batch.</param>
/// <param name="Batches">Batches written.</param>
/// <param name="CpuSeconds">CPU of the process from the first batch until the engine's merges were done.</param>
/// <param name="WriteSeconds">Wall time of the writes alone.</param>
public sealed record BatchCostFigure(int Size, int Batches, double CpuSeconds, double WriteSeconds)
{
    public double CpuPerBatch => CpuSeconds / Batches;

    public double CpuPer1000Hits => CpuSeconds * 1000 / ((double)Size * Batches);
}

/// <summary>
/// The Kafka transport, roles apart: the collector role at full load with the aggregator role consuming
/// behind it (CPU seconds per 1,000 hits for each process), freshness through the aggregator's stats API,
/// and the aggregator role alone fed through the topic.
/// </summary>
public sealed record KafkaFigures(int Partitions, KafkaEndToEnd EndToEnd, FreshnessFigures Freshness, int HitsPerRound, List<double> AggregatorHitsPerSecond, List<double> AggregatorCpuPer1000)
{
    public double Aggregator => Stat.Median(AggregatorHitsPerSecond);
    public double AggregatorCpu => Stat.Median(AggregatorCpuPer1000);

    /// <summary>The most generated hits the aggregator-alone rounds left unconsumed at once.</summary>
    public int MaxLag { get; init; }
}

/// <param name="Collector">The collector role's wrk runs (throughput, latency, its own CPU per request).</param>
/// <param name="Accepted">Hits the collector role accepted from the warm-up to the last run.</param>
/// <param name="LoadSeconds">From the warm-up's start to the last run's end.</param>
/// <param name="EndToEndSeconds">From the same start until the aggregator role had read every accepted hit.</param>
/// <param name="CaughtUp">False when it had not within the deadline.</param>
/// <param name="CollectorCpuPer1000">CPU seconds per 1,000 hits over that window, per process.</param>
/// <param name="AggregatorCpuPer1000">Same, the aggregator role (consume, sessions, chDB).</param>
/// <param name="BrokerCpuPer1000">Same, the harness process: the mock cluster's brokers and the harness's own polling.</param>
public sealed record KafkaEndToEnd(ServerFigures Collector, long Accepted, double LoadSeconds, double EndToEndSeconds, bool CaughtUp, double CollectorCpuPer1000, double AggregatorCpuPer1000, double BrokerCpuPer1000)
{
    public double HitsPerSecond => EndToEndSeconds == 0 ? 0 : Accepted / EndToEndSeconds;

    /// <summary>Batches the aggregator role stored over the window: its offset commits, one per stored batch.</summary>
    public long Batches { get; init; }

    public double HitsPerBatch => Batches == 0 ? 0 : (double)Accepted / Batches;
}

/// <summary>One query's timings: <see cref="Kind"/> says how it was sent, <see cref="Source"/> which data the planner read.</summary>
public sealed record QueryTiming(string Name, string Kind, double MedianMs, double MaxMs, int Runs)
{
    public string Source { get; init; } = "";

    /// <summary>Nearest-rank 99th percentile: the maximum when there are fewer than 100 runs.</summary>
    public double P99Ms { get; init; }

    /// <summary>The unmeasured first run: a first load, which builds the stored windows the next ones read.</summary>
    public double FirstMs { get; init; }
}

public sealed record QueryFigures(long Hits, double GenerateSeconds, List<QueryTiming> Timings, List<string> Tables)
{
    public long Visits { get; init; }

    public double SessionsSeconds { get; init; }

    /// <summary>Merges still running when the timings started (the harness waits up to two minutes for them).</summary>
    public int MergesAtStart { get; init; }
}

public sealed record SoakFigures(double Seconds, double Rate, List<string> Faults, DeliveryFigures Delivery, double P99Ms, long Errors);

public sealed record MemoryFigure(string Process, long PeakRssBytes);
