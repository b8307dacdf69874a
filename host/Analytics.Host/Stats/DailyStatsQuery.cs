using System.Text.Json;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Stats;

/// <summary>Pageviews and unique visitors per day for one site (bots excluded).</summary>
public sealed class DailyStatsQuery(IClickHouse clickHouse)
{
    public async Task<IReadOnlyList<DailyStats>> RunAsync(string siteId, CancellationToken cancellationToken)
    {
        var output = await clickHouse.QueryAsync(
            $$"""
            SELECT toString(toDate(timestamp)) AS date,
                   countIf(kind = 1) AS pageviews,
                   uniqExactIf(visitor_id, visitor_id != toUUID('00000000-0000-0000-0000-000000000000')) AS visitors
            FROM {{clickHouse.Database}}.hits
            WHERE site_id = {site:String} AND NOT is_bot
            GROUP BY date
            ORDER BY date
            """,
            "JSONEachRow",
            new Dictionary<string, string> { ["site"] = siteId },
            cancellationToken);
        var days = new List<DailyStats>();
        foreach (var line in new StreamReader(new MemoryStream(output)).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            days.Add(JsonSerializer.Deserialize(line, StatsJsonContext.Default.DailyStats)!);
        }
        return days;
    }
}

/// <summary>One day of one site.</summary>
public sealed record DailyStats(string Date, long Pageviews, long Visitors);
