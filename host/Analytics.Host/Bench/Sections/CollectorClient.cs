using System.Globalization;
using System.Text.Json;

namespace Analytics.Host.Bench.Sections;

/// <summary>What the harness asks a running collector: stored pageviews per site, and its /metrics counters.</summary>
public sealed class CollectorClient(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _client;

    /// <summary>Pageviews of the site through the stats API (all days).</summary>
    public async Task<long> PageviewsAsync(string site, CancellationToken cancellationToken)
    {
        await using var stream = await _client.GetStreamAsync($"/api/stats/daily?site={Uri.EscapeDataString(site)}", cancellationToken);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return json.RootElement.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("pageviews").GetInt64());
    }

    /// <summary>Hits the collector handed to its transport, and those it answered but did not keep.</summary>
    public async Task<(long Accepted, long Rejected)> CountersAsync(CancellationToken cancellationToken)
    {
        var text = await _client.GetStringAsync("/metrics", cancellationToken);
        return ParseCounters(text);
    }

    internal static (long Accepted, long Rejected) ParseCounters(string metrics)
    {
        double accepted = 0, rejected = 0;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            if (line.StartsWith("analytics_hits_accepted_total", StringComparison.Ordinal))
            {
                accepted += value;
            }
            else if (line.StartsWith("analytics_hits_rejected_total", StringComparison.Ordinal))
            {
                rejected += value;
            }
        }
        return ((long)accepted, (long)rejected);
    }

    public void Dispose() => _client.Dispose();
}
