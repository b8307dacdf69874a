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

    /// <summary>Longest a beacon waits for the transport before it is answered anyway and counted as Overloaded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan HandOffTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
