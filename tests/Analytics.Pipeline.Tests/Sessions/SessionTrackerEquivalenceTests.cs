using System.Buffers;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Microsoft.Extensions.Options;
using static Analytics.Pipeline.Tests.Sessions.TestHits;

namespace Analytics.Pipeline.Tests.Sessions;

/// <summary>
/// The compact tracker writes what the object-per-visit model writes: the same session rows (bytes and
/// entry hit), batch by batch, and the same visit on every hit, on seeded traffic with everything that
/// moves a visit: late hits, gaps of 30 minutes inside a batch, stragglers, bots, several sites, anonymous
/// hits, sweeps and visitors that come back after their visit was let go.
/// </summary>
public class SessionTrackerEquivalenceTests
{
    private static readonly string[] Pages = ["/", "/pricing", "/docs", "/blog/a", "/blog/b", ""];
    private static readonly string[] Browsers = ["Firefox", "Chrome", "Safari", ""];
    private static readonly string[] Referrers = ["", "https://www.google.com/", "https://news.ycombinator.com/item"];

    [Test]
    public void The_compact_tracker_writes_the_rows_of_the_object_per_visit_model()
    {
        var seed = TestContext.CurrentContext.Random.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var model = new ReferenceSessionTracker(new SessionOptions().InactivityTimeout);
        var visitors = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).Append(Guid.Empty).ToArray();
        var now = Noon;

        for (var batch = 0; batch < 200; batch++)
        {
            var hits = new List<Hit>();
            for (var i = random.Next(1, 60); i > 0; i--)
            {
                // Mostly forward in time, some late (up to an hour back) and some far in the past (stragglers).
                var offset = random.Next(10) switch
                {
                    0 => -TimeSpan.FromMinutes(random.Next(60)),
                    1 => -TimeSpan.FromMinutes(random.Next(60, 300)),
                    _ => TimeSpan.FromSeconds(random.Next(600)),
                };
                hits.Add(RandomHit(random, visitors[random.Next(visitors.Length)], now + offset));
            }
            now += TimeSpan.FromMinutes(random.Next(0, 12));
            var copies = hits.Select(Copy).ToList();

            var expected = model.Track(copies);
            var actual = tracker.Track(hits);

            Assert.That(actual.Select(Described).Order(), Is.EqualTo(expected.Select(Described).Order()), $"batch {batch}");
            Assert.That(hits.Select(h => h.SessionId), Is.EqualTo(copies.Select(h => h.SessionId)), $"batch {batch}: each hit's visit");
        }
    }

    private static Hit RandomHit(Random random, Guid visitor, DateTime timestamp)
    {
        var hit = At(visitor, timestamp, Pages[random.Next(Pages.Length)], (HitKind)random.Next(1, 4), isBot: random.Next(8) == 0, site: random.Next(3) == 0 ? "two" : "one");
        hit.Browser = Browsers[random.Next(Browsers.Length)];
        hit.Referrer = Referrers[random.Next(Referrers.Length)];
        hit.Source = hit.Referrer.Length > 0 ? "Google" : "";
        hit.City = random.Next(2) == 0 ? "Berlin" : "";
        hit.ScreenWidth = (ushort)(random.Next(2) * 1280);
        hit.IsNewVisitor = random.Next(2) == 0;
        hit.UtmCampaign = random.Next(5) == 0 ? "winter" : "";
        hit.Language = "de-DE";
        return hit;
    }

    private static Hit Copy(Hit hit) => new()
    {
        HitId = hit.HitId,
        SiteId = hit.SiteId,
        Timestamp = hit.Timestamp,
        VisitorId = hit.VisitorId,
        Kind = hit.Kind,
        Path = hit.Path,
        Hostname = hit.Hostname,
        IsBot = hit.IsBot,
        Browser = hit.Browser,
        DeviceType = hit.DeviceType,
        Country = hit.Country,
        Referrer = hit.Referrer,
        Source = hit.Source,
        City = hit.City,
        ScreenWidth = hit.ScreenWidth,
        IsNewVisitor = hit.IsNewVisitor,
        UtmCampaign = hit.UtmCampaign,
        Language = hit.Language,
    };

    /// <summary>A row as the sessions table receives it, plus its entry's fields that are not columns.</summary>
    private static string Described(SessionRow row)
    {
        var output = new ArrayBufferWriter<byte>();
        SessionRowBinaryEncoder.Encode([row], output, new RetentionOptions());
        return $"{Convert.ToHexString(output.WrittenSpan)} entry {row.Entry.HitId} {row.Entry.Kind} {row.Entry.Timestamp:O} {row.Entry.SessionId}";
    }
}
