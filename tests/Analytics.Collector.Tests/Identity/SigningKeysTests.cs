using System.Security.Cryptography;
using Analytics.Collector.Identity;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Identity;

public class SigningKeysTests
{
    private static SigningKeys Keys(params string[] keys) => new(Options.Create(new SigningOptions { Keys = keys }));

    /// <summary>The tag as defined: HMAC-SHA256 over the purpose byte and the data, truncated. Cookies and links already issued depend on it.</summary>
    private static byte[] Expected(string key, SigningPurpose purpose, byte[] data) =>
        HMACSHA256.HashData(Convert.FromBase64String(key), (byte[])[(byte)purpose, .. data]).AsSpan(0, SigningKeys.TagLength).ToArray();

    [Test]
    public void A_tag_is_the_truncated_HMAC_of_the_purpose_byte_and_the_data()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var keys = Keys(CollectorServer.KeyA);
        foreach (var length in new[] { 0, 1, 20, 600 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            foreach (var purpose in Enum.GetValues<SigningPurpose>())
            {
                var tag = new byte[SigningKeys.TagLength];
                keys.Sign(purpose, data, tag);

                Assert.That(tag, Is.EqualTo(Expected(CollectorServer.KeyA, purpose, data)), $"{purpose}, {length} bytes");
            }
        }
    }

    [Test]
    public void Tags_made_and_checked_on_many_threads_at_once_all_verify_with_the_right_key()
    {
        var keys = Keys(CollectorServer.KeyA, CollectorServer.KeyB);
        var older = Keys(CollectorServer.KeyB);

        var results = Enumerable.Range(0, 2000).AsParallel().WithDegreeOfParallelism(8).Select(i =>
        {
            var data = BitConverter.GetBytes(i);
            var tag = new byte[SigningKeys.TagLength];
            var oldTag = new byte[SigningKeys.TagLength];
            keys.Sign(SigningPurpose.VisitorCookie, data, tag);
            older.Sign(SigningPurpose.VisitorCookie, data, oldTag);
            return (Newest: keys.Verify(SigningPurpose.VisitorCookie, data, tag),
                Older: keys.Verify(SigningPurpose.VisitorCookie, data, oldTag),
                OtherPurpose: keys.Verify(SigningPurpose.Link, data, tag),
                Matches: tag.SequenceEqual(Expected(CollectorServer.KeyA, SigningPurpose.VisitorCookie, data)));
        }).ToList();

        Assert.That(results.Select(r => r.Newest), Is.All.EqualTo(0));
        Assert.That(results.Select(r => r.Older), Is.All.EqualTo(1));
        Assert.That(results.Select(r => r.OtherPurpose), Is.All.EqualTo(-1));
        Assert.That(results.Select(r => r.Matches), Is.All.True);
    }
}
