using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Analytics.Host.Tests.Stats;

/// <summary>
/// The browser's language end to end: Accept-Language at the beacon, the hit, the stored row, the query
/// dimension and filter (on visits and on hits), the dashboard's list, the visitor's own page and export.
/// </summary>
public class LanguageDimensionTests
{
    private static readonly (string Header, string Language)[] Browsers =
    [
        ("de-CH,de;q=0.9,en;q=0.8", "de"),
        ("de-DE", "de"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
        ("*", ""),
    ];

    [Test]
    public async Task Visitors_are_counted_and_filtered_by_the_primary_language_of_their_browser()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var sent = Enumerable.Range(0, random.Next(6, 14)).Select(_ => (Browser: Browsers[random.Next(Browsers.Length)], Pages: random.Next(1, 4))).ToList();
        await using var host = await RunningHost.StartAsync();

        foreach (var (browser, pages) in sent)
        {
            using var client = host.NewBrowser();
            client.DefaultRequestHeaders.Add("Accept-Language", browser.Header);
            for (var i = 0; i < pages; i++)
            {
                using var response = await client.GetAsync($"/i.gif?site=demo&url={Uri.EscapeDataString($"http://localhost/p{i}")}");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= sent.Sum(s => s.Pages));

        var expected = sent.GroupBy(s => s.Browser.Language).ToDictionary(g => g.Key, g => (Visitors: g.Count(), Pageviews: g.Sum(s => s.Pages)));
        var visits = await QueryAsync(host, """{"site_id": "demo", "metrics": ["visitors", "visits"], "date_range": "7d", "dimensions": ["visit:language"]}""");
        Assert.That(visits.ToDictionary(r => r.Key, r => r.Value[0]), Is.EquivalentTo(expected.ToDictionary(e => e.Key, e => (double)e.Value.Visitors)));

        var german = await QueryAsync(host, """{"site_id": "demo", "metrics": ["pageviews"], "date_range": "7d", "dimensions": ["language"], "filters": [["is", "language", ["de"]]]}""");
        Assert.That(german.ToDictionary(r => r.Key, r => r.Value[0]),
            Is.EquivalentTo(expected.Where(e => e.Key == "de").ToDictionary(e => e.Key, e => (double)e.Value.Pageviews)));

        using var dashboard = host.NewBrowser();
        var dimensions = await dashboard.GetStringAsync("/dashboard/assets/dimensions.json");
        Assert.That(dimensions, Does.Contain("\"name\":\"language\""));
    }

    [Test]
    public async Task The_visitors_own_page_says_the_language_is_kept_and_the_export_holds_it_and_not_the_header()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser(new CookieContainer());
        browser.DefaultRequestHeaders.Add("Accept-Language", "pt-BR,pt;q=0.9,en;q=0.8");
        using (await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F")) { }
        await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);

        var me = await browser.GetStringAsync("/me");
        var data = await browser.GetStringAsync("/me/data");

        Assert.That(me, Does.Contain("language"));
        Assert.That(JsonDocument.Parse(data).RootElement.GetProperty("hits")[0].GetProperty("language").GetString(), Is.EqualTo("pt"));
        Assert.That(data, Does.Not.Contain("pt-BR").And.Not.Contain("q=0.9"));
    }

    private static async Task<Dictionary<string, double[]>> QueryAsync(RunningHost host, string body)
    {
        using var client = host.NewBrowser();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.StatsKey);
        using var response = await client.PostAsync("/api/v2/query", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("results").EnumerateArray().ToDictionary(
            r => r.GetProperty("dimensions")[0].GetString()!,
            r => r.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray());
    }
}
