using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

/// <summary>The order in which <see cref="MergedLogReader"/> hands out the lines of several logs, and where it ends.</summary>
public class MergedLogReaderTests
{
    private static string Line(int second, string path) => $"203.0.113.1 - - [03/Dec/2026:10:00:{second:00} +0000] \"GET {path} HTTP/1.1\" 200 1 \"-\" \"x\"";

    private static ParsedLogReader Reader(TextReader text) => new(text, new MemoryStream(), 0);

    private static async Task<List<(int File, string Line)>> ReadAllAsync(MergedLogReader merged)
    {
        var read = new List<(int, string)>();
        await foreach (var chunk in merged.ReadAsync())
        {
            Assert.That(chunk.Error, Is.Null);
            read.AddRange(chunk.Lines.Select((line, i) => (chunk.Members![i], line)));
        }
        return read;
    }

    private static (ParsedLogReader[] Readers, string[] A, string[] B) TwoServers()
    {
        // Server 0 at seconds 1, 3, 3, 5; server 1 a broken line, then 2, 3, 4.
        string[] a = [Line(1, "/a1"), Line(3, "/a3"), Line(3, "/a3b"), Line(5, "/a5")];
        string[] b = ["not a log line", Line(2, "/b2"), Line(3, "/b3"), Line(4, "/b4")];
        return ([Reader(new StringReader(string.Join('\n', a))), Reader(new StringReader(string.Join('\n', b)))], a, b);
    }

    [Test]
    public async Task Lines_come_in_time_order_a_broken_line_at_once_and_equal_times_from_the_file_given_first()
    {
        var (readers, a, b) = TwoServers();

        var read = await ReadAllAsync(new MergedLogReader(readers, 0));

        Assert.That(read, Is.EqualTo(new[] { (1, b[0]), (0, a[0]), (1, b[1]), (0, a[1]), (0, a[2]), (1, b[2]), (1, b[3]), (0, a[3]) }));
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    [Test]
    public async Task Skipped_lines_are_the_first_of_the_merged_order_and_counted_per_file()
    {
        var (readers, a, b) = TwoServers();
        var merged = new MergedLogReader(readers, 3);

        var read = await ReadAllAsync(merged);

        Assert.That(read, Is.EqualTo(new[] { (0, a[1]), (0, a[2]), (1, b[2]), (1, b[3]), (0, a[3]) }));
        Assert.That(merged.Skipped, Is.EqualTo(new long[] { 1, 2 }));
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    [Test]
    public async Task A_file_that_fails_to_read_ends_the_merge_with_its_error()
    {
        ParsedLogReader[] readers = [Reader(new StringReader(Line(1, "/a"))), Reader(new FailingReader())];

        var chunks = new List<ParsedLogReader.Chunk>();
        await foreach (var chunk in new MergedLogReader(readers, 0).ReadAsync())
        {
            chunks.Add(chunk);
        }

        Assert.That(chunks, Has.Count.EqualTo(1));
        Assert.That(chunks[0].Error?.SourceException, Is.TypeOf<InvalidDataException>());
        foreach (var reader in readers)
        {
            await reader.DisposeAsync();
        }
    }

    /// <summary>A log whose reading fails at once, as a corrupt gzip stream does.</summary>
    private sealed class FailingReader : TextReader
    {
        public override int Read(Span<char> buffer) => throw new InvalidDataException("corrupt");
    }
}
