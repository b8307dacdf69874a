using System.Text.Json;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Partners.Tests.Scheduling;

public class ReportSchedulerTests
{
    private static Dictionary<string, string?> Settings(string storePath)
    {
        var settings = PartnersApp.TwoPartners(storePath);
        // acme: daily at 02:00 UTC, previous day. globex: weekly on Mondays at 06:00 Paris time, previous week.
        settings["Partners:Partners:1:Reports:0:Window"] = "PreviousWeek";
        settings["Partners:Partners:1:Reports:0:Schedule:Cadence"] = "Weekly";
        settings["Partners:Partners:1:Reports:0:Schedule:At"] = "06:00";
        settings["Partners:Partners:1:Reports:0:Schedule:TimeZone"] = "Europe/Paris";
        return settings;
    }

    private static List<string> Windows(PartnersApp app, string partner) =>
        app.Get<ReportStore>().List(partner).Select(r => r.Window).Order(StringComparer.Ordinal).ToList();

    [Test]
    public async Task A_first_start_runs_only_the_latest_firing_of_each_definition()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        await using var app = await PartnersApp.StartAsync(Settings(PartnersApp.NewStorePath()), new FakeAggregateSource(), clock);

        Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(Windows(app, "acme").Count == 1 && Windows(app, "globex").Count == 1)), Is.True);
        Assert.That(Windows(app, "acme"), Is.EqualTo(new[] { "2026-11-28" }));
        Assert.That(Windows(app, "globex"), Is.EqualTo(new[] { "2026-11-16_2026-11-22" }), "run on Monday 23rd: the week before it");
    }

    [Test]
    public async Task Runs_missed_while_the_host_was_down_are_caught_up_at_start_and_the_next_runs_at_its_time()
    {
        var storePath = PartnersApp.NewStorePath();
        Directory.CreateDirectory(storePath);
        // The host last ran acme's report on the 26th at 02:00 (for the 25th), then was down for three days.
        await File.WriteAllTextAsync(Path.Combine(storePath, "schedule.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["last_runs"] = new Dictionary<string, DateTimeOffset> { ["acme/daily"] = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero) },
        }));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var source = new FakeAggregateSource().Add(new DateOnly(2026, 11, 27), 12, 20, "demo", "FR");
        await using var app = await PartnersApp.StartAsync(Settings(storePath), source, clock);

        Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(Windows(app, "acme").Count == 3)), Is.True, string.Join(' ', Windows(app, "acme")));
        Assert.That(Windows(app, "acme"), Is.EqualTo(new[] { "2026-11-26", "2026-11-27", "2026-11-28" }));
        Assert.That(app.Get<ReportStore>().Find("acme", "daily", "2026-11-27")!.Rows, Is.EqualTo(1));

        // Time moves on: nothing runs before 02:00 on the 30th, the day's run follows it.
        var caughtUp = await PartnersApp.WaitForAsync(async () =>
        {
            if (Windows(app, "acme").Count == 4)
            {
                return true;
            }
            // Stepwise, and never past the 30th's firing: the scheduler may be between two awaits at any step.
            if (clock.GetUtcNow() < new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero))
            {
                clock.Advance(TimeSpan.FromMinutes(30));
            }
            await Task.Yield();
            return false;
        });
        Assert.That(caughtUp, Is.True);
        Assert.That(Windows(app, "acme")[^1], Is.EqualTo("2026-11-29"));
        Assert.That(Windows(app, "acme"), Has.Count.EqualTo(4));
    }

    [Test]
    public async Task A_run_that_fails_is_retried_a_minute_later()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var source = new FakeAggregateSource { FailingReads = 1 };
        await using var app = await PartnersApp.StartAsync(Settings(PartnersApp.NewStorePath()), source, clock);

        Assert.That(await PartnersApp.WaitForAsync(() => Task.FromResult(Windows(app, "globex").Count == 1)), Is.True);
        var failedFirst = Windows(app, "acme").Count == 0;
        var retried = await PartnersApp.WaitForAsync(async () =>
        {
            if (Windows(app, "acme").Count == 1)
            {
                return true;
            }
            if (clock.GetUtcNow() < new DateTimeOffset(2026, 11, 29, 12, 5, 0, TimeSpan.Zero))
            {
                clock.Advance(TimeSpan.FromSeconds(20));
            }
            await Task.Yield();
            return false;
        });

        Assert.That(failedFirst, Is.True, "acme's run is the first read, and it failed");
        Assert.That(retried, Is.True);
        Assert.That(Windows(app, "acme"), Is.EqualTo(new[] { "2026-11-28" }));
        Assert.That(source.Reads, Is.EqualTo(3));
    }
}
