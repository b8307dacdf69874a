using System.Net;
using System.Text;
using Analytics.Collector.Beacon;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Tests.Beacon;

public class EventEndpointTests
{
    private static StringContent Json(string body, string type = "text/plain") => new(body, Encoding.UTF8, type);

    [Test]
    public async Task A_sendbeacon_body_is_accepted_as_text_plain_and_sets_the_cookie()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.PostAsync("/e", Json("""{"site":"demo","url":"http://localhost/a","e":"Signup","p":{"plan":"pro"}}"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(response.SetCookieValue("_vid"), Is.Not.Null);
        var hit = server.Sink.Hits.Single();
        Assert.That(hit.EventName, Is.EqualTo("Signup"));
        Assert.That(hit.Props["plan"], Is.EqualTo("pro"));
    }

    [Test]
    public async Task A_batch_shares_one_visitor_id_and_only_its_first_hit_is_new()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.PostAsync("/e", Json("""[{"site":"demo","url":"http://localhost/a"},{"site":"demo","url":"http://localhost/b"},{"site":"demo","url":"http://localhost/c"}]""", "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var hits = server.Sink.Hits.ToArray();
        Assert.That(hits, Has.Length.EqualTo(3));
        Assert.That(hits.Select(h => h.VisitorId).Distinct().Count(), Is.EqualTo(1));
        Assert.That(hits.Select(h => h.IsNewVisitor), Is.EqualTo(new[] { true, false, false }));
        Assert.That(response.SetCookies(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_oversized_body_is_refused_with_413_and_nothing_stored()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:MaxBodyBytes=1024");
        using var browser = server.NewBrowser();
        var body = """{"site":"demo","url":"http://localhost/a","t":"%"}""".Replace("%", new string('x', 2000), StringComparison.Ordinal);

        using var response = await browser.PostAsync("/e", Json(body));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(server.Sink.Hits, Is.Empty);
    }

    [Test]
    public async Task An_oversized_chunked_body_without_a_length_is_refused_too()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:MaxBodyBytes=1024");
        using var browser = server.NewBrowser();
        using var content = new StreamContent(new MemoryStream(new byte[5000]));
        content.Headers.ContentType = new("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/e") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await browser.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [TestCase("{not json", "text/plain", HttpStatusCode.BadRequest)]
    [TestCase("[]", "text/plain", HttpStatusCode.BadRequest)]
    [TestCase("{\"site\":\"demo\"}", "application/xml", HttpStatusCode.UnsupportedMediaType)]
    public async Task Malformed_bodies_get_a_4xx_never_a_5xx(string body, string type, HttpStatusCode expected)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.PostAsync("/e", Json(body, type));

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("demo"), "input is never reflected");
    }

    [Test]
    public async Task Preflight_from_a_registered_origin_is_allowed_with_credentials()
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/e");
        request.Headers.Add("Origin", "https://www.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("https://www.example.com"));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Credentials").Single(), Is.EqualTo("true"));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Methods").Single(), Is.EqualTo("POST"));
    }

    [TestCase("https://evil.example")]
    [TestCase("null")]
    [TestCase("https://www.example.com.evil.example")]
    [TestCase("https://www.example.com@evil.example")]
    public async Task Cors_is_never_granted_to_an_unregistered_origin(string origin)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/e");
        preflight.Headers.TryAddWithoutValidation("Origin", origin);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/e") { Content = Json("""{"site":"demo","url":"http://localhost/a"}""") };
        post.Headers.TryAddWithoutValidation("Origin", origin);

        using var first = await client.SendAsync(preflight);
        using var second = await client.SendAsync(post);

        Assert.That(first.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        Assert.That(second.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        Assert.That(server.Sink.Hits, Is.Empty, "a POST from a foreign origin is not stored either");
        Assert.That(server.Metrics.RejectedCount(DropReason.ForeignHost), Is.EqualTo(1));
    }

    [Test]
    public async Task A_lone_surrogate_in_one_hit_of_a_batch_drops_only_that_hit_and_counts_it()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        // Issue 15, finding 7: "\udc00" is valid JSON but no valid string; it used to fail the whole batch with a 500.
        const string body = """[{"site":"demo","url":"http://localhost/good"},{"site":"demo","url":"http://localhost/bad","t":"\udc00"},{"site":"demo","url":"http://localhost/\ud800x"},{"site":"demo","url":"http://localhost/bad-property","p":{"\udfff":"v"}}]""";

        using var response = await browser.PostAsync("/e", Json(body));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(server.Sink.Hits.Select(h => h.Path), Is.EqualTo(new[] { "/good" }));
        Assert.That(server.Metrics.RejectedCount(DropReason.InvalidEncoding), Is.EqualTo(3));
        Assert.That(response.SetCookieValue("_vid"), Is.Not.Null, "the good hit still gets its visitor its cookie");
        Assert.That(response.Headers.GetValues(BeaconEndpoints.DroppedHeader), Is.EqualTo(new[] { "InvalidEncoding", "InvalidEncoding", "InvalidEncoding" }), "one entry per dropped hit");
    }

    [TestCase("not json", "text/plain", HttpStatusCode.BadRequest)]
    [TestCase("[]", "application/json", HttpStatusCode.BadRequest)]
    [TestCase("{\"site\":\"demo\"}", "application/xml", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_body_that_is_not_a_batch_is_answered_and_counted_as_invalid(string body, string type, HttpStatusCode expected)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.PostAsync("/e", Json(body, type));

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(server.Metrics.RejectedCount(DropReason.InvalidBody), Is.EqualTo(1));
    }
}
