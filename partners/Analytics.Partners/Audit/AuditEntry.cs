namespace Analytics.Partners.Audit;

/// <summary>One audited event: who did what to which report, when, with its rows, withheld cells and checksum.</summary>
public sealed record AuditEntry
{
    public required DateTimeOffset At { get; init; }

    /// <summary>generated, downloaded, pushed, push_failed or refused (a DP report past the partner's privacy budget).</summary>
    public required string Action { get; init; }

    /// <summary>scheduler, cli, operator, or partner:ID.</summary>
    public required string Actor { get; init; }

    public required string Partner { get; init; }

    public required string Report { get; init; }

    public required string Window { get; init; }

    public int Rows { get; init; }

    public long WithheldCells { get; init; }

    public string Sha256 { get; init; } = "";

    /// <summary>Where the file went (a file name, an endpoint's host) or why a push failed.</summary>
    public string Detail { get; init; } = "";
}

public static class AuditActions
{
    public const string Generated = "generated";
    public const string Downloaded = "downloaded";
    public const string Pushed = "pushed";
    public const string PushFailed = "push_failed";
    public const string Refused = "refused";
}
