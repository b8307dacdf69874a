using System.Buffers.Binary;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Tests.Transport;

public class HitCodecTests
{
    public static Hit FullHit() => new()
    {
        HitId = Guid.CreateVersion7(),
        SiteId = "demo",
        Timestamp = new DateTime(2026, 11, 29, 8, 30, 1, 123, DateTimeKind.Utc).AddTicks(4567),
        VisitorId = Guid.NewGuid(),
        IsNewVisitor = true,
        Kind = HitKind.Event,
        EventName = "signup",
        Hostname = "www.example.com",
        Path = "/pricing/ünïcode",
        Title = "Pricing — Example",
        Referrer = "https://www.google.com/",
        Source = "google",
        Channel = "search",
        UtmSource = "news",
        UtmMedium = "email",
        UtmCampaign = "winter",
        UtmTerm = "t",
        UtmContent = "c",
        Country = "DE",
        Region = "DE-BE",
        City = "Berlin",
        Browser = "Firefox",
        BrowserVersion = "140",
        Os = "Linux",
        OsVersion = "",
        DeviceType = "desktop",
        ScreenWidth = 1920,
        IsBot = true,
        LinkCampaign = "lc",
        LinkTarget = "https://example.org/x",
        Props = new Dictionary<string, string> { ["plan"] = "pro", ["size"] = new string('x', 300) },
    };

    [Test]
    public void Every_field_survives_a_round_trip()
    {
        var hit = FullHit();

        Assert.That(HitCodec.TryDecode(HitCodec.Encode(hit), out var decoded, out var reason), Is.True, reason);

        Assert.That(decoded, Is.EqualTo(hit).UsingPropertiesComparer());
        Assert.That(decoded.Timestamp.Kind, Is.EqualTo(DateTimeKind.Utc));
    }

    [Test]
    public void A_minimal_anonymous_hit_survives_a_round_trip()
    {
        var hit = new Hit { HitId = Guid.CreateVersion7(), SiteId = "s", Timestamp = DateTime.UtcNow, VisitorId = Guid.Empty };

        Assert.That(HitCodec.TryDecode(HitCodec.Encode(hit), out var decoded, out _), Is.True);

        Assert.That(decoded, Is.EqualTo(hit).UsingPropertiesComparer());
    }

    [Test]
    public void The_first_byte_is_the_version()
    {
        Assert.That(HitCodec.Encode(FullHit())[0], Is.EqualTo(HitCodec.Version1));
    }

    [Test]
    public void An_unknown_version_is_poison()
    {
        var message = HitCodec.Encode(FullHit());
        message[0] = 2;

        Assert.That(HitCodec.TryDecode(message, out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo("unknown version 2"));
    }

    [Test]
    public void Every_truncation_of_a_message_is_poison_and_never_throws()
    {
        var message = HitCodec.Encode(FullHit());

        for (var length = 0; length < message.Length; length++)
        {
            Assert.That(HitCodec.TryDecode(message.AsSpan(0, length), out _, out var reason), Is.False, $"length {length}");
            Assert.That(reason, Is.Not.Empty);
        }
    }

    [Test]
    public void Trailing_bytes_and_invalid_utf8_are_poison()
    {
        var message = HitCodec.Encode(FullHit());
        Assert.That(HitCodec.TryDecode([.. message, 0], out _, out var trailing), Is.False);
        Assert.That(trailing, Is.EqualTo("trailing bytes"));

        var badUtf8 = (byte[])message.Clone();
        // The site ID "demo" starts right after the 45-byte header and its length byte.
        badUtf8[46] = 0xFF;
        Assert.That(HitCodec.TryDecode(badUtf8, out _, out var invalid), Is.False);
        Assert.That(invalid, Is.EqualTo("invalid UTF-8"));
    }

    [Test]
    public void Random_bytes_after_a_valid_version_are_rejected_without_throwing()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var message = new byte[random.Next(0, 200)];
            random.NextBytes(message);
            if (message.Length > 0)
            {
                message[0] = HitCodec.Version1;
            }
            if (message.Length >= 41)
            {
                BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(33), DateTime.UtcNow.Ticks);
            }
            Assert.DoesNotThrow(() => HitCodec.TryDecode(message, out _, out _));
        }
    }
}
