using Analytics.Collector.Identity;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks.Collector;

/// <summary>The visitor cookie on every beacon: parsing a returning visitor's value, minting and formatting a new one.</summary>
[MemoryDiagnoser]
public class VisitorCookieBenchmarks
{
    private readonly string _returning = VisitorCookie.Format(VisitorCookie.NewId());

    [Benchmark]
    public bool Parse_returning_visitor() => VisitorCookie.TryParse(_returning, out _);

    [Benchmark]
    public bool Reject_malformed_cookie() => VisitorCookie.TryParse("not-a-visitor-id", out _);

    [Benchmark]
    public string Mint_and_format_new_visitor() => VisitorCookie.Format(VisitorCookie.NewId());
}
