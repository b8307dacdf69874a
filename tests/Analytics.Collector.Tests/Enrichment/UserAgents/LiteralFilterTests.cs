using Analytics.Collector.Enrichment.UserAgents;

namespace Analytics.Collector.Tests.Enrichment.UserAgents;

public class LiteralFilterTests
{
    [TestCase(@"(Silk)/(\d+)\.(\d+)", false, new[] { "Silk" })]
    [TestCase(@"(Chromium|Chrome)/(\d+)", false, new[] { "Chromium", "Chrome" })]
    [TestCase(@"Opera Mobi.{1,100}(Opera)", false, new[] { "Opera Mobi" })]
    [TestCase(@"(?:[Ss]pider|[Cc]rawl)", false, new[] { "spider", "crawl" })]
    [TestCase(@"ab?cde", false, new[] { "cde" })]
    public void Required_literals_are_found(string pattern, bool ignoreCase, string[] expected)
    {
        var filter = LiteralFilter.Extract(pattern, ignoreCase);

        Assert.That(filter?.AnyOf, Is.EquivalentTo(expected));
    }

    [TestCase(@"(Foo|\d+)b?")]
    [TestCase(@"(?i)anything")]
    [TestCase(@"(Opera)?x")]
    [TestCase(@"\d+\.\d+")]
    public void No_filter_is_made_when_no_literal_is_required(string pattern)
    {
        Assert.That(LiteralFilter.Extract(pattern, false), Is.Null);
    }

    [Test]
    public void Letters_with_non_ascii_case_twins_are_left_out_of_case_insensitive_literals()
    {
        var filter = LiteralFilter.Extract("blackberry", ignoreCase: true);

        Assert.That(filter?.AnyOf, Is.EqualTo(new[] { "berry" }));
        Assert.That(LiteralFilter.Extract("kindle", ignoreCase: true)?.AnyOf, Is.EqualTo(new[] { "indle" }));
        Assert.That(filter!.MayMatch("Mozilla BLACKBERRY"), Is.True);
    }
}
