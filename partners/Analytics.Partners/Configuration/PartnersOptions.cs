using System.ComponentModel.DataAnnotations;

namespace Analytics.Partners.Configuration;

/// <summary>Partner reports, section "Partners": global privacy floor, where reports are kept, delivery, and the partners.</summary>
public sealed record PartnersOptions
{
    public const string Section = "Partners";

    /// <summary>The lowest k any partner may have; a partner asking for less fails at start.</summary>
    [Range(2, 1_000_000)]
    public int MinimumK { get; init; } = 5;

    /// <summary>k for partners that do not set their own.</summary>
    [Range(2, 1_000_000)]
    public int DefaultK { get; init; } = 10;

    /// <summary>Folder for generated reports, delivery state and the audit log; relative paths are under the current directory.</summary>
    [Required]
    public string StorePath { get; init; } = "data/partners";

    /// <summary>Runs the schedules in this process. Turn off on all hosts but one in a distributed deployment.</summary>
    public bool SchedulerEnabled { get; init; } = true;

    /// <summary>At most this many missed runs of one report are caught up at start (the newest ones).</summary>
    [Range(1, 1000)]
    public int CatchUpLimit { get; init; } = 31;

    /// <summary>SHA-256 (hex) of the operator key for /api/partners-admin; empty disables those endpoints.</summary>
    public string OperatorKeySha256 { get; init; } = "";

    public PushSettings Push { get; init; } = new();

    public IReadOnlyList<PartnerOptions> Partners { get; init; } = [];
}
