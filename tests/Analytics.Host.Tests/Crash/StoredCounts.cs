using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Crash;

/// <summary>What storage holds for the site "demo": hits (rows, distinct hit IDs, distinct paths), visits and the rollups' pageviews.</summary>
public sealed record StoredCounts(long Rows, long DistinctHitIds, long DistinctPaths, long Visits, long RollupPageviews, IReadOnlySet<string> Paths)
{
    public static async Task<StoredCounts> ReadAsync(IClickHouse db)
    {
        var totals = Fields(await db.QueryAsync(
            $"SELECT (SELECT count() FROM {db.Database}.hits WHERE site_id = 'demo'), (SELECT uniqExact(hit_id) FROM {db.Database}.hits WHERE site_id = 'demo')," +
            $" (SELECT uniqExact(path) FROM {db.Database}.hits WHERE site_id = 'demo'), (SELECT sum(sign) FROM {db.Database}.sessions WHERE site_id = 'demo')," +
            $" (SELECT sum(pageviews) FROM {db.Database}.rollup_site_hourly WHERE site_id = 'demo')",
            "TabSeparated"));
        var paths = Encoding.UTF8.GetString(await db.QueryAsync($"SELECT DISTINCT path FROM {db.Database}.hits WHERE site_id = 'demo'", "TabSeparated"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return new StoredCounts(totals[0], totals[1], totals[2], totals[3], totals[4], paths);
    }

    /// <summary>Polls until at least <paramref name="expected"/> hits are stored and the count held still for two seconds (60 s at most).</summary>
    public static async Task WaitForAsync(IClickHouse db, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var (last, stillSince) = (-1L, DateTime.UtcNow);
        while (DateTime.UtcNow < deadline)
        {
            var rows = Fields(await db.QueryAsync($"SELECT count() FROM {db.Database}.hits WHERE site_id = 'demo'", "TabSeparated"))[0];
            if (rows != last)
            {
                (last, stillSince) = (rows, DateTime.UtcNow);
            }
            else if (rows >= expected && DateTime.UtcNow - stillSince >= TimeSpan.FromSeconds(2))
            {
                return;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Every answered beacon stored, nothing stored twice (rows = distinct hit IDs = distinct paths, each
    /// path sent once), visits and rollups counting each hit once, nothing stored that was never sent.
    /// </summary>
    public void AssertEachAnsweredBeaconStoredOnce(BeaconLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        TestContext.Out.WriteLine($"answered {load.Answered.Count}, unanswered {load.Unanswered.Count}; stored rows {Rows}, distinct hit IDs {DistinctHitIds}, distinct paths {DistinctPaths}, visits {Visits}, rollup pageviews {RollupPageviews}");
        Assert.Multiple(() =>
        {
            Assert.That(load.Answered.Where(path => !Paths.Contains(path)).ToList(), Is.Empty, "answered but not stored");
            Assert.That(Paths.Except(load.Answered).Except(load.Unanswered).ToList(), Is.Empty, "stored but never sent");
            Assert.That(DistinctHitIds, Is.EqualTo(Rows), "a hit ID stored twice");
            Assert.That(DistinctPaths, Is.EqualTo(Rows), "a beacon stored twice");
            Assert.That(Visits, Is.EqualTo(Rows), "visits (one per beacon: no cookies)");
            Assert.That(RollupPageviews, Is.EqualTo(Rows), "rollup pageviews");
        });
    }

    private static long[] Fields(byte[] output) =>
        [.. Encoding.UTF8.GetString(output).Trim().Split('\t').Select(f => long.Parse(f, CultureInfo.InvariantCulture))];
}
