using System.Buffers;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Sessions;

public class SessionTrackerTests
{
    private static SessionTracker NewTracker(int maxVisits = 1_000) =>
        new(Options.Create(new SessionOptions { MaxTrackedVisits = maxVisits }));

    /// <summary>The visits as the table would hold them once collapsed: the newest +1 state of each.</summary>
    private static List<SessionRow> Collapsed(IEnumerable<SessionRow> rows) =>
        [.. rows.GroupBy(r => r.SessionId)
            .Where(g => g.Sum(r => r.Sign) > 0)
            .Select(g => g.Where(r => r.Sign > 0).MaxBy(r => r.Version)!)
            .OrderBy(r => r.StartedAt)];

    [TestCase(29, 1)]
    [TestCase(30, 2)]
    [TestCase(31, 2)]
    public void A_gap_of_thirty_minutes_or_more_starts_a_new_visit(int gapMinutes, int visits)
    {
        var visitor = Guid.NewGuid();

        var rows = NewTracker().Track([At(visitor, Noon, "/a"), At(visitor, Noon.AddMinutes(gapMinutes), "/b")]);

        Assert.That(Collapsed(rows), Has.Count.EqualTo(visits));
    }

    [Test]
    public void A_visit_across_midnight_stays_one_visit_and_keeps_its_start_day()
    {
        var visitor = Guid.NewGuid();
        var beforeMidnight = new DateTime(2026, 11, 10, 23, 50, 0, DateTimeKind.Utc);

        var visits = Collapsed(NewTracker().Track([At(visitor, beforeMidnight, "/a"), At(visitor, beforeMidnight.AddMinutes(20), "/b")]));

        Assert.That(visits, Has.Count.EqualTo(1));
        Assert.That(visits[0].StartedAt, Is.EqualTo(beforeMidnight));
        Assert.That(visits[0].Duration, Is.EqualTo(1200));
        Assert.That(visits[0].ExitPage, Is.EqualTo("/b"));
    }

    [Test]
    public void A_visit_across_a_month_end_in_two_batches_stays_one_visit()
    {
        var visitor = Guid.NewGuid();
        var tracker = NewTracker();
        var lastOfOctober = new DateTime(2026, 10, 31, 23, 45, 0, DateTimeKind.Utc);

        var first = tracker.Track([At(visitor, lastOfOctober, "/a")]);
        var second = tracker.Track([At(visitor, lastOfOctober.AddMinutes(25), "/b")]);

        var visits = Collapsed(first.Concat(second));
        Assert.That(visits, Has.Count.EqualTo(1));
        Assert.That(visits[0].Pageviews, Is.EqualTo(2));
        Assert.That(visits[0].StartedAt.Month, Is.EqualTo(10));
    }

    [Test]
    public void A_visit_spanning_two_batches_cancels_its_first_state_and_writes_the_grown_one()
    {
        var visitor = Guid.NewGuid();
        var tracker = NewTracker();

        var first = tracker.Track([At(visitor, Noon, "/a")]);
        var second = tracker.Track([At(visitor, Noon.AddMinutes(5), "/b"), At(visitor, Noon.AddMinutes(6), "/c")]);

        Assert.That(first.Select(r => (r.Sign, r.Version, r.Pageviews)), Is.EqualTo(new[] { ((sbyte)1, 1u, 1u) }));
        Assert.That(second.Select(r => (r.Sign, r.Version, r.Pageviews)), Is.EqualTo(new[] { ((sbyte)-1, 1u, 1u), ((sbyte)1, 2u, 3u) }));
        Assert.That(Encoded(second[0] with { Sign = 1 }), Is.EqualTo(Encoded(first[0])), "the cancelling row repeats the stored state exactly");
        Assert.That(second[1].IsBounce, Is.False);
        Assert.That(second[1].ExitPage, Is.EqualTo("/c"));
    }

    [Test]
    public void Out_of_order_hits_in_a_batch_make_the_same_visit_as_in_order()
    {
        var visitor = Guid.NewGuid();
        var hits = new[] { At(visitor, Noon, "/a"), At(visitor, Noon.AddMinutes(10), "/b"), At(visitor, Noon.AddMinutes(20), "/c") };

        var inOrder = Collapsed(NewTracker().Track(hits)).Single();
        var shuffled = Collapsed(NewTracker().Track([hits[2], hits[0], hits[1]])).Single();

        // Each tracker keeps its own compact copy of the entry hit: the same hit, not the same object.
        Assert.That(shuffled with { Entry = inOrder.Entry }, Is.EqualTo(inOrder));
        Assert.That(shuffled.Entry.HitId, Is.EqualTo(inOrder.Entry.HitId));
        Assert.That(shuffled.Entry.Path, Is.EqualTo("/a"));
        Assert.That(shuffled.ExitPage, Is.EqualTo("/c"));
    }

