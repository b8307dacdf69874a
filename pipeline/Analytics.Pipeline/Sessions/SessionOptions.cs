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
    /// The aggregator continues the visits stored open (ended within <see cref="InactivityTimeout"/> of the newest one),
    /// so a visitor browsing across a restart or a rebalance keeps one visit. The embedded host's takes them back at
    /// start; one on Kafka each time partitions are assigned to it (a partition's visitors move between aggregators).
    /// </summary>
    public bool ResumeOpenVisits { get; init; } = true;
}
