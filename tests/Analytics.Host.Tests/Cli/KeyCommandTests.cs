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
        var key = await DemoKeyAsync(Data);

        // No broker is needed to answer the stats API: the aggregator's consumer keeps retrying meanwhile.
        var port = FreePort.Next();
        await using var aggregator = AnalyticsProcess.Start("aggregator", [
            "aggregator", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--kafka", "127.0.0.1:1", "--Logging:LogLevel:Default=Warning"],
            workingDirectory: Directory.CreateDirectory(Path.Combine(Data, "workdir")).FullName);
        await aggregator.WaitForPortAsync(port, TimeSpan.FromSeconds(90));

        var (code, body) = await DemoVisitorsAsync(port, key);

        Assert.That(code, Is.EqualTo(200), body);
    }

    [Test]
    public async Task A_key_for_a_site_the_data_folder_does_not_register_is_refused_in_one_line()
    {
        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "dmeo", "--data", Data);

        Assert.That(status, Is.EqualTo(1), output);
        Assert.That(error.Trim(), Does.StartWith($"analytics key: no site 'dmeo' is registered in {Data} (registered: demo;"));
        var (_, keys, _) = await AnalyticsCli.RunAsync("key", "list", "--data", Data);
        Assert.That(keys, Is.Empty, "no key was made");
    }

    [Test]
    public async Task A_key_for_a_site_registered_elsewhere_is_made_when_the_setting_says_where()
    {
        var sites = Path.Combine(Data, "etc", "sites.json");
        Directory.CreateDirectory(Path.GetDirectoryName(sites)!);
        await File.WriteAllTextAsync(sites, """{ "Sites": [ { "Id": "example", "Hosts": [ "www.example.com" ] } ] }""");

        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "example", "--data", Data, "--Sites:StorePath=" + sites);

        Assert.That(status, Is.Zero, error);
        Assert.That(output, Does.Contain("/dashboard/example#key=ak_"));
    }

    [Test]
    public async Task An_aggregator_upgraded_to_place_its_files_in_data_keeps_the_keys_it_kept_in_its_working_directory()
    {
        // Before --data placed the API keys, an aggregator started in WORKDIR read WORKDIR/data/keys.json, where
        // `key create` (its default --data is "data") wrote them: the deployment's documented way.
        var workdir = Directory.CreateDirectory(Path.Combine(Data, "workdir")).FullName;
        var key = await DemoKeyAsync(Path.Combine(workdir, "data"));

        var port = FreePort.Next();
        await using var aggregator = AnalyticsProcess.Start("aggregator", [
            "aggregator", "--data", Path.Combine(Data, "placed"), "--urls", $"http://127.0.0.1:{port}", "--kafka", "127.0.0.1:1", "--Logging:LogLevel:Default=Warning"],
            workingDirectory: workdir);
        await aggregator.WaitForPortAsync(port, TimeSpan.FromSeconds(90));

        var (code, body) = await DemoVisitorsAsync(port, key);

        Assert.That(code, Is.EqualTo(200), body);
        Assert.That(aggregator.Output, Does.Contain($"analytics aggregator: using {Path.Combine(workdir, "data", "keys.json")}, kept there before --data placed it in {Path.Combine(Data, "placed", "keys.json")}: move it there"));
    }

    /// <summary>`analytics key create --site demo --data DATA`, in a process of its own: the key it prints.</summary>
    private static async Task<string> DemoKeyAsync(string data)
    {
        var (status, output, error) = await AnalyticsCli.RunAsync("key", "create", "--site", "demo", "--data", data);
        Assert.That(status, Is.Zero, error);
        return System.Text.RegularExpressions.Regex.Match(output, @"#key=(?<key>ak_\w+)").Groups["key"].Value;
    }

    /// <summary>The demo site's visitors through the stats API on <paramref name="port"/> with <paramref name="key"/>: status code and body.</summary>
    private static async Task<(int Code, string Body)> DemoVisitorsAsync(int port, string key)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/api/v2/query"))
        {
            Content = new StringContent("""{"site_id":"demo","date_range":"30d","metrics":["visitors"]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var answer = await client.SendAsync(request);
        return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }
}
