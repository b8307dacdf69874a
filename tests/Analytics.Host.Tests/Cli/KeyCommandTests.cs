using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Host.Tests.Crash;

namespace Analytics.Host.Tests.Cli;

/// <summary>`analytics key create` in a process of its own, beside an `analytics run` on a port of the user's choosing.</summary>
public sealed class KeyCommandTests : DataFolderTests
{
    [Test]
    public async Task The_dashboard_link_it_prints_opens_on_the_port_the_running_host_listens_on()
    {
        var port = FreePort.Next();
        await using var host = AnalyticsProcess.Start("embedded", [
            "run", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning"]);
        await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        await EmbeddedCrashTests.Until(() => File.Exists(Path.Combine(Data, "address")), "the host to record its address");

        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "demo", "--data", Data);
        Assert.That(status, Is.Zero, error);

        var link = output.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("/dashboard/demo#key=", StringComparison.Ordinal));
        Assert.That(link, Does.StartWith($"http://127.0.0.1:{port}/dashboard/demo#key=ak_"));
        using var browser = new HttpClient();
        using var dashboard = await browser.GetAsync(new Uri(link));
        Assert.That((int)dashboard.StatusCode, Is.EqualTo(200), "the printed link opens the running host's dashboard");
    }

    [Test]
    public async Task A_key_made_for_a_data_folder_opens_the_stats_api_of_an_aggregator_given_that_folder()
    {
        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "demo", "--data", Data);
        Assert.That(status, Is.Zero, error);
        var key = System.Text.RegularExpressions.Regex.Match(output, @"#key=(?<key>ak_\w+)").Groups["key"].Value;

        // No broker is needed to answer the stats API: the aggregator's consumer keeps retrying meanwhile.
        var port = FreePort.Next();
        await using var aggregator = AnalyticsProcess.Start("aggregator", [
            "aggregator", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--kafka", "127.0.0.1:1", "--Logging:LogLevel:Default=Warning"]);
        await aggregator.WaitForPortAsync(port, TimeSpan.FromSeconds(90));

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/api/v2/query"))
        {
            Content = new StringContent("""{"site_id":"demo","date_range":"30d","metrics":["visitors"]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var answer = await client.SendAsync(request);

        Assert.That((int)answer.StatusCode, Is.EqualTo(200), await answer.Content.ReadAsStringAsync());
    }
}
