using System.ComponentModel.DataAnnotations;

namespace Analytics.Partners.Configuration;

/// <summary>How pushes are sent and retried, section "Partners:Push".</summary>
public sealed record PushSettings
{
    /// <summary>Longest wait for a partner's endpoint to answer one POST.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before the first retry; it doubles on each failure up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);
}
