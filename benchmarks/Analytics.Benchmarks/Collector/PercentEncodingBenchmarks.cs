using Analytics.Collector.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Collector;

[MemoryDiagnoser]
public class PercentEncodingBenchmarks
{
    private const string TypicalQuery =
        "site=demo&url=https%3A%2F%2Fexample.com%2Fblog%2F2026%2Fprivacy-first-analytics%3Futm_source%3Dnewsletter&ref=https%3A%2F%2Fwww.google.com%2F&w=1920";

    [Benchmark]
    public bool Typical_beacon_query() => PercentEncoding.DecodesToValidUtf8(TypicalQuery);
}
