using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Analysts.Access;
using Analytics.Collector.Pipeline;
using Analytics.Partners.Api;
using CsCheck;

namespace Analytics.Host.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of every public endpoint of the embedded host (issue 15): malformed and extreme
/// input never gets a 5xx or hangs (each request has a deadline), every beacon is either accepted or
/// counted as rejected by a reason, and the good hits of a mixed batch are kept. CsCheck generates the
/// requests; a failure prints the seed that reproduces it (set ANALYTICS_FUZZ_SEED to rerun it).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EndpointFuzzTests
{
    private const string PartnerKey = "fuzz-partner-key";
    private const string OperatorKey = "fuzz-operator-key";
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(10);

    private RunningHost _host = null!;
    private HttpClient _client = null!;
    private CollectorMetrics _metrics = null!;
    private FuzzKeys _keys = null!;

    /// <summary>The seed of the first iteration, logged; CsCheck prints the seed of any failing one.</summary>
    private static string Seed => Environment.GetEnvironmentVariable("ANALYTICS_FUZZ_SEED") is { Length: > 0 } seed ? seed : new PCG(15, 20261203).ToString();

    /// <summary>Generated requests per run: 600 in CI (about 10 s); ANALYTICS_FUZZ_ITER asks for a longer run.</summary>
    private static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("ANALYTICS_FUZZ_ITER"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 600;

    [OneTimeSetUp]
    public async Task Start()
    {
        var dataPath = RunningHost.NewDataPath();
        _host = await RunningHost.StartAsync(dataPath,
            // Every request comes from 127.0.0.1: the per-client limits would turn most of them into RateLimited.
            "--RateLimit:Burst=1000000", "--RateLimit:PerSecond=1000000",
            "--RateLimit:SelfServiceBurst=10000", "--RateLimit:SelfServicePerMinute=10000",
            "--Analysts:RequestsPerMinute=1000000",
            "--Partners:StorePath=" + Path.Combine(dataPath, "partners"),
            "--Partners:OperatorKeySha256=" + PartnerKeys.Hash(OperatorKey),
            "--Partners:Partners:0:Id=acme",
            "--Partners:Partners:0:Name=Acme",
            "--Partners:Partners:0:KeySha256=" + PartnerKeys.Hash(PartnerKey),
            "--Partners:Partners:0:Reports:0:Id=pages",
            "--Partners:Partners:0:Reports:0:Sites:0=demo",
            "--Partners:Partners:0:Reports:0:Dimensions:0=path");
        var keys = _host.App.Services.GetRequiredService<ApiKeyStore>();
        using var locked = JsonDocument.Parse("""[["is","country",["FR"]]]""");
        _keys = new FuzzKeys(
            keys.Create(["demo"], "fuzz").Secret,
            keys.Create(["demo"], "fuzz shared", ApiKeyKinds.Share, locked.RootElement.Clone()).Secret,
            PartnerKey,
            OperatorKey);
        _metrics = _host.App.Services.GetRequiredService<CollectorMetrics>();
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _host.Address, Timeout = Timeout.InfiniteTimeSpan };
        TestContext.Out.WriteLine($"fuzz seed: {Seed}, {Iterations} requests");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    /// <summary>Hits the collector accepted plus those it counted as rejected, over every reason.</summary>
    private double Counted() => _metrics.AcceptedCount + Enum.GetValues<DropReason>().Sum(_metrics.RejectedCount);

    /// <summary>Sends with a deadline; null when the server answered a too-large body early and closed the connection while it was still being sent.</summary>
    private async Task<HttpResponseMessage?> SendAsync(FuzzRequest request)
    {
        using var message = request.ToMessage();
        using var deadline = new CancellationTokenSource(RequestDeadline);
        try
        {
            var response = await _client.SendAsync(message, deadline.Token);
            // Read the whole answer within the deadline too: a response that never ends is a hang.
            await response.Content.LoadIntoBufferAsync(deadline.Token);
            return response;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new AssertionException($"no complete answer within {RequestDeadline.TotalSeconds} s: {request}");
        }
        catch (HttpRequestException e) when (e.InnerException is IOException && request.Body is { Length: > LargeBody })
        {
            // Kestrel answers a refused upload (413, 400) without reading the rest, and closes the connection.
            using var health = await _client.GetAsync("/healthz");
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server is still up");
            return null;
        }
    }

    /// <summary>Bodies over every limit (the largest is the query API's 64 KB): the server may stop reading them.</summary>
    private const int LargeBody = 16 * 1024;

    [Test]
    public async Task Every_public_endpoint_answers_malformed_and_extreme_input_without_a_5xx_or_a_hang()
    {
        var statuses = new Dictionary<int, int>();
        await FuzzInputs.Requests(_keys).SampleAsync(async request =>
        {
            var before = Counted();
            using var response = await SendAsync(request);
            if (response is null)
            {
                Assert.That(Counted() - before, Is.LessThanOrEqualTo(1), request.ToString);
                return;
            }
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.That(status, Is.LessThan(500), () => $"{status} for {request}: {response.Content.ReadAsStringAsync().Result}");
            var counted = Counted() - before;
            switch (request.Target)
            {
                case FuzzTarget.Gif when response.StatusCode == HttpStatusCode.OK:
                    Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/gif"), request.ToString);
                    Assert.That(counted, Is.EqualTo(request.Method == "HEAD" ? 0 : 1), () => $"a GIF's hit is accepted or counted by reason, a HEAD's is not a hit: {request}");
                    break;
                case FuzzTarget.Gif:
                    // Refused by the server before our code ran (request line or headers too large).
                    Assert.That(status, Is.AnyOf(400, 414, 431), request.ToString);
                    break;
                case FuzzTarget.Events when response.StatusCode == HttpStatusCode.NoContent:
                    Assert.That(counted, Is.EqualTo(HitsIn(request.Body!)), () => $"each hit of the batch is accepted or counted by reason: {request}");
                    break;
                case FuzzTarget.Events when status is 414 or 431:
                    // Refused by the server before our code ran: nothing was read, nothing to count.
                    Assert.That(counted, Is.Zero, request.ToString);
                    break;
                case FuzzTarget.Events:
                    Assert.That(counted, Is.EqualTo(1), () => $"a refused body is counted once ({status}): {request}");
                    break;
            }
        }, seed: Seed, iter: Iterations, threads: 1, print: r => r.ToString());
        TestContext.Out.WriteLine("answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
    }

    [Test]
    public async Task Good_hits_in_a_mixed_batch_are_kept_and_each_bad_one_is_counted_by_its_reason()
    {
        var item = Gen.Frequency(
            (3, Gen.Int[0, 1000].Select(i => ((string Json, DropReason? Reason))($$"""{"site":"demo","url":"http://localhost/good/{{i}}","t":"Title {{i}}"}""", null))),
            (1, Gen.OneOf<(string Json, DropReason? Reason)>(
                ("""{"site":"demo","url":"http://localhost/a","t":"\udc00"}""", DropReason.InvalidEncoding),
                ("""{"site":"demo","url":"http://localhost/\ud800","p":{"a":"b"}}""", DropReason.InvalidEncoding),
                ("""{"site":"demo","url":"http://localhost/a","p":{"\udfff":"b"}}""", DropReason.InvalidEncoding),
                ("""{"site":"demo","url":"http://localhost/a","t":"bell\u0007"}""", DropReason.InvalidEncoding),
                ("""{"site":"no-such-site","url":"http://localhost/a"}""", DropReason.UnknownSite),
                ("""{"url":"http://localhost/a"}""", DropReason.MissingSite),
                ("""{"site":"demo"}""", DropReason.MissingUrl),
                ("""{"site":"demo","url":"ftp://localhost/a"}""", DropReason.InvalidUrl),
                ("""{"site":"demo","url":"https://evil.example/a"}""", DropReason.ForeignHost),
                ($$"""{"site":"demo","url":"http://localhost/{{new string('x', 3000)}}"}""", DropReason.TooLong))));
        await item.Array[1, 5].SampleAsync(async batch =>
        {
            var reasons = Enum.GetValues<DropReason>();
            var before = reasons.ToDictionary(r => r, _metrics.RejectedCount);
            var acceptedBefore = _metrics.AcceptedCount;
            var body = Encoding.UTF8.GetBytes("[" + string.Join(',', batch.Select(b => b.Json)) + "]");

            using var response = await SendAsync(new FuzzRequest(FuzzTarget.Events, "POST", "/e", [], body, "text/plain"));

            Assert.That(response!.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(_metrics.AcceptedCount - acceptedBefore, Is.EqualTo(batch.Count(b => b.Reason is null)), "every good hit is kept");
            foreach (var reason in reasons)
            {
                Assert.That(_metrics.RejectedCount(reason) - before[reason], Is.EqualTo(batch.Count(b => b.Reason == reason)), reason.ToString);
            }
        }, seed: Seed, iter: 150, threads: 1, print: b => string.Join(", ", b.Select(x => x.Json.Length > 100 ? x.Json[..100] + "..." : x.Json)));

        // The same counts are what /metrics shows, by reason.
        var text = await _client.GetStringAsync("/metrics");
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            var line = text.Split('\n').Single(l => l.StartsWith($"analytics_hits_rejected_total{{reason=\"{reason}\"}}", StringComparison.Ordinal));
            Assert.That(double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), Is.EqualTo(_metrics.RejectedCount(reason)), reason.ToString);
        }
    }

    /// <summary>How many hits a body the collector accepted holds: an object is one, an array its length.</summary>
    private static int HitsIn(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.GetArrayLength() : 1;
    }
}
