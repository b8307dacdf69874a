using Analytics.Collector;
using Analytics.Collector.Identity;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks.Collector;

/// <summary>The signed visitor cookie on every beacon: verifying a returning visitor's value, signing a new one.</summary>
[MemoryDiagnoser]
public class VisitorCookieBenchmarks
{
    private ServiceProvider _services = null!;
    private VisitorCookie _cookie = null!;
    private string _returning = "";
    private int _today;

    [GlobalSetup]
    public void Setup()
    {
        _services = CollectorForBenchmarks.Build();
        _cookie = _services.GetRequiredService<VisitorCookie>();
        _today = VisitorCookie.DayOf(DateTime.UtcNow);
        _returning = _cookie.Format(VisitorCookie.NewId(), _today);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public bool Verify_returning_visitor() => _cookie.TryRead(_returning, _today, out _, out _);

    [Benchmark]
    public bool Reject_forged_cookie() => _cookie.TryRead("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", _today, out _, out _);

    [Benchmark]
    public string Sign_new_visitor() => _cookie.Format(VisitorCookie.NewId(), _today);
}
