using Analytics.Collector.Enrichment.UserAgents;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>Classifying a user-agent: a cold parse (uap-core rules and crawler patterns, no cache) as a mean over all 715 conformance strings, and a cached lookup.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class UserAgentParseBenchmarks
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private IReadOnlyList<string> _all = [];
    private UserAgentClassifier _classifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        _all = ConformanceStrings.Load();
        _classifier = UserAgentClassifier.Create(new UserAgentOptions());
        _classifier.Describe(Chrome);
    }

    [Benchmark(OperationsPerInvoke = 715)]
    public int Uncached_parse_mean_over_all_conformance_strings()
    {
        var bots = 0;
        for (var i = 0; i < 715; i++)
        {
            bots += _classifier.DescribeUncached(_all[i % _all.Count]).IsBot ? 1 : 0;
        }
        return bots;
    }

    [Benchmark]
    public ClientDescription Cached_parse() => _classifier.Describe(Chrome);
}
