using System.Globalization;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>
/// The periods a partner's privacy budget is kept for: calendar months (UTC, as report windows are) of the
/// data a report covers. A report charges every month its window touches, so a window renamed, a weekly
/// report over the days of daily ones, or overlapping windows all draw on the same months: what one
/// visitor's data of a month can lose over all of a partner's reports is at most the budget (sequential
/// composition of the reports that read that month).
/// </summary>
public static class BudgetPeriods
{
    /// <summary>The months (yyyy-MM) of <paramref name="window"/>, oldest first.</summary>
    public static IReadOnlyList<string> Of(ReportWindow window)
    {
        var months = new List<string>();
        for (var month = new DateOnly(window.From.Year, window.From.Month, 1); month <= window.To; month = month.AddMonths(1))
        {
            months.Add(month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }
        return months;
    }

    /// <summary>The months an entry was charged to; a line without them (older format) by its window's name, or null when that cannot be read.</summary>
    public static IReadOnlyList<string>? Of(LedgerEntry entry) =>
        entry.Months ?? (ReportWindow.TryParseName(entry.Window, out var window) ? Of(window) : null);
}
