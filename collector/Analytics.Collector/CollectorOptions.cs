using System.ComponentModel.DataAnnotations;

namespace Analytics.Collector;

/// <summary>Collector limits and settings, section "Collector".</summary>
public sealed record CollectorOptions
{
    public const string Section = "Collector";

    /// <summary>Longest page URL accepted, in characters (longer: rejected as TooLong).</summary>
    [Range(64, 65_536)]
    public int MaxUrlLength { get; init; } = 2048;

    /// <summary>Longest referrer accepted, in characters.</summary>
    [Range(64, 65_536)]
    public int MaxReferrerLength { get; init; } = 2048;

    /// <summary>Longest title, event name or property value kept; longer values are cut.</summary>
    [Range(16, 4096)]
    public int MaxTextLength { get; init; } = 300;

    /// <summary>Most custom properties a hit may carry (more: rejected as TooLong).</summary>
    [Range(0, 64)]
    public int MaxProps { get; init; } = 8;

    /// <summary>Longest custom property name accepted, in characters (longer: rejected as TooLong).</summary>
    [Range(1, 256)]
    public int MaxPropNameLength { get; init; } = 64;

    /// <summary>Longest custom property value kept, in characters; longer values are cut.</summary>
    [Range(1, 4096)]
    public int MaxPropValueLength { get; init; } = 300;

    /// <summary>Largest POST /e body, in bytes (larger: 413, nothing stored).</summary>
    [Range(256, 1_048_576)]
    public int MaxBodyBytes { get; init; } = 16_384;

    /// <summary>Most hits in one POST /e batch (more: 400, nothing stored).</summary>
    [Range(1, 1000)]
    public int MaxBatch { get; init; } = 20;

    /// <summary>Longest a beacon waits for the transport before it is answered anyway and counted as Overloaded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
