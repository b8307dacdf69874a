using System.Net;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Abuse;

/// <summary>A stricter per-client limit for the visitor pages that query or mutate storage.</summary>
public sealed class SelfServiceRateLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly ClientRateLimiter _limiter = new(options.Value.SelfServiceBurst, options.Value.SelfServicePerMinute, TimeSpan.FromMinutes(1));

    public bool TryAcquire(IPAddress? client) => _limiter.TryAcquire(client);

    public void Dispose() => _limiter.Dispose();
}
