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
        var folder = TestDataFolders.NewFolder("import");
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
        var folder = TestDataFolders.NewFolder("import");
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
        var folder = TestDataFolders.NewFolder("import");
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
            Is.EqualTo(log.ExpectedByDay));
    }

    [Test]
    public async Task Two_logs_with_lines_of_the_same_seconds_imported_in_one_run_store_every_line_of_both()
    {
        // Two servers' logs cover the same seconds, here at the same line numbers: line N of one and line N of the
        // other, logged in the same second, are two hits, although the run's files share one visitor secret.
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 20, requestsPerClient: 40);
        var folder = TestDataFolders.NewFolder("import");
        var first = await log.WriteAsync(Path.Combine(folder, "server1.log"));
        var second = Path.Combine(folder, "server2.log");
        // The other server's lines: the same requests at the same seconds, answered over HTTP/1.0.
        await File.WriteAllLinesAsync(second, log.Lines.Select(l => l.Replace(" HTTP/1.1\"", " HTTP/1.0\"", StringComparison.Ordinal)));
        var dataPath = RunningHost.NewDataPath();

        long imported = 0;
        await using (var importer = await LogImporter.StartAsync(HostArguments(dataPath), CancellationToken.None))
        {
            foreach (var file in new[] { first, second })
            {
                imported += (await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None)).Imported;
            }
        }

        Assert.That(imported, Is.EqualTo(2 * log.ExpectedPageviews));
        await using var host = await RunningHost.StartAsync(dataPath);
        Assert.That((await host.DailyStatsAsync("demo")).Days.Select(d => d.Pageviews),
            Is.EqualTo(log.Expected.OrderBy(e => e.Key).Select(e => 2 * e.Value.Pageviews)));
    }

    [Test]
    public async Task A_merge_of_a_log_with_a_copy_of_itself_is_refused_before_anything_is_stored()
    {
        var log = AccessLog.Generate(3, clients: 5, requestsPerClient: 10);
        var folder = TestDataFolders.NewFolder("import");
        var file = await log.WriteAsync(Path.Combine(folder, "access.log"));
        var copy = Path.Combine(folder, "copy.log");
        File.Copy(file, copy);
        await using var importer = await LogImporter.StartAsync(HostArguments(RunningHost.NewDataPath()), CancellationToken.None);

        var error = Assert.ThrowsAsync<ImportException>(() => importer.ImportAsync([file, copy], new ImportOptions { Site = "demo" }, null, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo($"{file} and {copy} hold the same bytes: merge each log once"));
        Assert.That(File.Exists(file + ".import-checkpoint"), Is.False, "nothing was started");
    }

    [Test]
    public async Task Importing_for_an_unregistered_site_fails_with_a_message_naming_it()
    {
        var folder = TestDataFolders.NewFolder("import");
        var file = await AccessLog.Generate(1, 1, 1).WriteAsync(Path.Combine(folder, "access.log"));
        await using var importer = await LogImporter.StartAsync(HostArguments(RunningHost.NewDataPath()), CancellationToken.None);

        var error = Assert.ThrowsAsync<ImportException>(() => importer.ImportAsync(file, new ImportOptions { Site = "nope" }, null, CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("nope"));
    }
}
