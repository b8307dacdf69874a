namespace Analytics.Host.Import;

/// <summary>
/// The lines one import reads: one file's, or those of several logs of the same hours (the servers behind one load
/// balancer) merged in time order (<see cref="MergedLogReader"/>), each file read and parsed ahead on its own task.
/// </summary>
internal sealed class LogSource : IAsyncDisposable
{
    private readonly List<(FileStream File, Stream Text, StreamReader Reader, ParsedLogReader Parsed)> _files = [];

    private LogSource()
    {
    }

    /// <summary>The parsed chunks: the file's, or the merged ones (with each line's file).</summary>
    public IAsyncEnumerable<ParsedLogReader.Chunk> Chunks { get; private set; } = AsyncEnumerable.Empty<ParsedLogReader.Chunk>();

    /// <summary>Per file, the merged lines read past that were its own (all zero for one file); final once the first chunk is out.</summary>
    public IReadOnlyList<long> Skipped { get; private set; } = [0];

    /// <summary>The files' length in bytes (compressed for .gz), the whole of what the chunks' positions count.</summary>
    public long Length => _files.Sum(f => f.File.Length);

    /// <param name="paths">The files, in the order that breaks ties between equal times.</param>
    /// <param name="startLines">Per file the lines read past before anything is read (imported before).</param>
    /// <param name="skipMerged">Merged lines read past after that (stored by an interrupted run of the same files); one file skips them with its own.</param>
    public static async Task<LogSource> OpenAsync(IReadOnlyList<string> paths, IReadOnlyList<long> startLines, long skipMerged)
    {
        var source = new LogSource();
        try
        {
            for (var f = 0; f < paths.Count; f++)
            {
                var (file, text) = LogFile.Open(paths[f]);
                var reader = new StreamReader(text, detectEncodingFromByteOrderMarks: true);
                var skip = startLines[f] + (paths.Count == 1 ? skipMerged : 0);
                source._files.Add((file, text, reader, new ParsedLogReader(reader, file, skip)));
            }
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
        if (paths.Count == 1)
        {
            source.Chunks = source._files[0].Parsed.Chunks;
        }
        else
        {
            var merged = new MergedLogReader([.. source._files.Select(f => f.Parsed)], skipMerged);
            source.Skipped = merged.Skipped;
            source.Chunks = merged.ReadAsync();
        }
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (file, text, reader, parsed) in _files)
        {
            await parsed.DisposeAsync();
            reader.Dispose();
            await text.DisposeAsync();
            await file.DisposeAsync();
        }
    }
}
