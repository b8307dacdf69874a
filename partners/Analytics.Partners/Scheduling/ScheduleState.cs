namespace Analytics.Partners.Scheduling;

/// <summary>The last firing each report definition completed ("partner/report" -> instant), kept in StorePath/schedule.json.</summary>
public sealed record ScheduleState
{
    public Dictionary<string, DateTimeOffset> LastRuns { get; init; } = new(StringComparer.Ordinal);
}
