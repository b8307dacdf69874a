using System.Security.Cryptography;
using Analytics.Collector;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks.Collector;

/// <summary>
/// The collector's services as `analytics run` registers them, with one site, an in-memory signing key,
/// no per-client limit (every benchmark call comes from one address) and a sink that keeps nothing.
/// </summary>
internal static class CollectorForBenchmarks
{
    public const string Site = "bench";
    public const string Host = "www.example.com";

    public static ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sites:Sites:0:Id"] = Site,
            ["Sites:Sites:0:Hosts:0"] = Host,
            ["Signing:Keys:0"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RateLimit:Burst"] = "1000000",
            ["RateLimit:PerSecond"] = "1000000",
        }).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<IHitSink, DiscardingSink>()
            .AddCollector()
            .BuildServiceProvider();
    }

    private sealed class DiscardingSink : IHitSink
    {
        public bool IsHealthy => true;

        public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
