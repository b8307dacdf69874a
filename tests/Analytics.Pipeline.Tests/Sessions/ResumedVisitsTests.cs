using System.Globalization;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Tests.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Tests.Sessions;

/// <summary>
/// Property: hits written by one store, or by two in turn (a restart: the second a new tracker that takes back the
/// visits stored open; a Kafka partition handed between aggregators), make the same visits, row for row, and rollups
/// equal to them.
/// </summary>
[TestFixtureSource(typeof(Transports), nameof(Transports.All))]
public class ResumedVisitsTests(ClickHouseMode mode)
{
    // Every visit, as the sessions table holds it once collapsed, every column but the version it reached.
    private const string Visits = "SELECT * EXCEPT (version, sign) FROM {db}.sessions FINAL ORDER BY session_id";

    [Test]
    public async Task A_restart_between_two_batches_changes_no_visit()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        // In time order: a hit earlier than the newest stored one by more than the timeout could only join a
        // visit the tracker had not swept yet, which neither a restart nor the same tracker promises.
        var hits = RollupConsistencyTests.RandomTraffic(random, visitors: 150, hits: 3_000).OrderBy(h => h.Timestamp).ToList();
        var batches = Batches(random, hits);
        // A restart where a visit open before it continues after it (the traffic has long quiet spells per visitor).
        var restarts = Enumerable.Range(batches.Count / 4, batches.Count / 2).Where(i => ContinuesAVisit(batches, i)).ToList();
        Assert.That(restarts, Is.Not.Empty, $"no batch continues a visit (seed {seed})");
        var restartAt = restarts[random.Next(restarts.Count)];

        var unbroken = await Transports.NewMigratedDatabaseAsync(mode);
        await WriteAsync(new HitStore(unbroken), batches);

        var restarted = await Transports.NewMigratedDatabaseAsync(mode);
        await WriteAsync(new HitStore(restarted), batches[..restartAt]);
        var store = new HitStore(restarted);
        var resumed = await store.ResumeOpenVisitsAsync(CancellationToken.None);
        await WriteAsync(store, batches[restartAt..]);

        var cut = await Transports.NewMigratedDatabaseAsync(mode);
        await WriteAsync(new HitStore(cut), batches[..restartAt]);
        await WriteAsync(new HitStore(cut), batches[restartAt..]);

