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

    private static long Counter(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Select(l => long.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Sum();

    private static long RejectedTotal(string metrics) =>
        metrics.Split('\n').Where(l => l.StartsWith("analytics_hits_rejected_total{", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"Beacon:\s+(?<url>http\S+)")]
    private static partial Regex BeaconLine();
}
