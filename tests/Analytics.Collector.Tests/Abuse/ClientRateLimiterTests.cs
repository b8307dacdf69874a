using System.Net;
using Analytics.Collector.Abuse;

namespace Analytics.Collector.Tests.Abuse;

public class ClientRateLimiterTests
{
    [Test]
    public void An_ipv6_client_is_limited_as_its_whole_64()
    {
        using var limiter = new ClientRateLimiter(2, 1, TimeSpan.FromHours(1));

        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::1")), Is.True);
        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:ffff::9")), Is.True);
        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:abcd::5")), Is.False, "same /64");
        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1")), Is.True, "another /64");
    }

    [Test]
    public void Ipv4_clients_are_limited_one_by_one()
    {
        using var limiter = new ClientRateLimiter(1, 1, TimeSpan.FromHours(1));

        Assert.That(limiter.TryAcquire(IPAddress.Parse("192.0.2.1")), Is.True);
        Assert.That(limiter.TryAcquire(IPAddress.Parse("192.0.2.1")), Is.False);
        Assert.That(limiter.TryAcquire(IPAddress.Parse("192.0.2.2")), Is.True);
    }
}
