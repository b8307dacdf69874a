using System.Text;
using System.Text.RegularExpressions;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Playwright;

namespace Analytics.Host.Tests.Browser;

/// <summary>
/// Issue 15, finding 1 and the real-browser checks: a person opens /optout, /optin and /me in Debian's
/// Chromium and presses the buttons. Those pages are served with Referrer-Policy: no-referrer, so
/// Chromium's form POSTs carry Origin: null; the forms must still work, and a form on another site that
/// posts to the collector must still be refused.
/// </summary>
[NonParallelizable]
public partial class VisitorPagesBrowserTests
{
    [GeneratedRegex("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"")]
    private static partial Regex TokenField();

    private static async Task WaitForAcceptedAsync(CollectorMetrics metrics, double count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (metrics.AcceptedCount < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"accepted {metrics.AcceptedCount} hits, waiting for {count}");
            await Task.Delay(25);
        }
    }

    private static async Task<long> StoredHitsOfAsync(RunningHost host, string visitorId)
    {
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        var sql = $"SELECT count() FROM {clickHouse.Database}.hits WHERE visitor_id = toUUID('{Guid.ParseExact(visitorId, "N")}')";
        return long.Parse(Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TSV")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<long> WaitForStoredHitsAsync(RunningHost host, string visitorId, Func<long, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var count = await StoredHitsOfAsync(host, visitorId);
            if (condition(count) || DateTime.UtcNow > deadline)
            {
                return count;
            }
            await Task.Delay(25);
        }
    }

    private static async Task<IReadOnlyList<BrowserContextCookiesResult>> CookiesAsync(IBrowserContext context, string collector) =>
        await context.CookiesAsync([collector]);

    [Test]
    public async Task Pressing_opt_out_then_opt_in_sets_and_clears_the_cookies()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        var collector = $"http://localhost:{host.Address.Port}";
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Address + "start");
        await WaitForAcceptedAsync(metrics, 2);
        Assert.That((await CookiesAsync(context, collector)).Select(c => c.Name), Does.Contain("_vid"));

        await page.GotoAsync(collector + "/optout");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opt out" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("You are opted out");
        var afterOptOut = await CookiesAsync(context, collector);

        await page.GotoAsync(collector + "/optin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Opt in" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("You are opted in");
        var afterOptIn = await CookiesAsync(context, collector);

        Assert.That(afterOptOut.SingleOrDefault(c => c.Name == "_optout")?.Value, Is.EqualTo("1"));
        Assert.That(afterOptOut.Select(c => c.Name), Does.Not.Contain("_vid"), "the ID cookie is cleared");
        Assert.That(afterOptIn.Select(c => c.Name), Does.Not.Contain("_optout"), "opting in clears the opt-out cookie");

        // Opted in again: the next page view gets a new ID.
        await page.GotoAsync(site.Address + "again");
        await WaitForAcceptedAsync(metrics, 4);
        Assert.That((await CookiesAsync(context, collector)).Select(c => c.Name), Does.Contain("_vid"));
    }

    [Test]
    public async Task Pressing_erase_removes_the_visitors_rows_from_storage_and_the_cookie()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        var collector = $"http://localhost:{host.Address.Port}";
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // The first page's GIF and snippet race for the first cookie; from the second page on the browser sends it.
        await page.GotoAsync(site.Address + "one");
        await WaitForAcceptedAsync(metrics, 2);
        await page.GotoAsync(site.Address + "two");
        await WaitForAcceptedAsync(metrics, 4);

        await page.GotoAsync(collector + "/me");
        var visitorId = (await page.Locator("#visitor-id").TextContentAsync())!;
        var before = await WaitForStoredHitsAsync(host, visitorId, n => n >= 2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase my data" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Your data is erased");

        Assert.That(before, Is.InRange(2, 4), "the second page's GIF and pageview, and those of the first page that got the same cookie");
        Assert.That(await WaitForStoredHitsAsync(host, visitorId, n => n == 0), Is.Zero, "every row under the ID is gone");
        Assert.That((await CookiesAsync(context, collector)).Select(c => c.Name), Does.Not.Contain("_vid"));
    }

    [Test]
    public async Task A_form_on_another_site_that_posts_to_the_collector_is_refused_and_changes_nothing()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        var collector = $"http://localhost:{host.Address.Port}";
        // The attacker's own genuine token (fetched without the victim's cookies), in forms on a page that
        // also asks for no referrer, so the browser sends Origin: null as our own pages do.
        using var attacker = new HttpClient { BaseAddress = new Uri(collector) };
        var token = TokenField().Match(await attacker.GetStringAsync("/optout")).Groups[1].Value;
        await using var foreign = await ForeignPage.StartAsync($"""
            <!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Win a prize</title></head><body>
            <form method="post" action="{collector}/optout"><input type="hidden" name="csrf" value="{token}"><button id="optout" type="submit">Opt out</button></form>
            <form method="post" action="{collector}/me/erase"><input type="hidden" name="csrf" value="{token}"><button id="erase" type="submit">Erase</button></form>
            </body></html>
            """);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Address + "start");
        await WaitForAcceptedAsync(metrics, 2);
        await page.GotoAsync(collector + "/me");
        var visitorId = (await page.Locator("#visitor-id").TextContentAsync())!;
        var stored = await WaitForStoredHitsAsync(host, visitorId, n => n >= 2);

        foreach (var button in new[] { "#optout", "#erase" })
        {
            await page.GotoAsync(foreign.Address.ToString());
            await page.ClickAsync(button);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Request refused");
        }

        var cookies = await CookiesAsync(context, collector);
        Assert.That(cookies.Select(c => c.Name), Does.Contain("_vid").And.Not.Contain("_optout"), "neither opted out nor erased");
        Assert.That(await StoredHitsOfAsync(host, visitorId), Is.EqualTo(stored));
    }
}
