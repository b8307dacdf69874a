using System.Net;
using System.Text.Json;
using Analytics.Analysts.Access;
using Microsoft.Playwright;

namespace Analytics.Analysts.Tests.Privacy;

/// <summary>Issue 15, finding 6: realtime through a shared link sees only what the link's locked filter lets through.</summary>
public sealed class SharedRealtimeTests
{
    [Test]
    public async Task A_link_locked_to_one_country_sees_only_that_countrys_current_visitors()
    {
        await using var host = await StatsHost.StartAsync("--Analysts:RealtimeCacheFor=00:00:00");
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
    public async Task The_shared_dashboard_shows_only_the_locked_countrys_current_visitors()
    {
        await using var host = await StatsHost.StartAsync("--Analysts:RealtimeCacheFor=00:00:00");
        var now = DateTime.UtcNow;
        await host.SeedAsync(
        [
            Fixtures.Page("now", Fixtures.A, now.AddMinutes(-1), "/", country: "FR"),
            Fixtures.Page("now", Fixtures.B, now.AddMinutes(-1), "/", country: "DE"),
            Fixtures.Page("now", Fixtures.C, now.AddMinutes(-2), "/", country: "US"),
        ]);
        using var locked = JsonDocument.Parse("""[["is", "country", ["FR"]]]""");
        var (_, shared) = host.Keys.Create(["now"], "shared FR", ApiKeyKinds.Share, locked.RootElement.Clone());
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();

        await page.GotoAsync(new Uri(host.Address, $"/share/now?auth={shared}").ToString());

        // The whole site has three current visitors; the link locked to FR shows one.
        await Assertions.Expect(page.Locator("#realtime")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^1 current visitor "));
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
