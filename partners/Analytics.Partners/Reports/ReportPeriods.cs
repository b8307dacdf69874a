namespace Analytics.Partners.Reports;

/// <summary>
/// The periods a k-suppressed report publishes, and the windows it may be run for. Periods of one partner must
/// never overlap without being equal: a reader subtracts one from the other (a week minus six published days is
/// the seventh), which gives withheld cells back and makes new cells (a month minus its whole weeks is the few
/// days left over) that no one checked against k. Differentially private reports are exempt: noise composes, and
/// the partner's budget pays for every release.
/// </summary>
public static class ReportPeriods
{
    /// <summary>
    /// The shape of every period a report with this granularity and window publishes: `day`, `week` (Monday to
    /// Sunday), `month`, or a granularity cut at a longer window's edges (`week within month`).
    /// </summary>
    public static string Shape(Granularity granularity, WindowKind window) => (granularity, window) switch
    {
        (Granularity.Day, _) or (_, WindowKind.PreviousDay) => "day",
        (Granularity.Week or Granularity.Window, WindowKind.PreviousWeek) => "week",
        (Granularity.Month or Granularity.Window, WindowKind.PreviousMonth) => "month",
        _ => $"{granularity.ToString().ToLowerInvariant()} within {Name(window)}",
    };

    /// <summary>
    /// Why <paramref name="window"/> (a rerun's or an export's) cannot be published for this report, or null. A
    /// report by day may cover any days; any other must cover exactly a window its schedule covers, so that its
    /// periods are the ones every other run publishes.
    /// </summary>
    public static string? WindowProblem(Granularity granularity, WindowKind kind, ReportWindow window)
    {
        if (granularity == Granularity.Day)
        {
            return null;
        }
        // The scheduled window that holds the window's first day: the one a run in the period after it covers.
        var holding = ReportWindow.Preceding(kind, kind switch
        {
            WindowKind.PreviousDay => window.From.AddDays(1),
            WindowKind.PreviousWeek => window.From.AddDays(7),
            _ => window.From.AddMonths(1),
        });
        return holding == window
            ? null
            : $"window {window.Name} is not a whole {Name(kind)}: this report publishes periods of a {Shape(granularity, kind)}, and a period " +
              $"overlapping one already published would let a reader subtract one from the other (the {Name(kind)} holding {ReportWindow.Format(window.From)} is {holding.Name})";
    }

    private static string Name(WindowKind kind) => kind switch
    {
        WindowKind.PreviousDay => "day",
        WindowKind.PreviousWeek => "week",
        _ => "month",
    };
}
