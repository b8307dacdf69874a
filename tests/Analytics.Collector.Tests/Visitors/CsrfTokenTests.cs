using System.Net;
using System.Text.RegularExpressions;
using Analytics.Collector.Identity;

namespace Analytics.Collector.Tests.Visitors;

/// <summary>
/// Issue 15, findings 1 and 2: the visitor's forms work from their own pages in a browser that sends
/// Origin: null (Referrer-Policy: no-referrer), and only a token the collector signed for this visitor
/// is accepted, whatever cookie and field a client makes up.
/// </summary>
public partial class CsrfTokenTests
{
    private const string Page = "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa";

    [GeneratedRegex("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")]
    private static partial Regex TokenField();

    private static FormUrlEncodedContent Form(string token) => new([new("csrf", token)]);

    [TestCase("/optout")]
    [TestCase("/optin")]
    public async Task A_same_origin_form_post_with_origin_null_as_chromium_sends_it_is_accepted(string action)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        var html = await browser.GetStringAsync(action);
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = Form(TokenField().Match(html).Groups[1].Value) };
        request.Headers.Add("Origin", "null");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await browser.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [TestCase("AAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_cookie_and_field_pair_the_client_made_up_is_refused_even_without_an_origin_header(string madeUp)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(madeUp) };
        request.Headers.Add("Cookie", "_csrf=" + madeUp);

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.SetCookies(), Has.None.StartsWith("_optout"));
    }

    [Test]
    public async Task A_token_issued_to_another_visitor_is_refused()
    {
        await using var server = await CollectorServer.StartAsync();
        var cookie = server.App.Services.GetRequiredService<VisitorCookie>();
        var today = VisitorCookie.DayOf(DateTime.UtcNow);
        var attacker = cookie.Format(VisitorCookie.NewId(), today);
        var victim = cookie.Format(VisitorCookie.NewId(), today);
        using var client = server.NewRawClient();
        using var own = new HttpRequestMessage(HttpMethod.Get, "/optout");
        own.Headers.Add("Cookie", "_vid=" + attacker);
        using var page = await client.SendAsync(own);
        var token = TokenField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;

        // The attacker's genuine token, planted with its cookie in the victim's browser (e.g. from a sibling subdomain).
        using var asVictim = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(token) };
        asVictim.Headers.Add("Cookie", $"_vid={victim}; _csrf={token}");
        using var refused = await client.SendAsync(asVictim);
        using var asAttacker = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(token) };
        asAttacker.Headers.Add("Cookie", $"_vid={attacker}; _csrf={token}");
        using var accepted = await client.SendAsync(asAttacker);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same token works for the visitor it was issued to");
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        await using var other = await CollectorServer.StartAsync("--Signing:Keys:0=" + CollectorServer.KeyB);
        using var elsewhere = other.NewBrowser();
        var foreign = TokenField().Match(await elsewhere.GetStringAsync("/optout")).Groups[1].Value;
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/optout") { Content = Form(foreign) };
        request.Headers.Add("Cookie", "_csrf=" + foreign);

        using var response = await client.SendAsync(request);

        Assert.That(foreign, Has.Length.EqualTo(48));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
