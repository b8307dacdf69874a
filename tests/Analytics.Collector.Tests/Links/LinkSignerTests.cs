using Analytics.Collector.Identity;
using Analytics.Collector.Links;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Links;

public class LinkSignerTests
{
    private static LinkSigner Signer(params string[] keys) => new(new SigningKeys(Options.Create(new SigningOptions { Keys = keys })));

    private static (string Site, string Campaign, string To, string Sig) Parts(string link)
    {
        var uri = new Uri("http://collector" + link);
        var segments = uri.AbsolutePath.Split('/');
        var query = QueryHelpers.ParseQuery(uri.Query);
        return (segments[2], segments[3], query["to"]!, query["sig"]!);
    }

    [Test]
    public void A_signed_link_verifies_to_its_target()
    {
        var signer = Signer(CollectorServer.KeyA);
        var link = signer.Sign("demo", "spring-2026", "https://www.example.com/offer?x=1&y=2#top");

        var (site, campaign, to, sig) = Parts(link);
        var target = signer.Verify(site, campaign, to, sig);

        Assert.That(link, Does.StartWith("/r/demo/spring-2026?to="));
        Assert.That(target, Is.EqualTo(new Uri("https://www.example.com/offer?x=1&y=2#top")));
    }

    [Test]
    public void Changing_site_campaign_target_or_signature_breaks_the_link()
    {
        var signer = Signer(CollectorServer.KeyA);
        var (site, campaign, to, sig) = Parts(signer.Sign("demo", "spring", "https://www.example.com/a"));

        Assert.That(signer.Verify("other", campaign, to, sig), Is.Null);
        Assert.That(signer.Verify(site, "summer", to, sig), Is.Null);
        Assert.That(signer.Verify(site, campaign, "https://evil.example/a", sig), Is.Null);
        Assert.That(signer.Verify(site, campaign, to + "x", sig), Is.Null);
        Assert.That(signer.Verify(site, campaign, to, (sig[0] == 'A' ? "B" : "A") + sig[1..]), Is.Null);
        Assert.That(signer.Verify(site, campaign, to, sig + "A"), Is.Null);
        Assert.That(signer.Verify(site, campaign, to, null), Is.Null);
        Assert.That(Signer(CollectorServer.KeyB).Verify(site, campaign, to, sig), Is.Null, "another deployment's key");
    }

    [Test]
    public void Links_signed_before_a_key_rotation_keep_working()
    {
        var (site, campaign, to, sig) = Parts(Signer(CollectorServer.KeyA).Sign("demo", "spring", "https://www.example.com/a"));

        Assert.That(Signer(CollectorServer.KeyB, CollectorServer.KeyA).Verify(site, campaign, to, sig), Is.Not.Null);
    }

    [TestCase("//evil.example/")]
    [TestCase("/\\evil.example/")]
    [TestCase("\\\\evil.example")]
    [TestCase("javascript:alert(1)")]
    [TestCase("JavaScript://www.example.com/%0aalert(1)")]
    [TestCase("data:text/html,<script>alert(1)</script>")]
    [TestCase("https:evil.example")]
    [TestCase("https:/evil.example")]
    [TestCase("https://www.example.com@evil.example/")]
    [TestCase("https://www.example.com\\@evil.example/")]
    [TestCase("https://evil.example\\.www.example.com/")]
    [TestCase("https://www.example.com/\r\nLocation: https://evil.example")]
    [TestCase("https://www.example.com/ a")]
    [TestCase(" https://www.example.com/")]
    [TestCase("https://www.exam\u0000ple.com/")]
    [TestCase("https://www.ex\u0430mple.com/")]
    [TestCase("ftp://www.example.com/")]
    [TestCase("/relative/path")]
    [TestCase("%2F%2Fevil.example")]
    [TestCase("https://")]
    [TestCase("")]
    public void Unsafe_targets_are_never_signed_or_followed(string target)
    {
        var signer = Signer(CollectorServer.KeyA);

        Assert.Throws<ArgumentException>(() => signer.Sign("demo", "spring", target));
        Assert.That(LinkSigner.TryParseTarget(target, out _), Is.False);
    }

    [TestCase("de mo", "spring")]
    [TestCase("demo", "a/b")]
    [TestCase("demo", "")]
    [TestCase("demo", "someone@example.com")]
    public void Site_and_campaign_are_plain_names(string site, string campaign)
    {
        Assert.Throws<ArgumentException>(() => Signer(CollectorServer.KeyA).Sign(site, campaign, "https://www.example.com/"));
    }
}
