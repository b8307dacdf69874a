using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Tests.Pipeline;

public class PercentEncodingTests
{
    [TestCase("site=demo&url=http%3A%2F%2Fexample.com%2F", true)]
    [TestCase("t=%C3%A9t%C3%A9", true)]
    [TestCase("t=%F0%9F%98%80", true)]
    [TestCase("t=%C3%28", false)]
    [TestCase("t=%FF", false)]
    [TestCase("t=%E2%82", false)]
    [TestCase("t=100%25", true)]
    [TestCase("t=50%", true)]
    public void Decoded_query_must_be_valid_utf8(string query, bool valid)
    {
        Assert.That(PercentEncoding.DecodesToValidUtf8(query), Is.EqualTo(valid));
    }

    [Test]
    public void Long_queries_are_checked_beyond_the_stack_buffer()
    {
        var query = "t=" + string.Concat(Enumerable.Repeat("%C3%A9", 1000)) + "%C3";

        Assert.That(PercentEncoding.DecodesToValidUtf8(query), Is.False);
    }
}
