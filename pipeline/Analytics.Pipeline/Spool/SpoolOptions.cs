using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.Spool;

/// <summary>The local append-only spool of hits acknowledged to browsers (Kafka collector, or the embedded Spool transport), section "Spool".</summary>
public sealed record SpoolOptions
{
    public const string Section = "Spool";

    /// <summary>Folder of the spool's segment files; one collector process per folder.</summary>
    [Required]
    public string Path { get; init; } = "data/spool";

    /// <summary>
    /// Most unshipped bytes the spool holds. At the bound a new hit waits for the shipper to free space;
    /// if none frees within <c>Collector:HandOffTimeout</c> the beacon is answered and the hit counted as
    /// Overloaded (and as <c>analytics_spool_full_total</c>).
    /// </summary>
    [Range(1L << 20, long.MaxValue)]
    public long MaxBytes { get; init; } = 10L << 30;

    /// <summary>A segment file is closed and a new one begun past this size; shipped segments are deleted whole.</summary>
    [Range(1L << 16, 1L << 32)]
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Most bytes of just-written records kept in memory for the reader (the shipper), so that shipping
    /// does not read back from disk what was just written; 0 reads everything from the files. Beyond it
    /// (the reader fell behind) records are read from the files.
    /// </summary>
    [Range(0L, 1L << 32)]
    public long ReadCacheBytes { get; init; } = 16L << 20;

    /// <summary>Most records made durable by one fsync (group commit).</summary>
    [Range(1, 1_000_000)]
    public int MaxGroupRecords { get; init; } = 4096;
}
