using Analytics.Collector.Identity;

namespace Analytics.Collector.Tests.Identity;

public class VisitorCookieTests
{
    [Test]
    public void New_ids_are_distinct_and_round_trip_through_the_cookie_format()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => VisitorCookie.NewId()).ToList();

        Assert.That(ids, Is.Unique);
        foreach (var id in ids)
        {
            Assert.That(VisitorCookie.TryParse(VisitorCookie.Format(id), out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(id));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("zz23456789abcdef0123456789abcdef")]
    [TestCase("0123456789ABCDEF0123456789ABCDEF")]
    [TestCase("0123456789abcdef-0123456789abcdef")]
    [TestCase("00000000000000000000000000000000")]
    public void Malformed_values_are_not_ids(string? value)
    {
        Assert.That(VisitorCookie.TryParse(value, out _), Is.False);
    }
}
