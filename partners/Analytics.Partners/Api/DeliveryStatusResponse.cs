namespace Analytics.Partners.Api;

/// <summary>GET /api/partners-admin/status: every push that is not yet acknowledged, and the last acknowledged one per partner.</summary>
public sealed record DeliveryStatusResponse(IReadOnlyList<DeliveryStatus> Deliveries);

public sealed record DeliveryStatus(
    string Partner, string Report, string Window, string Status, int Attempts, DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset? DeliveredAt);
