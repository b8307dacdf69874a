using Analytics.Partners.Configuration;

namespace Analytics.Partners.Scheduling;

/// <summary>The instants a schedule fires: a local time of day, every day, on one weekday, or on one day of the month.</summary>
public sealed class Schedule
{
    private readonly ScheduleOptions _options;
    private readonly TimeZoneInfo _zone;

    public Schedule(ScheduleOptions options)
    {
        _options = options;
        _zone = PartnersOptionsValidator.TryFindTimeZone(options.TimeZone, out var zone)
            ? zone
            : throw new ArgumentException($"Unknown time zone '{options.TimeZone}'", nameof(options));
    }

    /// <summary>Firings after <paramref name="after"/> up to and including <paramref name="until"/>, oldest first, with the local date of each.</summary>
    public IEnumerable<(DateTimeOffset At, DateOnly LocalDate)> Between(DateTimeOffset after, DateTimeOffset until)
    {
        var day = LocalDate(after).AddDays(-1);
        var last = LocalDate(until).AddDays(1);
        for (; day <= last; day = day.AddDays(1))
        {
            if (!FiresOn(day))
            {
                continue;
            }
            var at = At(day);
            if (at > after && at <= until)
            {
                yield return (at, day);
            }
        }
    }

    /// <summary>The most recent firing at or before <paramref name="until"/>, if any within the last ~two months.</summary>
    public (DateTimeOffset At, DateOnly LocalDate)? Latest(DateTimeOffset until) =>
        Between(until.AddDays(-62), until).Select(f => ((DateTimeOffset, DateOnly)?)f).LastOrDefault();

    /// <summary>The first firing after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) => Between(after, after.AddDays(62)).First().At;

    private bool FiresOn(DateOnly day) => _options.Cadence switch
    {
        Cadence.Weekly => day.DayOfWeek == _options.DayOfWeek,
        Cadence.Monthly => day.Day == _options.DayOfMonth,
        _ => true,
    };

    private DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);

    /// <summary>The instant of the local time on <paramref name="day"/>; a time skipped by a DST change fires an hour later.</summary>
    private DateTimeOffset At(DateOnly day)
    {
        var local = day.ToDateTime(_options.At, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, _zone), TimeSpan.Zero);
    }
}
