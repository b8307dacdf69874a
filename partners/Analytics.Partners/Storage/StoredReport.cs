using Analytics.Partners.Reports;

namespace Analytics.Partners.Storage;

/// <summary>What is known about one generated report file (its sidecar .json next to it).</summary>
public sealed record StoredReport
{
    public required string Partner { get; init; }

    public required string Report { get; init; }

    /// <summary>The window's name: 2026-11-28 or 2026-11-01_2026-11-30.</summary>
    public required string Window { get; init; }

    public required string FileName { get; init; }

    public required string ContentType { get; init; }

    public required int Rows { get; init; }

    public required long WithheldCells { get; init; }

    /// <summary>SHA-256 of the file, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    public required long Bytes { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Mechanism, ε, δ, sensitivity, clamp and noise scales of a differentially private report; null under k-suppression.</summary>
    public DpParameters? Privacy { get; init; }

    /// <summary>Names one push of this content; the receiver sees it in X-Analytics-Delivery and can drop a repeat.</summary>
    public string DeliveryId => $"{Partner}/{Report}/{Window}/{Sha256[..16]}";
}
