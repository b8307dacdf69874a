using System.Globalization;
using System.Text;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Bench.Sections;

/// <summary>Counts the hits a stopped collector left in its data folder (opened here, after the collector let go of it).</summary>
public static class StoredHits
{
    public static long Count(string collectorDataDirectory, string database = "analytics")
    {
        // `analytics run --data DIR` keeps the engine's files in DIR/clickhouse.
        using var engine = ChDbEngine.Open(Path.Combine(collectorDataDirectory, "clickhouse"), DependencyCache.PathOf("chdb/libchdb.so"));
        var text = Encoding.UTF8.GetString(engine.Query($"SELECT count() FROM {database}.hits"));
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What a stopped collector stored for one site: rows, distinct hit IDs, the hits its hourly rollup counts
    /// (human and bot), and the distinct page paths (the soak gives every beacon its own path, so a path stored
    /// twice is a hit stored twice).
    /// </summary>
    public static StoredSite Site(string collectorDataDirectory, string site, string database = "analytics")
    {
        using var engine = ChDbEngine.Open(Path.Combine(collectorDataDirectory, "clickhouse"), DependencyCache.PathOf("chdb/libchdb.so"));
        var siteId = $"site_id = '{site.Replace("'", "", StringComparison.Ordinal)}'";
        var where = $"FROM {database}.hits WHERE {siteId}";
        var counts = Encoding.UTF8.GetString(engine.Query(
            $"SELECT count(), uniqExact(hit_id), (SELECT sum(hits) + sum(bot_hits) FROM {database}.rollup_site_hourly WHERE {siteId}) {where} FORMAT TabSeparated")).Trim().Split('\t');
        var paths = Encoding.UTF8.GetString(engine.Query($"SELECT DISTINCT path {where} FORMAT TabSeparated"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var numbers = counts.Select(c => long.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        return new StoredSite(numbers[0], numbers[1], numbers[2], paths);
    }
}

/// <summary>One site's stored hits: rows, distinct hit IDs, the hits its hourly rollup counts, distinct paths.</summary>
public sealed record StoredSite(long Rows, long DistinctHitIds, long RollupHits, IReadOnlySet<string> Paths)
{
    public int DistinctPaths => Paths.Count;
}