    [Test]
    public void A_late_hit_from_before_the_visit_becomes_its_entry()
    {
        var visitor = Guid.NewGuid();
        var tracker = NewTracker();

        var first = tracker.Track([At(visitor, Noon.AddMinutes(10), "/b")]);
        var second = tracker.Track([At(visitor, Noon, "/a")]);

        var visit = Collapsed(first.Concat(second)).Single();
        Assert.That(visit.Entry.Path, Is.EqualTo("/a"));
        Assert.That(visit.ExitPage, Is.EqualTo("/b"));
        Assert.That(visit.Duration, Is.EqualTo(600));
    }

    [Test]
    public void Anonymous_hits_are_each_a_visit_of_their_own()
    {
        var rows = NewTracker().Track([At(Guid.Empty, Noon, "/a"), At(Guid.Empty, Noon.AddSeconds(1), "/b"), At(Guid.Empty, Noon.AddSeconds(2), "/c")]);

        Assert.That(rows, Has.Count.EqualTo(3));
        Assert.That(rows, Has.All.Matches<SessionRow>(r => r.Sign == 1 && r.Hits == 1 && r.IsBounce && r.SessionId == r.Entry.HitId));
    }

    [Test]
    public void Bot_hits_never_join_a_human_visit()
    {
        var visitor = Guid.NewGuid();

        var visits = Collapsed(NewTracker().Track([
            At(visitor, Noon, "/a"), At(visitor, Noon.AddMinutes(1), "/robots", isBot: true), At(visitor, Noon.AddMinutes(2), "/b")]));

        Assert.That(visits.Select(v => (v.Entry.IsBot, v.Pageviews)), Is.EquivalentTo(new[] { (false, 2u), (true, 1u) }));
    }

    [Test]
    public void The_same_visitor_on_two_sites_makes_two_visits()
    {
        var visitor = Guid.NewGuid();

        var visits = Collapsed(NewTracker().Track([At(visitor, Noon, site: "one"), At(visitor, Noon.AddMinutes(1), site: "two")]));

        Assert.That(visits, Has.Count.EqualTo(2));
    }

    [Test]
    public void Events_and_link_clicks_are_counted_and_only_pageviews_make_a_bounce()
    {
        Guid clicker = Guid.NewGuid(), reader = Guid.NewGuid();

        var visits = Collapsed(NewTracker().Track([
            At(clicker, Noon, "/go", HitKind.LinkClick), At(clicker, Noon.AddSeconds(1), "/landing"),
            At(reader, Noon, "/post"), At(reader, Noon.AddSeconds(30), "/post", HitKind.Event)]));

        var byVisitor = visits.ToDictionary(v => v.Entry.VisitorId);
        Assert.That((byVisitor[clicker].LinkClicks, byVisitor[clicker].Pageviews, byVisitor[clicker].IsBounce), Is.EqualTo((1u, 1u, true)));
        Assert.That((byVisitor[reader].Events, byVisitor[reader].Pageviews, byVisitor[reader].IsBounce), Is.EqualTo((1u, 1u, false)));
    }

    [Test]
    public void Memory_stays_bounded_and_ended_visits_are_let_go()
    {
        var tracker = NewTracker(maxVisits: 1_000);

        for (var minute = 0; minute < 10; minute++)
        {
            tracker.Track([.. Enumerable.Range(0, 500).Select(_ => At(Guid.NewGuid(), Noon.AddMinutes(minute)))]);
            Assert.That(tracker.Count, Is.LessThanOrEqualTo(1_000));
        }
        tracker.Track([At(Guid.NewGuid(), Noon.AddHours(2))]);

        Assert.That(tracker.Count, Is.EqualTo(1), "every visit idle for 30 minutes or more was let go");
    }

    [Test]
    public void A_forgotten_visit_is_not_continued()
    {
        var visitor = Guid.NewGuid();
        var tracker = NewTracker();
        var first = tracker.Track([At(visitor, Noon)]);

        tracker.Forget(first);
        var second = tracker.Track([At(visitor, Noon.AddMinutes(1))]);

        Assert.That(second.Select(r => (r.Sign, r.Version)), Is.EqualTo(new[] { ((sbyte)1, 1u) }));
        Assert.That(second[0].SessionId, Is.Not.EqualTo(first[0].SessionId));
    }

    /// <summary>The row's bytes as the sessions table receives them.</summary>
    private static byte[] Encoded(SessionRow row)
    {
        var output = new ArrayBufferWriter<byte>();
        SessionRowBinaryEncoder.Encode([row], output, new RetentionOptions());
        return output.WrittenSpan.ToArray();
    }
}
