using System.Net;
using System.Security.Cryptography;
using System.Text;
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
    public void A_day_whose_secret_an_earlier_run_kept_derives_with_it_and_only_other_days_are_the_runs_own()
    {
        var yesterday = HistoricVisitorIds.WithNewSecret();
        var kept = new Dictionary<DateOnly, byte[]> { [new DateOnly(2026, 11, 1)] = yesterday.Secret };
        var today = new HistoricVisitorIds(HistoricVisitorIds.WithNewSecret().Secret, daySecrets: kept).ForFile("f");
        var cutDay = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 1, 23, 0, 0, TimeSpan.Zero));
        var nextDay = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero));

        Assert.That(today.For(cutDay), Is.EqualTo(yesterday.For(cutDay)));
        Assert.That(today.For(nextDay), Is.Not.EqualTo(yesterday.For(nextDay)));
        Assert.That(today.OwnSecretDays, Is.EqualTo(new[] { new DateOnly(2026, 11, 2) }));
        Assert.That(yesterday.OwnSecretDays, Is.EquivalentTo(new[] { new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2) }));
    }

    [Test]
    public void Without_the_secret_the_same_line_gives_an_unrelated_id()
    {
        var entry = Entry("203.0.113.1", "A", DateTimeOffset.UtcNow);
        var first = HistoricVisitorIds.WithNewSecret();

        Assert.That(HistoricVisitorIds.WithNewSecret().For(entry), Is.Not.EqualTo(first.For(entry)));
        Assert.That(new HistoricVisitorIds(first.Secret).For(entry), Is.EqualTo(first.For(entry)));
    }

    [TestCase("203.0.113.1", "A")]
    [TestCase("2001:db8::1", "Mozilla/5.0 (Linux; Android 14) Gecko/20100101 Firefox/133.0 \u00e9\u4e2d")]
    [TestCase("198.51.100.9", null)]
    public void A_visitor_id_is_the_hmac_of_ip_user_agent_and_utc_day_as_checkpoints_of_earlier_versions_expect(string ip, string? agent)
    {
        // null: a user-agent longer than the stack buffer the derivation uses.
        agent ??= new string('x', 3000);
        var secret = RandomNumberGenerator.GetBytes(HistoricVisitorIds.SecretLength);
        var time = new DateTimeOffset(2026, 11, 1, 23, 30, 0, TimeSpan.FromHours(-5));

        var id = new HistoricVisitorIds(secret).For(Entry(ip, agent, time));

        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{ip}\n{agent}\n2026-11-02"));
        Assert.That(id, Is.EqualTo(new Guid(mac.AsSpan(0, 16))));
    }

    [Test]
    public void Hit_ids_are_the_same_for_a_line_under_the_same_secret_distinct_per_line_and_ordered_by_time_then_line()
    {
        var secret = RandomNumberGenerator.GetBytes(HistoricVisitorIds.SecretLength);
        var ids = new HistoricVisitorIds(secret);
        var second = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

        var sameSecond = Enumerable.Range(1, 10_000).Select(line => ids.HitFor(line, second)).ToList();

        Assert.That(sameSecond.Distinct().Count(), Is.EqualTo(sameSecond.Count));
        Assert.That(sameSecond.Order().ToList(), Is.EqualTo(sameSecond), "one second's lines keep the log's order");
        Assert.That(sameSecond.Select(id => id.Version), Is.All.EqualTo(7));
        Assert.That(new HistoricVisitorIds(secret).HitFor(42, second), Is.EqualTo(sameSecond[41]), "a resumed run derives the same ID");
        Assert.That(HistoricVisitorIds.WithNewSecret().HitFor(42, second), Is.Not.EqualTo(sameSecond[41]), "another import never repeats it");
        Assert.That(ids.HitFor(1, second.AddSeconds(1)), Is.GreaterThan(sameSecond[^1]), "a later second sorts after");
    }

    [Test]
    public void The_files_of_one_run_share_visitor_ids_and_never_hit_ids()
    {
        var run = HistoricVisitorIds.WithNewSecret();
        var entry = Entry("203.0.113.1", "A", new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var first = run.ForFile("fingerprint-1");
        var second = run.ForFile("fingerprint-2");

        Assert.That(second.For(entry), Is.EqualTo(first.For(entry)), "a visitor split by a rotation is one visitor");
        Assert.That(first.For(entry), Is.EqualTo(run.For(entry)));
        Assert.That(second.HitFor(7, entry.Time), Is.Not.EqualTo(first.HitFor(7, entry.Time)), "line 7 of each file, logged in the same second");
        Assert.That(new HistoricVisitorIds(run.Secret).ForFile("fingerprint-1").HitFor(7, entry.Time), Is.EqualTo(first.HitFor(7, entry.Time)), "a resumed file derives the same ID");
        Assert.That(first.HitFor(7, entry.Time), Is.Not.EqualTo(run.HitFor(7, entry.Time)));
    }
}
