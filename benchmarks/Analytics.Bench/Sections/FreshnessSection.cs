using System.Diagnostics;
using Analytics.Analysts.Access;
using Analytics.Bench.Load;
using Analytics.Bench.Report;
using Analytics.Bench.Servers;

namespace Analytics.Bench.Sections;

/// <summary>
/// Freshness under steady load: while wrk holds a steady beacon load on the main site, one probe at a
/// time sends a beacon for a site nobody else writes to and polls the stats API until the count moves.
/// The time from the probe's answer to the count moving is its freshness.
/// </summary>
public sealed class FreshnessSection(BeaconSection beacon, TextWriter log)
{
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(10);

    /// <param name="collector">Takes the load and the probes.</param>
    /// <param name="rate">Steady load, requests/s.</param>
    /// <param name="duration">How long the load and the probes run.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <param name="stats">Serves the stats API when it is not <paramref name="collector"/> (the aggregator role, roles apart).</param>
    /// <param name="statsKey">A stats API key for the probe site on <paramref name="stats"/>.</param>
    public async Task<FreshnessFigures> RunAsync(CollectorServer collector, double rate, TimeSpan duration, CancellationToken cancellationToken, CollectorServer? stats = null, string? statsKey = null)
    {
        // The daily totals need a stats API key, like every stats request: one for the probe site, in the host's keys file.
        var key = statsKey ?? new ApiKeyStore(Path.Combine(collector.DataDirectory, "keys.json")).Create([CollectorServer.FreshnessSite], "bench freshness").Secret;
        using var client = new CollectorClient((stats ?? collector).BaseUrl, key);
        using var beacons = stats is null ? null : new CollectorClient(collector.BaseUrl);
        var baseline = await client.PageviewsAsync(CollectorServer.FreshnessSite, cancellationToken);
        var load = beacon.SteadyAsync(collector, rate, duration, cancellationToken);
        var samples = new List<double>();
        var missed = 0;
        var until = DateTime.UtcNow + duration - TimeSpan.FromSeconds(1);
        var probe = 0;
        while (DateTime.UtcNow < until && !load.IsCompleted)
        {
            probe++;
            var url = Uri.EscapeDataString($"https://{BeaconMix.SiteHost}/fresh/{probe}");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/i.gif?site={CollectorServer.FreshnessSite}&url={url}");
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");
            using (var response = await (beacons ?? client).Http.SendAsync(request, cancellationToken))
            {
                response.EnsureSuccessStatusCode();
            }
            var answered = Stopwatch.GetTimestamp();
            var expected = baseline + probe;
            var seen = false;
            while (Stopwatch.GetElapsedTime(answered) < ProbeDeadline)
            {
                var count = await client.PageviewsAsync(CollectorServer.FreshnessSite, cancellationToken);
                if (count >= expected)
                {
                    seen = true;
                    break;
                }
                await Task.Delay(5, cancellationToken);
            }
            if (seen)
            {
                samples.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            }
            else
            {
                missed++;
                // A probe that never showed must not make the next ones look late.
                baseline = await client.PageviewsAsync(CollectorServer.FreshnessSite, cancellationToken) - probe;
            }
        }
        var (result, _) = await load;
        beacon.AddAnswered(collector.Key, probe);
        log.WriteLine($"  freshness: {samples.Count} probes at {result.RequestsPerSecond:N0} req/s, p50 {Stat.Median(samples):0} ms, p99 {Stat.Percentile(samples, 99):0} ms, missed {missed}");
        return new FreshnessFigures(result.RequestsPerSecond, samples.Count, missed, Stat.Median(samples), Stat.Percentile(samples, 99), samples.DefaultIfEmpty(0).Max());
    }
}
