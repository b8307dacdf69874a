using System.Globalization;
using System.Text.Json;

namespace Analytics.Bench.Sections;

/// <summary>What the harness asks a running collector: stored pageviews per site, and its /metrics counters.</summary>
public sealed class CollectorClient(Uri baseUrl, string? statsKey = null) : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _client;

    /// <summary>Pageviews of the site through the stats API (all days), with the stats API key given at construction.</summary>
    public async Task<long> PageviewsAsync(string site, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/stats/daily?site={Uri.EscapeDataString(site)}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", statsKey);
        using var response = await _client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return json.RootElement.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("pageviews").GetInt64());
    }

    /// <summary>Hits the collector handed to its transport, and those it answered but did not keep.</summary>
    public async Task<(long Accepted, long Rejected)> CountersAsync(CancellationToken cancellationToken)
    {
        var text = await _client.GetStringAsync("/metrics", cancellationToken);
        return ParseCounters(text);
    }

    /// <summary>A metric's value summed over its labels; null when the collector does not export it.</summary>
    public async Task<double?> MetricAsync(string name, CancellationToken cancellationToken)
    {
        var text = await _client.GetStringAsync("/metrics", cancellationToken);
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{'
                && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum = (sum ?? 0) + value;
            }
        }
        return sum;
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
