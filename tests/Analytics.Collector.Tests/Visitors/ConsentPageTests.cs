using System.Net;
using System.Text.RegularExpressions;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Tests.Visitors;

public partial class ConsentPageTests
{
    private const string Page = "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa";

    [GeneratedRegex("name=\"csrf\" value=\"([A-Za-z0-9_-]{48})\"")]
    private static partial Regex TokenField();

    private static async Task<string> TokenFrom(HttpClient browser, string page)
    {
        var html = await browser.GetStringAsync(page);
        return TokenField().Match(html).Groups[1].Value;
    }

    private static FormUrlEncodedContent Form(string token) => new([new("csrf", token)]);

    [Test]
    public async Task Opting_out_then_in_again_round_trips_through_the_pages()
    {
        await using var server = await CollectorServer.StartAsync();
        var jar = new CookieContainer();
        using var browser = server.NewBrowser(jar);
        using var before = await browser.GetAsync(Page);
        Assert.That(jar.GetCookies(server.Address)["_vid"], Is.Not.Null);

        using var optOut = await browser.PostAsync("/optout", Form(await TokenFrom(browser, "/optout")));
        Assert.That(optOut.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(jar.GetCookies(server.Address)["_optout"]?.Value, Is.EqualTo("1"));
        Assert.That(jar.GetCookies(server.Address)["_vid"], Is.Null, "the ID cookie is removed");
        Assert.That(await browser.GetStringAsync("/optout"), Does.Contain("You are opted out"));

        using var whileOut = await browser.GetAsync(Page);
        Assert.That(whileOut.SetCookies(), Is.Empty);

        using var optIn = await browser.PostAsync("/optin", Form(await TokenFrom(browser, "/optin")));
        Assert.That(optIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(jar.GetCookies(server.Address)["_optout"], Is.Null);

        using var after = await browser.GetAsync(Page);
        Assert.That(after.SetCookieValue("_vid"), Is.Not.Null);

        var hits = server.Sink.Hits.ToArray();
        Assert.That(hits, Has.Length.EqualTo(3));
        Assert.That(hits[0].VisitorId, Is.Not.EqualTo(Guid.Empty));
        Assert.That(hits[1].VisitorId, Is.EqualTo(Guid.Empty), "opted out: anonymous");
        Assert.That(hits[2].VisitorId, Is.Not.EqualTo(Guid.Empty).And.Not.EqualTo(hits[0].VisitorId), "opted in again: a new ID");
    }

    [TestCase("/optout")]
    [TestCase("/optin")]
    public async Task A_post_without_the_pages_token_is_refused(string path)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var none = await browser.PostAsync(path, new FormUrlEncodedContent([]));
        await TokenFrom(browser, path);
        using var wrong = await browser.PostAsync(path, Form(new string('A', 22)));

        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(none.SetCookies().Concat(wrong.SetCookies()), Has.None.StartsWith("_optout"));
    }

    [Test]
    public async Task A_cross_site_form_that_has_the_token_but_not_the_cookie_is_refused()
    {
        await using var server = await CollectorServer.StartAsync();
        using var page = server.NewBrowser();
        var token = await TokenFrom(page, "/optout");
        // A browser does not send the SameSite=Strict token cookie with a cross-site POST.
        using var attacker = server.NewRawClient();

        using var response = await attacker.PostAsync("/optout", Form(token));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("Origin", "https://evil.example")]
    [TestCase("Origin", "null")]
    [TestCase("Sec-Fetch-Site", "cross-site")]
    [TestCase("Sec-Fetch-Site", "same-site")]
    public async Task A_post_the_browser_marks_as_from_elsewhere_is_refused_even_with_token_and_cookie(string header, string value)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(await TokenFrom(browser, "/optout")) };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await browser.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.SetCookies(), Has.None.StartsWith("_optout"));
    }

    [Test]
    public async Task A_post_from_the_collectors_own_origin_is_accepted()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(await TokenFrom(browser, "/optout")) };
        request.Headers.Add("Origin", server.Address.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await browser.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_opted_out_visitor_on_a_drop_mode_site_is_not_stored()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        using var optOut = await browser.PostAsync("/optout", Form(await TokenFrom(browser, "/optout")));

        using var response = await browser.GetAsync("/i.gif?site=strict&url=https%3A%2F%2Fstrict.example%2F");

        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.ConsentDeclined), Is.EqualTo(1));
    }

    [Test]
    public async Task Pages_carry_a_strict_content_security_policy_and_are_not_cached()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync("/optout");

        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'"));
        Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
    }
}
