using Analytics.Collector.Abuse;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// First step: a client over its limit still gets its answer, but the hit is dropped (and counted).
/// The client is the address behind trusted proxies (Geo:TrustedProxies), as for geo lookup.
/// </summary>
public sealed class RateLimitStep(ClientRateLimiter limiter, ClientAddress clients) : IHitStep
{
    public DropReason? Apply(HitContext hit) =>
        limiter.TryAcquire(clients.Resolve(hit.Http)) ? null : DropReason.RateLimited;
}
