using System.Net;
using System.Text.Json;

namespace Analytics.Analysts.Tests.Access;

/// <summary>Keys, scopes, revocation, rate limits and shared links, against a running host.</summary>
[TestFixture]
public sealed class AccessTests
{
    private const int PerMinute = 5;
    private static readonly object Body = new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "visitors" } };
    private StatsHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // Shared links use the higher of Analysts:SharedMinVisitors and the site's KThreshold: both 2 here.
        _host = await StatsHost.StartAsync($"--Analysts:RequestsPerMinute={PerMinute}", "--Analysts:SharedMinVisitors=2", "--Sites:Sites:0:KThreshold=2");
        await _host.SeedAsync(Fixtures.Hits("demo"));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task A_request_without_a_key_gets_401_and_no_data()
    {
        using var response = await _host.PostQueryAsync(null, Body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("results"));
    }

    [TestCase("ak_0000000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("not-a-key")]
    [TestCase("")]
    public async Task A_made_up_key_gets_401(string key)
    {
        using var response = await _host.PostQueryAsync(key, Body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_key_for_another_site_gets_403_and_no_data()
    {
        var key = _host.NewKey("other");

        using var post = await _host.PostQueryAsync(key, Body);
        using var client = _host.Client(key);
        using var get = await client.GetAsync("/api/v2/aggregate?site_id=demo&metrics=visitors");
        using var realtime = await client.GetAsync("/api/v2/realtime?site_id=demo");

        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(realtime.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await post.Content.ReadAsStringAsync(), Does.Not.Contain("results"));
    }

    [Test]
    public async Task A_request_without_a_site_gets_400_saying_so()
    {
        var key = _host.NewKey("demo");
        using var client = _host.Client(key);

        using var get = await client.GetAsync("/api/v2/breakdown?site=demo&dimension=browser");

        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await get.Content.ReadAsStringAsync(), Does.Contain("site_id is required"));
    }

    [Test]
    public async Task A_revoked_key_stops_working_on_its_next_request()
    {
        var (key, secret) = _host.Keys.Create(["demo"], "to revoke");
        using (var before = await _host.PostQueryAsync(secret, Body))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(_host.Keys.Revoke(key.Id), Is.True);
        using var after = await _host.PostQueryAsync(secret, Body);

        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public void Only_a_hash_of_the_key_is_stored()
    {
        var secret = _host.NewKey("demo");

        var file = File.ReadAllText(_host.Keys.Path);

        Assert.That(file, Does.Not.Contain(secret[12..]));
        Assert.That(file, Does.Contain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)))));
    }

    [Test]
    public async Task Requests_over_the_per_key_limit_get_429_with_rate_limit_headers()
    {
        var key = _host.NewKey("demo");
        using var client = _host.Client(key);
        // A fixed window resets each minute: start right after a reset so all requests share one window.
        var deadline = DateTime.UtcNow.AddSeconds(70);
        while (DateTime.UtcNow.Second > 50 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= PerMinute; i++)
        {
            last?.Dispose();
            last = await client.GetAsync("/api/v2/aggregate?site_id=demo&metrics=visitors&date_range=2026-03-10,2026-03-10");
            statuses.Add(last.StatusCode);
        }

        Assert.That(statuses.Take(PerMinute), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(statuses[^1], Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(last!.Headers.GetValues("X-RateLimit-Limit").Single(), Is.EqualTo(PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(last.Headers.GetValues("X-RateLimit-Remaining").Single(), Is.EqualTo("0"));
        Assert.That(int.Parse(last.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, 60));
        Assert.That(last.Headers.RetryAfter, Is.Not.Null);
        last.Dispose();

        using var other = await _host.PostQueryAsync(_host.NewKey("demo"), Body);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another key has its own budget");
    }

    [Test]
    public async Task A_shared_link_is_locked_to_its_filter_and_hides_small_rows()
    {
        using var locked = JsonDocument.Parse("""[["is", "country", ["FR", "DE"]]]""");
        var (_, secret) = _host.Keys.Create(["demo"], "shared", Analytics.Analysts.Access.ApiKeyKinds.Share, locked.RootElement.Clone());

        // Locked to FR and DE: A and B (the anonymous hit is no visitor); the viewer's own filter can only narrow further.
        var total = await _host.QueryAsync(secret, new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "visitors", "pageviews" } });
        var widened = await _host.QueryAsync(secret, new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "visitors" }, filters = new object[] { new object[] { "is", "country", new[] { "US" } } } });
        // Per page: "/pricing" and "/" have A and B (2 each); "/docs" only A (1 < 2): hidden, and one of the two
        // others (equally small) with it, or the total less those two would be "/docs".
        var pages = await _host.QueryAsync(secret, new { site_id = "demo", date_range = new[] { "2026-03-10", "2026-03-10" }, metrics = new[] { "visitors" }, dimensions = new[] { "page" } });

        Assert.That(total.GetProperty("results")[0].GetProperty("metrics")[0].GetInt32(), Is.EqualTo(2));
        Assert.That(widened.GetProperty("results").GetArrayLength(), Is.Zero);
        var shownPages = pages.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("dimensions")[0].GetString()).ToList();
        Assert.That(shownPages, Has.Count.EqualTo(1));
        Assert.That(shownPages, Is.SubsetOf(new[] { "/pricing", "/" }));
    }

    [Test]
    public async Task A_shared_link_never_hides_exactly_one_row_under_a_total_it_shows()
    {
        using var locked = JsonDocument.Parse("""[["is", "country", ["FR", "DE"]]]""");
        var (_, secret) = _host.Keys.Create(["demo"], "shared", Analytics.Analysts.Access.ApiKeyKinds.Share, locked.RootElement.Clone());
        var owner = _host.NewKey("demo");
        var range = new[] { "2026-03-10", "2026-03-10" };
        var filter = new object[] { new object[] { "is", "country", new[] { "FR", "DE" } } };

        var total = await _host.QueryAsync(secret, new { site_id = "demo", date_range = range, metrics = new[] { "visitors", "pageviews" } });
        var shown = await _host.QueryAsync(secret, new { site_id = "demo", date_range = range, metrics = new[] { "pageviews" }, dimensions = new[] { "page" } });
        var all = await _host.QueryAsync(owner, new { site_id = "demo", date_range = range, metrics = new[] { "pageviews" }, dimensions = new[] { "page" }, filters = filter });

        static Dictionary<string, int> Rows(JsonElement answer) => answer.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("dimensions")[0].GetString()!, r => r.GetProperty("metrics")[0].GetInt32());
        var hidden = Rows(all).Keys.Except(Rows(shown).Keys).ToList();
        Assert.That(total.GetProperty("results")[0].GetProperty("metrics")[1].GetInt32(), Is.EqualTo(Rows(all).Values.Sum()), "the shared total is shown");
        Assert.That(hidden, Has.Count.Not.EqualTo(1), "one hidden row would be the total minus the rows shown");
        Assert.That(hidden, Does.Contain("/docs"));
    }

    [Test]
    public async Task The_dashboard_page_and_its_assets_are_served_compressed_and_small()
    {
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = _host.Address };
        long total = 0;
        foreach (var path in new[] { "/dashboard/demo", "/dashboard/assets/app.js", "/dashboard/assets/app.css" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd("gzip, br");
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "br" }), path);
            total += (await response.Content.ReadAsByteArrayAsync()).Length;
        }
        TestContext.Out.WriteLine($"dashboard transfer: {total} bytes compressed");
        Assert.That(total, Is.LessThan(150 * 1024));
    }
}
