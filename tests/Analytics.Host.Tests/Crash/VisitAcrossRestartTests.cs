using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Host.Tests.Cli;

namespace Analytics.Host.Tests.Crash;

/// <summary>
/// A visitor browsing while `analytics run` (a process of its own) is restarted: stopped, or killed with SIGKILL
/// once the first pageview is stored. Their next pageview continues the same visit, as it would have without the restart.
/// (Before the aggregator took back the visits open at its last stop, the restart cut each such visit in two bounces.)
/// </summary>
public class VisitAcrossRestartTests : DataFolderTests
{
    [TestCase(false, TestName = "A visit continued after the embedded host was stopped and started again stays one visit")]
    [TestCase(true, TestName = "A visit continued after the embedded host was killed with SIGKILL and started again stays one visit")]
    public async Task A_visit_continued_after_a_restart_stays_one_visit(bool kill)
    {
        var key = await DemoKeyAsync();
        var cookies = new CookieContainer();

        var port = FreePort.Next();
        await using (var host = await StartAsync(port))
        {
            using var browser = Browser(cookies, new Uri($"http://127.0.0.1:{port}"));
            await FirstPageviewAsync(browser, key);
            // Another visitor's pageview, stored in a later batch: the first batch is then recorded as stored whole, so
            // the restarted host does not track its hit again (a replay would rebuild the visit without taking it back).
            using var other = Browser(new CookieContainer(), new Uri($"http://127.0.0.1:{port}"));
            using var elsewhere = await other.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fc");
            await EmbeddedCrashTests.Until(() => TopLineAsync(browser, key).GetAwaiter().GetResult().Pageviews == 2, "the other visitor's pageview stored");
            if (kill)
            {
                await host.KillAsync();
            }
            else
            {
                await host.StopAsync(TimeSpan.FromSeconds(30));
            }
        }

        var (figures, _) = await AfterRestartAsync(cookies, "/b", pageviews: 3);

        // The first visitor's visit of two pages and the other's bounce: not three bounces.
        Assert.That(figures, Is.EqualTo(new TopLine(Visitors: 2, Visits: 2, Pageviews: 3, BounceRate: 50)));
    }

    /// <summary>
    /// A pageview that continues a visit, in a batch the host was killed in the middle of writing: after the visits insert,
    /// before the hits insert (a pause injected there). The restarted host replays the batch on the visits it took back,
    /// and the visit stays one. Before, the replay started the visitor anew, and the next pageview's row cancelled a
    /// visit state that was never stored.
    /// </summary>
    [Test]
    public async Task A_visit_continued_by_a_batch_the_host_was_killed_writing_stays_one_visit()
    {
        var key = await DemoKeyAsync();
        var cookies = new CookieContainer();

        var port = FreePort.Next();
        await using (var host = await StartAsync(port))
        {
            using var browser = Browser(cookies, new Uri($"http://127.0.0.1:{port}"));
            await FirstPageviewAsync(browser, key);
            await host.StopAsync(TimeSpan.FromSeconds(30));
        }

        await KilledAtAsync(port, cookies, "/b", "FaultPauseAfterVisits", "Fault injection: stored the visits of a batch");

        var (figures, _) = await AfterRestartAsync(cookies, "/c", pageviews: 3);

        Assert.That(figures, Is.EqualTo(new TopLine(Visitors: 1, Visits: 1, Pageviews: 3, BounceRate: 0)));
    }

    /// <summary>
    /// The first `analytics run` on a new data folder, the process that creates the schema, killed after a batch's
    /// inserts and before it recorded the batch stored; the restarted host writes the batch again under the same
    /// deduplication tokens, and every table and view must drop what it already holds. Before the migrator reloaded the
    /// views whose query a migration changes, such a view named itself one way in those tokens in the process that
    /// changed it and another after a restart: the day's chart by hour (rollup_site_hourly) counted the pageview twice, as
    /// the kill-aggregator soak's hourly rollup did in about one run in four.
    /// </summary>
    [Test]
    public async Task A_batch_the_first_host_was_killed_recording_is_counted_once_in_the_chart_by_hour()
    {
        var cookies = new CookieContainer();

        await KilledAtAsync(FreePort.Next(), cookies, "/a", "FaultPauseAfterHits", "Fault injection: stored the hits of a batch");

        var (figures, byHour) = await AfterRestartAsync(cookies, "/b", pageviews: 2);

        Assert.That(figures, Is.EqualTo(new TopLine(Visitors: 1, Visits: 1, Pageviews: 2, BounceRate: 0)));
        Assert.That(byHour, Is.EqualTo(2), "the day's pageviews by hour, summed");
    }

