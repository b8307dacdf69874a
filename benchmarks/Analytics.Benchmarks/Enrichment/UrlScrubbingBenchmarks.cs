using Analytics.Collector.Enrichment.Urls;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Enrichment;

[MemoryDiagnoser]
[MedianColumn]
public class UrlScrubbingBenchmarks
{
    private const string CleanPath = "/blog/2026/11/privacy-first-analytics-without-cookies";
    private const string PersonalPath = "/account/jane.doe@example.com/reset/3f2a9c0e8b7d4e1fa2b3c4d5e6f70812";

    [Benchmark]
    public string Clean_path() => UrlScrubber.ScrubPath(CleanPath);

    [Benchmark]
    public string Path_with_email_and_token() => UrlScrubber.ScrubPath(PersonalPath);
}
