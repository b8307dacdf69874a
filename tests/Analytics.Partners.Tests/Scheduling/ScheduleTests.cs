using Analytics.Partners.Configuration;
using Analytics.Partners.Reports;
using Analytics.Partners.Scheduling;

namespace Analytics.Partners.Tests.Scheduling;

public class ScheduleTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Test]
    public void A_daily_schedule_fires_at_the_local_time_in_its_zone_across_a_daylight_saving_change()
    {
        var schedule = new Schedule(new ScheduleOptions { Cadence = Cadence.Daily, At = new TimeOnly(2, 30), TimeZone = "Europe/Paris" });

        var firings = schedule.Between(Utc(10, 23, 12), Utc(10, 26, 12)).ToList();

        // Paris leaves summer time on 25 October 2026: 02:30 is 00:30 UTC before, 01:30 UTC after.
        Assert.That(firings.Select(f => f.At), Is.EqualTo(new[] { Utc(10, 24, 0, 30), Utc(10, 25, 1, 30), Utc(10, 26, 1, 30) }));
        Assert.That(firings.Select(f => f.LocalDate), Is.EqualTo(new[] { new DateOnly(2026, 10, 24), new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 26) }));
    }

    [Test]
    public void A_local_time_skipped_by_the_clocks_going_forward_fires_an_hour_later()
    {
        var schedule = new Schedule(new ScheduleOptions { Cadence = Cadence.Daily, At = new TimeOnly(2, 30), TimeZone = "Europe/Paris" });

        var firing = schedule.Between(Utc(3, 28, 12), Utc(3, 29, 12)).Single();

        Assert.That(firing.At, Is.EqualTo(Utc(3, 29, 1, 30)));
    }

    [Test]
    public void Weekly_and_monthly_schedules_fire_on_their_day_only()
    {
        var weekly = new Schedule(new ScheduleOptions { Cadence = Cadence.Weekly, DayOfWeek = DayOfWeek.Monday, At = new TimeOnly(6, 0) });
        var monthly = new Schedule(new ScheduleOptions { Cadence = Cadence.Monthly, DayOfMonth = 3, At = new TimeOnly(6, 0), TimeZone = "America/New_York" });

        Assert.That(weekly.Between(Utc(11, 1, 0), Utc(11, 30, 23)).Select(f => f.At.Day), Is.EqualTo(new[] { 2, 9, 16, 23, 30 }));
        Assert.That(monthly.Between(Utc(1, 1, 0), Utc(4, 30, 0)).Select(f => f.At), Is.EqualTo(new[]
        {
            Utc(1, 3, 11), Utc(2, 3, 11), Utc(3, 3, 11), Utc(4, 3, 10),
        }));
        Assert.That(weekly.Next(Utc(11, 2, 6)), Is.EqualTo(Utc(11, 9, 6)), "a firing exactly at 'after' is not next");
        Assert.That(weekly.Latest(Utc(11, 4, 0)), Is.EqualTo((Utc(11, 2, 6), new DateOnly(2026, 11, 2))));
    }

    [Test]
    public void Windows_are_the_previous_day_week_or_month_of_the_local_run_date_and_split_into_periods()
    {
        var sunday = new DateOnly(2026, 11, 29);

        Assert.That(ReportWindow.Preceding(WindowKind.PreviousDay, sunday), Is.EqualTo(new ReportWindow(new(2026, 11, 28), new(2026, 11, 28))));
        Assert.That(ReportWindow.Preceding(WindowKind.PreviousWeek, sunday), Is.EqualTo(new ReportWindow(new(2026, 11, 16), new(2026, 11, 22))));
        Assert.That(ReportWindow.Preceding(WindowKind.PreviousMonth, new DateOnly(2026, 3, 1)), Is.EqualTo(new ReportWindow(new(2026, 2, 1), new(2026, 2, 28))));
        var window = new ReportWindow(new(2026, 11, 25), new(2026, 12, 2));
        Assert.That(window.Periods(Granularity.Week).Select(p => (p.Start.Day, p.End.Day)), Is.EqualTo(new[] { (25, 29), (30, 2) }));
        Assert.That(window.Periods(Granularity.Month).Select(p => (p.Start.Day, p.End.Day)), Is.EqualTo(new[] { (25, 30), (1, 2) }));
        Assert.That(window.Periods(Granularity.Window).Single(), Is.EqualTo((window.From, window.To)));
        Assert.That(ReportWindow.TryParseName(window.Name, out var parsed) && parsed == window, Is.True);
        Assert.That(ReportWindow.TryParseName("../../etc", out _), Is.False);
    }
}
