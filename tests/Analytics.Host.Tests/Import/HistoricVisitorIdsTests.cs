using System.Net;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class HistoricVisitorIdsTests
{
    private static LogEntry Entry(string ip, string agent, DateTimeOffset time) => new(IPAddress.Parse(ip), time, "GET", "/", 200, "", agent);

    [Test]
    public void The_same_ip_and_browser_on_the_same_utc_day_is_one_visitor_and_another_day_is_another()
    {
        var ids = HistoricVisitorIds.WithNewSecret();
        var morning = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 1, 1, 0, 0, TimeSpan.Zero));
        var evening = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 1, 23, 0, 0, TimeSpan.Zero));
        var nextDay = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero));
        var otherBrowser = Entry("203.0.113.1", "B", morning.Time);

        Assert.That(ids.For(evening), Is.EqualTo(ids.For(morning)));
        Assert.That(ids.For(nextDay), Is.Not.EqualTo(ids.For(morning)));
        Assert.That(ids.For(otherBrowser), Is.Not.EqualTo(ids.For(morning)));
        Assert.That(ids.For(morning), Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public void Without_the_secret_the_same_line_gives_an_unrelated_id()
    {
        var entry = Entry("203.0.113.1", "A", DateTimeOffset.UtcNow);
        var first = HistoricVisitorIds.WithNewSecret();

        Assert.That(HistoricVisitorIds.WithNewSecret().For(entry), Is.Not.EqualTo(first.For(entry)));
        Assert.That(new HistoricVisitorIds(first.Secret).For(entry), Is.EqualTo(first.For(entry)));
    }
}
