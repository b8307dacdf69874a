using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Configuration;

/// <summary>One report definition of a partner: what is counted, by what, over which window, in which format, when.</summary>
public sealed record ReportOptions
{
    /// <summary>Identifier, unique within the partner.</summary>
    public string Id { get; init; } = "";

    /// <summary>Registered site ids the report covers (the sites appear as the `site` column).</summary>
    public IReadOnlyList<string> Sites { get; init; } = [];

    /// <summary>
    /// Metric columns, from <see cref="ReportCatalog.Metrics"/>; `visitors` is always included. Empty means
    /// visitors and pageviews (a default list here would be appended to by the configuration binder).
    /// </summary>
    public IReadOnlyList<string> Metrics { get; init; } = [];

    /// <summary>Dimension columns, from <see cref="ReportCatalog.Dimensions"/>.</summary>
    public IReadOnlyList<string> Dimensions { get; init; } = [];

    /// <summary>Equality filters: dimension = value.</summary>
    public IReadOnlyDictionary<string, string> Filters { get; init; } = new Dictionary<string, string>();

    public Granularity Granularity { get; init; } = Granularity.Day;

    public WindowKind Window { get; init; } = WindowKind.PreviousDay;

    public ReportFormat Format { get; init; } = ReportFormat.Csv;

    public ScheduleOptions Schedule { get; init; } = new();

    /// <summary>k-suppression (the default) or differential privacy, with its parameters.</summary>
    public PrivacyOptions Privacy { get; init; } = new();
}
