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
        var sessions = $"FROM {database}.sessions WHERE {siteId}";
        var visits = Encoding.UTF8.GetString(engine.Query(
            $"SELECT (SELECT uniqExact(visitor_id, is_bot) {where}), (SELECT countIf(c = 1) FROM (SELECT count() c {where} GROUP BY visitor_id, is_bot))," +
            $" (SELECT sum(sign) {sessions}), (SELECT sum(sign * pageviews) {sessions}), (SELECT sum(sign * is_bounce) {sessions}), (SELECT sum(sign * duration) {sessions})," +
            $" (SELECT countIf(sign = -1) FROM {database}.sessions FINAL WHERE {siteId})," +
            $" (SELECT sum(visits), sum(bounces), sum(visit_duration) FROM {database}.rollup_site_hourly WHERE {siteId}) FORMAT TabSeparated"))
            .Trim().Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal).Split('\t', ',')
            .Select(c => long.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        return new StoredSite(numbers[0], numbers[1], numbers[2], paths, new StoredVisits(
            visits[0], visits[1], visits[2], visits[3], visits[4], visits[5], visits[6], new RollupVisits(visits[7], visits[8], visits[9])));
    }
}

/// <summary>One site's stored hits: rows, distinct hit IDs, the hits its hourly rollup counts, distinct paths, and its visits.</summary>
public sealed record StoredSite(long Rows, long DistinctHitIds, long RollupHits, IReadOnlySet<string> Paths, StoredVisits Visits)
{
    public int DistinctPaths => Paths.Count;
}

/// <summary>
/// One site's visits: in `hits`, its distinct visitors and those with one hit; in `sessions` (sign-weighted, as every
/// query reads them), its visits, their pageviews, bounces and seconds, and the states left cancelling none once
/// collapsed (<paramref name="Unmatched"/>); and what its hourly rollup counts.
/// </summary>
public sealed record StoredVisits(
    long Visitors, long OneHitVisitors, long Visits, long Pageviews, long Bounces, long Duration, long Unmatched, RollupVisits Rollup);

/// <summary>The visits, bounces and seconds of visits an hourly rollup counts.</summary>
public sealed record RollupVisits(long Visits, long Bounces, long Duration);
