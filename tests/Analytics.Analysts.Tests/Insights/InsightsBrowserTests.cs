using System.Globalization;
using Analytics.Pipeline.Hits;
using Microsoft.Playwright;

namespace Analytics.Analysts.Tests.Insights;

/// <summary>
/// The dashboard's goals, funnel, segments and properties in headless Debian chromium: a goal, a three-step
/// funnel and a segment are created through the page, and the numbers read back are the true answers that
/// <see cref="InsightsTraffic"/> computes from the seeded hits.
/// </summary>
[TestFixture]
public sealed class InsightsBrowserTests
{
    private const string Site = "insights-ui";
    private const string Day = "period=custom&from=2026-03-10&to=2026-03-10&compare=previous_period";
    private StatsHost _host = null!;
    private HeadlessChromium _chromium = null!;
    private IBrowser _browser = null!;
    private InsightsTraffic _traffic = null!;
    private string _artifacts = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var seed = Environment.GetEnvironmentVariable("INSIGHTS_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        TestContext.Progress.WriteLine($"InsightsBrowserTests seed {seed} (INSIGHTS_SEED={seed} repeats it)");
        _host = await StatsHost.StartAsync();
        _traffic = InsightsTraffic.Generate(Site, seed);
        await _host.SeedAsync(_traffic.Hits);
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

    private static Task<IJSHandle> Loaded(IPage page, int run) =>
        page.WaitForFunctionAsync($"() => document.body.dataset.loaded === '{run}'", null, new PageWaitForFunctionOptions { Timeout = 15_000 });

    private static async Task<string[]> Cells(ILocator row) => [.. (await row.Locator("td").AllInnerTextsAsync()).Select(t => t.Trim())];

    private static string Rate(int part, int whole) => Math.Round(100.0 * part / whole, 1).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    [Test]
    public async Task An_analyst_creates_a_goal_a_three_step_funnel_and_a_segment_and_reads_the_true_numbers()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        var thirdParty = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(_host.Address.ToString().TrimEnd('/'), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                thirdParty.Add(request.Url);
            }
        };
        var admin = _host.Keys.Create([Site], "admin", Analysts.Access.ApiKeyKinds.Admin).Secret;
        var response = await page.GotoAsync(new Uri(_host.Address, $"/dashboard/{Site}?{Day}#key={admin}").ToString());
        await Loaded(page, 1);
        Assert.That(await response!.HeaderValueAsync("content-security-policy"), Does.Contain("default-src 'self'"), "the browser itself refuses any other origin");

        // The map: every country of the traffic shaded and titled with its visitors, the table beside it.
        foreach (var country in InsightsTraffic.Countries)
        {
            var visitors = _traffic.Visitors(h => h.Country == country).ToString(CultureInfo.InvariantCulture);
            Assert.That(await page.Locator($"#panel-map path[data-country='{country}'] title").TextContentAsync(), Does.EndWith($": {visitors} visitor{(visitors == "1" ? "" : "s")}"), country);
            Assert.That((await Cells(page.Locator($"#panel-map tr[data-country='{country}']")))[1], Is.EqualTo(visitors), country);
        }
        Assert.That(await page.Locator("#panel-map path").CountAsync(), Is.GreaterThan(150), "the whole world is drawn");
        Assert.That(await page.Locator("#panel-map path[data-country='CN'] title").TextContentAsync(), Does.EndWith(": 0 visitors"));

        // A goal, through the form.
        var goals = page.Locator("#panel-goals");
        await goals.Locator("input[name=name]").FillAsync("Done");
        await goals.Locator("select[name=kind]").SelectOptionAsync("page");
        await goals.Locator("input[name=value]").FillAsync("/done");
        await goals.Locator("button[type=submit]").ClickAsync();
        var doneRow = goals.Locator("tr[data-goal='Done']");
        await doneRow.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        var total = _traffic.Visitors(_ => true);
        var done = _traffic.Visitors(h => h.Kind == HitKind.Pageview && h.Path == "/done");
        Assert.That(await Cells(doneRow), Is.EqualTo(new[] { "Done", done.ToString(CultureInfo.InvariantCulture), Rate(done, total) }));

