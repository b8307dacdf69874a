using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Analysts.Query;
using Analytics.Collector.Sites;
using Analytics.Partners.Generation;
using Analytics.Partners.Reports;
using Analytics.Partners.Storage;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Sites;

/// <summary>A site's k, time zone and retention come from the sites file, for every part, and follow its edits without a restart.</summary>
public class SiteSettingsTests
{
    private const string Site = "filesite";

    [Test]
    public async Task A_sites_file_sets_k_for_partner_reports_and_an_edit_applies_to_the_next_report_without_a_restart()
    {
        var dataPath = RunningHost.NewDataPath();
        var sitesFile = WriteSites(dataPath, timeZone: "UTC", retentionDays: 395, k: 20);
        var earlier = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        var later = earlier.AddDays(1);
        await using var host = await RunningHost.StartAsync(dataPath,
            "--Sites:File=" + sitesFile,
            "--Partners:StorePath=" + Path.Combine(dataPath, "partners"),
            "--Partners:SchedulerEnabled=false",
            "--Partners:Partners:0:Id=acme",
            "--Partners:Partners:0:KeySha256=" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("acme-key"u8)),
            "--Partners:Partners:0:Reports:0:Id=pages",
            "--Partners:Partners:0:Reports:0:Sites:0=" + Site,
            "--Partners:Partners:0:Reports:0:Dimensions:0=path");
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        foreach (var day in new[] { earlier, later })
        {
            await InsertPageviewsAsync(clickHouse, day, "/popular", 12);
            await InsertPageviewsAsync(clickHouse, day, "/rare", 3);
            await InsertPageviewsAsync(clickHouse, day, "/niche", 2);
        }

        // k = 20 from the file, above the partner's default of 10: /popular (12) and the day's 17 are withheld.
        var strict = await GenerateAsync(host, earlier);
        WriteSites(dataPath, timeZone: "UTC", retentionDays: 395, k: 5);
        await WaitForAsync(() => host.App.Services.GetRequiredService<SiteRegistry>().TryGet(Site, out var s) && s.KThreshold == 5, "the edit to be read");
        var relaxed = await GenerateAsync(host, later);

        var e = Format(earlier);
        Assert.That(strict, Is.EqualTo(new[] { $"1,acme,pages,{e},{e},total,,,,,3,3" }));
        var l = Format(later);
        Assert.That(relaxed, Is.EqualTo(new[] { $"1,acme,pages,{l},{l},cell,{Site},/popular,12,12,0,0", $"1,acme,pages,{l},{l},total,,,17,17,2,2" }));
    }

    [Test]
    public async Task A_sites_time_zone_and_retention_follow_an_edit_of_the_sites_file()
    {
        var dataPath = RunningHost.NewDataPath();
        var sitesFile = WriteSites(dataPath, timeZone: "Europe/Paris", retentionDays: 30, k: 10);
        await using var host = await RunningHost.StartAsync(dataPath, "--Sites:File=" + sitesFile);
        var parser = host.App.Services.GetRequiredService<StatsQueryParser>();
        var before = (parser.TimeZoneOf(Site).Id, await RetentionOfAsync(host, "/before"));

        WriteSites(dataPath, timeZone: "Asia/Tokyo", retentionDays: 60, k: 10);
        await WaitForAsync(() => host.App.Services.GetRequiredService<SiteRegistry>().TryGet(Site, out var s) && s.RetentionDays == 60, "the edit to be read");
        var after = (parser.TimeZoneOf(Site).Id, await RetentionOfAsync(host, "/after"));

        Assert.That(before, Is.EqualTo(("Europe/Paris", 30)));
        Assert.That(after, Is.EqualTo(("Asia/Tokyo", 60)));
    }

    [Test]
    public async Task An_explicit_time_zone_in_the_analysts_section_wins()
    {
        await using var host = await RunningHost.StartAsync(null,
            "--Sites:Sites:0:Id=paris", "--Sites:Sites:0:Hosts:0=paris.example", "--Sites:Sites:0:TimeZone=Europe/Paris",
            "--Analysts:TimeZones:paris=Asia/Tokyo");

        Assert.That(host.App.Services.GetRequiredService<StatsQueryParser>().TimeZoneOf("paris").Id, Is.EqualTo("Asia/Tokyo"));
    }

    private static string WriteSites(string folder, string timeZone, int retentionDays, int k)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "sites.json");
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, $$"""
            { "Sites": [ { "Id": "{{Site}}", "Hosts": [ "localhost" ], "TimeZone": "{{timeZone}}", "RetentionDays": {{retentionDays}}, "KThreshold": {{k}} } ] }
            """);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static async Task<string[]> GenerateAsync(RunningHost host, DateOnly day)
    {
        var stored = await host.App.Services.GetRequiredService<ReportGenerator>().GenerateAsync("acme", "pages", new ReportWindow(day, day), "test", CancellationToken.None);
        var path = host.App.Services.GetRequiredService<ReportStore>().PathOf(stored);
        return (await File.ReadAllLinesAsync(path)).Skip(1).ToArray();
    }

    /// <summary>The retention_days the aggregator stored for a beacon on <paramref name="path"/>.</summary>
    private static async Task<int> RetentionOfAsync(RunningHost host, string path)
    {
        using var browser = host.NewBrowser();
        using var response = await browser.GetAsync($"/i.gif?site={Site}&url={Uri.EscapeDataString("http://localhost" + path)}");
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        var sql = $"SELECT retention_days FROM {clickHouse.Database}.hits WHERE site_id = {{site:String}} AND path = {{path:String}}";
        var parameters = new Dictionary<string, string> { ["site"] = Site, ["path"] = path };
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var text = Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated", parameters)).Trim();
            if (text.Length > 0 || DateTime.UtcNow > until)
            {
                return int.Parse(text, CultureInfo.InvariantCulture);
            }
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

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Pageviews as the aggregator stores them; the rollups' materialized views pick them up.</summary>
    private static async Task InsertPageviewsAsync(IClickHouse clickHouse, DateOnly day, string path, int visitors)
    {
        var rows = new StringBuilder();
        for (var i = 0; i < visitors; i++)
        {
            rows.AppendLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["site_id"] = Site,
                ["timestamp"] = day.ToDateTime(new TimeOnly(12, 0, i)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ["hit_id"] = Guid.NewGuid(),
                ["visitor_id"] = Guid.NewGuid(),
                ["kind"] = 1,
                ["hostname"] = "localhost",
                ["path"] = path,
            }));
        }
        await clickHouse.InsertAsync($"{clickHouse.Database}.hits", "JSONEachRow", Encoding.UTF8.GetBytes(rows.ToString()));
    }
}
