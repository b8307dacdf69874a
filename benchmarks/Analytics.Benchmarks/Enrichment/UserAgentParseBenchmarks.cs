using Analytics.Collector.Enrichment.UserAgents;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>
/// A cold parse (uap-core rules + crawler patterns, no cache) of conformance strings taken at 11 evenly
/// spaced positions of test_ua.yaml (the median of the rows estimates the median over all strings), the
/// mean over all 715, and a cached lookup.
/// </summary>
[MemoryDiagnoser]
public class UserAgentParseBenchmarks
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private IReadOnlyList<string> _all = [];
    private UserAgentClassifier _classifier = null!;
    private string _sample = "";

    public static IEnumerable<int> Positions => Enumerable.Range(0, 11).Select(i => i * 10);

    /// <summary>Percent position in test_ua.yaml.</summary>
    [ParamsSource(nameof(Positions))]
    public int Position { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _all = ConformanceStrings.Load();
        _classifier = UserAgentClassifier.Create(new UserAgentOptions());
        _sample = _all[Math.Min(_all.Count - 1, _all.Count * Position / 100)];
        _classifier.Describe(Chrome);
    }

    [Benchmark]
    public ClientDescription Uncached_parse_of_one_conformance_string() => _classifier.DescribeUncached(_sample);

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
