namespace Analytics.Analysts.Query;

/// <summary>
/// A resolved period: [<see cref="From"/>, <see cref="To"/>) in UTC, from local days in the site's time
/// zone, so "today" starts at the site's midnight.
/// </summary>
public sealed record DateRange(DateTime From, DateTime To, DateOnly FirstDay, DateOnly LastDay)
{
    public int Days => LastDay.DayNumber - FirstDay.DayNumber + 1;

    /// <summary>
    /// "all": the longest range allowed up to today, which <see cref="QueryRunner"/> starts at the site's first
    /// day with data before it reads (the answer is the same either way: the days before hold nothing).
    /// </summary>
    public bool AllTime { get; init; }

    /// <summary>The local days <paramref name="first"/>..<paramref name="last"/> (inclusive) in <paramref name="zone"/>.</summary>
    public static DateRange OfDays(DateOnly first, DateOnly last, TimeZoneInfo zone) =>
        new(StartOf(first, zone), StartOf(last.AddDays(1), zone), first, last);

    /// <summary>The same number of days just before this range.</summary>
    public DateRange PreviousPeriod(TimeZoneInfo zone) => OfDays(FirstDay.AddDays(-Days), FirstDay.AddDays(-1), zone);

    /// <summary>The same days one year earlier.</summary>
    public DateRange YearOverYear(TimeZoneInfo zone) => OfDays(FirstDay.AddYears(-1), LastDay.AddYears(-1), zone);

    private static DateTime StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // A midnight skipped by a daylight-saving change starts the day at the first valid instant.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
