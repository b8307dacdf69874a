using System.Text.RegularExpressions;
using Analytics.Bench.Processes;
using Analytics.Bench.Servers;
using Analytics.Host.Tests.Crash;

namespace Analytics.Host.Tests.Cli;

/// <summary>`analytics run` in a process of its own, used as its welcome text tells a first-time user to.</summary>
public sealed partial class RunCommandTests : DataFolderTests
{
    [Test]
    public async Task The_beacon_link_it_prints_is_accepted_for_its_site()
    {
        var port = FreePort.Next();
        await using var host = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{port}"]);
        await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        await EmbeddedCrashTests.Until(() => BeaconLine().IsMatch(host.Output), "the welcome text");

        var beacon = new Uri(BeaconLine().Match(host.Output).Groups["url"].Value);
        using var browser = new HttpClient();
        using var answer = await browser.GetAsync(beacon);
        Assert.That(answer.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/gif"));

        string metrics = "";
        await EmbeddedCrashTests.Until(() =>
        {
            metrics = browser.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
            return Counter(metrics, "analytics_hits_accepted_total") + RejectedTotal(metrics) >= 1;
        }, "the beacon to be counted");
        Assert.That((Counter(metrics, "analytics_hits_accepted_total"), RejectedTotal(metrics)), Is.EqualTo((1L, 0L)),
            $"the printed beacon {beacon} is accepted, not dropped:\n{string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("analytics_hits_", StringComparison.Ordinal)))}");
    }

    [Test]
    public async Task Bad_settings_stop_it_with_one_line_each_and_no_stack_trace()
    {
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("k"u8));
        string[] weeklyAndDaily =
        [
            "--Partners:Partners:0:Id=acme", "--Partners:Partners:0:KeySha256=" + key,
            "--Partners:Partners:0:Reports:0:Id=daily", "--Partners:Partners:0:Reports:0:Sites:0=demo",
            "--Partners:Partners:0:Reports:1:Id=weekly", "--Partners:Partners:0:Reports:1:Sites:0=demo",
            "--Partners:Partners:0:Reports:1:Granularity=Window", "--Partners:Partners:0:Reports:1:Window=PreviousWeek",
        ];
        await using var host = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{FreePort.Next()}", "--Aggregator:BatchSize=0", .. weeklyAndDaily]);

        await EmbeddedCrashTests.Until(() => host.HasExited, "the host to give up", seconds: 90);

        Assert.That(host.ExitCode, Is.EqualTo(2), host.Output);
        Assert.That(host.Output, Does.Contain("analytics run: the configuration is not valid:"));
        Assert.That(host.Output, Does.Contain("'BatchSize' with the error"));
        Assert.That(host.Output, Does.Contain("Partners:Partners:0:Reports:1 ('weekly', periods of a week) and Partners:Partners:0:Reports:0 ('daily', periods of a day) cover site 'demo'"));
        Assert.That(host.Output, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task A_second_run_or_an_import_on_a_data_folder_in_use_says_so_in_one_line_and_leaves_the_first_running()
    {
        var port = FreePort.Next();
        await using var first = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{port}"]);
        await first.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        var log = Path.Combine(Data, "access.log");
        await File.WriteAllTextAsync(log, "127.0.0.1 - - [10/Mar/2024:08:00:00 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n");

        await using var second = AnalyticsProcess.Start("second", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{FreePort.Next()}"]);
        await EmbeddedCrashTests.Until(() => second.HasExited, "the second run to give up", seconds: 90);
        var import = await AnalyticsCli.RunAsync("import", log, "--site", "demo", "--data", Data, "--no-progress");

        var inUse = $"the data folder '{Path.Combine(Path.GetFullPath(Data), "clickhouse")}' is open in another process";
        Assert.That(second.ExitCode, Is.EqualTo(1), second.Output);
        Assert.That(second.Output.Trim(), Does.StartWith("analytics run: " + inUse), "the engine's own error is not printed first");
        Assert.That(second.Output, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(import.Status, Is.EqualTo(1));
        Assert.That(import.Error.Trim(), Does.StartWith("analytics import: " + inUse).And.Not.Contain("   at "));
        Assert.That(first.HasExited, Is.False);
        using var client = new HttpClient();
        Assert.That((await client.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).IsSuccessStatusCode, Is.True, "the first run still answers");
    }

    [Test]
    public async Task A_setting_given_beside_data_wins_over_the_data_folders_default()
    {
        var port = FreePort.Next();
        var spool = Path.Combine(Data, "spool-on-another-disk");
        await using var host = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--Spool:Path=" + spool]);
        await host.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        await EmbeddedCrashTests.Until(() => BeaconLine().IsMatch(host.Output), "the welcome text");

        using var browser = new HttpClient();
        using var answer = await browser.GetAsync(new Uri(BeaconLine().Match(host.Output).Groups["url"].Value));

        Assert.That(answer.IsSuccessStatusCode, Is.True);
        Assert.That(Directory.Exists(spool) && Directory.EnumerateFiles(spool, "*", SearchOption.AllDirectories).Any(), Is.True, "the answered beacon is in the spool given");
        Assert.That(Directory.Exists(Path.Combine(Data, "spool")), Is.False, "nothing in the data folder's default spool");
    }

    [Test]
    public async Task A_collector_given_data_keeps_its_signing_key_there()
    {
        var port = FreePort.Next();
        // Started in an empty folder: no ./data there for it to keep using (RoleCommand.EarlierFiles).
        var workdir = Directory.CreateDirectory(Path.Combine(Data, "workdir")).FullName;
        await using var collector = AnalyticsProcess.Start("collector", [
            "collector", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--kafka", "127.0.0.1:1", "--Logging:LogLevel:Default=Warning"],
            workingDirectory: workdir);
        await collector.WaitForPortAsync(port, TimeSpan.FromSeconds(90));

        // The key (cookie and link signatures) is made on first use; not in ./data of the working directory.
        await EmbeddedCrashTests.Until(() => File.Exists(Path.Combine(Data, "signing.key")), "the signing key in the data folder");
    }

    [Test]
    public async Task An_address_another_program_listens_on_is_named_in_one_line()
    {
        using var other = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var port = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;

        await using var host = AnalyticsProcess.Start("embedded", ["run", "--data", Data, "--urls", $"http://127.0.0.1:{port}"]);
        await EmbeddedCrashTests.Until(() => host.HasExited, "the host to give up", seconds: 90);

        Assert.That(host.ExitCode, Is.EqualTo(1), host.Output);
        Assert.That(host.Output.Trim(), Is.EqualTo($"analytics run: http://127.0.0.1:{port} is in use by another program (another `analytics run`?): stop it, or give another address with --urls"));
    }

    private static long Counter(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => long.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Sum();

    private static long RejectedTotal(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("analytics_hits_rejected_total{", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"Beacon:\s+(?<url>http\S+)")]
    private static partial Regex BeaconLine();
}
