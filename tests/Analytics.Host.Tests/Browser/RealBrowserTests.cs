using System.Text;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Playwright;

namespace Analytics.Host.Tests.Browser;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (never a downloaded browser): the snippet and the
/// GIF on a registered site's page, the cookie the browser keeps, and DNT / GPC honoured.
/// </summary>
[NonParallelizable]
public class RealBrowserTests
{
    private static async Task WaitForAcceptedAsync(CollectorMetrics metrics, double count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (metrics.AcceptedCount < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"accepted {metrics.AcceptedCount} hits, waiting for {count}");
            await Task.Delay(25);
        }
    }

    private static async Task<string> QueryAsync(RunningHost host, string sql)
    {
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        return Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql.Replace("{db}", clickHouse.Database, StringComparison.Ordinal), "TSV")).Trim();
    }

    [Test]
    public async Task The_snippet_and_gif_on_a_site_page_count_the_visit_and_set_the_cookie_unless_dnt_or_gpc_says_no()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        var collector = $"http://localhost:{host.Address.Port}";
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var browser = chromium.Browser;

        // A visitor who accepts cookies: the GIF and the snippet's pageview, then an SPA navigation and an event.
        await using (var context = await browser.NewContextAsync())
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(site.Address + "start");
            await WaitForAcceptedAsync(metrics, 2);
            await page.EvaluateAsync("() => history.pushState({}, '', '/next')");
            await page.EvaluateAsync("() => analytics('Signup', { plan: 'pro' })");
            await WaitForAcceptedAsync(metrics, 4);

            var cookie = (await context.CookiesAsync([collector])).Single(c => c.Name == "_vid");
            Assert.That(cookie.HttpOnly, Is.True);
            Assert.That(cookie.SameSite, Is.EqualTo(SameSiteAttribute.Lax));
            Assert.That(cookie.Secure, Is.False, "plain HTTP here; Secure under HTTPS");
            Assert.That(cookie.Path, Is.EqualTo("/"));
            Assert.That(cookie.Value, Has.Length.EqualTo(48));
            var lifetime = DateTimeOffset.FromUnixTimeSeconds((long)cookie.Expires) - DateTimeOffset.UtcNow;
            Assert.That(lifetime.TotalDays, Is.InRange(394, 396), "13 months");
        }

        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 3);
        var stored = await QueryAsync(host, "SELECT kind, path, event_name FROM {db}.hits ORDER BY kind, path");
        Assert.That(stored.Split('\n'), Is.EquivalentTo(new[] { "1\t/img\t", "1\t/next\t", "1\t/start\t", "2\t/next\tSignup" }));
        Assert.That(await QueryAsync(host, "SELECT uniqExact(visitor_id) FROM {db}.hits WHERE path = '/next'"), Is.EqualTo("1"),
            "after the first answer the browser sends its cookie back");

        // Visitors who say no: hits are counted without an ID and no cookie is set.
        foreach (var signal in new[] { "DNT", "Sec-GPC" })
        {
            var before = metrics.AcceptedCount;
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ExtraHTTPHeaders = new Dictionary<string, string> { [signal] = "1" },
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync(site.Address + "private-" + signal);
            await WaitForAcceptedAsync(metrics, before + 2);

            Assert.That(await context.CookiesAsync([collector]), Is.Empty, signal);
        }
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 7);
        Assert.That(await QueryAsync(host, "SELECT count() FROM {db}.hits WHERE visitor_id = toUUID('00000000-0000-0000-0000-000000000000') AND is_new_visitor = 0"),
            Is.EqualTo("4"), "the GIF and the snippet's pageview for each signal, all anonymous");
    }

    [Test]
    public async Task An_event_recorded_before_the_snippet_loaded_is_sent_once_it_runs()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(site.Address + "event-before-snippet");
        await WaitForAcceptedAsync(metrics, 2);

        Assert.That(errors, Is.Empty, "no script error on the page");
        var stored = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        // By kind, not time: the two beacons go out in that order on two requests, which may arrive either way.
        while ((stored = await QueryAsync(host, "SELECT kind, event_name, props['step'], path FROM {db}.hits ORDER BY kind")).Split('\n').Length < 2
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(stored.Split('\n'), Is.EqualTo(new[] { "1\t\t\t/event-before-snippet", "2\tEarly\tinline\t/event-before-snippet" }));
    }

    [Test]
    public async Task A_page_loaded_while_prerendering_is_counted_once_when_shown_and_not_before()
    {
        await using var host = await RunningHost.StartAsync();
        await using var site = await SitePage.StartAsync(host.Address);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // Headless Chromium here fetched a Speculation Rules prerender (Sec-Purpose: prefetch;prerender) but
        // never ran its scripts, so the page is put in the state a prerendered page's scripts see:
        // document.prerendering true until activation, then false and a prerenderingchange event.
        await page.AddInitScriptAsync("""
            (() => {
              let prerendering = true;
              Object.defineProperty(Document.prototype, 'prerendering', { configurable: true, get: () => prerendering });
              window.activate = () => { prerendering = false; document.dispatchEvent(new Event('prerenderingchange')); };
            })();
            """);

        await page.GotoAsync(site.Address + "ran-after-snippet");
        await WaitForAsync(() => !site.SnippetRan.IsEmpty, "the page's scripts to run");
        Assert.That(site.SnippetRan.Single(), Is.EqualTo("true"), "the snippet ran while the page was prerendering");
        // A beacon the snippet sent then left before /ran was asked for; a GIF loaded after it goes through
        // the same queue: once that GIF's hit is stored, so is anything sent before it.
        await page.EvaluateAsync($"() => {{ new Image().src = 'http://localhost:{host.Address.Port}/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fmarker'; }}");
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);
        Assert.That(await QueryAsync(host, "SELECT groupArray(path) FROM {db}.hits"), Is.EqualTo("['/marker']"), "nothing counted while prerendering");

        await page.EvaluateAsync("() => activate()");
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 2);
        Assert.That(await QueryAsync(host, "SELECT arraySort(groupArray(path)) FROM {db}.hits"), Is.EqualTo("['/marker','/ran-after-snippet']"), "counted once, when shown");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"waiting for {what}");
            await Task.Delay(25);
        }
    }
}
