using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Partners.Tests.Rollups;

/// <summary>Writes hits and visits the way the aggregator does, so the materialized views fill the rollups.</summary>
public sealed class RollupData(IClickHouse db)
{
    public List<Guid> VisitorIds { get; } = [];

    /// <summary><paramref name="visitors"/> new visitors each viewing <paramref name="path"/> <paramref name="views"/> times, in one visit from <paramref name="city"/>.</summary>
    public async Task<List<Guid>> VisitAsync(DateOnly day, string path, int visitors, int views = 1,
        string country = "FR", string city = "Paris", string channel = "search", IReadOnlyList<Guid>? same = null, string site = "demo")
    {
        var ids = same?.ToList() ?? Enumerable.Range(0, visitors).Select(_ => Guid.NewGuid()).ToList();
        VisitorIds.AddRange(ids);
        var hits = new StringBuilder();
        var sessions = new StringBuilder();
        var at = day.ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc);
        foreach (var visitor in ids)
        {
            var session = Guid.NewGuid();
            for (var v = 0; v < views; v++)
            {
                hits.AppendLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["site_id"] = site,
                    ["timestamp"] = Time(at.AddSeconds(v)),
                    ["hit_id"] = v == 0 ? session : Guid.NewGuid(),
                    ["visitor_id"] = visitor,
                    ["kind"] = 1,
                    ["hostname"] = "localhost",
                    ["path"] = path,
                    ["country"] = country,
                    ["city"] = city,
                    ["channel"] = channel,
                }));
            }
            sessions.AppendLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["site_id"] = site,
                ["visitor_id"] = visitor,
                ["session_id"] = session,
                ["sign"] = 1,
                ["version"] = 1,
                ["started_at"] = Time(at),
                ["ended_at"] = Time(at.AddSeconds(views - 1)),
                ["duration"] = views - 1,
                ["hits"] = views,
                ["pageviews"] = views,
                ["is_bounce"] = views == 1,
                ["hostname"] = "localhost",
                ["entry_page"] = path,
                ["exit_page"] = path,
                ["channel"] = channel,
                ["country"] = country,
                ["city"] = city,
            }));
        }
        await db.InsertAsync($"{db.Database}.hits", "JSONEachRow", Encoding.UTF8.GetBytes(hits.ToString()));
        await db.InsertAsync($"{db.Database}.sessions", "JSONEachRow", Encoding.UTF8.GetBytes(sessions.ToString()));
        return ids;
    }

    private static string Time(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
