using System.Buffers.Text;
using Analytics.Collector.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Identity;

public class VisitorCookieTests
{
    private const int Today = 20_000;

    private static VisitorCookie Cookie(params string[] keys) =>
        new(new SigningKeys(Options.Create(new SigningOptions { Keys = keys })), Options.Create(new IdentityOptions()));

    [Test]
    public void New_ids_are_distinct_and_round_trip_through_the_signed_cookie()
    {
        var cookie = Cookie(CollectorServer.KeyA);
        var ids = Enumerable.Range(0, 1000).Select(_ => VisitorCookie.NewId()).ToList();

        Assert.That(ids, Is.Unique);
        foreach (var id in ids)
        {
            var value = cookie.Format(id, Today);
            Assert.That(value, Has.Length.EqualTo(VisitorCookie.ValueLength));
            Assert.That(cookie.TryRead(value, Today, out var read, out var reissue), Is.True);
            Assert.That(read, Is.EqualTo(id));
            Assert.That(reissue, Is.False);
        }
    }

    [TestCase(SameSiteMode.Lax, "", false)]
    [TestCase(SameSiteMode.Lax, "", true)]
    [TestCase(SameSiteMode.Strict, "example.com", false)]
    [TestCase(SameSiteMode.None, "", false)]
    [TestCase(SameSiteMode.None, "stats.example.com", true)]
    public void The_set_cookie_header_reads_as_the_framework_cookie_writer_writes_it(SameSiteMode sameSite, string domain, bool https)
    {
        // The header is built as one string from attributes formatted once; it must stay byte for byte
        // what Response.Cookies.Append writes for the same options.
        var options = new IdentityOptions { SameSite = sameSite, Domain = domain };
        var cookie = new VisitorCookie(new SigningKeys(Options.Create(new SigningOptions { Keys = [CollectorServer.KeyA] })), Options.Create(options));
        var id = VisitorCookie.NewId();
        var ours = new DefaultHttpContext();
        ours.Request.IsHttps = https;
        var framework = new DefaultHttpContext();

        cookie.Append(ours.Response, id, Today);
        framework.Response.Cookies.Append(options.CookieName, cookie.Format(id, Today), ExpectedOptions(options, https));

        Assert.That(ours.Response.Headers.SetCookie.ToArray(), Is.EqualTo(framework.Response.Headers.SetCookie.ToArray()));
        Assert.That(ours.Response.Headers.SetCookie.ToString(), Does.StartWith(options.CookieName + "=" + cookie.Format(id, Today) + ";"));
    }

    private static CookieOptions ExpectedOptions(IdentityOptions o, bool https)
    {
        var crossSite = o.SameSite == SameSiteMode.None;
        var expected = new CookieOptions
        {
            HttpOnly = true,
            Path = "/",
            SameSite = o.SameSite,
            Secure = https || crossSite,
            MaxAge = o.Lifetime,
            Domain = string.IsNullOrEmpty(o.Domain) ? null : o.Domain,
        };
        if (crossSite)
        {
            expected.Extensions.Add("Partitioned");
        }
        return expected;
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Malformed_values_are_not_trusted(string? value)
    {
        Assert.That(Cookie(CollectorServer.KeyA).TryRead(value, Today, out var id, out _), Is.False);
        Assert.That(id, Is.EqualTo(Guid.Empty));
    }

    [Test]
    public void Changing_any_single_bit_of_a_cookie_makes_it_untrusted()
    {
        var cookie = Cookie(CollectorServer.KeyA);
        var raw = Base64Url.DecodeFromChars(cookie.Format(VisitorCookie.NewId(), Today));

        for (var bit = 0; bit < raw.Length * 8; bit++)
        {
            var tampered = (byte[])raw.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(cookie.TryRead(Base64Url.EncodeToString(tampered), Today, out _, out _), Is.False, $"bit {bit}");
        }
    }

    [Test]
    public void A_cookie_signed_with_an_unknown_key_is_a_forgery()
    {
        var forger = Cookie(CollectorServer.KeyB);
        var value = forger.Format(VisitorCookie.NewId(), Today);

        Assert.That(Cookie(CollectorServer.KeyA).TryRead(value, Today, out _, out _), Is.False);
    }

    [Test]
    public void After_rotation_old_cookies_still_verify_and_are_reissued_with_the_new_key()
    {
        var before = Cookie(CollectorServer.KeyA);
        var after = Cookie(CollectorServer.KeyB, CollectorServer.KeyA);
        var id = VisitorCookie.NewId();

        Assert.That(after.TryRead(before.Format(id, Today), Today, out var read, out var reissue), Is.True);
        Assert.That(read, Is.EqualTo(id));
        Assert.That(reissue, Is.True, "signed with the older key");

        var resigned = after.Format(id, Today);
        Assert.That(Cookie(CollectorServer.KeyB).TryRead(resigned, Today, out read, out reissue), Is.True, "the new key signs");
        Assert.That(read, Is.EqualTo(id));
        Assert.That(reissue, Is.False);
        Assert.That(Cookie(CollectorServer.KeyA).TryRead(resigned, Today, out _, out _), Is.False, "once the old key is dropped it no longer verifies new cookies");
    }

    [Test]
    public void A_cookie_from_an_earlier_day_is_refreshed_at_most_once_a_day()
    {
        var cookie = Cookie(CollectorServer.KeyA);
        var id = VisitorCookie.NewId();

        Assert.That(cookie.TryRead(cookie.Format(id, Today - 1), Today, out _, out var reissue), Is.True);
        Assert.That(reissue, Is.True);
        Assert.That(cookie.TryRead(cookie.Format(id, Today), Today, out _, out reissue), Is.True);
        Assert.That(reissue, Is.False);
    }

    [Test]
    public void Expired_or_future_dated_cookies_are_not_trusted()
    {
        var cookie = Cookie(CollectorServer.KeyA);
        var id = VisitorCookie.NewId();

        Assert.That(cookie.TryRead(cookie.Format(id, Today - 396), Today, out _, out _), Is.False);
        Assert.That(cookie.TryRead(cookie.Format(id, Today + 5), Today, out _, out _), Is.False);
        Assert.That(cookie.TryRead(cookie.Format(id, Today - 395), Today, out _, out _), Is.True);
    }

    [Test]
    public void Keys_shorter_than_32_bytes_are_refused_with_the_setting_named()
    {
        var shortKey = Convert.ToBase64String(new byte[16]);

        var error = Assert.Throws<OptionsValidationException>(() => Cookie(shortKey));
        Assert.That(error!.Message, Does.Contain("Signing:Keys:0"));
    }

    [Test]
    public void Without_configured_keys_one_is_generated_once_and_kept_in_the_key_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "analytics-key-" + Guid.NewGuid().ToString("N"), "signing.key");
        try
        {
            var options = Options.Create(new SigningOptions { KeyFile = file });
            var first = new VisitorCookie(new SigningKeys(options), Options.Create(new IdentityOptions()));
            var second = new VisitorCookie(new SigningKeys(options), Options.Create(new IdentityOptions()));
            var value = first.Format(VisitorCookie.NewId(), Today);

            Assert.That(second.TryRead(value, Today, out _, out _), Is.True);
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "only its owner may read the key");
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
