using System.Text;
using Analytics.Collector.Beacon;

namespace Analytics.Collector.Tests.Beacon;

public class EventBodyTests
{
    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void A_single_hit_is_read_with_its_fields_and_unknown_fields_are_ignored()
    {
        var hits = EventBody.Parse(Utf8("""{"site":"demo","url":"http://localhost/a","ref":"https://r.example/","t":"Title","w":1280,"e":"Signup","l":"https://x.example/f.pdf","p":{"plan":"pro","n":3},"zzz":[1,2]}"""), 20);

        Assert.That(hits, Has.Count.EqualTo(1));
        var hit = hits![0];
        Assert.That(hit.Site, Is.EqualTo("demo"));
        Assert.That(hit.Url, Is.EqualTo("http://localhost/a"));
        Assert.That(hit.Referrer, Is.EqualTo("https://r.example/"));
        Assert.That(hit.Title, Is.EqualTo("Title"));
        Assert.That(hit.ScreenWidth, Is.EqualTo("1280"));
        Assert.That(hit.EventName, Is.EqualTo("Signup"));
        Assert.That(hit.LinkTarget, Is.EqualTo("https://x.example/f.pdf"));
        Assert.That(hit.Props, Is.EquivalentTo(new Dictionary<string, string> { ["plan"] = "pro", ["n"] = "3" }));
    }

    [Test]
    public void A_batch_is_read_up_to_its_limit_and_refused_beyond_it()
    {
        string Batch(int n) => "[" + string.Join(",", Enumerable.Repeat("""{"site":"demo","url":"http://localhost/"}""", n)) + "]";

        Assert.That(EventBody.Parse(Utf8(Batch(20)), 20), Has.Count.EqualTo(20));
        Assert.That(EventBody.Parse(Utf8(Batch(21)), 20), Is.Null);
    }

    [TestCase("")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("42")]
    [TestCase("\"site\"")]
    [TestCase("{\"site\":")]
    [TestCase("[{\"site\":\"demo\"}, 1]")]
    [TestCase("{\"p\":{\"a\":{\"b\":{\"c\":{\"d\":1}}}}}")]
    [TestCase("{\"site\":\"demo\"} trailing")]
    public void Malformed_bodies_are_refused_without_throwing(string body)
    {
        Assert.That(EventBody.Parse(Utf8(body), 20), Is.Null);
    }

    [Test]
    public void Invalid_utf8_is_refused()
    {
        Assert.That(EventBody.Parse(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, 20), Is.Null);
    }
}
