using System.Net;
using System.Text.Json;
using Analytics.Analysts.Access;
using Microsoft.Playwright;

namespace Analytics.Analysts.Tests.Privacy;

/// <summary>
/// Issue 15, finding 6: realtime through a shared link sees only what the link's locked filter lets through;
/// issue 19: and, like every number a shared link shows, is held to its k (fewer than k current visitors: no number).
/// </summary>
public sealed class SharedRealtimeTests
{
    [Test]
    public async Task A_link_locked_to_one_country_sees_only_that_countrys_current_visitors()
    {
        // k = 1, so every count shows: this test is about the lock.
        await using var host = await StatsHost.StartAsync("--Analysts:RealtimeCacheFor=00:00:00", "--Analysts:SharedMinVisitors=1");
        var now = DateTime.UtcNow;
        await host.SeedAsync(
        [
            Fixtures.Page("now", Fixtures.A, now.AddMinutes(-1), "/", country: "FR"),
            Fixtures.Page("now", Fixtures.A, now.AddMinutes(-2), "/x", country: "FR"),
            Fixtures.Page("now", Fixtures.B, now.AddMinutes(-1), "/", country: "DE"),
            Fixtures.Page("now", Fixtures.C, now.AddMinutes(-3), "/", country: "US"),
            Fixtures.Page("now", Fixtures.E, now.AddMinutes(-30), "/", country: "FR"),
        ]);
        using var locked = JsonDocument.Parse("""[["is", "country", ["FR"]]]""");
        var (_, shared) = host.Keys.Create(["now"], "shared FR", ApiKeyKinds.Share, locked.RootElement.Clone());
        var (_, germany) = host.Keys.Create(["now"], "shared DE", ApiKeyKinds.Share, JsonDocument.Parse("""[["is", "country", ["DE"]]]""").RootElement.Clone());

        var whole = await RealtimeAsync(host, host.NewKey("now"));
        var france = await RealtimeAsync(host, shared);
        var germanyOnly = await RealtimeAsync(host, germany);

        // Whole site: A, B and C in the last five minutes (E was 30 minutes ago), 4 pageviews.
        Assert.That((whole.Visitors, whole.Pageviews), Is.EqualTo((3L, 4L)));
        // Locked to FR: only A, with two pageviews; to DE only B. Each link keeps its own answer.
        Assert.That((france.Visitors, france.Pageviews), Is.EqualTo((1L, 2L)));
        Assert.That((germanyOnly.Visitors, germanyOnly.Pageviews), Is.EqualTo((1L, 1L)));
    }

    [Test]
    public async Task Under_its_k_a_shared_link_learns_only_that_there_are_fewer_current_visitors()
    {
        await using var host = await StatsHost.StartAsync("--Analysts:RealtimeCacheFor=00:00:00", "--Analysts:SharedMinVisitors=2");
        var now = DateTime.UtcNow;
        await host.SeedAsync(
        [
            Fixtures.Page("now", Fixtures.A, now.AddMinutes(-1), "/", country: "FR"),
            Fixtures.Page("now", Fixtures.B, now.AddMinutes(-2), "/x", country: "FR"),
            Fixtures.Page("now", Fixtures.C, now.AddMinutes(-1), "/", country: "DE"),
            Fixtures.Page("now", Fixtures.C, now.AddMinutes(-1), "/y", country: "DE"),
        ]);
        var france = Shared(host, "FR");
        var germany = Shared(host, "DE");

        var (franceAnswer, _) = await RealtimeAnswerAsync(host, france);
        var (germanyAnswer, germanyText) = await RealtimeAnswerAsync(host, germany);
        var (analystAnswer, _) = await RealtimeAnswerAsync(host, host.NewKey("now"));

        Assert.That((franceAnswer.GetProperty("visitors").GetInt64(), franceAnswer.GetProperty("pageviews").GetInt64()), Is.EqualTo((2L, 2L)), "two visitors reach k = 2");
        Assert.That(germanyAnswer.GetProperty("fewer_than").GetInt32(), Is.EqualTo(2));
        Assert.That(germanyAnswer.GetProperty("visitors").ValueKind, Is.EqualTo(JsonValueKind.Null), germanyText);
        Assert.That(germanyAnswer.GetProperty("pageviews").ValueKind, Is.EqualTo(JsonValueKind.Null), "pageviews would tell the one visitor's activity");
        Assert.That(analystAnswer.GetProperty("visitors").GetInt64(), Is.EqualTo(3L), "an analyst key is not held to k");
        Assert.That(analystAnswer.TryGetProperty("fewer_than", out _), Is.False);
    }

    [Test]
    public async Task The_shared_dashboard_shows_only_the_locked_countrys_current_visitors_and_no_number_under_k()
    {
        await using var host = await StatsHost.StartAsync("--Analysts:RealtimeCacheFor=00:00:00", "--Analysts:SharedMinVisitors=2");
        var now = DateTime.UtcNow;
        await host.SeedAsync(
        [
            Fixtures.Page("now", Fixtures.A, now.AddMinutes(-1), "/", country: "FR"),
            Fixtures.Page("now", Fixtures.E, now.AddMinutes(-1), "/", country: "FR"),
            Fixtures.Page("now", Fixtures.B, now.AddMinutes(-1), "/", country: "DE"),
            Fixtures.Page("now", Fixtures.C, now.AddMinutes(-2), "/", country: "US"),
        ]);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();

        // The whole site has four current visitors; the link locked to FR shows its two (k = 2).
        await page.GotoAsync(new Uri(host.Address, $"/share/now?auth={Shared(host, "FR")}").ToString());
        await Assertions.Expect(page.Locator("#realtime")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^2 current visitors "));

        // The link locked to DE has one current visitor, under k: no number.
        await page.GotoAsync(new Uri(host.Address, $"/share/now?auth={Shared(host, "DE")}").ToString());
        await Assertions.Expect(page.Locator("#realtime")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^fewer than 2 current visitors "));
    }

    private static string Shared(StatsHost host, string country)
    {
        using var locked = JsonDocument.Parse($"""[["is", "country", ["{country}"]]]""");
        return host.Keys.Create(["now"], "shared " + country, ApiKeyKinds.Share, locked.RootElement.Clone()).Secret;
    }

    private static async Task<(JsonElement Answer, string Text)> RealtimeAnswerAsync(StatsHost host, string key)
    {
        using var client = host.Client(key);
        using var response = await client.GetAsync("/api/v2/realtime?site_id=now");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return (JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private static async Task<(long Visitors, long Pageviews)> RealtimeAsync(StatsHost host, string key)
    {
        using var client = host.Client(key);
        using var response = await client.GetAsync("/api/v2/realtime?site_id=now");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var answer = JsonDocument.Parse(text).RootElement;
        return (answer.GetProperty("visitors").GetInt64(), answer.GetProperty("pageviews").GetInt64());
    }
}
