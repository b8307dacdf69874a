using Analytics.Collector.Enrichment.Geo;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Enrichment;

public class StartupTests
{
    [Test]
    public void A_missing_user_agent_rules_file_fails_start_up_with_its_name()
    {
        var e = Assert.ThrowsAsync<FileNotFoundException>(async () =>
            await (await CollectorHarness.StartAsync(("Enrichment:UserAgents:RegexesPath", "/nonexistent/regexes.yaml"))).DisposeAsync());

        Assert.That(e!.Message, Does.Contain("/nonexistent/regexes.yaml"));
    }

    [Test]
    public void A_missing_geo_database_fails_start_up_with_its_name()
    {
        var e = Assert.ThrowsAsync<GeoDatabaseException>(async () =>
            await (await CollectorHarness.StartAsync(("Enrichment:Geo:DatabasePath", "/nonexistent/City.mmdb"))).DisposeAsync());

        Assert.That(e!.Message, Does.Contain("/nonexistent/City.mmdb"));
    }

    [Test]
    public void A_malformed_trusted_proxy_fails_start_up_naming_the_setting()
    {
        var e = Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await (await CollectorHarness.StartAsync(("Enrichment:Geo:TrustedProxies:0", "10.0.0.0/33"))).DisposeAsync());

        Assert.That(e!.Message, Does.Contain("Enrichment:Geo:TrustedProxies:0"));
    }

    [Test]
    public async Task Start_up_without_a_geo_database_is_possible_when_configured_and_hits_still_flow()
    {
        await using var collector = await CollectorHarness.StartAsync(
            ("Enrichment:Geo:DatabasePath", "/nonexistent/City.mmdb"),
            ("Enrichment:Geo:ContinueWithoutDatabase", "true"));

        var hit = await collector.SendAsync("https://shop.example.com/");

        Assert.That(hit, Is.Not.Null);
        Assert.That(hit!.Country, Is.Empty);
        Assert.That(hit.Browser, Is.EqualTo("Firefox"));
    }
}
