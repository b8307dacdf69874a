using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Options;

namespace Analytics.Analysts.Api;

/// <summary>
/// Visitors and pageviews in the last five minutes. The hits table is sorted by site and day, so the
/// query reads only today's newest parts; the answer is reused for a couple of seconds per site, so any
/// number of dashboards polling costs one query per site per interval.
/// </summary>
public sealed class RealtimeQuery(IClickHouse clickHouse, IOptions<AnalystsOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Realtime Value)> _cache = new(StringComparer.Ordinal);

    public async Task<Realtime> RunAsync(string siteId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(siteId, out var cached) && now - cached.At < options.Value.RealtimeCacheFor)
        {
            return cached.Value;
        }
        var since = now - Window;
        var output = await clickHouse.QueryAsync(
            $"""
            SELECT uniq(if(visitor_id = toUUID('00000000-0000-0000-0000-000000000000'), hit_id, visitor_id)), countIf(kind = 1)
            FROM {clickHouse.Database}.hits
            WHERE site_id = {"{site:String}"} AND NOT is_bot
              AND toDate(timestamp) >= toDate(fromUnixTimestamp64Milli({"{since:Int64}"}, 'UTC'))
              AND timestamp >= fromUnixTimestamp64Milli({"{since:Int64}"}, 'UTC')
            """,
            "TabSeparated",
            new Dictionary<string, string> { ["site"] = siteId, ["since"] = since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        var fields = Encoding.UTF8.GetString(output).Trim().Split('\t');
        var value = new Realtime(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
        _cache[siteId] = (now, value);
        return value;
    }
}

/// <summary>Activity in the last five minutes.</summary>
public sealed record Realtime(long Visitors, long Pageviews);
