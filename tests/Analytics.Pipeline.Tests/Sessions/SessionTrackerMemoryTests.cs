using System.Buffers;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Sessions;

/// <summary>
/// What an open visit costs in memory: the embedded host holds every visit of the last 30 minutes, and
/// under beacon load these visits were most of its heap (docs/capacity.md, "Memory of the embedded host").
/// </summary>
[NonParallelizable]
public class SessionTrackerMemoryTests
{
    private static SessionTracker NewTracker() =>
        new(Options.Create(new SessionOptions { MaxTrackedVisits = 1_000_000 }));

    /// <summary>A hit as the transport decodes it: every string a fresh copy, a title and props.</summary>
    private static Hit Decoded(Guid visitor, DateTime timestamp, int n)
    {
        var hit = At(visitor, timestamp, Copy("/docs/export-performance-") + n);
        hit.Title = Copy("Export performance: how the pipeline stays fast, part ") + n;
        hit.Referrer = Copy("https://www.google.com/");
        hit.Props = new Dictionary<string, string> { [Copy("plan")] = Copy("pro"), [Copy("theme")] = Copy("dark") };
        hit.Hostname = Copy("www.example.com");
        hit.Source = Copy("Google");
        hit.Channel = Copy("search");
        hit.UtmSource = Copy("newsletter");
        hit.UtmMedium = Copy("email");
        hit.UtmCampaign = Copy("winter-sale");
        hit.Country = Copy("DE");
        hit.Region = Copy("BE");
        hit.City = Copy("Berlin");
        hit.Browser = Copy("Firefox");
        hit.BrowserVersion = Copy("133.0");
        hit.Os = Copy("Linux");
        hit.OsVersion = Copy("6.1");
        hit.DeviceType = Copy("desktop");
        hit.Language = Copy("de-DE");
        return hit;
    }

    private static string Copy(string value) => new(value.AsSpan());

    [Test]
    public void An_open_visit_keeps_the_fields_its_session_rows_are_written_from_and_not_the_hit()
    {
        var hit = Decoded(Guid.NewGuid(), Noon, 1);
        var original = new SessionRow { Entry = hit, SessionId = hit.HitId, Sign = 1, Version = 1, StartedAt = Noon, EndedAt = Noon, ExitPage = hit.Path, Hits = 1, Pageviews = 1, Events = 0, LinkClicks = 0 };

        var row = NewTracker().Track([hit]).Single();

        Assert.That(row.Entry, Is.Not.SameAs(hit));
        Assert.That(row.Entry.Title, Is.Empty);
        Assert.That(row.Entry.Props, Is.Empty);
        Assert.That(Encoded(row), Is.EqualTo(Encoded(original)), "the session row's bytes are those written from the hit itself");
    }

    [Test]
    public void Open_visits_share_one_copy_of_each_dimension_string()
    {
        var tracker = NewTracker();

        var rows = tracker.Track([Decoded(Guid.NewGuid(), Noon, 1), Decoded(Guid.NewGuid(), Noon, 2)]);

        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows[0].Entry.Browser, Is.SameAs(rows[1].Entry.Browser));
        Assert.That(rows[0].Entry.City, Is.SameAs(rows[1].Entry.City));
        Assert.That(rows[0].Entry.SiteId, Is.SameAs(rows[1].Entry.SiteId));
    }

    [Test]
    public void A_hundred_thousand_open_visits_on_a_thousand_pages_take_under_150_bytes_each()
    {
        // The object per visit with its compact entry measured 706 bytes per visit here; the visit as a value 122.
        var perVisit = BytesPerOpenVisit(visits: 100_000, pages: 1_000);

        Assert.That(perVisit, Is.LessThan(150));
    }

    [Test]
    public void A_hundred_thousand_open_visits_each_on_a_page_of_its_own_take_under_300_bytes_each()
    {
        // The worst case for the string table: every visit holds a page string no other visit has (about 90
        // bytes of it is the string itself). The object per visit measured 715 bytes, the value 276.
        var perVisit = BytesPerOpenVisit(visits: 100_000, pages: 100_000);

        Assert.That(perVisit, Is.LessThan(300));
    }

    [Test]
    public void Strings_and_entry_groups_are_let_go_with_the_last_visit_holding_them()
    {
        var tracker = NewTracker();
        tracker.Track([.. Enumerable.Range(0, 1_000).Select(n => Decoded(Guid.NewGuid(), Noon, n))]);
        Assert.That(tracker.SharedValues.Strings, Is.GreaterThan(1_000), "a page string per visit and the shared ones");

        // A hit two hours later: every other visit ended and is swept.
        tracker.Track([Decoded(Guid.NewGuid(), Noon.AddHours(2), 1)]);

        Assert.That(tracker.Count, Is.EqualTo(1));
        // What the one open visit holds: its site, page and referrer, the 15 non-empty strings of its entry's
        // source, place and device, and one of each of those groups.
        Assert.That(tracker.SharedValues, Is.EqualTo((Strings: 18, Sources: 1, Places: 1, Devices: 1)));
    }

    /// <summary>
    /// Heap bytes per open visit of a tracker fed decoded hits of fresh visitors, in batches of 10,000, with
    /// places and devices varied so that their combination is nearly unique per visit (as in real traffic).
    /// </summary>
    private static long BytesPerOpenVisit(int visits, int pages)
    {
        var tracker = NewTracker();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        Feed(tracker, visits, pages);
        var perVisit = (GC.GetTotalMemory(forceFullCollection: true) - before) / visits;

        TestContext.Out.WriteLine($"{perVisit} bytes per open visit ({visits:N0} visits on {pages:N0} pages)");
        Assert.That(tracker.Count, Is.EqualTo(visits));
        GC.KeepAlive(tracker);
        return perVisit;
    }

    /// <summary>
    /// The hits and rows of the last batch are out of reach once this returns: in a Debug build the JIT keeps a
    /// method's locals alive to its end, so measured in the same method they counted as the tracker's memory.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Feed(SessionTracker tracker, int visits, int pages)
    {
        for (var batch = 0; batch < visits / 10_000; batch++)
        {
            var hits = new List<Hit>(10_000);
            for (var i = 0; i < 10_000; i++)
            {
                var n = batch * 10_000 + i;
                var hit = Decoded(Guid.NewGuid(), Noon.AddMilliseconds(i), n % pages);
                hit.Region = "R" + (n % 37);
                hit.City = "City " + (n % 401);
                hit.BrowserVersion = "13" + (n % 29);
                hit.OsVersion = "6." + (n % 17);
                hits.Add(hit);
            }
            tracker.Track(hits);
        }
    }

    private static byte[] Encoded(SessionRow row)
    {
        var output = new ArrayBufferWriter<byte>();
        SessionRowBinaryEncoder.Encode([row], output, new RetentionOptions());
        return output.WrittenSpan.ToArray();
    }
}
