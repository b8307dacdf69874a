namespace Analytics.Partners.Configuration;

/// <summary>When a report runs: daily, weekly or monthly at a local time in a time zone.</summary>
public sealed record ScheduleOptions
{
    public Cadence Cadence { get; init; } = Cadence.Daily;

    /// <summary>Local time of day, HH:mm.</summary>
    public TimeOnly At { get; init; } = new(2, 0);

    /// <summary>IANA time zone id, e.g. Europe/Paris.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Day of a weekly run.</summary>
    public DayOfWeek DayOfWeek { get; init; } = DayOfWeek.Monday;

    /// <summary>Day of a monthly run (1-28, so every month has it).</summary>
    public int DayOfMonth { get; init; } = 1;
}
