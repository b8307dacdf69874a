using System.Net;
using Analytics.Collector;
using Analytics.Collector.Enrichment;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>
/// The enrichment steps (user agent, geo, sources, URL scrubbing) on one hit, caches warm, GeoLite2-City.
/// A direct visit should allocate nothing; a search visit with a campaign allocates only the strings it
/// stores in the outgoing hit (referrer, utm values).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HitEnrichmentBenchmarks
{
    private const string UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private ServiceProvider _services = null!;
    private IHitStep[] _steps = [];
    private HitContext _direct = null!;
    private HitContext _campaign = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sites:Sites:0:Id"] = "shop",
            ["Sites:Sites:0:Hosts:0"] = "shop.example.com",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<IHitSink>(new NullSink())
            .AddCollector()
            .BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        _steps = [.. CollectorSteps.Default.Order.Where(t => t.Namespace == typeof(UserAgentStep).Namespace)
            .Select(t => (IHitStep)ActivatorUtilities.GetServiceOrCreateInstance(_services, t))];
        var site = _services.GetRequiredService<SiteRegistry>().All.Single();
        _direct = Context(site, "https://shop.example.com/blog/2026/11/privacy-first-analytics", null);
        _campaign = Context(site, "https://shop.example.com/landing?utm_source=newsletter&utm_medium=email&utm_campaign=winter&session=x", "https://www.google.com/search?q=shoes");
        Direct_visit();
        Search_visit_with_campaign();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public Hit Direct_visit() => Enrich(_direct);

    [Benchmark]
    public Hit Search_visit_with_campaign() => Enrich(_campaign);

    private Hit Enrich(HitContext context)
    {
        foreach (var step in _steps)
        {
            step.Apply(context);
        }
        return context.Hit;
    }

    private static HitContext Context(Site site, string url, string? referrer)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("81.2.69.160");
        http.Request.Headers.UserAgent = UserAgent;
        var page = new Uri(url);
        return new HitContext(http, new BeaconParameters { Site = site.Id, Url = url, Referrer = referrer }, DateTime.UtcNow)
        {
            Site = site,
            PageUrl = page,
            Hit = new Hit { HitId = Guid.CreateVersion7(), SiteId = site.Id, Timestamp = DateTime.UtcNow, VisitorId = Guid.NewGuid(), Hostname = page.Host, Path = page.AbsolutePath },
        };
    }

    private sealed class NullSink : IHitSink
    {
        public bool IsHealthy => true;

        public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
