using System.Globalization;
using System.Text;
using Analytics.Analysts.Query;
using Analytics.Collector.Pipeline;
using Analytics.Collector.Sites;
using Analytics.Host.Tests.Cli;
using Analytics.Partners.Configuration;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Sites;

/// <summary>`analytics site` in a process of its own, against a data folder a running host uses.</summary>
public class SiteCommandTests
{
    [Test]
    public async Task A_site_added_by_the_command_line_while_the_host_runs_is_accepted_and_seen_by_analysts_retention_and_partners()
    {
        var dataPath = RunningHost.NewDataPath();
        await using var host = await RunningHost.StartAsync(dataPath,
            "--Partners:StorePath=" + Path.Combine(dataPath, "partners"),
            "--Partners:SchedulerEnabled=false",
            "--Partners:Partners:0:Id=acme",
            "--Partners:Partners:0:KeySha256=" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("acme-key"u8)),
            "--Partners:Partners:0:Reports:0:Id=pages",
            "--Partners:Partners:0:Reports:0:Sites:0=late",
            "--Partners:Partners:0:Reports:0:Dimensions:0=path");
        var partners = host.App.Services.GetRequiredService<PartnerDirectory>();
        var acme = partners.Find("acme")!;
        var kBefore = partners.KFor(acme, acme.Reports[0]);
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        await SendAsync(host, "/before");
        Assert.That(metrics.RejectedCount(DropReason.UnknownSite), Is.EqualTo(1), "not registered yet: rejected");

        var (status, output, error) = await AnalyticsCli.RunAsync("site", "add", "late", "--host", "late.example", "--time-zone", "Asia/Tokyo",
            "--retention-days", "42", "--k", "17", "--data", dataPath);
        await WaitForAsync(() => host.App.Services.GetRequiredService<SiteRegistry>().TryGet("late", out _), "the host to read the added site");

        Assert.That((status, error), Is.EqualTo((0, "")));
        Assert.That(output, Does.Contain("late"));
        await SendAsync(host, "/after");
        Assert.That(await StoredRetentionAsync(host, "/after"), Is.EqualTo(42), "the collector stores it, with the site's retention");
        Assert.That(metrics.RejectedCount(DropReason.UnknownSite), Is.EqualTo(1));
        Assert.That(host.App.Services.GetRequiredService<StatsQueryParser>().TimeZoneOf("late").Id, Is.EqualTo("Asia/Tokyo"));
        Assert.That((kBefore, partners.KFor(acme, acme.Reports[0])), Is.EqualTo((10, 17)));
    }

    [Test]
    public async Task An_invalid_site_is_refused_with_one_line_naming_the_setting_and_exit_code_2()
    {
        var dataPath = RunningHost.NewDataPath();

        var (status, output, error) = await AnalyticsCli.RunAsync("site", "add", "shop", "--host", "shop.example", "--time-zone", "Mars/Olympus", "--data", dataPath);
        var missing = await AnalyticsCli.RunAsync("site", "set", "nowhere", "--k", "20", "--data", dataPath);

        Assert.That((status, output), Is.EqualTo((2, "")));
        Assert.That(error, Is.EqualTo("site 'shop': TimeZone 'Mars/Olympus' is not a known IANA time zone\n"));
        Assert.That(missing, Is.EqualTo((1, "", "no site 'nowhere' is registered\n")));
        Assert.That(File.Exists(Path.Combine(dataPath, "sites.json")), Is.False, "nothing written");
    }

    [Test]
    public async Task A_sites_file_seeds_the_registry_and_list_set_and_remove_work_on_it_with_each_change_audited()
    {
        var dataPath = RunningHost.NewDataPath();
        Directory.CreateDirectory(dataPath);
        var seed = Path.Combine(dataPath, "seed.json");
        await File.WriteAllTextAsync(seed, """{ "Sites": [ { "Id": "seeded", "Hosts": [ "seeded.example" ], "KThreshold": 12 } ] }""");
        string[] common = ["--data", dataPath, "--Sites:File=" + seed];

        var added = await AnalyticsCli.RunAsync(["site", "add", "shop", "--host", "shop.example", "--host", "www.shop.example", .. common]);
        var changed = await AnalyticsCli.RunAsync(["site", "set", "shop", "--consent", "Drop", "--keep-query", "page", "--strict-origin", "true", .. common]);
        var removed = await AnalyticsCli.RunAsync(["site", "remove", "seeded", .. common]);
        var listed = await AnalyticsCli.RunAsync(["site", "list", .. common]);

        Assert.That(new[] { added.Status, changed.Status, removed.Status, listed.Status }, Is.All.Zero);
        Assert.That(listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), Is.EqualTo(new[]
        {
            "shop\tshop.example,www.shop.example\tUTC\tDrop\t395\t10\tpage\tyes",
        }));
        var audit = SiteAudit.Read(Path.Combine(dataPath, "sites.json")).ToList();
        Assert.That(audit.Select(e => (e.Action, e.Site)), Is.EqualTo(new[] { ("add", "shop"), ("set", "shop"), ("remove", "seeded") }));
        Assert.That(audit.Select(e => e.Actor), Has.All.EqualTo("cli:" + Environment.UserName));
        Assert.That(audit[1].Changes!.Keys, Is.EquivalentTo(new[] { "ConsentMode", "KeepQueryParameters", "StrictOrigin" }));
    }

    private static async Task SendAsync(RunningHost host, string path)
    {
        using var browser = host.NewBrowser();
        using var response = await browser.GetAsync($"/i.gif?site=late&url={Uri.EscapeDataString("http://late.example" + path)}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/gif"), "a GIF either way");
    }

    /// <summary>The retention_days the aggregator stored for the beacon of site "late" on <paramref name="path"/>.</summary>
    private static async Task<int> StoredRetentionAsync(RunningHost host, string path)
    {
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        var sql = $"SELECT retention_days FROM {clickHouse.Database}.hits WHERE site_id = 'late' AND path = {{path:String}}";
        var parameters = new Dictionary<string, string> { ["path"] = path };
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var text = Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated", parameters)).Trim();
            if (text.Length > 0)
            {
                return int.Parse(text, CultureInfo.InvariantCulture);
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "waited too long for the hit to be stored");
            await Task.Delay(25);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "waited too long for " + what);
            await Task.Delay(25);
        }
    }
}
