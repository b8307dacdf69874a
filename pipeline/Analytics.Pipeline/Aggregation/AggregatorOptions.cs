using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.Aggregation;

/// <summary>Aggregator settings, section "Aggregator".</summary>
public sealed record AggregatorOptions
{
    public const string Section = "Aggregator";

    /// <summary>
    /// Most hits written in one insert. A batch is this big only when hits wait (a backlog): live traffic is written
    /// every <see cref="FlushInterval"/>. Each insert writes a part to every table and rollup for the engine to merge,
    /// however few its rows, so fewer, bigger batches drain a backlog faster: 100,000 against 50,000 stored 1.3x faster
    /// alone and drained a backlog 1.2x faster (benchmarks/README.md).
    /// </summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; init; } = 100_000;

    /// <summary>Longest a hit waits in a partial batch before it is written.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First wait before retrying a failed write; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Fault injection, for crash tests and the load harness only: after storing each batch, log that
    /// and wait this long before committing it at the source, so a kill lands between the insert and the
    /// commit. Zero (the default) never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FaultPauseAfterStore { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Fault injection, for crash tests only: after each batch's visits insert, log that and wait this long before its
    /// hits insert, so a kill lands inside the batch's write. Zero (the default) never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FaultPauseAfterVisits { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Fault injection, for crash tests only: after each batch's hits insert, log that and wait this long before
    /// recording the batch stored, so a kill lands after every insert of the batch and before the record of it. Zero
    /// (the default) never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FaultPauseAfterHits { get; init; } = TimeSpan.Zero;
}
