using System.Net;
using Analytics.Collector.Enrichment.Geo;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>Geo lookups in GeoLite2-City (the default database): straight from MaxMind's reader, and from the address cache.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class GeoLookupBenchmarks : IDisposable
{
    private readonly IPAddress _address = IPAddress.Parse("81.2.69.160");
    private GeoLocator _uncached = null!;
    private GeoLocator _cached = null!;

    [GlobalSetup]
    public void Setup()
    {
        _uncached = new GeoLocator(Options.Create(new GeoOptions { CacheSize = 0 }), NullLogger<GeoLocator>.Instance);
        _uncached.Start();
        _cached = new GeoLocator(Options.Create(new GeoOptions()), NullLogger<GeoLocator>.Instance);
        _cached.Start();
        _cached.Locate(_address);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _uncached.Dispose();
        _cached.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public GeoLocation Uncached_city_lookup() => _uncached.Locate(_address);

    [Benchmark]
    public GeoLocation Cached_city_lookup() => _cached.Locate(_address);
}
