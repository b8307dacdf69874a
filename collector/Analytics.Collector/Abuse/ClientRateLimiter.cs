using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Abuse;

/// <summary>
/// A token bucket per client address. The address is only a key in memory here; it is never stored,
/// logged or sent on.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter;

    public ClientRateLimiter(IOptions<RateLimitOptions> options)
        : this(options.Value.Burst, options.Value.PerSecond, TimeSpan.FromSeconds(1))
    {
    }

    internal ClientRateLimiter(int burst, int perPeriod, TimeSpan period)
    {
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            // The partitioned limiter replenishes every partition from one timer, not a timer each.
            AutoReplenishment = false,
        };
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(ip => RateLimitPartition.GetTokenBucketLimiter(ip, _ => bucket));
    }

    /// <summary>Takes one permit for the client; false when it is over its limit.</summary>
    public bool TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(Key(client));
        return lease.IsAcquired;
    }

    /// <summary>An IPv6 client is its /64: one host is handed a whole /64 and could rotate through it.</summary>
    internal static IPAddress Key(IPAddress? client)
    {
        if (client is null)
        {
            return IPAddress.None;
        }
        if (client.AddressFamily != AddressFamily.InterNetworkV6 || client.IsIPv4MappedToIPv6)
        {
            return client;
        }
        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    public void Dispose() => _limiter.Dispose();
}
