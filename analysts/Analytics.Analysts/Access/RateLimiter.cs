using System.Collections.Concurrent;

namespace Analytics.Analysts.Access;

/// <summary>A fixed one-minute window per key: cheap, and its state maps directly onto X-RateLimit-* headers.</summary>
public sealed class RateLimiter(int perMinute, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public int Limit => perMinute;

    public RateDecision Take(string keyId)
    {
        var now = clock.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var window = _windows.AddOrUpdate(keyId,
            _ => new Window(minute, 1),
            (_, w) => w.Minute == minute ? w with { Used = w.Used + 1 } : new Window(minute, 1));
        var reset = (int)((minute + 1) * 60 - now.ToUnixTimeSeconds());
        return new RateDecision(window.Used <= perMinute, perMinute, Math.Max(0, perMinute - window.Used), reset);
    }

    private sealed record Window(long Minute, int Used);
}

/// <summary>Whether a request may go on, and what the X-RateLimit-* headers say.</summary>
public readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds);
