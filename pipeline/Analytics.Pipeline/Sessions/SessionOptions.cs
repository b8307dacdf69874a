using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.Sessions;

/// <summary>Sessionization settings, section "Sessions".</summary>
public sealed record SessionOptions
{
    public const string Section = "Sessions";

    /// <summary>A gap this long or longer between two hits of a visitor starts a new visit.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Most visits held in memory. Past it the visits idle longest are forgotten (their last state is
    /// already stored); a forgotten visitor's next hit starts a new visit.
    /// </summary>
    [Range(1_000, 50_000_000)]
    public int MaxTrackedVisits { get; init; } = 1_000_000;

    /// <summary>
    /// At start, the embedded host's aggregator takes back the visits stored open when it last stopped (ended
    /// within <see cref="InactivityTimeout"/> of the newest one), so a visitor browsing across a restart keeps one
    /// visit. Aggregators on Kafka never do (a partition's visitors move between them).
    /// </summary>
    public bool ResumeOpenVisits { get; init; } = true;
}