        // A three-step funnel: two pages and the goal, within one visit.
        var funnel = page.Locator("#panel-funnel");
        var inputs = funnel.Locator("input[name=step]");
        await inputs.Nth(0).FillAsync("/");
        await inputs.Nth(1).FillAsync("/pricing");
        await inputs.Nth(2).FillAsync("Done");
        await funnel.Locator("button[type=submit]").ClickAsync();
        await funnel.Locator("tr[data-step='3']").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        var expected = _traffic.Funnel([h => h.Kind == HitKind.Pageview && h.Path == "/", h => h.Kind == HitKind.Pageview && h.Path == "/pricing", h => h.Kind == HitKind.Pageview && h.Path == "/done"], withinVisit: true);
        TestContext.Out.WriteLine($"funnel {string.Join(" > ", expected)}, goal {done} of {total} visitors");
        for (var step = 0; step < 3; step++)
        {
            var cells = await Cells(funnel.Locator($"tr[data-step='{step + 1}']"));
            Assert.That(cells[1], Is.EqualTo(expected[step].ToString(CultureInfo.InvariantCulture)), $"step {step + 1}");
            Assert.That(cells[2], Is.EqualTo((expected[step] - (step < 2 ? expected[step + 1] : expected[step])).ToString(CultureInfo.InvariantCulture)), $"drop-off after step {step + 1}");
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_artifacts, "insights-goal-funnel.png"), FullPage = true });

        // A segment: filter by a country, save it, clear the filter, choose the segment.
        await page.Locator("#panel-countries button", new PageLocatorOptions { HasTextString = "DE" }).First.ClickAsync();
        await Loaded(page, 2);
        await page.Locator("#segment-name").FillAsync("Germany");
        await page.Locator("#segment-save").ClickAsync();
        await page.Locator("#segment-status", new PageLocatorOptions { HasTextString = "Segment saved." }).WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        await page.Locator("#filters button").ClickAsync();
        await Loaded(page, 3);
        Assert.That(await page.Locator("#topline li[data-metric='visitors'] .value").InnerTextAsync(), Is.EqualTo(total.ToString(CultureInfo.InvariantCulture)));
        await page.Locator("#segment").SelectOptionAsync("Germany");
        await Loaded(page, 4);
        Assert.That(page.Url, Does.Contain("segment=Germany"));
        var german = _traffic.Visitors(h => h.Country == "DE");
        Assert.That(await page.Locator("#topline li[data-metric='visitors'] .value").InnerTextAsync(), Is.EqualTo(german.ToString(CultureInfo.InvariantCulture)));
        var germanDone = _traffic.Visitors(h => h.Country == "DE" && h.Kind == HitKind.Pageview && h.Path == "/done");
        Assert.That((await Cells(doneRow))[1], Is.EqualTo(germanDone.ToString(CultureInfo.InvariantCulture)), "the goals panel follows the segment");

        // Custom properties: the values of "plan" among the segment's visitors.
        var pro = _traffic.Visitors(h => h.Country == "DE" && h.Props.TryGetValue("plan", out var v) && v == "pro");
        var props = page.Locator("#panel-props");
        if (pro > 0)
        {
            var proRow = props.Locator("tr", new LocatorLocatorOptions { HasTextString = "pro" });
            Assert.That((await Cells(proRow))[1], Is.EqualTo(pro.ToString(CultureInfo.InvariantCulture)));
        }
        Assert.That(await props.Locator("select").InputValueAsync(), Is.EqualTo("plan"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_artifacts, "insights-segment.png"), FullPage = true });
        Assert.That(thirdParty, Is.Empty, "the dashboard asks nothing of any other origin");
    }
}
