namespace Analytics.Partners.Storage;

/// <summary>The push state of one stored report (its .push.json sidecar).</summary>
public sealed record PushState
{
    public required string DeliveryId { get; init; }

    public PushStatus Status { get; init; } = PushStatus.Pending;

    public int Attempts { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>HTTP status or error kind of the last failed attempt (never a response body).</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }
}
