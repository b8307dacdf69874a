using System.Collections.Concurrent;
using System.Net;

namespace Analytics.Host.Tests.Crash;

/// <summary>
/// The crash tests' own load tool: concurrent browsers without cookies (every beacon a new visitor, so
/// every hit is a visit of its own) sending beacons with unique paths, remembering which were answered
/// with the GIF and which got no answer (in flight when the process died).
/// </summary>
public sealed class BeaconLoad
{
    private readonly ConcurrentBag<string> _answered = [];
    private readonly ConcurrentBag<string> _unanswered = [];
    private int _next;

    /// <summary>Paths of the beacons answered with HTTP 200 and the GIF.</summary>
    public IReadOnlyCollection<string> Answered => _answered;

    /// <summary>Paths of the beacons sent without an answer (the process died under them).</summary>
    public IReadOnlyCollection<string> Unanswered => _unanswered;

    /// <summary>Sends beacons until <paramref name="count"/> were sent in all (this run and earlier ones) or <paramref name="stop"/> fires; a request under way is finished, not abandoned.</summary>
    public async Task RunAsync(Uri address, int count, int concurrency, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(RunningHost.BrowserUserAgent);
        var run = Guid.NewGuid().ToString("N")[..8];
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref _next);
                if (i > count)
                {
                    // Given back, so a later run goes on from here.
                    Interlocked.Decrement(ref _next);
                    return;
                }
                var path = $"/{run}/{i}";
                try
                {
                    using var response = await client.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost{Uri.EscapeDataString(path)}", CancellationToken.None);
                    (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "image/gif" ? _answered : _unanswered).Add(path);
                }
                catch (HttpRequestException)
                {
                    _unanswered.Add(path);
                }
                catch (TaskCanceledException)
                {
                    _unanswered.Add(path);
                }
            }
        }, CancellationToken.None)));
    }
}
