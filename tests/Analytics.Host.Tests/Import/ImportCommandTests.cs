using System.Globalization;
using System.Text;
using Analytics.Bench.Load;
using Analytics.Host.Import;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Host.Tests.Import;

/// <summary>`analytics import` run as a child process on generated Combined-Log files, then the store read back.</summary>
public class ImportCommandTests
{
    private static readonly DateTime May2015 = new(2015, 5, 17, 0, 0, 0, DateTimeKind.Utc);

    [Test]
    public async Task A_2015_log_imported_with_default_settings_keeps_its_pageviews_through_ttl_merges_and_importing_it_again_stores_nothing_twice()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 30, requestsPerClient: 40, start: May2015);
        var folder = TestDataFolders.NewFolder("import");
        var file = await log.WriteAsync(Path.Combine(folder, "access.log.gz"));
        var data = Path.Combine(folder, "data");
        string[] import = [file, "--site", "demo", "--data", data, "--no-progress"];

        var first = await ImportProcess.RunAsync(import);
        var second = await ImportProcess.RunAsync(import);

        Assert.That(first.Status, Is.Zero);
        Assert.That(first.Output, Does.Contain($"{log.ExpectedPageviews:N0} pageviews imported (2015-05-17 to 2015-05-"));
        // The demo site keeps raw rows 395 days (appsettings.json): counted from the import, not from 2015.
        var keptUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(395);
        Assert.That(first.Output, Does.Contain($"kept: raw hits and visits until {keptUntil:yyyy-MM-dd}"));
        // Rollups are kept Retention:RollupDays (1827 by default) from the day they are stored.
        Assert.That(first.Output, Does.Contain($"daily figures (dashboard, reports) until at least {DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1827):yyyy-MM-dd}"));
        Assert.That(second.Status, Is.Zero);
        Assert.That(second.Output, Does.Contain("already imported"));

        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        // Merges apply TTL: whatever the TTL would delete is gone after these.
        var tables = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT name FROM system.tables WHERE database = '{clickHouse.Database}' AND engine LIKE '%MergeTree'", "TabSeparated"));
        foreach (var table in tables.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await clickHouse.ExecuteAsync($"OPTIMIZE TABLE {clickHouse.Database}.{table} FINAL");
        }

        var expected = log.Expected.OrderBy(e => e.Key).ToList();
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Date, d.Pageviews, d.Visitors)),
            Is.EqualTo(expected.Select(e => (e.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.Value.Pageviews, (long)e.Value.Visitors.Count))));
        var rollup = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT toDate(hour) AS day, sum(pageviews) FROM {clickHouse.Database}.rollup_site_hourly WHERE site_id = 'demo' GROUP BY day ORDER BY day",
            "TabSeparated"));
        Assert.That(rollup, Is.EqualTo(string.Concat(expected.Select(e => $"{e.Key:yyyy-MM-dd}\t{e.Value.Pageviews}\n"))));
        // History this old keeps no visitor secret: its day is long past the kept ones.
        Assert.That(Encoding.UTF8.GetString(await clickHouse.QueryAsync($"SELECT count() FROM {clickHouse.Database}.import_day_secrets", "TabSeparated")).Trim(), Is.EqualTo("0"));
    }

    [Test]
    public async Task A_log_rotated_twice_within_days_and_imported_as_access_log_star_counts_each_visitor_once_a_day_and_each_visit_once()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 40, requestsPerClient: 60);
        var folder = TestDataFolders.NewFolder("import");
        var whole = await log.WriteAsync(Path.Combine(folder, "whole.log"));
        // Rotated twice as logrotate does, at moments within a day: the oldest third compressed. The shell
        // expands access.log* newest first.
        var third = log.Lines.Count / 3;
        await WriteGzipAsync(Path.Combine(folder, "access.log.2.gz"), log.Lines.Take(third));
        await File.WriteAllLinesAsync(Path.Combine(folder, "access.log.1"), log.Lines.Skip(third).Take(third));
        await File.WriteAllLinesAsync(Path.Combine(folder, "access.log"), log.Lines.Skip(2 * third));
        string[] rotated = [.. new[] { "access.log", "access.log.1", "access.log.2.gz" }.Select(f => Path.Combine(folder, f))];
        var wholeData = Path.Combine(folder, "whole-data");
        var rotatedData = Path.Combine(folder, "rotated-data");

        var wholeRun = await ImportProcess.RunAsync([whole, "--site", "demo", "--data", wholeData, "--no-progress"]);
        var rotatedRun = await ImportProcess.RunAsync([.. rotated, "--site", "demo", "--data", rotatedData, "--no-progress"]);

        Assert.That(wholeRun.Status, Is.Zero, wholeRun.Output);
        Assert.That(rotatedRun.Status, Is.Zero, rotatedRun.Output);
        Assert.That(rotatedRun.Error, Does.Not.Contain("warning"), "rotated files follow each other in time");
        var days = log.Expected.Keys.Order().ToList();
        // One engine per process: the two stores are opened one after the other.
        List<(string, long, long)> rotatedDays;
        string rotatedVisits;
        await using (var host = await RunningHost.StartAsync(Path.Combine(rotatedData, "clickhouse")))
        {
            rotatedDays = [.. (await host.DailyStatsAsync("demo")).Days.Select(d => (d.Date, d.Pageviews, d.Visitors))];
            rotatedVisits = await VisitsByDayAsync(host, days[0], days[^1]);
        }
        await using (var host = await RunningHost.StartAsync(Path.Combine(wholeData, "clickhouse")))
        {
            Assert.That(rotatedVisits, Is.EqualTo(await VisitsByDayAsync(host, days[0], days[^1])), "a visit across a rotation is one visit");
        }
        Assert.That(rotatedDays, Is.EqualTo(days.Select(d => (d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), log.Expected[d].Pageviews, (long)log.Expected[d].Visitors.Count))),
            "each day's visitors counted once, whichever file holds their lines");
        Assert.That(rotatedRun.Output.IndexOf("access.log.2.gz:", StringComparison.Ordinal), Is.LessThan(rotatedRun.Output.IndexOf("access.log.1:", StringComparison.Ordinal)), "oldest first");
    }

    [Test]
    public async Task Logs_of_the_same_hours_from_two_servers_count_each_visitor_once_a_day_and_the_import_warns_that_visits_are_tracked_file_by_file()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 30, requestsPerClient: 40);
        var folder = TestDataFolders.NewFolder("import");
        // A load balancer alternating between two servers: each logs every other request.
        var servers = await WriteTwoServersAsync(folder, log.Lines);
        var data = Path.Combine(folder, "data");

        var run = await ImportProcess.RunAsync([.. servers, "--site", "demo", "--data", data, "--no-progress"]);

        Assert.That(run.Status, Is.Zero, run.Output);
        // Oldest first: whichever file's first line is earlier is read first (either, by the random log), and the other is warned about.
        var read = servers.OrderBy(s => run.Output.IndexOf($"importing {s}\n", StringComparison.Ordinal)).ToList();
        Assert.That(read.Select(s => run.Output.IndexOf($"importing {s}\n", StringComparison.Ordinal)), Has.All.GreaterThanOrEqualTo(0), run.Output);
        Assert.That(run.Error, Does.Contain($"warning: {read[1]} has lines from").And.Contain($"within the time of {read[0]}").And.Contain("--merge"));
        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)),
            Is.EqualTo(log.ExpectedByDay));
    }

    [Test]
    public async Task Logs_of_the_same_hours_from_two_servers_imported_with_merge_count_every_visit_as_the_one_log_and_each_file_once()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 30, requestsPerClient: 40);
        var folder = TestDataFolders.NewFolder("import");
        var whole = await log.WriteAsync(Path.Combine(folder, "whole.log"));
        // A load balancer alternating between two servers, one of which compresses its log.
        var servers = await WriteTwoServersAsync(folder, log.Lines, "server2.log.gz");
        var wholeData = Path.Combine(folder, "whole-data");
        var mergedData = Path.Combine(folder, "merged-data");
        // Small batches: the tracker takes a batch's hits in time order, so only lines out of order across batches
        // (as in a big log read one file after the other) would split visits.
        string[] merge = [.. servers, "--merge", "--site", "demo", "--data", mergedData, "--no-progress", "--checkpoint-every", "100"];

        var wholeRun = await ImportProcess.RunAsync([whole, "--site", "demo", "--data", wholeData, "--no-progress", "--checkpoint-every", "100"]);
        var mergedRun = await ImportProcess.RunAsync(merge);
        var again = await ImportProcess.RunAsync(merge);
        var alone = await ImportProcess.RunAsync([servers[1], "--site", "demo", "--data", mergedData, "--no-progress"]);

        Assert.That(wholeRun.Status, Is.Zero, wholeRun.Output + wholeRun.Error);
        Assert.That(mergedRun.Status, Is.Zero, mergedRun.Output + mergedRun.Error);
        Assert.That(mergedRun.Error, Does.Not.Contain("warning"));
        Assert.That(mergedRun.Output, Does.Contain($"{servers[0]} + {servers[1]}: {log.Lines.Count:N0} lines read").And.Contain($"{log.ExpectedPageviews:N0} pageviews imported"));
        // The broken lines, named by their own file and line.
        var badLines = System.Text.RegularExpressions.Regex.Match(mergedRun.Output, @"bad lines: (\d+) \(first at (.*)\)");
        Assert.That(badLines.Groups[1].Value, Is.EqualTo(log.BadLines.ToString(CultureInfo.InvariantCulture)), mergedRun.Output);
        foreach (var at in badLines.Groups[2].Value.Split(", "))
        {
            var (file, line) = (at[..at.LastIndexOf(':')], int.Parse(at[(at.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
            var lines = ServerLines(log.Lines, Array.IndexOf(servers, file));
            Assert.That(CombinedLogParser.TryParse(lines.ElementAt(line - 1), out _), Is.False, at);
        }
        // Each file is recorded with the merge: neither is imported again, together or alone.
        Assert.That(again.Output, Does.Contain("already imported"));
        Assert.That(alone.Output, Does.Contain("already imported"));
        await AssertCountsAsTheOneLogAsync(log, mergedData, wholeData, "a visit whose requests alternate between the servers is one visit");
    }

    [Test]
    public async Task Two_servers_logs_merged_each_day_while_written_count_as_the_one_uncut_log()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var now = DateTime.UtcNow;
        var log = AccessLog.Generate(seed, clients: 60, requestsPerClient: 100, start: now.AddHours(-74));
        // Yesterday's run read each server's log as far as it was written, about 30 hours ago.
        var cut = log.Lines.FindIndex(l => CombinedLogParser.TryParse(l, out var entry) && entry!.Time.UtcDateTime >= now.AddHours(-30));
        var folder = TestDataFolders.NewFolder("import");
        var servers = await WriteTwoServersAsync(folder, log.Lines.Take(cut));
        var data = Path.Combine(folder, "data");
        string[] merge = [.. servers, "--merge", "--site", "demo", "--data", data, "--no-progress"];

        var yesterday = await ImportProcess.RunAsync(merge);
        await WriteTwoServersAsync(folder, log.Lines);
        var today = await ImportProcess.RunAsync(merge);
        var wholeData = Path.Combine(folder, "whole-data");
        var wholeRun = await ImportProcess.RunAsync([await log.WriteAsync(Path.Combine(folder, "whole.log")), "--site", "demo", "--data", wholeData, "--no-progress"]);

        Assert.That(yesterday.Status, Is.Zero, yesterday.Output + yesterday.Error);
        Assert.That(today.Status, Is.Zero, today.Output + today.Error);
        Assert.That(wholeRun.Status, Is.Zero, wholeRun.Output + wholeRun.Error);
        Assert.That(today.Output, Does.Contain($"{servers[0]}: continued after line {(cut + 1) / 2:N0}").And.Contain($"{servers[1]}: continued after line {cut / 2:N0}"));
        Assert.That(today.Output, Does.Contain($"{servers[0]} + {servers[1]}: {log.Lines.Count - cut:N0} lines read"));
        await AssertCountsAsTheOneLogAsync(log, data, wholeData, "a visit across the cut, alternating between the servers, is one visit");
    }

    /// <summary>Each day's pageviews and visitors as the generator counted them, and its visits, visitors, bounce rate and duration as the one log imported alone.</summary>
    private static async Task AssertCountsAsTheOneLogAsync(AccessLog log, string data, string wholeData, string visits)
    {
        var days = log.Expected.Keys.Order().ToList();
        string mergedVisits;
        await using (var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse")))
        {
            Assert.That((await host.DailyStatsAsync("demo")).Days.Select(d => (d.Pageviews, d.Visitors)), Is.EqualTo(log.ExpectedByDay));
            mergedVisits = await VisitsByDayAsync(host, days[0], days[^1]);
        }
        await using (var host = await RunningHost.StartAsync(Path.Combine(wholeData, "clickhouse")))
        {
            Assert.That(mergedVisits, Is.EqualTo(await VisitsByDayAsync(host, days[0], days[^1])), visits);
        }
    }

    [Test]
    public async Task A_log_imported_alone_is_refused_in_a_merge_as_its_lines_would_count_twice()
    {
        var log = AccessLog.Generate(7, clients: 10, requestsPerClient: 20);
        var folder = TestDataFolders.NewFolder("import");
        var servers = await WriteTwoServersAsync(folder, log.Lines);
        var data = Path.Combine(folder, "data");

        var alone = await ImportProcess.RunAsync([servers[0], "--site", "demo", "--data", data, "--no-progress"]);
        var merged = await ImportProcess.RunAsync([.. servers, "--merge", "--site", "demo", "--data", data, "--no-progress"]);

        Assert.That(alone.Status, Is.Zero, alone.Output + alone.Error);
        Assert.That(merged.Status, Is.EqualTo(1), merged.Output);
        Assert.That(merged.Error, Does.Contain($"{servers[0]} was imported on").And.Contain("leave it out of this one"));
    }

    [Test]
    public async Task A_log_imported_while_written_then_rotated_and_compressed_is_continued_after_the_lines_already_imported()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 30, requestsPerClient: 40);
        var folder = TestDataFolders.NewFolder("import");
        var live = Path.Combine(folder, "access.log");
        var data = Path.Combine(folder, "data");
        var third = log.Lines.Count / 3;
        string[] import = ["--site", "demo", "--data", data, "--no-progress"];

        // Imported while the server still writes it: its last line is half written.
        await File.WriteAllTextAsync(live, string.Concat(log.Lines.Take(third).Select(l => l + "\n")) + log.Lines[third][..10]);
        var first = await ImportProcess.RunAsync([live, .. import]);
        // The server wrote on; then logrotate moved the file aside and compressed it, and the server began a new one.
        await File.AppendAllTextAsync(live, log.Lines[third][10..] + "\n" + string.Concat(log.Lines.Skip(third + 1).Take(third - 1).Select(l => l + "\n")));
        await WriteGzipAsync(live + ".1.gz", await File.ReadAllLinesAsync(live));
        await File.WriteAllLinesAsync(live, log.Lines.Skip(2 * third));
        var second = await ImportProcess.RunAsync([live, live + ".1.gz", .. import]);
        var again = await ImportProcess.RunAsync([live, live + ".1.gz", .. import]);

        Assert.That(first.Status, Is.Zero, first.Output);
        Assert.That(second.Status, Is.Zero, second.Output);
        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => d.Pageviews), Is.EqualTo(log.Expected.OrderBy(e => e.Key).Select(e => e.Value.Pageviews)), "every line counted once");
        // The log is older than the days whose secret is kept: on the day of the first run's last line, a visitor of both runs counts twice.
        var cut = log.Lines.Take(third).Reverse().Select(l => CombinedLogParser.TryParseTime(l, out var time) ? time : (DateTimeOffset?)null).First(t => t is not null)!.Value;
        var cutDay = DateOnly.FromDateTime(cut.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.That(stats.Days.Where(d => d.Date != cutDay).Select(d => (d.Date, d.Visitors)),
            Is.EqualTo(log.Expected.OrderBy(e => e.Key).Select(e => (e.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (long)e.Value.Visitors.Count)).Where(d => d.Item1 != cutDay)));
        Assert.That(second.Output, Does.Contain($"access.log.1.gz: {third:N0} lines read (continued after line {third:N0}: its first {third:N0} lines are {live}, imported on "));
        var read = log.Lines.Skip(third).Take(third).Select(l => CombinedLogParser.TryParse(l, out var entry) && PageviewFilter.Check(entry!) is null ? entry!.Time.UtcDateTime : (DateTime?)null).OfType<DateTime>().ToList();
        Assert.That(second.Output.Split('\n').Single(l => l.Contains("access.log.1.gz: ", StringComparison.Ordinal)),
            Does.EndWith($"pageviews imported ({read.Min():yyyy-MM-dd} to {read.Max():yyyy-MM-dd})"), "the dates of the pageviews this run read, not the whole file's");
        Assert.That(again.Output, Does.Contain("access.log.1.gz: already imported").And.Contain("access.log: already imported"));
    }

    /// <summary>
    /// Daily: yesterday's import read the log up to about 30 hours ago, where logrotate cut it (the default keeps the
    /// secret of the cut day). Weekly: the cut about six days ago, with the secrets kept 8 days.
    /// </summary>
    [TestCase(30, null, TestName = "A log imported each day after logrotate cut it within a day counts as the uncut log")]
    [TestCase(150, 8, TestName = "A log imported each week after logrotate cut it counts as the uncut log with the day secrets kept 8 days")]
    public async Task A_log_imported_after_each_logrotate_counts_as_the_uncut_log(int cutHoursAgo, int? keepDaySecretsDays)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        // Days up to two hours ago, the cut a day and more from their start: at a pageview that continues a visit (a
        // pageview of the same browser within the 10 minutes before).
        var now = DateTime.UtcNow;
        var log = AccessLog.Generate(seed, clients: 60, requestsPerClient: 100, start: now.AddHours(-cutHoursAgo - 44));
        var pageviews = log.Lines.Select((line, i) => (Line: i, Entry: CombinedLogParser.TryParse(line, out var entry) ? entry : null))
            .Where(p => p.Entry is not null && PageviewFilter.Check(p.Entry) is null).ToList();
        var cut = pageviews.Where(p => p.Entry!.Time.UtcDateTime >= now.AddHours(-cutHoursAgo)).First(p => pageviews.Any(before => before.Line < p.Line
            && before.Entry!.Ip!.Equals(p.Entry!.Ip) && before.Entry.UserAgent == p.Entry.UserAgent && p.Entry.Time - before.Entry.Time < TimeSpan.FromMinutes(10))).Line;
        var folder = TestDataFolders.NewFolder("import");
        var live = Path.Combine(folder, "access.log");
        var data = Path.Combine(folder, "data");
        var wholeData = Path.Combine(folder, "whole-data");
        string[] import = ["--site", "demo", "--data", data, "--no-progress", .. keepDaySecretsDays is { } keep ? [$"--Import:KeepDaySecretsDays={keep}"] : Array.Empty<string>()];

        await File.WriteAllLinesAsync(live, log.Lines.Take(cut));
        var yesterday = await ImportProcess.RunAsync([live, .. import]);
        File.Move(live, live + ".1");
        await File.WriteAllLinesAsync(live, log.Lines.Skip(cut));
        var today = await ImportProcess.RunAsync([live, live + ".1", .. import]);
        var wholeRun = await ImportProcess.RunAsync([await log.WriteAsync(Path.Combine(folder, "whole.log")), "--site", "demo", "--data", wholeData, "--no-progress"]);

        Assert.That(yesterday.Status, Is.Zero, yesterday.Output);
        Assert.That(today.Status, Is.Zero, today.Output);
        Assert.That(wholeRun.Status, Is.Zero, wholeRun.Output);
        Assert.That(today.Output, Does.Contain("access.log.1: already imported"));
        var days = log.Expected.Keys.Order().ToList();
        string dailyVisits;
        await using (var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse")))
        {
            var stats = await host.DailyStatsAsync("demo");
            Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)), Is.EqualTo(log.ExpectedByDay),
                "the day of the cut derived alike in both runs: each visitor once");
            dailyVisits = await VisitsByDayAsync(host, days[0], days[^1]);
            // Secrets are kept for recent days only: the older days of the log keep none.
            var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
            var kept = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
                $"SELECT DISTINCT toString(day) FROM {clickHouse.Database}.import_day_secrets WHERE site_id = 'demo' ORDER BY 1", "TabSeparated"));
            var oldest = DateOnly.FromDateTime(now).AddDays(-(keepDaySecretsDays ?? new ImportSettings().KeepDaySecretsDays));
            Assert.That(kept.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(d => DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
                Is.EquivalentTo(log.Expected.Keys.Where(d => d >= oldest)));
        }
        await using (var host = await RunningHost.StartAsync(Path.Combine(wholeData, "clickhouse")))
        {
            Assert.That(dailyVisits, Is.EqualTo(await VisitsByDayAsync(host, days[0], days[^1])), "a visit across the cut is one visit");
        }
    }

    /// <summary>The lines a load balancer alternating between two servers gives server 0 or 1: every other one.</summary>
    private static IEnumerable<string> ServerLines(IEnumerable<string> lines, int server) => lines.Where((_, i) => i % 2 == server);

    /// <summary>Writes each server's lines to server1.log and <paramref name="second"/> (gzip when it ends in .gz); returns their paths.</summary>
    private static async Task<string[]> WriteTwoServersAsync(string folder, IEnumerable<string> lines, string second = "server2.log")
    {
        string[] servers = [Path.Combine(folder, "server1.log"), Path.Combine(folder, second)];
        await File.WriteAllLinesAsync(servers[0], ServerLines(lines, 0));
        if (second.EndsWith(".gz", StringComparison.Ordinal))
        {
            await WriteGzipAsync(servers[1], ServerLines(lines, 1));
        }
        else
        {
            await File.WriteAllLinesAsync(servers[1], ServerLines(lines, 1));
        }
        return servers;
    }

    private static async Task WriteGzipAsync(string path, IEnumerable<string> lines)
    {
        await using var gzip = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest);
        await using var writer = new StreamWriter(gzip);
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line);
        }
    }

    /// <summary>Visits, visitors, bounce rate and visit duration per day over the stats API, as the dashboard asks for them.</summary>
    private static async Task<string> VisitsByDayAsync(RunningHost host, DateOnly first, DateOnly last)
    {
        using var client = host.NewBrowser();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", host.StatsKey);
        var body = $$"""{"site_id":"demo","date_range":["{{first:yyyy-MM-dd}}","{{last:yyyy-MM-dd}}"],"metrics":["visits","visitors","bounce_rate","visit_duration"],"dimensions":["time:day"]}""";
        using var response = await client.PostAsync("/api/v2/query", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, answer);
        return System.Text.Json.JsonDocument.Parse(answer).RootElement.GetProperty("results").ToString();
    }

    [Test]
    public async Task A_truncated_gz_fails_with_a_nonzero_exit_and_its_checkpoint_stays()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var folder = TestDataFolders.NewFolder("import");
        var file = await AccessLog.Generate(seed, clients: 40, requestsPerClient: 50).WriteAsync(Path.Combine(folder, "access.log.gz"));
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length * 2 / 3)]);
        var checkpoint = file + ".import-checkpoint";
        new ImportCheckpoint { File = file, Lines = 10, Secret = Convert.ToBase64String(new byte[32]) }.Save(checkpoint);

        var (status, output, error) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", Path.Combine(folder, "data"), "--no-progress");

        Assert.That(status, Is.EqualTo(1));
        Assert.That(error, Does.Contain("cut off or corrupt"));
        Assert.That(output, Does.Not.Contain("pageviews imported"));
        Assert.That(File.Exists(checkpoint), Is.True);
    }

    [TestCase("missing.log", "missing.log: no such file")]
    [TestCase("logs", "logs: is a directory; name its log files (")]
    [TestCase("--bogus", "unknown option --bogus")]
    public async Task A_missing_file_or_an_unknown_option_gets_one_line_and_a_nonzero_exit(string argument, string message)
    {
        var folder = TestDataFolders.NewFolder("import");
        var file = await AccessLog.Generate(1, 1, 1).WriteAsync(Path.Combine(folder, "access.log"));
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        string[] arguments = argument.StartsWith("--", StringComparison.Ordinal) ? [file, argument] : [Path.Combine(folder, argument)];

        var (status, output, error) = await ImportProcess.RunAsync([.. arguments, "--site", "demo", "--data", Path.Combine(folder, "data")]);

        Assert.That(status, Is.EqualTo(2));
        Assert.That(error.Trim(), Does.StartWith("analytics import: ").And.Contain(message));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(output, Is.Empty);
    }

    [TestCase("--Import:KeepDaySecretsDays=99", "KeepDaySecretsDays")]
    [TestCase("--Retention:RollupDays=0", "RollupDays")]
    public async Task A_setting_out_of_range_is_named_without_a_stack_trace_and_exit_2(string setting, string key)
    {
        var folder = TestDataFolders.NewFolder("import");
        var file = await AccessLog.Generate(1, 1, 1).WriteAsync(Path.Combine(folder, "access.log"));

        var (status, output, error) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", Path.Combine(folder, "data"), setting);

        Assert.That(status, Is.EqualTo(2));
        Assert.That(error.Trim(), Does.StartWith("analytics import: the configuration is not valid:").And.Contain(key));
        Assert.That(error, Does.Not.Contain(" at "), "no stack trace");
        Assert.That(output, Is.Empty);
    }

    [TestCase("xz", "compressed with xz; import reads plain text and gzip: decompress it first (unxz -k ")]
    [TestCase("bzip2", "compressed with bzip2; import reads plain text and gzip: decompress it first (bunzip2 -k ")]
    [TestCase("zstd", "compressed with zstd; import reads plain text and gzip: decompress it first (unzstd ")]
    public async Task A_log_compressed_by_another_tool_is_refused_with_the_command_that_decompresses_it(string compressor, string message)
    {
        var folder = TestDataFolders.NewFolder("import");
        var plain = await AccessLog.Generate(7, clients: 5, requestsPerClient: 10).WriteAsync(Path.Combine(folder, "access.log.1"));
        // logrotate names them as its compressext says; the name here says nothing of the format.
        var file = await CompressAsync(compressor, plain);

        var (status, output, error) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", Path.Combine(folder, "data"), "--no-progress");

        Assert.That(status, Is.EqualTo(1));
        Assert.That(error.Trim(), Is.EqualTo($"analytics import: {file}: {message}{file})"));
        Assert.That(output, Does.Not.Contain("pageviews imported"));
    }

    [Test]
    public async Task A_gzip_log_without_the_gz_suffix_is_read_as_gzip()
    {
        var (log, folder, gzip) = await WriteLogAsync("access.log.2.gz");
        var file = Path.Combine(folder, "access.log.2");
        File.Move(gzip, file);

        var (status, output, _) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", Path.Combine(folder, "data"), "--no-progress");

        Assert.That(status, Is.Zero);
        Assert.That(output, Does.Contain($"{log.ExpectedPageviews:N0} pageviews imported"));
    }

    [Test]
    public async Task A_file_in_another_log_format_is_refused_before_anything_is_stored()
    {
        var folder = TestDataFolders.NewFolder("import");
        var file = Path.Combine(folder, "access.json");
        // nginx's log_format with escape=json: a format the import does not read.
        await File.WriteAllTextAsync(file, """
            {"time":"2024-03-10T08:00:00+00:00","remote_addr":"81.2.69.1","request":"GET / HTTP/1.1","status":200}
            {"time":"2024-03-10T08:00:05+00:00","remote_addr":"81.2.69.2","request":"GET /about HTTP/1.1","status":200}

            """);

        var (status, output, error) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", Path.Combine(folder, "data"), "--no-progress");

        Assert.That(status, Is.EqualTo(1));
        Assert.That(error.Trim(), Is.EqualTo($"analytics import: {file}: none of its 2 lines is an access log line in Combined or Common Log Format (as nginx and Apache write them)"));
        Assert.That(File.Exists(file + ".import-checkpoint"), Is.False);
    }

    [Test]
    public async Task A_host_the_site_does_not_list_is_refused_and_a_log_that_stored_nothing_can_be_imported_after_the_fix()
    {
        var (log, folder, plain) = await WriteLogAsync("access.log");
        // The same lines as Apache's vhost_combined writes them, all for a host the demo site does not list.
        var foreign = Path.Combine(folder, "other_vhosts_access.log");
        await File.WriteAllLinesAsync(foreign, (await File.ReadAllLinesAsync(plain)).Select(line => "www.example.org:443 " + line));
        var data = Path.Combine(folder, "data");

        var wrongHost = await ImportProcess.RunAsync(plain, "--site", "demo", "--host", "www.example.org", "--data", data, "--no-progress");
        var foreignLines = await ImportProcess.RunAsync(foreign, "--site", "demo", "--data", data, "--no-progress");
        var afterTheFix = await ImportProcess.RunAsync(foreign, "--site", "demo", "--data", data, "--no-progress", "--Sites:Sites:0:Hosts:2=www.example.org");

        Assert.That(wrongHost.Status, Is.EqualTo(1));
        Assert.That(wrongHost.Error.Trim(), Does.StartWith("analytics import: site 'demo' does not list host www.example.org (it lists ").And.Contain("./analytics site set demo --host www.example.org"));
        Assert.That(foreignLines.Status, Is.Zero);
        Assert.That(foreignLines.Output, Does.Contain(" 0 pageviews imported").And.Contain("ForeignHost").And.Contain("nothing stored, so not recorded as imported"));
        Assert.That(afterTheFix.Status, Is.Zero, afterTheFix.Output + afterTheFix.Error);
        Assert.That(afterTheFix.Output, Does.Contain($"{log.ExpectedPageviews:N0} pageviews imported").And.Not.Contain("already imported"));
    }

    /// <summary>A small seeded log (five browsers, ten requests each) written as <paramref name="name"/> in a folder of its own; the seed is logged.</summary>
    private static async Task<(AccessLog Log, string Folder, string File)> WriteLogAsync(string name)
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 5, requestsPerClient: 10);
        var folder = TestDataFolders.NewFolder("import");
        return (log, folder, await log.WriteAsync(Path.Combine(folder, name)));
    }

    private static async Task<string> CompressAsync(string compressor, string file)
    {
        // Each tool keeps the input with -k and writes FILE.EXT; the result is renamed to what logrotate would call it.
        var (extension, arguments) = compressor switch
        {
            "xz" => (".xz", "-k"),
            "bzip2" => (".bz2", "-k"),
            _ => (".zst", "-q -k"),
        };
        using var process = System.Diagnostics.Process.Start(compressor, $"{arguments} {file}")!;
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{compressor} failed");
        var named = file + ".packed";
        File.Move(file + extension, named);
        return named;
    }

    [Test]
    public async Task Settings_after_the_file_are_configuration_like_for_every_command()
    {
        var (_, folder, file) = await WriteLogAsync("access.log");
        var data = Path.Combine(folder, "data");

        var (status, _, _) = await ImportProcess.RunAsync(file, "--site", "demo", "--data", data, "--no-progress", "--Sites:Sites:0:RetentionDays=500");

        Assert.That(status, Is.Zero);
        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var clickHouse = host.App.Services.GetRequiredService<IClickHouse>();
        // Each row keeps 500 days from the day it was stored (today), whatever day it happened.
        var days = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT DISTINCT retention_days - dateDiff('day', toDate(timestamp), today()) FROM {clickHouse.Database}.hits WHERE site_id = 'demo'",
            "TabSeparated"));
        Assert.That(days, Is.EqualTo("500\n"));
    }

    [Test]
    public async Task Sigterm_stops_an_import_at_a_checkpoint_and_the_next_run_completes_it_exactly()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 200, requestsPerClient: 300);
        var folder = TestDataFolders.NewFolder("import");
        var file = await log.WriteAsync(Path.Combine(folder, "access.log"));
        var data = Path.Combine(folder, "data");
        string[] import = [file, "--site", "demo", "--data", data, "--no-progress"];

        int stopped;
        string output;
        using (var running = ImportProcess.Start(import))
        {
            Assert.That(await running.WaitForOutputAsync("10,000 lines", TimeSpan.FromSeconds(60)), Is.True, running.Output + running.Error);
            running.Terminate();
            stopped = await running.WaitForExitAsync(TimeSpan.FromSeconds(60));
            output = running.Output;
            TestContext.Out.WriteLine(output + running.Error);
        }
        Assert.That(stopped, Is.EqualTo(130));
        Assert.That(output, Does.Contain("Interrupted"));
        Assert.That(File.Exists(file + ".import-checkpoint"), Is.True);

        var resumed = await ImportProcess.RunAsync(import);
        Assert.That(resumed.Status, Is.Zero);
        Assert.That(resumed.Output, Does.Contain("resumed after line"));

        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)),
            Is.EqualTo(log.ExpectedByDay));
    }

    [Test]
    public async Task Kill_9_during_a_merged_import_then_the_same_command_stores_every_line_of_each_file_once()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 200, requestsPerClient: 300);
        var folder = TestDataFolders.NewFolder("import");
        var servers = await WriteTwoServersAsync(folder, log.Lines);
        var data = Path.Combine(folder, "data");
        string[] import = [.. servers, "--merge", "--site", "demo", "--data", data, "--no-progress", "--checkpoint-every", "3000"];

        using (var running = ImportProcess.Start(import))
        {
            Assert.That(await running.WaitForOutputAsync("20,000 lines", TimeSpan.FromSeconds(90)), Is.True, running.Output + running.Error);
            running.KillHard();
            await running.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.That(File.Exists(servers[0] + ".import-checkpoint"), Is.True, "a merge is checkpointed as its first file");
        var first = await ImportProcess.RunAsync([servers[0], "--site", "demo", "--data", data, "--no-progress"]);
        Assert.That(first.Status, Is.EqualTo(1), first.Output);
        Assert.That(first.Error, Does.Contain("was left by an interrupted --merge that begins with " + servers[0]), "the first file alone is not the merge its checkpoint belongs to");

        var resumed = await ImportProcess.RunAsync(import);
        TestContext.Out.WriteLine(resumed.Output + resumed.Error);
        Assert.That(resumed.Status, Is.Zero);
        Assert.That(resumed.Output, Does.Contain("resumed after line"));
        var alone = await ImportProcess.RunAsync([servers[1], "--site", "demo", "--data", data, "--no-progress"]);
        Assert.That(alone.Output, Does.Contain("already imported"), "each file is recorded once the resumed merge is done");

        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)),
            Is.EqualTo(log.ExpectedByDay));
    }

    [Test]
    public async Task Kill_9_during_an_import_then_the_same_command_stores_every_line_once()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = AccessLog.Generate(seed, clients: 200, requestsPerClient: 300);
        var folder = TestDataFolders.NewFolder("import");
        var file = await log.WriteAsync(Path.Combine(folder, "access.log"));
        var data = Path.Combine(folder, "data");
        // Small batches, so several are stored (and one may be half-written) when the process dies.
        string[] import = [file, "--site", "demo", "--data", data, "--no-progress", "--checkpoint-every", "3000"];

        using (var running = ImportProcess.Start(import))
        {
            Assert.That(await running.WaitForOutputAsync("20,000 lines", TimeSpan.FromSeconds(90)), Is.True, running.Output + running.Error);
            running.KillHard();
            await running.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.That(File.Exists(file + ".import-checkpoint"), Is.True, "the checkpoint (with the secret) outlives the crash");

        var resumed = await ImportProcess.RunAsync(import);
        TestContext.Out.WriteLine(resumed.Output + resumed.Error);
        Assert.That(resumed.Status, Is.Zero);

        await using var host = await RunningHost.StartAsync(Path.Combine(data, "clickhouse"));
        var stats = await host.DailyStatsAsync("demo");
        Assert.That(stats.Days.Select(d => (d.Pageviews, d.Visitors)),
            Is.EqualTo(log.ExpectedByDay));
    }
}
