using Analytics.Collector.Enrichment.UserAgents;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Enrichment;

/// <summary>
/// A cold parse (uap-core rules and crawler patterns, no cache) of the conformance strings at 11 evenly
/// spaced positions of test_ua.yaml: the median of the 11 rows estimates the median over all strings.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class UserAgentColdParseBenchmarks
{
    private UserAgentClassifier _classifier = null!;
    private string _sample = "";

    public static IEnumerable<int> Positions => Enumerable.Range(0, 11).Select(i => i * 10);

    /// <summary>Percent position in test_ua.yaml.</summary>
    [ParamsSource(nameof(Positions))]
    public int Position { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var all = ConformanceStrings.Load();
        _classifier = UserAgentClassifier.Create(new UserAgentOptions());
        _sample = all[Math.Min(all.Count - 1, all.Count * Position / 100)];
    }

    [Benchmark]
    public ClientDescription Uncached_parse() => _classifier.DescribeUncached(_sample);
}
