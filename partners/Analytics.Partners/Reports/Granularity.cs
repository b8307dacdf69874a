namespace Analytics.Partners.Reports;

/// <summary>The period each row covers within the report's window.</summary>
public enum Granularity
{
    Day,
    Week,
    Month,

    /// <summary>One period: the whole window.</summary>
    Window,
}
