using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;

namespace Analytics.Collector.Tests.Enrichment;

/// <summary>
/// Privacy invariant 2: the IP address and the raw user-agent never leave the collector. Requests with
/// known addresses and user-agents go through the real steps; the bytes of what leaves, and every log
/// line, are searched for them.
/// </summary>
public class BoundaryTests
{
    private static readonly string[] Addresses = ["81.2.69.160", "216.160.83.56", "2001:218::1", "89.160.20.112", "10.20.30.40"];

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 Marker-7f3a9c",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1 Marker-b61e02",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) Marker-4d8e11",
        "Marker-only-0c55aa",
    ];

    [Test]
    public async Task The_bytes_of_hits_leaving_the_collector_hold_no_ip_address_or_user_agent()
    {
        await using var collector = await CollectorHarness.StartAsync(("Enrichment:Geo:TrustedProxies:0", "10.0.0.0/8"));
        await SendEveryCombination(collector);
        var hits = collector.Sink.Hits.ToList();

        var rows = new ArrayBufferWriter<byte>();
        HitRowBinaryEncoder.Encode(hits, rows, new RetentionOptions());
        foreach (var hit in hits)
        {
            HitCodec.Encode(hit, rows);
        }
        var stored = Encoding.UTF8.GetString(rows.WrittenSpan);
        var everyField = string.Join("\n", hits.Select(h => JsonSerializer.Serialize(h)));

        Assert.That(hits, Has.Count.EqualTo(Addresses.Length * UserAgents.Length * 2));
        // The hits were enriched: the test would notice a collector that dropped everything.
        Assert.That(hits.Select(h => h.Country), Does.Contain("GB").And.Contain("US").And.Contain("JP"));
        Assert.That(hits.Select(h => h.Browser), Does.Contain("Firefox").And.Contain("Mobile Safari"));
        foreach (var text in new[] { stored, everyField })
        {
            foreach (var secret in Secrets())
            {
                Assert.That(text, Does.Not.Contain(secret), $"'{secret}' left the collector");
            }
        }
        foreach (var secret in Addresses.Select(a => IPAddress.Parse(a).GetAddressBytes()))
        {
            Assert.That(rows.WrittenSpan.IndexOf(secret), Is.EqualTo(-1), "an address left the collector in binary form");
        }
    }

    [Test]
    public async Task Nothing_is_logged_with_an_ip_address_or_user_agent()
    {
        // Geo off by a damaged database and hits dropped for a foreign host: the paths that log.
        await using var collector = await CollectorHarness.StartAsync(
            ("Enrichment:Geo:TrustedProxies:0", "10.0.0.0/8"),
            ("Enrichment:Geo:DatabasePath", Geo.GeoLocatorTests.TestDatabase("bad-GeoIP2-City-Test-Invalid-Node-Count.mmdb")),
            ("Enrichment:Geo:ContinueWithoutDatabase", "true"));
        await SendEveryCombination(collector);
        foreach (var ip in Addresses)
        {
            await collector.SendAsync("https://elsewhere.example.org/", userAgent: UserAgents[0], ip: ip);
        }

        var lines = collector.Logs.Lines.ToList();

        Assert.That(lines, Is.Not.Empty, "nothing was captured, so nothing was checked");
        Assert.That(lines, Has.Some.Contains("geo disabled"));
        foreach (var secret in Secrets())
        {
            Assert.That(lines, Has.None.Contains(secret), $"'{secret}' was logged");
        }
    }

    private static async Task SendEveryCombination(CollectorHarness collector)
    {
        foreach (var ip in Addresses)
        {
            foreach (var ua in UserAgents)
            {
                // Directly from the client, and through a trusted proxy that names the client.
                await collector.SendAsync("https://shop.example.com/?utm_source=newsletter", "https://www.google.com/", ua, ip);
                await collector.SendAsync("https://shop.example.com/a", null, ua, "10.0.0.1",
                    new Dictionary<string, string> { ["X-Forwarded-For"] = ip + ", 10.0.0.2" });
            }
        }
    }

    private static IEnumerable<string> Secrets()
    {
        foreach (var address in Addresses)
        {
            yield return address;
            var parsed = IPAddress.Parse(address);
            yield return parsed.ToString();
            if (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                yield return string.Join(":", Enumerable.Range(0, 8).Select(i => parsed.GetAddressBytes().AsSpan(i * 2, 2).ToArray()).Select(b => $"{b[0]:x2}{b[1]:x2}"));
            }
        }
        foreach (var ua in UserAgents)
        {
            yield return ua;
            yield return ua[(ua.IndexOf("Marker-", StringComparison.Ordinal))..];
        }
    }
}
