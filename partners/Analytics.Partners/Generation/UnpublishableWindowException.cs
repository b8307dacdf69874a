namespace Analytics.Partners.Generation;

/// <summary>A rerun or export asked for a window whose periods would overlap the report's published ones (<see cref="Reports.ReportPeriods"/>).</summary>
public sealed class UnpublishableWindowException(string message) : Exception(message);
