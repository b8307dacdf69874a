using System.Security.Cryptography;
using Analytics.Collector.Identity;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks.Collector;

/// <summary>The signed visitor cookie on every beacon: verifying a returning visitor's value, minting and signing a new one.</summary>
[MemoryDiagnoser]
public class VisitorCookieBenchmarks
{
    private readonly VisitorCookie _cookie = new(
        new SigningKeys(Options.Create(new SigningOptions { Keys = [Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))] })),
        Options.Create(new IdentityOptions()));

    private readonly int _today = VisitorCookie.DayOf(DateTime.UtcNow);
    private string _returning = "";

    [GlobalSetup]
    public void Setup() => _returning = _cookie.Format(VisitorCookie.NewId(), _today);

    [Benchmark]
    public bool Verify_returning_visitor() => _cookie.TryRead(_returning, _today, out _, out _);

    [Benchmark]
    public bool Reject_malformed_cookie() => _cookie.TryRead("not-a-visitor-id", _today, out _, out _);

    [Benchmark]
    public string Mint_and_sign_new_visitor() => _cookie.Format(VisitorCookie.NewId(), _today);
}
