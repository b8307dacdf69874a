namespace Analytics.Partners.Reports;

/// <summary>The dates a scheduled run covers, relative to the local date it runs on.</summary>
public enum WindowKind
{
    PreviousDay,

    /// <summary>The previous Monday-to-Sunday week.</summary>
    PreviousWeek,

    PreviousMonth,
}
