using Analytics.Collector.Abuse;

namespace Analytics.Collector.Pipeline;

/// <summary>First step: a client over its limit still gets its answer, but the hit is dropped (and counted).</summary>
public sealed class RateLimitStep(ClientRateLimiter limiter) : IHitStep
{
    public DropReason? Apply(HitContext hit) =>
        limiter.TryAcquire(hit.Http.Connection.RemoteIpAddress) ? null : DropReason.RateLimited;
}
