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
}
