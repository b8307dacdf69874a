using Analytics.Collector.Enrichment;

namespace Analytics.Collector.Tests.Enrichment;

public class LanguageStepTests
{
    // Headers as browsers send them (Chrome, Firefox, Safari in various locales), and ones they should not.
    [TestCase("de-CH,de;q=0.9,en;q=0.8", "de")]
    [TestCase("en-US,en;q=0.9", "en")]
    [TestCase("en-GB,en-US;q=0.9,en;q=0.8", "en")]
    [TestCase("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr")]
    [TestCase("zh-CN,zh;q=0.9", "zh")]
    [TestCase("zh-Hant-TW,zh-Hant;q=0.9", "zh")]
    [TestCase("ja", "ja")]
    [TestCase("pt-BR", "pt")]
    [TestCase("es-419,es;q=0.9", "es")]
    [TestCase("haw-US,en;q=0.5", "haw")]
    [TestCase("DE-de", "de")]
    [TestCase("en_US", "en")]
    [TestCase(" nl , en;q=0.5", "nl")]
    [TestCase("en;q=0.5, de;q=0.9", "de")]
    [TestCase("de;q=0, it", "it")]
    [TestCase("*", "")]
    [TestCase("*;q=0.5, sv;q=0.4", "")]
    [TestCase("", "")]
    [TestCase("i-klingon", "")]
    [TestCase("x-pig-latin", "")]
    [TestCase("english", "")]
    [TestCase("12-34", "")]
    [TestCase("éé-FR", "")]
    [TestCase(";q=1", "")]
    [TestCase(",,,", "")]
    public void The_language_is_the_lower_cased_primary_subtag_of_the_first_choice_or_empty(string header, string expected)
    {
        Assert.That(LanguageStep.PrimaryLanguage(header), Is.EqualTo(expected));
    }

    [Test]
    public void The_same_language_is_the_same_string_so_a_hit_costs_no_allocation()
    {
        var first = LanguageStep.PrimaryLanguage("de-CH,de;q=0.9");
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var again = LanguageStep.PrimaryLanguage("DE-AT");

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocated, Is.Zero);
        Assert.That(again, Is.SameAs(first));
    }

    [Test]
    public async Task A_beacon_with_an_accept_language_header_leaves_with_its_language_only()
    {
        await using var collector = await CollectorHarness.StartAsync();

        var hit = await collector.SendAsync("https://shop.example.com/", headers: new Dictionary<string, string> { ["Accept-Language"] = "de-CH,de;q=0.9,en;q=0.8" });
        var without = await collector.SendAsync("https://shop.example.com/");

        Assert.That(hit!.Language, Is.EqualTo("de"));
        Assert.That(without!.Language, Is.Empty);
    }
}
