using System.Diagnostics;
using System.Globalization;
using Analytics.Bench.Load;
using Analytics.Bench.Servers;

namespace Analytics.Bench.Soak;

/// <summary>
/// The soak's load: the harness's own client sends beacons at a fixed rate (open loop: request n leaves
/// at n / rate seconds, whatever the server does), each for its own page `/soak/N`, and remembers which
/// were answered 200. wrk cannot say which request a response answered, and with its minimum of one
/// connection per thread and a fixed pause it ran at 3-4x a low target rate. Beacon n is sent by returning visitor
/// n mod the pool's size, with the cookie the collector gave that visitor's first answered beacon, so visits span
/// many beacons, and faults.
/// </summary>
public static class PacedLoad
{
    public const string PathPrefix = "/soak/";

    private const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    /// <summary>Requests in flight at most; past it the sender waits (a stalled server is not flooded with sockets).</summary>
    private const int MaxInFlight = 256;

    public static async Task<PacedResult> RunAsync(Func<Uri> baseUrl, double rate, TimeSpan duration, int visitors, CancellationToken cancellationToken)
    {
        var total = (int)Math.Max(1, Math.Round(rate * duration.TotalSeconds));
        var answered = new bool[total];
        var cookies = new string?[Math.Max(1, visitors)];
        var latencies = new long[total];
        long errors = 0;
        using var handler = new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = MaxInFlight, ConnectTimeout = TimeSpan.FromSeconds(1) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        using var gate = new SemaphoreSlim(MaxInFlight);
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds(n / rate);
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }
            await gate.WaitAsync(cancellationToken);
            var index = n;
            var url = new Uri(baseUrl(), Beacon(index));
            inFlight.Add(Task.Run(async () =>
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                    request.Headers.TryAddWithoutValidation("Referer", PageUrl(index));
                    var visitor = index % cookies.Length;
                    if (Volatile.Read(ref cookies[visitor]) is { } cookie)
                    {
                        request.Headers.TryAddWithoutValidation("Cookie", cookie);
                    }
                    using var response = await client.SendAsync(request, cancellationToken);
                    if ((int)response.StatusCode == 200)
                    {
                        if (response.Headers.TryGetValues("Set-Cookie", out var issued))
                        {
                            Interlocked.CompareExchange(ref cookies[visitor], issued.First().Split(';')[0], null);
                        }
                        answered[index] = true;
                        latencies[index] = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Refused while the process is down, or cut off by its kill: not answered.
                    Interlocked.Increment(ref errors);
                }
                finally
                {
                    gate.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(inFlight);
        var seconds = clock.Elapsed.TotalSeconds;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var answeredLatencies = new List<long>();
        for (var n = 0; n < total; n++)
        {
            if (answered[n])
            {
                paths.Add(PathPrefix + n.ToString(CultureInfo.InvariantCulture));
                answeredLatencies.Add(latencies[n]);
            }
        }
        answeredLatencies.Sort();
        var p99 = answeredLatencies.Count == 0 ? 0 : answeredLatencies[(int)Math.Min(answeredLatencies.Count - 1, Math.Ceiling(answeredLatencies.Count * 0.99) - 1)];
        return new PacedResult(total, total / seconds, paths, errors, p99);
    }

    private static string PageUrl(int n) => "https://" + BeaconMix.SiteHost + PathPrefix + n.ToString(CultureInfo.InvariantCulture);

    private static string Beacon(int n) =>
        $"/i.gif?site={CollectorServer.SoakSite}&url={Uri.EscapeDataString(PageUrl(n))}&w=1280";
}

/// <summary>What the paced load sent and saw answered: the paths of the beacons answered 200.</summary>
public sealed record PacedResult(long Requests, double RequestsPerSecond, IReadOnlySet<string> AnsweredPaths, long Errors, long P99Microseconds);