        TestContext.Out.WriteLine($"restart before batch {restartAt} of {batches.Count}: {resumed} visits taken back");
        Assert.That(resumed, Is.Positive);
        var expected = await RollupConsistencyTests.TextAsync(unbroken, Visits);
        Assert.That(await RollupConsistencyTests.TextAsync(restarted, Visits), Is.EqualTo(expected), $"seed {seed}");
        Assert.That(await RollupConsistencyTests.TextAsync(cut, Visits), Is.Not.EqualTo(expected), "without taking the visits back the restart cuts some in two");
        foreach (var (name, fromRollup, fromRaw) in RollupConsistencyTests.Checks)
        {
            Assert.That(await RollupConsistencyTests.TextAsync(restarted, fromRollup), Is.EqualTo(await RollupConsistencyTests.TextAsync(restarted, fromRaw)), $"{name} (seed {seed})");
        }
    }

    /// <summary>
    /// Kafka: a partition read by one aggregator, then by another (the first killed or rebalanced away), then by the
    /// first again in a new turn, its tracker still holding the visits as it left them.
    /// </summary>
    [Test]
    public async Task A_partition_handed_between_aggregators_changes_no_visit()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var hits = RollupConsistencyTests.RandomTraffic(random, visitors: 150, hits: 3_000).OrderBy(h => h.Timestamp).ToList();
        var batches = Batches(random, hits);
        var handovers = Enumerable.Range(batches.Count / 4, batches.Count / 2).Where(i => ContinuesAVisit(batches, i)).ToList();
        Assert.That(handovers, Has.Count.GreaterThanOrEqualTo(2), $"fewer than two batches continue a visit (seed {seed})");
        var picked = handovers.OrderBy(_ => random.Next()).Take(2).Order().ToList();
        var (second, third) = (picked[0], picked[1]);
        TestContext.Out.WriteLine($"handed over before batches {second} and {third} of {batches.Count}");

        var unbroken = await Transports.NewMigratedDatabaseAsync(mode);
        await WriteAsync(new HitStore(unbroken), batches);

        var handed = await Transports.NewMigratedDatabaseAsync(mode);
        var first = new HitStore(handed);
        await WriteAsync(first, batches[..second], assignment: 1);
        await WriteAsync(new HitStore(handed), batches[second..third], assignment: 1);
        await WriteAsync(first, batches[third..], assignment: 2);

        var expected = await RollupConsistencyTests.TextAsync(unbroken, Visits);
        Assert.That(await RollupConsistencyTests.TextAsync(handed, Visits), Is.EqualTo(expected), $"seed {seed}");
        var cancelled = await RollupConsistencyTests.TextAsync(handed, "SELECT count() FROM (SELECT session_id, version FROM {db}.sessions GROUP BY ALL HAVING sum(sign) < 0)");
        Assert.That(cancelled, Is.EqualTo("0\n"), "a row cancelling a state that was never stored");
        foreach (var (name, fromRollup, fromRaw) in RollupConsistencyTests.Checks)
        {
            Assert.That(await RollupConsistencyTests.TextAsync(handed, fromRollup), Is.EqualTo(await RollupConsistencyTests.TextAsync(handed, fromRaw)), $"{name} (seed {seed})");
        }
    }

    /// <summary>
    /// The visits taken back are the states the engine itself keeps once it has collapsed the sessions table (FINAL):
    /// each open visit's newest state, whichever of its older states are still stored beside it, none whose newest
    /// state a row cancels, before and after a merge has folded the pairs away; also when the last visit was
    /// days ago (a restart after a quiet spell, or a replay of old hits).
    /// </summary>
    /// <param name="hoursAgo">When the traffic began: it lasts about 37 hours.</param>
    [TestCase(40)]
    [TestCase(24 * 12)]
    public async Task The_visits_taken_back_are_the_open_states_the_engine_keeps(int hoursAgo)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var hits = RollupConsistencyTests.RandomTraffic(random, visitors: 150, hits: 3_000, start: DateTime.UtcNow.AddHours(-hoursAgo)).OrderBy(h => h.Timestamp).ToList();
        var db = await Transports.NewMigratedDatabaseAsync(mode);
        var store = new HitStore(db);
        await WriteAsync(store, Batches(random, hits));
        // At least one open visit grown over three batches: versions 1 to 3 stored, two of them cancelled.
        var regular = Guid.NewGuid();
        for (var minute = 1; minute <= 3; minute++)
        {
            await store.WriteAsync(new HitBatch([TestHits.At(regular, hits[^1].Timestamp.AddMinutes(minute), "/grown")], $"grown/{minute}"), CancellationToken.None);
        }
        const string Open = """
            WITH (SELECT max(ended_at) FROM {db}.sessions) - INTERVAL 30 MINUTE AS since
            SELECT session_id, version, pageviews, ended_at FROM {db}.sessions FINAL
            WHERE started_at >= since - INTERVAL 1 DAY AND ended_at >= since AND visitor_id != toUUID('00000000-0000-0000-0000-000000000000') AND sign = 1
            ORDER BY toString(session_id)
            """;
        var grown = await RollupConsistencyTests.TextAsync(db, "SELECT count() FROM (" + Open.Replace("FINAL", "", StringComparison.Ordinal) + ") WHERE version > 1");
        Assert.That(int.Parse(grown, CultureInfo.InvariantCulture), Is.Positive, $"no open visit grew over batches (seed {seed})");
        // Two open visits whose newest state a row cancels, with no state after it: FINAL drops such a visit, so must the take-back.
        await RollupConsistencyTests.TextAsync(db, $"""
            INSERT INTO {"{db}"}.sessions SELECT * REPLACE (toInt8(-1) AS sign) FROM {"{db}"}.sessions FINAL
            WHERE session_id IN (SELECT session_id FROM ({Open}) ORDER BY cityHash64(session_id, {seed}) LIMIT 2)
            """);

        foreach (var merged in new[] { false, true })
        {
            if (merged)
            {
                await RollupConsistencyTests.TextAsync(db, "OPTIMIZE TABLE {db}.sessions FINAL");
            }
            var expected = await RollupConsistencyTests.TextAsync(db, Open);
            var taken = await StoredVisits.OpenAsync(db, TimeSpan.FromMinutes(30), 10_000, CancellationToken.None);
            var text = string.Concat(taken.OrderBy(v => v.SessionId.ToString(), StringComparer.Ordinal).Select(v =>
                string.Create(CultureInfo.InvariantCulture, $"{v.SessionId}\t{v.Version}\t{v.Pageviews}\t{v.EndedAt:yyyy-MM-dd HH:mm:ss.fff}\n")));
            Assert.That(expected, Is.Not.Empty);
            Assert.That(text, Is.EqualTo(expected), $"merged: {merged} (seed {seed})");
        }
    }

    [Test]
    public async Task Every_column_of_a_resumed_visit_comes_back_as_stored()
    {
        var db = await Transports.NewMigratedDatabaseAsync(mode);
        var visitor = Guid.NewGuid();
        var start = DateTime.UtcNow.AddMinutes(-10);
        var entry = TestHits.At(visitor, start, "/landing");
        entry.IsNewVisitor = true;
        entry.Referrer = "https://news.example/story";
        entry.Source = "news.example";
        entry.Channel = "referral";
        entry.UtmSource = "s";
        entry.UtmMedium = "m";
        entry.UtmCampaign = "c";
        entry.UtmTerm = "t";
        entry.UtmContent = "x";
        entry.Region = "DE-BE";
        entry.City = "Berlin";
        entry.BrowserVersion = "133";
        entry.Os = "Linux";
        entry.OsVersion = "6";
        entry.ScreenWidth = 1280;
        entry.Language = "de";
        await new HitStore(db).WriteAsync(new HitBatch([entry], "first"), CancellationToken.None);

        var stored = await StoredVisits.OpenAsync(db, TimeSpan.FromMinutes(30), 1_000, CancellationToken.None);
        var store = new HitStore(db);
        await store.ResumeOpenVisitsAsync(CancellationToken.None);
        await store.WriteAsync(new HitBatch([TestHits.At(visitor, start.AddMinutes(5), "/next")], "second"), CancellationToken.None);

        Assert.That(stored.Select(r => (r.SessionId, r.Version, r.Entry.City, r.Entry.ScreenWidth, r.Entry.IsNewVisitor)),
            Is.EqualTo(new[] { (entry.HitId, 1u, "Berlin", (ushort)1280, true) }));
        // The cancelling row repeats the stored state in every column: the views' sums and the engine's collapsing
        // then take out exactly what the first state put in.
        var states = await RollupConsistencyTests.TextAsync(db, "SELECT * EXCEPT (sign) FROM {db}.sessions WHERE version = 1 ORDER BY sign");
        var lines = states.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Is.EqualTo(lines[1]));
        Assert.That(await RollupConsistencyTests.TextAsync(db, "SELECT count(), sum(pageviews) FROM {db}.sessions FINAL"), Is.EqualTo("1\t2\n"));
    }

    /// <summary>Whether a hit of batch <paramref name="at"/> comes within 30 minutes of its visitor's last hit before it.</summary>
    private static bool ContinuesAVisit(List<List<Hit>> batches, int at)
    {
        var last = batches[..at].SelectMany(b => b).GroupBy(h => (h.VisitorId, h.IsBot)).ToDictionary(g => g.Key, g => g.Max(h => h.Timestamp));
        return batches[at].Any(h => h.VisitorId != Guid.Empty && last.TryGetValue((h.VisitorId, h.IsBot), out var before) && h.Timestamp - before < TimeSpan.FromMinutes(30));
    }

    private static List<List<Hit>> Batches(Random random, List<Hit> hits)
    {
        var batches = new List<List<Hit>>();
        for (var offset = 0; offset < hits.Count;)
        {
            var size = Math.Min(random.Next(1, 200), hits.Count - offset);
            batches.Add(hits.GetRange(offset, size));
            offset += size;
        }
        return batches;
    }

    /// <summary>Writes the batches, each under a token of its own (its first hit's ID), as a replayable source names them.</summary>
    private static async Task WriteAsync(HitStore store, IEnumerable<List<Hit>> batches, int? assignment = null)
    {
        foreach (var batch in batches)
        {
            // Copies: each store's tracker stamps the hits with their visits.
            await store.WriteAsync(new HitBatch([.. batch.Select(Copy)], $"batch/{batch[0].HitId}") { Assignment = assignment }, CancellationToken.None);
        }
    }

    /// <summary>The hit as a message carries it (every field but the visit the tracker stamps on it).</summary>
    private static Hit Copy(Hit hit) => HitCodec.TryDecode(HitCodec.Encode(hit), out var copy, out var reason) ? copy : throw new InvalidOperationException(reason);
}
