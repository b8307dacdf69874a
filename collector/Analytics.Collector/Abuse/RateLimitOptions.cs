using System.ComponentModel.DataAnnotations;

namespace Analytics.Collector.Abuse;

/// <summary>Per-client limit on hits, section "RateLimit": a token bucket per client address.</summary>
public sealed record RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Hits a client may send at once before it is limited.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; init; } = 200;

    /// <summary>Hits per second a client regains.</summary>
    [Range(1, 1_000_000)]
    public int PerSecond { get; init; } = 50;

    /// <summary>Visitor self-service requests (/me/data, /me/erase) a client may send at once; each costs a database query.</summary>
    [Range(1, 10_000)]
    public int SelfServiceBurst { get; init; } = 10;

    /// <summary>Self-service requests per minute a client regains.</summary>
    [Range(1, 10_000)]
    public int SelfServicePerMinute { get; init; } = 10;
}
