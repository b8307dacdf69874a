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
        message[0] = 9;

        Assert.That(HitCodec.TryDecode(message, out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo("unknown version 9"));
    }

    /// <summary>
    /// A version 1 message as the hand-written codec wrote it before the fields were declared (recorded from
    /// that build): messages of that age wait in spools and Kafka topics.
    /// </summary>
    private const string RecordedVersion1 =
        "01019AD8C45F1E7A3B9C2D0123456789AB6F9619FF8B86D011B42D00C04FC964FF07E1CDF5F24DDF08020380070464656D6F067369676E75700F7777772E6578616D706C652E636F6D" +
        "122F70726963696E672FC3BC6EC3AF636F64651350726963696E6720E28094204578616D706C651768747470733A2F2F7777772E676F6F676C652E636F6D2F06676F6F676C65" +
        "06736561726368046E65777305656D61696C0677696E746572017401630244450544452D4245064265726C696E0746697265666F7803313430054C696E757800076465736B746F70" +
        "026C631568747470733A2F2F6578616D706C652E6F72672F780104706C616E0370726F";

    private static Hit RecordedHit() => new()
    {
        HitId = Guid.Parse("019ad8c4-5f1e-7a3b-9c2d-0123456789ab"),
        SiteId = "demo",
        Timestamp = new DateTime(2026, 11, 29, 8, 30, 1, 123, DateTimeKind.Utc).AddTicks(4567),
        VisitorId = Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
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
        Props = new Dictionary<string, string> { ["plan"] = "pro" },
    };

    [Test]
    public void A_version_1_message_recorded_from_the_earlier_codec_still_decodes()
    {
        Assert.That(HitCodec.TryDecode(Convert.FromHexString(RecordedVersion1), out var decoded, out var reason), Is.True, reason);

        Assert.That(decoded, Is.EqualTo(RecordedHit()).UsingPropertiesComparer());
    }

    [Test]
    public void A_version_2_message_gives_the_extensions_this_build_knows_and_skips_a_newer_writers_extra_ones()
    {
        var known = HitFields.All.Where(f => f.Message > 1).ToList();
        var extensions = Enumerable.Range(1, known.Count + 2).Select(i => "x" + i).ToList();
        var message = new List<byte>(Convert.FromHexString(RecordedVersion1)) { [0] = HitCodec.Version2 };
        message.Add((byte)extensions.Count);
        foreach (var value in extensions)
        {
            message.Add((byte)value.Length);
            message.AddRange(System.Text.Encoding.UTF8.GetBytes(value));
        }

        Assert.That(HitCodec.TryDecode(message.ToArray(), out var decoded, out var reason), Is.True, reason);

        var expected = RecordedHit();
        for (var i = 0; i < known.Count; i++)
        {
            typeof(Hit).GetProperty(known[i].Property!)!.SetValue(expected, extensions[i]);
        }
        Assert.That(decoded, Is.EqualTo(expected).UsingPropertiesComparer());
    }

    [Test]
    public void A_hit_without_fields_added_after_version_1_is_written_byte_for_byte_as_version_1()
    {
        Assert.That(Convert.ToHexString(HitCodec.Encode(RecordedHit())), Is.EqualTo(RecordedVersion1));
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

    [Test]
    public void A_pack_gives_back_its_hit_messages_byte_for_byte_in_order()
    {
        var messages = Enumerable.Range(0, 3).Select(_ => HitCodec.Encode(FullHit())).Append(HitCodec.Encode(RecordedHit())).ToList();
        var unpacked = new List<ArraySegment<byte>>();

        Assert.That(HitCodec.TryUnpack(HitCodec.Pack(messages), unpacked, out var reason), Is.True, reason);
        Assert.That(unpacked.Select(m => m.ToArray()), Is.EqualTo(messages));
        Assert.That(HitCodec.TryDecode(HitCodec.Pack(messages), out _, out var single), Is.False, "a pack is not a hit");
        Assert.That(single, Is.EqualTo("unknown version 3"));
    }

    [Test]
    public void Every_truncation_of_a_pack_and_trailing_bytes_after_one_are_poison()
    {
        var pack = HitCodec.Pack([HitCodec.Encode(FullHit()), HitCodec.Encode(FullHit())]);
        var unpacked = new List<ArraySegment<byte>>();

        for (var length = 1; length < pack.Length; length++)
        {
            Assert.That(HitCodec.TryUnpack(pack[..length], unpacked, out var reason), Is.False, $"length {length}");
            Assert.That(unpacked, Is.Empty);
            Assert.That(reason, Is.Not.Empty);
        }
        Assert.That(HitCodec.TryUnpack([.. pack, 0], unpacked, out var trailing), Is.False);
        Assert.That(trailing, Is.EqualTo("trailing bytes"));
        Assert.That(HitCodec.TryUnpack([HitCodec.PackVersion, 0], unpacked, out var empty), Is.False);
        Assert.That(empty, Is.EqualTo("pack count out of range"));
    }
}
