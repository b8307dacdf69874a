using System.Net;
using System.Net.Http.Json;
using Analytics.Collector.Links;

namespace Analytics.Collector.Tests.Links;

public class LinkApiTests
{
    [Test]
    public async Task The_api_signs_a_link_that_the_collector_then_follows()
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewBrowser();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CollectorServer.ApiToken);

        using var response = await client.PostAsJsonAsync("/api/links", new { site = "demo", campaign = "spring", to = "https://www.example.com/a?b=1" });
        var signed = await response.Content.ReadFromJsonAsync<LinkApi.SignedLink>();
        using var click = await client.GetAsync(signed!.Path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(signed.Url, Is.EqualTo(server.Address.GetLeftPart(UriPartial.Authority) + signed.Path));
        Assert.That(click.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(click.Headers.Location, Is.EqualTo(new Uri("https://www.example.com/a?b=1")));
    }

    [TestCase("nope", "spring", "https://www.example.com/", "site")]
    [TestCase("demo", "a b", "https://www.example.com/", "campaign")]
    [TestCase("demo", "spring", "//evil.example", "to")]
    [TestCase("demo", "spring", "javascript:alert(1)", "to")]
    public async Task The_api_refuses_unknown_sites_bad_campaigns_and_unsafe_targets(string site, string campaign, string to, string field)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewBrowser();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CollectorServer.ApiToken);

        using var response = await client.PostAsJsonAsync("/api/links", new { site, campaign, to });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"\"{field}\""));
    }

    [Test]
    public async Task The_api_signs_nothing_for_a_caller_the_api_check_refuses()
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewBrowser();

        using var response = await client.PostAsJsonAsync("/api/links", new { site = "demo", campaign = "spring", to = "https://www.example.com/" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("/r/"));
    }
}
