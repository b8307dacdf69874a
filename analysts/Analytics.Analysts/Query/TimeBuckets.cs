using System.Globalization;

namespace Analytics.Analysts.Query;

/// <summary>Every bucket label of a period, formatted as the engine formats them (local time of the site).</summary>
public static class TimeBuckets
{
    /// <summary>Series longer than this are not filled (the caller pages through what exists).</summary>
    private const int MaxBuckets = 10_000;

    public static IReadOnlyList<string> Of(TimeGrain grain, DateRange range)
    {
        var labels = new List<string>();
        switch (grain)
        {
            case TimeGrain.Hour:
                for (var day = range.FirstDay; day <= range.LastDay && labels.Count < MaxBuckets; day = day.AddDays(1))
                {
                    for (var hour = 0; hour < 24; hour++)
                    {
                        labels.Add(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + $" {hour:00}:00:00");
                    }
                }
                break;
            case TimeGrain.Day:
                for (var day = range.FirstDay; day <= range.LastDay && labels.Count < MaxBuckets; day = day.AddDays(1))
                {
                    labels.Add(Label(day));
                }
                break;
            case TimeGrain.Week:
                var monday = range.FirstDay.AddDays(-(((int)range.FirstDay.DayOfWeek + 6) % 7));
                for (var week = monday; week <= range.LastDay && labels.Count < MaxBuckets; week = week.AddDays(7))
                {
                    labels.Add(Label(week));
                }
                break;
            case TimeGrain.Month:
                for (var month = new DateOnly(range.FirstDay.Year, range.FirstDay.Month, 1); month <= range.LastDay && labels.Count < MaxBuckets; month = month.AddMonths(1))
                {
                    labels.Add(Label(month));
                }
                break;
        }
        return labels;
    }

    private static string Label(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
