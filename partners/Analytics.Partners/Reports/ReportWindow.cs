using System.Globalization;

namespace Analytics.Partners.Reports;

/// <summary>The dates a report covers, both ends included (UTC calendar days, as the rollups store them).</summary>
public readonly record struct ReportWindow(DateOnly From, DateOnly To)
{
    /// <summary>The window a run on <paramref name="localDate"/> covers.</summary>
    public static ReportWindow Preceding(WindowKind kind, DateOnly localDate)
    {
        switch (kind)
        {
            case WindowKind.PreviousDay:
                var day = localDate.AddDays(-1);
                return new ReportWindow(day, day);
            case WindowKind.PreviousWeek:
                var monday = localDate.AddDays(-(((int)localDate.DayOfWeek + 6) % 7));
                return new ReportWindow(monday.AddDays(-7), monday.AddDays(-1));
            case WindowKind.PreviousMonth:
                var first = new DateOnly(localDate.Year, localDate.Month, 1);
                return new ReportWindow(first.AddMonths(-1), first.AddDays(-1));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>A file-name-safe name: 2026-11-28, or 2026-11-01_2026-11-30.</summary>
    public string Name => From == To ? Format(From) : Format(From) + "_" + Format(To);

    public static bool TryParseName(string name, out ReportWindow window)
    {
        window = default;
        var parts = name.Split('_');
        if (parts.Length is < 1 or > 2
            || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
        {
            return false;
        }
        var to = from;
        if (parts.Length == 2 && !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out to))
        {
            return false;
        }
        if (to < from)
        {
            return false;
        }
        window = new ReportWindow(from, to);
        return true;
    }

    /// <summary>The periods of <paramref name="granularity"/> within the window, clipped to it.</summary>
    public IEnumerable<(DateOnly Start, DateOnly End)> Periods(Granularity granularity)
    {
        var start = From;
        while (start <= To)
        {
            var end = granularity switch
            {
                Granularity.Day => start,
                Granularity.Week => start.AddDays(6 - (((int)start.DayOfWeek + 6) % 7)),
                Granularity.Month => new DateOnly(start.Year, start.Month, 1).AddMonths(1).AddDays(-1),
                _ => To,
            };
            if (end > To)
            {
                end = To;
            }
            yield return (start, end);
            start = end.AddDays(1);
        }
    }

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}
