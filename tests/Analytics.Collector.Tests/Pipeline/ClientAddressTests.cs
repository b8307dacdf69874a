using System.Net;
using Analytics.Collector.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Tests.Pipeline;

public class ClientAddressTests
{
    [Test]
    public void Forwarding_headers_from_an_untrusted_peer_are_ignored()
    {
        var resolver = new ClientAddress(["10.0.0.0/8"]);

        var address = resolver.Resolve(Request("81.2.69.160", ("X-Forwarded-For", "216.160.83.56"), ("Forwarded", "for=216.160.83.56")));

        Assert.That(address, Is.EqualTo(IPAddress.Parse("81.2.69.160")));
    }

    [Test]
    public void Without_trusted_proxies_the_socket_address_is_the_client()
    {
        var address = new ClientAddress([]).Resolve(Request("10.0.0.5", ("X-Forwarded-For", "216.160.83.56")));

        Assert.That(address, Is.EqualTo(IPAddress.Parse("10.0.0.5")));
    }

    [TestCase("216.160.83.56", "216.160.83.56")]
    [TestCase("1.2.3.4, 216.160.83.56", "216.160.83.56")]
    [TestCase("1.2.3.4, 216.160.83.56, 10.0.0.7", "216.160.83.56")]
    [TestCase("216.160.83.56:51000", "216.160.83.56")]
    [TestCase("2001:218::1", "2001:218::1")]
    [TestCase("[2001:218::1]:4711", "2001:218::1")]
    public void X_forwarded_for_from_a_trusted_proxy_gives_the_nearest_untrusted_hop(string header, string expected)
    {
        var address = new ClientAddress(["10.0.0.0/8"]).Resolve(Request("10.0.0.1", ("X-Forwarded-For", header)));

        Assert.That(address, Is.EqualTo(IPAddress.Parse(expected)));
    }

    [TestCase("for=216.160.83.56;proto=https", "216.160.83.56")]
    [TestCase("for=\"[2001:218::1]:4711\"", "2001:218::1")]
    [TestCase("for=1.2.3.4, for=216.160.83.56;by=10.0.0.1", "216.160.83.56")]
    [TestCase("for=unknown", "10.0.0.1")]
    [TestCase("for=_hidden", "10.0.0.1")]
    public void Forwarded_from_a_trusted_proxy_is_read(string header, string expected)
    {
        var address = new ClientAddress(["10.0.0.1"]).Resolve(Request("10.0.0.1", ("Forwarded", header)));

        Assert.That(address, Is.EqualTo(IPAddress.Parse(expected)));
    }

    [Test]
    public void An_ipv4_mapped_socket_address_is_treated_as_ipv4()
    {
        var address = new ClientAddress(["10.0.0.0/8"]).Resolve(Request("::ffff:10.0.0.1", ("X-Forwarded-For", "216.160.83.56")));

        Assert.That(address, Is.EqualTo(IPAddress.Parse("216.160.83.56")));
    }

    [Test]
    public void A_malformed_trusted_proxy_setting_is_refused_with_its_value()
    {
        var e = Assert.Throws<FormatException>(() => ClientAddress.ParseNetwork("10.0.0.0/99x"));

        Assert.That(e!.Message, Does.Contain("10.0.0.0/99x"));
    }

    private static DefaultHttpContext Request(string peer, params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        foreach (var (name, value) in headers)
        {
            http.Request.Headers[name] = value;
        }
        return http;
    }
}
