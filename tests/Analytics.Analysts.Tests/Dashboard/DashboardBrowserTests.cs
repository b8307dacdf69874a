using Microsoft.Playwright;

namespace Analytics.Analysts.Tests.Dashboard;

/// <summary>
/// The dashboard in headless Debian chromium against the hand-computed <see cref="Fixtures"/>: numbers,
/// a click-to-filter, a CSV download. Screenshots are saved as test artifacts.
/// </summary>
[TestFixture]
public sealed class DashboardBrowserTests
{
    private const string Day = "period=custom&from=2026-03-10&to=2026-03-10&compare=previous_period";
    private StatsHost _host = null!;
    private HeadlessChromium _chromium = null!;
    private IBrowser _browser = null!;
    private string _artifacts = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await StatsHost.StartAsync();
        await _host.SeedAsync(Fixtures.Hits("demo"));
        _chromium = await HeadlessChromium.LaunchAsync();
        _browser = _chromium.Browser;
        _artifacts = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
        Directory.CreateDirectory(_artifacts);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(_artifacts, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path);
    }

    private static Task<IJSHandle> Loaded(IPage page, int run) =>
        page.WaitForFunctionAsync($"() => document.body.dataset.loaded === '{run}'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });

    private static async Task<string> Topline(IPage page, string metric) =>
        (await page.Locator($"#topline li[data-metric='{metric}'] .value").InnerTextAsync()).Trim();

    [Test]
    public async Task The_dashboard_shows_the_days_numbers_filters_on_click_and_downloads_csv()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var key = _host.NewKey("demo");

        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?{Day}#key={key}").ToString());
        await Loaded(page, 1);
        var chartDrawn = await page.EvaluateAsync<double>("() => performance.now()");
        TestContext.Out.WriteLine($"every panel loaded {chartDrawn:0} ms after navigation (a figure, not a limit)");
        await Screenshot(page, "dashboard-day");

        Assert.That(page.Url, Does.Not.Contain(key), "the key leaves the address bar");
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("3"));
        Assert.That(await Topline(page, "visits"), Is.EqualTo("5"));
        Assert.That(await Topline(page, "pageviews"), Is.EqualTo("8"));
        Assert.That(await Topline(page, "bounce_rate"), Is.EqualTo("60%"));
        Assert.That(await Topline(page, "visit_duration"), Is.EqualTo("2m 36s"));
        Assert.That((await page.Locator("#topline li[data-metric='visitors'] .change").InnerTextAsync()).Trim(), Is.EqualTo("↑ 200%"));
        var firstPage = page.Locator("#panel-pages tbody tr").First;
        Assert.That(await firstPage.Locator("td").AllInnerTextsAsync(), Is.EqualTo(new[] { "/", "2", "3" }));
        Assert.That(await page.Locator("footer").InnerTextAsync(), Does.Contain("This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com"));

        await page.Locator("#panel-pages button", new PageLocatorOptions { HasText = "/docs" }).ClickAsync();
        await Loaded(page, 2);
        await Screenshot(page, "dashboard-filtered");

        Assert.That(Uri.UnescapeDataString(page.Url), Does.Contain("f=page:/docs"));
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("2"));
        Assert.That(await Topline(page, "visits"), Is.EqualTo("2"));
        Assert.That(await Topline(page, "visit_duration"), Is.EqualTo("5m 30s"));
        Assert.That(await page.Locator("#filters li").InnerTextAsync(), Does.Contain("page is /docs"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#panel-pages .csv").ClickAsync());
        var file = Path.Combine(_artifacts, download.SuggestedFilename);
        await download.SaveAsAsync(file);
        TestContext.AddTestAttachment(file);
        Assert.That(await File.ReadAllTextAsync(file), Is.EqualTo("page,visitors,pageviews\r\n/docs,2,2\r\n"));
    }

    [Test]
    public async Task The_default_view_of_a_site_with_no_data_in_the_last_30_days_shows_zeros_and_no_error()
    {
        // The fixture's hits are from March 2026; the default view is the last 30 days up to today.
        Assume.That(DateTime.UtcNow, Is.GreaterThan(new DateTime(2026, 4, 12, 0, 0, 0, DateTimeKind.Utc)));
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo#key={_host.NewKey("demo")}").ToString());
        await Loaded(page, 1);
        await Screenshot(page, "dashboard-empty-period");

        Assert.That((await page.Locator("#status").InnerTextAsync()).Trim(), Is.Empty, "no error");
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("0"));
        Assert.That(await Topline(page, "visits"), Is.EqualTo("0"));
        Assert.That(await Topline(page, "pageviews"), Is.EqualTo("0"));
        Assert.That(await Topline(page, "views_per_visit"), Is.EqualTo("0.00"));
        Assert.That(await Topline(page, "bounce_rate"), Is.EqualTo("0%"));
        Assert.That(await Topline(page, "visit_duration"), Is.EqualTo("0s"));
        Assert.That(await page.Locator("#panel-pages .empty").InnerTextAsync(), Is.EqualTo("No data for this period."));
    }

    [Test]
    public async Task Choosing_all_time_shows_history_older_than_the_default_view()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo#key={_host.NewKey("demo")}").ToString());
        await Loaded(page, 1);

        await page.SelectOptionAsync("#period", "all");
        await Loaded(page, 2);
        await Screenshot(page, "dashboard-all-time");

        // The fixture: 8 pageviews on 2026-03-10 and 1 on 2026-03-09, four visitors with a cookie.
        Assert.That((await page.Locator("#status").InnerTextAsync()).Trim(), Is.Empty, "no error");
        Assert.That(await Topline(page, "pageviews"), Is.EqualTo("9"));
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("4"));
        Assert.That(page.Url, Does.Contain("period=all"));
    }

    [Test]
    public async Task After_an_empty_period_every_headline_change_reads_new_the_bounce_rate_too()
    {
        var page = await _browser.NewPageAsync();

        // 2026-03-09 has one visit of one pageview; the day before has nothing.
        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?period=custom&from=2026-03-09&to=2026-03-09&compare=previous_period#key={_host.NewKey("demo")}").ToString());
        await Loaded(page, 1);
        await Screenshot(page, "dashboard-after-empty-period");

        Assert.That((await page.Locator("#status").InnerTextAsync()).Trim(), Is.Empty, "no error");
        Assert.That(await Topline(page, "bounce_rate"), Is.EqualTo("100%"));
        Assert.That((await page.Locator("#topline .change").AllInnerTextsAsync()).Select(t => t.Trim()), Is.All.EqualTo("new"));
        Assert.That(await page.Locator("#topline .change.down").CountAsync(), Is.Zero, "nothing shown as a change for the worse");
    }

    [Test]
    public async Task The_dashboard_fits_a_phone_screen()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });

        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?{Day}#key={_host.NewKey("demo")}").ToString());
        await Loaded(page, 1);
        await Screenshot(page, "dashboard-phone");

        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.That(scrollWidth, Is.LessThanOrEqualTo(390), "no sideways scrolling");
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("3"));
    }

    [Test]
    public async Task The_top_line_adds_an_estimate_of_visitors_without_a_cookie_only_where_it_changes_the_figure()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var key = _host.NewKey("demo");

        // The whole day: 3 cookie visitors with 7 pageviews, 1 pageview without a cookie: 3 + 1 x 3/7 = 3.43, rounds to 3: no estimate shown.
        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?{Day}#key={key}").ToString());
        await Loaded(page, 1);
        Assert.That(await page.Locator("#topline .estimate").CountAsync(), Is.Zero);

        // Visits that viewed /pricing: A's first, B's and the anonymous one; /pricing pageviews 1 + 1 + 1, one without a
        // cookie: 2 visitors + 1 x 2/2 = 3.
        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?{Day}&f=page:/pricing#key={key}").ToString());
        await Loaded(page, 1);
        await Screenshot(page, "dashboard-estimate");
        Assert.That(await Topline(page, "visitors"), Is.EqualTo("2"));
        Assert.That((await page.Locator("#topline li[data-metric='visitors'] .estimate").InnerTextAsync()).Trim(), Is.EqualTo("≈ 3 with cookie-less visits (estimate)"));
        Assert.That(await page.Locator("#topline li[data-metric='visitors'] .estimate").GetAttributeAsync("title"), Does.Contain("refused the cookie"));
    }

    [Test]
    public async Task Without_a_key_the_dashboard_asks_for_one_and_shows_no_numbers()
    {
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(new Uri(_host.Address, $"/dashboard/demo?{Day}").ToString());
        await page.Locator("#login").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 15_000 });

        Assert.That(await page.Locator("#topline li").CountAsync(), Is.Zero);
    }
}
