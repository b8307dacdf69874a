using System.Text;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class LogLinesTests
{
    [Test]
    public void Lines_are_split_at_newlines_and_one_over_the_limit_is_read_past_as_a_bad_line()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        // Lines of every length around the limit and the buffer's, blank ones, CRLF ends, and a last line without an end.
        int[] lengths = [0, 1, 200, LogLines.MaxChars - 1, LogLines.MaxChars, LogLines.MaxChars + 1, 2 * LogLines.MaxChars + 7, 5_000_000, 0, 3];
        var lines = Enumerable.Range(0, 300).Select(_ => lengths[random.Next(lengths.Length)]).Select(n => new string((char)('a' + random.Next(26)), n)).ToList();
        var ends = lines.Select(_ => random.Next(2) == 0 ? "\n" : "\r\n").ToList();
        var text = string.Concat(lines.Select((l, i) => l + (i == lines.Count - 1 ? "" : ends[i])));

        var reader = new LogLines(new StringReader(text));
        var read = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            read.Add(line);
        }

        var expected = lines.Select(l => l.Length > LogLines.MaxChars ? LogLines.TooLongLine : l).ToList();
        if (lines[^1].Length == 0)
        {
            // A text ending in a line end has no empty line after it.
            expected.RemoveAt(expected.Count - 1);
        }
        Assert.That(read, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_log_with_a_line_of_megabytes_imports_every_other_line_and_counts_that_one_as_bad()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var log = Analytics.Bench.Load.AccessLog.Generate(seed, clients: 10, requestsPerClient: 20);
        var folder = TestDataFolders.NewFolder("import");
        var file = Path.Combine(folder, "access.log");
        var middle = log.Lines.Count / 2;
        // A binary blob or a runaway line: 20 MB without a line end, between two halves of a real log.
        await File.WriteAllTextAsync(file, string.Concat(log.Lines.Take(middle).Select(l => l + "\n")) + new string('x', 20_000_000) + "\n"
            + string.Concat(log.Lines.Skip(middle).Select(l => l + "\n")), Encoding.UTF8);
        var dataPath = RunningHost.NewDataPath();

        ImportResult result;
        await using (var importer = await LogImporter.StartAsync(["--ClickHouse:DataPath=" + dataPath, "--Logging:LogLevel:Default=Warning"], CancellationToken.None))
        {
            result = await importer.ImportAsync(file, new ImportOptions { Site = "demo" }, null, CancellationToken.None);
        }

        Assert.That(result.Completed, Is.True);
        Assert.That(result.Imported, Is.EqualTo(log.ExpectedPageviews));
        Assert.That(result.BadLines, Is.EqualTo(log.BadLines + 1));
        Assert.That(result.FirstBadLines, Does.Contain((long)middle + 1));
    }
}
