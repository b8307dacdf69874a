using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Configuration;

/// <summary>One partner: who it is, how it authenticates, how small cells are handled, where reports go.</summary>
public sealed record PartnerOptions
{
    /// <summary>Stable identifier; also the URL prefix of its pull endpoints.</summary>
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>SHA-256 (hex) of the partner's API key. The key itself is never stored (see `analytics partners key`).</summary>
    public string KeySha256 { get; init; } = "";

    /// <summary>Rows with fewer visitors than this are withheld; null means Partners:DefaultK.</summary>
    public int? K { get; init; }

    public SmallCellPolicy SmallCells { get; init; } = SmallCellPolicy.Suppress;

    /// <summary>Dimensions replaced by a coarser one for this partner, e.g. city: country.</summary>
    public IReadOnlyDictionary<string, string> Coarsen { get; init; } = new Dictionary<string, string>();

    /// <summary>Where new reports are pushed; empty Url means pull only.</summary>
    public PushTarget Push { get; init; } = new();

    public IReadOnlyList<ReportOptions> Reports { get; init; } = [];

    /// <summary>What the partner's differentially private reports may spend per window, in total.</summary>
    public PrivacyBudgetOptions PrivacyBudget { get; init; } = new();
}
