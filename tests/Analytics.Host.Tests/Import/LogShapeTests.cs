using Analytics.Collector.Pipeline;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

/// <summary>
/// Log shapes real servers write besides plain Combined lines, imported for the demo site (hosts localhost
/// and 127.0.0.1) and read back from the running host's daily totals, as a user would see them.
/// </summary>
public class LogShapeTests
{
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    [Test]
    public async Task A_vhost_combined_log_imports_the_site_s_own_host_and_drops_the_other_hosts_lines()
    {
        // Apache's other_vhosts_access.log: every virtual host's lines in one file, the host first.
        static string Line(string vhost, int client, int minute, string path) =>
            $"{vhost} 203.0.113.{client} - - [10/Oct/2026:13:{minute:00}:00 +0000] \"GET {path} HTTP/1.1\" 200 512 \"-\" \"{Chrome}\"";
        string[] lines =
        [
            Line("localhost:80", 1, 0, "/"), Line("shop.example.org:443", 9, 1, "/cart"), Line("localhost:80", 1, 2, "/pricing"),
            Line("localhost:80", 2, 3, "/"), Line("localhost", 3, 4, "/docs"), Line("shop.example.org:443", 8, 5, "/"),
            Line("localhost:80", 3, 6, "/"),
        ];

        var (result, days) = await ImportAsync("other_vhosts_access.log", lines);

        Assert.That((result.BadLines, result.Imported), Is.EqualTo((0L, 5L)));
        Assert.That(result.Dropped, Is.EqualTo(new Dictionary<DropReason, long> { [DropReason.ForeignHost] = 2 }));
        Assert.That(days, Is.EqualTo(new[] { ("2026-10-10", 5L, 3L) }));
    }

    [Test]
    public async Task A_log_with_requests_that_name_no_path_imports_its_pageviews_and_counts_no_bad_line()
    {
        // What nginx writes for a port scanner, a TLS handshake on the plain port and a proxy probe.
        static string Line(int client, int minute, string request, int status) =>
            $"203.0.113.{client} - - [10/Oct/2026:13:{minute:00}:00 +0000] \"{request}\" {status} 0 \"-\" \"{Chrome}\"";
        string[] lines =
        [
            Line(1, 0, "GET / HTTP/1.1", 200), Line(7, 1, "-", 400), Line(7, 2, @"\x16\x03\x01\x00\xF1\x01", 400),
            Line(1, 3, "GET /pricing HTTP/1.1", 200), Line(8, 4, "GET http://203.0.113.1/ HTTP/1.1", 200), Line(2, 5, "GET /docs HTTP/1.1", 200),
        ];

        var (result, days) = await ImportAsync("access.log", lines);

        Assert.That((result.BadLines, result.Imported), Is.EqualTo((0L, 3L)));
        Assert.That(result.Skipped, Is.EqualTo(new Dictionary<SkipReason, long> { [SkipReason.NoPath] = 3 }));
        Assert.That(days, Is.EqualTo(new[] { ("2026-10-10", 3L, 2L) }));
    }

    [Test]
    public async Task A_common_log_with_host_names_counts_its_pageviews_as_people_s_not_bots()
    {
        // The Common Log Format has no user-agent field (so says nothing of bots), and logs written with host
        // name lookups (NASA's of 1995 among them) name the client's host instead of its address.
        string[] lines =
        [
            "Piweba3y.prodigy.com - - [01/Jul/1995:00:00:01 -0400] \"GET /history/apollo/ HTTP/1.0\" 200 6245",
            "piweba3y.prodigy.com - - [01/Jul/1995:00:00:09 -0400] \"GET /history/apollo/images/apollo-logo.gif HTTP/1.0\" 200 3047",
            "piweba3y.prodigy.com - - [01/Jul/1995:00:02:11 -0400] \"GET /shuttle/countdown/ HTTP/1.0\" 200 3985",
            "199.72.81.55 - - [01/Jul/1995:00:05:00 -0400] \"GET /history/apollo/ HTTP/1.0\" 200 6245",
            "d104.aa.net - - [01/Jul/1995:00:07:13 -0400] \"GET /shuttle/countdown/ HTTP/1.0\" 304 0",
            "d104.aa.net - - [01/Jul/1995:00:09:13 -0400] \"GET /shuttle/missions/sts-71/ HTTP/1.0\" 404 -",
            "piweba3y.prodigy.com - - [02/Jul/1995:09:00:00 -0400] \"GET /shuttle/countdown/ HTTP/1.0\" 200 3985",
        ];

        var (result, days) = await ImportAsync("access_log_Jul95", lines);

        Assert.That((result.BadLines, result.Imported), Is.EqualTo((0L, 5L)), "an image and a 404 are skipped; a 304 is a pageview");
        Assert.That(days, Is.EqualTo(new[] { ("1995-07-01", 4L, 3L), ("1995-07-02", 1L, 1L) }));
    }

    [TestCase(false, 1)]
    [TestCase(true, 3)]
    public async Task A_log_written_behind_a_proxy_finds_its_visitors_behind_it_only_when_the_proxy_is_trusted(bool trusted, int visitors)
    {
        // nginx's "main" format behind a load balancer at 10.0.0.2: every line's address is the balancer's,
        // the client's is in X-Forwarded-For. Three people with the same browser, two pages each.
        var lines = Enumerable.Range(0, 6).Select(i =>
            $"10.0.0.2 - - [10/Oct/2026:13:{i:00}:00 +0000] \"GET /page-{i / 3} HTTP/1.1\" 200 512 \"-\" \"{Chrome}\" \"198.51.100.{(i % 3) + 1}, 10.0.0.9\"");

        var (result, days) = await ImportAsync("access.log", lines, trusted ? ["--Enrichment:Geo:TrustedProxies:0=10.0.0.0/8"] : []);

        Assert.That((result.BadLines, result.Imported), Is.EqualTo((0L, 6L)));
        Assert.That(days, Is.EqualTo(new[] { ("2026-10-10", 6L, (long)visitors) }));
    }

    /// <summary>Writes <paramref name="lines"/> as a file, imports it for the demo site with <paramref name="settings"/>, and reads the days back from a running host.</summary>
    private static async Task<(ImportResult Result, (string Date, long Pageviews, long Visitors)[] Days)> ImportAsync(string fileName, IEnumerable<string> lines, string[]? settings = null)
    {
        var file = Path.Combine(TestDataFolders.NewFolder("import"), fileName);
        await File.WriteAllLinesAsync(file, lines);
        var dataPath = RunningHost.NewDataPath();
        ImportResult result;
        await using (var importer = await LogImporter.StartAsync(["--ClickHouse:DataPath=" + dataPath, "--Logging:LogLevel:Default=Warning", .. settings ?? []], CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }
        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        return (result, [.. stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors))]);
    }
}
