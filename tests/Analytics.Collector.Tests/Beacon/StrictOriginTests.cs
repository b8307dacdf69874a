using System.Net;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Tests.Beacon;

/// <summary>
/// Issue 15, finding 8: a beacon with neither Origin nor Referer cannot be traced to a page. By default it
/// is stored (browsers and privacy tools often send neither); a site in strict-origin mode stores only
/// hits a browser vouches for, and counts the others as MissingOrigin.
/// </summary>
public class StrictOriginTests
{
    private const string Gif = "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa";

    private static Task<CollectorServer> StrictAsync() => CollectorServer.StartAsync("--Sites:Sites:0:StrictOrigin=true");

    [Test]
    public async Task A_strict_site_drops_a_gif_with_neither_origin_nor_referer_but_answers_it()
    {
        await using var server = await StrictAsync();
        using var client = server.NewRawClient();

        using var response = await client.GetAsync(Gif);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/gif"));
        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.MissingOrigin), Is.EqualTo(1));
    }

    [TestCase("Referer", "http://localhost/a")]
    [TestCase("Origin", "http://localhost")]
    public async Task A_strict_site_stores_a_hit_whose_header_names_its_host(string header, string value)
    {
        await using var server = await StrictAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Gif);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.That(server.Sink.Hits, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_strict_site_drops_an_event_batch_without_either_header()
    {
        await using var server = await StrictAsync();
        using var client = server.NewRawClient();

        using var response = await client.PostAsync("/e", new StringContent("""[{"site":"demo","url":"http://localhost/a"},{"site":"demo","url":"http://localhost/b"}]"""));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.MissingOrigin), Is.EqualTo(2));
    }

    [Test]
    public async Task A_strict_site_still_drops_a_foreign_referer_as_foreign()
    {
        await using var server = await StrictAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Gif);
        request.Headers.TryAddWithoutValidation("Referer", "https://evil.example/");

        using var response = await client.SendAsync(request);

        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.ForeignHost), Is.EqualTo(1));
    }

    [Test]
    public async Task By_default_a_gif_with_neither_header_is_stored()
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();

        using var response = await client.GetAsync(Gif);

        Assert.That(server.Sink.Hits, Has.Count.EqualTo(1), "the documented default: off, so privacy-minded browsers are still counted");
    }
}
