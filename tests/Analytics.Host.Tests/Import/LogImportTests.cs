using Analytics.Bench.Load;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class LogImportTests
{
    private static string[] HostArguments(string dataPath) => ["--ClickHouse:DataPath=" + dataPath, "--Logging:LogLevel:Default=Warning"];

    [TestCase("access.log")]
    [TestCase("access.log.gz")]
    public async Task An_access_log_becomes_the_pageviews_and_visitors_counted_independently(string name)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 25, requestsPerClient: 30);
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = await log.WriteAsync(Path.Combine(folder, name));
        var dataPath = RunningHost.NewDataPath();

        ImportResult result;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }

        Assert.That(result.Completed, Is.True);
        Assert.That(result.BadLines, Is.EqualTo(log.BadLines));
        Assert.That(result.Imported, Is.EqualTo(log.ExpectedPageviews));
        Assert.That(result.Skipped.Keys, Is.SupersetOf(new[] { SkipReason.Asset, SkipReason.NotGet, SkipReason.Status }));
        Assert.That(File.Exists(file + ".import-checkpoint"), Is.False, "the checkpoint (and the visitor secret) is gone once done");

        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        var expected = log.Expected.OrderBy(e => e.Key).Select(e => (e.Key.ToString("yyyy-MM-dd"), e.Value.Pageviews, (long)e.Value.Visitors.Count)).ToList();
        Assert.That(stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors)).ToList(), Is.EqualTo(expected));
    }

    [Test]
    public async Task An_interrupted_import_resumes_from_its_checkpoint_without_losing_or_doubling_hits()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 40, requestsPerClient: 100);
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = await log.WriteAsync(Path.Combine(folder, "access.log.gz"));
        var checkpoint = file + ".import-checkpoint";
        var dataPath = RunningHost.NewDataPath();
        var options = new ImportOptions { Site = "demo", CheckpointEvery = 500 };

        ImportResult first;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            using var stop = new CancellationTokenSource();
            first = await importer.ImportAsync(file, options, p =>
            {
                if (p.Lines >= 2000)
                {
                    stop.Cancel();
                }
            }, stop.Token);
        }
        Assert.That(first.Completed, Is.False);
        Assert.That(File.Exists(checkpoint), Is.True);

        ImportResult second;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            second = await importer.ImportAsync(file, options, null, CancellationToken.None);
        }
        Assert.That(second.Completed, Is.True);
        Assert.That(second.ResumedAt, Is.EqualTo(first.Lines));
        Assert.That(first.Lines + second.Lines, Is.EqualTo(log.Lines.Count));
        Assert.That(first.Imported + second.Imported, Is.EqualTo(log.ExpectedPageviews));
        Assert.That(File.Exists(checkpoint), Is.False);

        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(log.ExpectedPageviews));
        // The resumed run derives the same visitor IDs (same secret from the checkpoint): no visitor counted twice.
        Assert.That(stats.Days.Select(d => d.Visitors), Is.EqualTo(log.Expected.OrderBy(e => e.Key).Select(e => (long)e.Value.Visitors.Count)));
    }

    [Test]
    public async Task Lines_a_crashed_run_stored_past_its_checkpoint_are_stored_once_when_the_import_resumes()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 60, requestsPerClient: 100);
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = await log.WriteAsync(Path.Combine(folder, "access.log"));
        var checkpoint = file + ".import-checkpoint";
        var dataPath = RunningHost.NewDataPath();
        var options = new ImportOptions { Site = "demo", CheckpointEvery = 500 };

        // The first run stores about 4,000 lines; an earlier checkpoint of it is kept aside.
        string? earlier = null;
        ImportResult first;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            using var stop = new CancellationTokenSource();
            first = await importer.ImportAsync(file, options, p =>
            {
                if (p.Lines >= 2000 && earlier is null)
                {
                    earlier = File.ReadAllText(checkpoint);
                }
                if (p.Lines >= 4000)
                {
                    stop.Cancel();
                }
            }, stop.Token);
        }
        // A crash after storing, before checkpointing: the checkpoint on disk is behind what is stored.
        await File.WriteAllTextAsync(checkpoint, earlier);
        var behind = ImportCheckpoint.Load(checkpoint, Path.GetFullPath(file))!;
        Assert.That(behind.Lines, Is.LessThan(first.Lines));

        ImportResult second;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            second = await importer.ImportAsync(file, options, null, CancellationToken.None);
        }
        Assert.That(second.Completed, Is.True);
        Assert.That(second.ResumedAt, Is.EqualTo(behind.Lines));
        Assert.That(second.AlreadyStored, Is.GreaterThan(0), "lines stored by the first run were read again");
        Assert.That(first.Imported + second.Imported, Is.EqualTo(log.ExpectedPageviews));
        Assert.That(behind.Pageviews + second.AlreadyStored + second.Imported, Is.EqualTo(log.ExpectedPageviews));

        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)),
            Is.EqualTo(log.Expected.OrderBy(e => e.Key).Select(e => (e.Value.Pageviews, (long)e.Value.Visitors.Count))));
    }

    [Test]
    public async Task A_vhost_combined_log_imports_the_site_s_own_host_and_drops_the_other_hosts_lines()
    {
        // Apache's other_vhosts_access.log: every virtual host's lines in one file, the host first.
        // The demo site's hosts are localhost and 127.0.0.1.
        const string agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        static string Line(string vhost, int client, int minute, string path) =>
            $"{vhost} 203.0.113.{client} - - [10/Oct/2026:13:{minute:00}:00 +0000] \"GET {path} HTTP/1.1\" 200 512 \"-\" \"{agent}\"";
        string[] lines =
        [
            Line("localhost:80", 1, 0, "/"), Line("shop.example.org:443", 9, 1, "/cart"), Line("localhost:80", 1, 2, "/pricing"),
            Line("localhost:80", 2, 3, "/"), Line("localhost", 3, 4, "/docs"), Line("shop.example.org:443", 8, 5, "/"),
            Line("localhost:80", 3, 6, "/"),
        ];
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = Path.Combine(folder, "other_vhosts_access.log");
        await File.WriteAllLinesAsync(file, lines);
        var dataPath = RunningHost.NewDataPath();

        ImportResult result;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }

        Assert.That(result.BadLines, Is.Zero);
        Assert.That(result.Imported, Is.EqualTo(5));
        Assert.That(result.Dropped, Is.EqualTo(new Dictionary<Analytics.Collector.Pipeline.DropReason, long> { [Analytics.Collector.Pipeline.DropReason.ForeignHost] = 2 }));
        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors)), Is.EqualTo(new[] { ("2026-10-10", 5L, 3L) }));
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
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = Path.Combine(folder, "access_log_Jul95");
        await File.WriteAllLinesAsync(file, lines);
        var dataPath = RunningHost.NewDataPath();

        ImportResult result;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }

        Assert.That(result.BadLines, Is.Zero);
        Assert.That(result.Imported, Is.EqualTo(5), "an image and a 404 are skipped; a 304 is a pageview");
        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors)), Is.EqualTo(new[] { ("1995-07-01", 4L, 3L), ("1995-07-02", 1L, 1L) }));
    }

    [TestCase(false, 1)]
    [TestCase(true, 3)]
    public async Task A_log_written_behind_a_proxy_finds_its_visitors_behind_it_only_when_the_proxy_is_trusted(bool trusted, int visitors)
    {
        // nginx's "main" format behind a load balancer at 10.0.0.2: every line's address is the balancer's,
        // the client's is in X-Forwarded-For. Three people with the same browser, two pages each.
        const string agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        var lines = Enumerable.Range(0, 6).Select(i =>
            $"10.0.0.2 - - [10/Oct/2026:13:{i:00}:00 +0000] \"GET /page-{i / 3} HTTP/1.1\" 200 512 \"-\" \"{agent}\" \"198.51.100.{(i % 3) + 1}, 10.0.0.9\"");
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = Path.Combine(folder, "access.log");
        await File.WriteAllLinesAsync(file, lines);
        var dataPath = RunningHost.NewDataPath();
        string[] proxies = trusted ? ["--Enrichment:Geo:TrustedProxies:0=10.0.0.0/8"] : [];

        ImportResult result;
        await using (var importer = await LogImporter.StartAsync([.. HostArguments(dataPath), .. proxies], CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }

        Assert.That((result.BadLines, result.Imported), Is.EqualTo((0L, 6L)));
        await using var host = await RunningHost.StartAsync(dataPath);
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors)), Is.EqualTo(new[] { ("2026-10-10", 6L, (long)visitors) }));
    }

    [Test]
    public async Task Importing_for_an_unregistered_site_fails_with_a_message_naming_it()
    {
        var folder = Directory.CreateTempSubdirectory("analytics-import-").FullName;
        var file = await AccessLog.Generate(1, 1, 1).WriteAsync(Path.Combine(folder, "access.log"));
        await using var importer = await LogImporter.StartAsync(HostArguments(RunningHost.NewDataPath()), CancellationToken.None);

        var error = Assert.ThrowsAsync<ImportException>(() => importer.ImportAsync(file, new ImportOptions { Site = "nope" }, null, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("nope"));
    }
}