    /// <summary>
    /// `analytics run` with the fault pause <paramref name="fault"/> (Aggregator:…): the browser views <paramref name="page"/>,
    /// and the host is killed with SIGKILL once it logs <paramref name="paused"/>, paused in the middle of that page's batch.
    /// </summary>
    private async Task KilledAtAsync(int port, CookieContainer cookies, string page, string fault, string paused)
    {
        await using var host = await StartAsync(port, $"--Aggregator:{fault}=00:05:00");
        using var browser = Browser(cookies, new Uri($"http://127.0.0.1:{port}"));
        using var view = await browser.GetAsync("/i.gif?site=demo&url=" + Uri.EscapeDataString("http://localhost" + page));
        Assert.That(view.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await EmbeddedCrashTests.Until(() => host.Output.Contains(paused, StringComparison.Ordinal) || host.HasExited, $"the host paused in {page}'s batch ({fault})");
        Assert.That(host.HasExited, Is.False, host.Output);
        await host.KillAsync();
    }

    /// <summary>A new visitor's first pageview (`/a`), once the stats API counts it.</summary>
    private static async Task FirstPageviewAsync(HttpClient browser, string key)
    {
        using var first = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa");
        Assert.That(first.Headers.Contains("Set-Cookie"), Is.True, "a new visitor's cookie");
        await EmbeddedCrashTests.Until(() => TopLineAsync(browser, key).GetAwaiter().GetResult().Pageviews == 1, "the first pageview stored");
    }

    private async Task<string> DemoKeyAsync()
    {
        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "demo", "--data", Data);
        Assert.That(status, Is.Zero, error);
        return Regex.Match(output, @"#key=(?<key>ak_\w+)").Groups["key"].Value;
    }

    /// <summary>`analytics run` on the data folder, as a process of its own, once it listens.</summary>
    private async Task<ChildProcess> StartAsync(int port, params string[] settings)
    {
        var host = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning", .. settings]);
        await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        return host;
    }

    /// <summary>
    /// Starts the host again on the same data folder (in this process, to read its figures), views <paramref name="page"/>
    /// as the same browser, and returns the top line once it counts <paramref name="pageviews"/> (that pageview the
    /// last), with the day's pageviews by hour summed (the dashboard's chart of today).
    /// </summary>
    private async Task<(TopLine Figures, double PageviewsByHour)> AfterRestartAsync(CookieContainer cookies, string page, int pageviews)
    {
        await using var restarted = await RunningHost.StartAsync(
            Path.Combine(Data, "clickhouse"), "--Spool:Path=" + Path.Combine(Data, "spool"), "--Signing:KeyFile=" + Path.Combine(Data, "signing.key"));
        using var again = restarted.NewBrowser(cookies);
        using var view = await again.GetAsync("/i.gif?site=demo&url=" + Uri.EscapeDataString("http://localhost" + page));
        Assert.That(view.Headers.Contains("Set-Cookie"), Is.False, "the same visitor");
        again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", restarted.StatsKey);
        var figures = await TopLineAsync(again, null);
        await EmbeddedCrashTests.Until(() => (figures = TopLineAsync(again, null).GetAwaiter().GetResult()).Pageviews == pageviews, "the pageview after the restart stored");
        var byHour = await QueryAsync(again, null, """{"site_id":"demo","date_range":"day","metrics":["pageviews"],"dimensions":["time:hour"]}""");
        return (figures, byHour.EnumerateArray().Sum(row => row.GetProperty("metrics")[0].GetDouble()));
    }

    private sealed record TopLine(double Visitors, double Visits, double Pageviews, double BounceRate);

    private static HttpClient Browser(CookieContainer cookies, Uri address)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, UseCookies = true }) { BaseAddress = address };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(RunningHost.BrowserUserAgent);
        return client;
    }

    /// <summary>The day's top line through the stats API, as the dashboard asks for it (<paramref name="key"/>: when the client has none set).</summary>
    private static async Task<TopLine> TopLineAsync(HttpClient client, string? key)
    {
        var results = await QueryAsync(client, key, """{"site_id":"demo","date_range":"30d","metrics":["visitors","visits","pageviews","bounce_rate"]}""");
        var metrics = results[0].GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray();
        return new TopLine(metrics[0], metrics[1], metrics[2], metrics[3]);
    }

    /// <summary>The results of a stats API query (<paramref name="key"/>: when the client has none set).</summary>
    private static async Task<JsonElement> QueryAsync(HttpClient client, string? key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/query")
        {
            Content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json")),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("results").Clone();
    }
}
