using Analytics.Collector.Identity;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks.Collector;

/// <summary>
/// The visitor cookie in a new visitor's answer: one Set-Cookie string with attributes formatted once,
/// versus the framework's cookie writer (a header value object per beacon).
/// </summary>
[MemoryDiagnoser]
public class BeaconResponseBenchmarks
{
    private ServiceProvider _services = null!;
    private VisitorCookie _cookie = null!;
    private DefaultHttpContext _http = null!;
    private CookieOptions _options = null!;
    private Guid _id;
    private int _today;

    [GlobalSetup]
    public void Setup()
    {
        _services = CollectorForBenchmarks.Build();
        _cookie = _services.GetRequiredService<VisitorCookie>();
        _http = new DefaultHttpContext();
        _options = new CookieOptions { HttpOnly = true, IsEssential = true, Path = "/", SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(395) };
        _id = VisitorCookie.NewId();
        _today = VisitorCookie.DayOf(DateTime.UtcNow);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public void New_visitor_cookie_via_response_cookies()
    {
        _http.Response.Headers.Clear();
        _http.Response.Cookies.Append(_cookie.Name, _cookie.Format(_id, _today), _options);
    }

    [Benchmark]
    public void New_visitor_cookie_as_one_header()
    {
        _http.Response.Headers.Clear();
        _cookie.Append(_http.Response, _id, _today);
    }
}
