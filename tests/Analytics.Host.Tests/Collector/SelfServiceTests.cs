using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Analytics.Host.Tests.Collector;

public partial class SelfServiceTests
{
    [GeneratedRegex("name=\"csrf\" value=\"([A-Za-z0-9_-]{48})\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<code id=\"visitor-id\">([0-9a-f]{32})</code>")]
    private static partial Regex VisitorIdField();

    private static async Task<string> TokenFrom(HttpClient browser, string page) =>
        TokenField().Match(await browser.GetStringAsync(page)).Groups[1].Value;

    private static FormUrlEncodedContent Form(string token) => new([new("csrf", token)]);

    private static async Task<JsonElement> DataOf(HttpClient browser)
    {
        using var response = await browser.GetAsync("/me/data");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<JsonElement> HitsOf(HttpClient browser) => (await DataOf(browser)).GetProperty("hits");

    [Test]
    public async Task A_visitor_sees_their_id_exports_their_hits_and_after_erasing_nothing_is_left()
    {
        await using var host = await RunningHost.StartAsync();
        var jar = new CookieContainer();
        using var browser = host.NewBrowser(jar);
        using var other = host.NewBrowser();
        for (var i = 0; i < 3; i++)
        {
            using var hit = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fmine{i}%3Femail%3Dme%40example.com");
        }
        using var someoneElse = await other.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Ftheirs");
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 4);
        var cookie = jar.GetCookies(host.Address)["_vid"]!.Value;

        var me = await browser.GetStringAsync("/me");
        Assert.That(VisitorIdField().IsMatch(me), Is.True, "the page shows the visitor's ID");
        Assert.That(me, Does.Contain("never keep your IP address"));

        var all = await DataOf(browser);
        Assert.That(all.GetProperty("visits").GetArrayLength(), Is.EqualTo(1), "their one visit");
        var data = all.GetProperty("hits");
        Assert.That(data.GetArrayLength(), Is.EqualTo(3), "only this visitor's hits");
        var paths = data.EnumerateArray().Select(h => h.GetProperty("path").GetString()).ToList();
        Assert.That(paths, Is.EquivalentTo(new[] { "/mine0", "/mine1", "/mine2" }));
        Assert.That(data[0].TryGetProperty("visitor_id", out _), Is.False);

        using var erase = await browser.PostAsync("/me/erase", Form(await TokenFrom(browser, "/me")));
        Assert.That(erase.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(jar.GetCookies(host.Address)["_vid"], Is.Null, "the cookie is cleared");

        // The same (old) cookie, sent again, finds nothing any more.
        jar.Add(host.Address, new Cookie("_vid", cookie));
        var after = await DataOf(browser);
        Assert.That(after.GetProperty("hits").GetArrayLength(), Is.Zero);
        Assert.That(after.GetProperty("visits").GetArrayLength(), Is.Zero);
        Assert.That((await HitsOf(other)).GetArrayLength(), Is.EqualTo(1), "another visitor's data is untouched");
    }

    [Test]
    public async Task Without_a_cookie_there_is_no_id_and_no_data()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();

        Assert.That(await browser.GetStringAsync("/me"), Does.Contain("has no visitor ID"));
        Assert.That((await HitsOf(browser)).GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Erase_without_the_pages_token_or_from_another_origin_is_refused_and_erases_nothing()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();
        using var hit = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);

        using var noToken = await browser.PostAsync("/me/erase", new FormUrlEncodedContent([]));
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/me/erase") { Content = Form(await TokenFrom(browser, "/me")) };
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var fromElsewhere = await browser.SendAsync(crossSite);
        using var json = await browser.PostAsync("/me/erase", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.That(noToken.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(fromElsewhere.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await HitsOf(browser)).GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Self_service_queries_are_limited_per_client()
    {
        await using var host = await RunningHost.StartAsync(null, "--RateLimit:SelfServiceBurst=2", "--RateLimit:SelfServicePerMinute=1");
        using var browser = host.NewBrowser();
        using var hit = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await browser.GetAsync("/me/data");
            answers.Add(response.StatusCode);
        }

        Assert.That(answers, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }
}
