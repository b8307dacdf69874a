using System.Globalization;
using System.Text;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse.ChDb;

namespace Analytics.Host.Bench.Sections;

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
}
