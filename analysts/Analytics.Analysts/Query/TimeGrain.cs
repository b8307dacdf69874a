namespace Analytics.Analysts.Query;

/// <summary>Time buckets for the "time:hour|day|week|month" dimensions, in the site's time zone.</summary>
public enum TimeGrain
{
    Hour,
    Day,
    Week,
    Month,
}
