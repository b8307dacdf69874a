using Analytics.Collector.Identity;
using Analytics.Collector.Pipeline;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks.Collector;

/// <summary>
/// One beacon through every collector step registered by <c>AddCollector</c> (validate, identify,
/// describe and whatever enrichment is registered), handed to a sink that keeps nothing: the CPU cost
/// of the pipeline per hit, without HTTP or storage.
/// </summary>
[MemoryDiagnoser]
public class HitPipelineBenchmarks
{
    private const string Query = "?site=bench&url=https%3A%2F%2Fwww.example.com%2Fblog%2Fprivacy-first%3Futm_source%3Dnewsletter&ref=https%3A%2F%2Fwww.google.com%2F&w=1920";
    private const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private ServiceProvider _services = null!;
    private HitPipeline _pipeline = null!;
    private BeaconParameters _parameters = null!;
    private string _cookie = "";

    [GlobalSetup]
    public void Setup()
    {
        _services = CollectorForBenchmarks.Build();
        _pipeline = _services.GetRequiredService<HitPipeline>();
        _parameters = new BeaconParameters
        {
            Site = CollectorForBenchmarks.Site,
            Url = "https://www.example.com/blog/privacy-first?utm_source=newsletter",
            Referrer = "https://www.google.com/",
            ScreenWidth = "1920",
        };
        // A cookie the collector itself signs, so the returning case verifies.
        _cookie = _services.GetRequiredService<VisitorCookie>().Format(VisitorCookie.NewId(), VisitorCookie.DayOf(DateTime.UtcNow));
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public ValueTask<HitContext?> New_visitor() => _pipeline.ProcessAsync(Request(null), _parameters);

    [Benchmark]
    public ValueTask<HitContext?> Returning_visitor() => _pipeline.ProcessAsync(Request(_cookie), _parameters);

    private static DefaultHttpContext Request(string? cookie)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/i.gif";
        http.Request.QueryString = new QueryString(Query);
        http.Request.Headers.UserAgent = UserAgent;
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("81.2.69.160");
        if (cookie is not null)
        {
            http.Request.Headers.Cookie = "_vid=" + cookie;
        }
        return http;
    }
}
