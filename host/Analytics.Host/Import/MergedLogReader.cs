namespace Analytics.Host.Import;

/// <summary>
/// Several logs of the same hours (the servers behind one load balancer) read as one log, in time order: each
/// file is read and parsed ahead on a task of its own (<see cref="ParsedLogReader"/>), and the next line is the
/// earliest of the files' next lines. A line without a time (blank or unparsable) goes first, as its file has
/// nothing to wait for; equal times go to the file given first. The order depends on the files' text alone, so
/// a resumed import numbers the merged lines (and derives their hit IDs) as the interrupted run did.
/// </summary>
internal sealed class MergedLogReader(IReadOnlyList<ParsedLogReader> files, long skipLines)
{
    private const int ChunkLines = 4096;

    /// <summary>Per file, how many of the merged lines read past were its own (final once the first chunk is out).</summary>
    public long[] Skipped { get; } = new long[files.Count];

    /// <summary>
    /// The merged lines in chunks, each line's file in <see cref="ParsedLogReader.Chunk.Members"/> and the files'
    /// positions summed; the first <c>skipLines</c> merged lines (stored by an interrupted run) are read past.
    /// A file's read error ends the merge as its last chunk, after the lines merged before it.
    /// </summary>
    public async IAsyncEnumerable<ParsedLogReader.Chunk> ReadAsync()
    {
        var heads = files.Select(file => new Head(file.Chunks.GetAsyncEnumerator())).ToArray();
        var positions = new long[files.Count];
        var skip = skipLines;
        var lines = new List<string>(ChunkLines);
        var entries = new List<LogEntry?>(ChunkLines);
        var members = new List<int>(ChunkLines);
        try
        {
            for (var f = 0; f < heads.Length; f++)
            {
                if (await heads[f].NextChunkAsync() is { } error)
                {
                    yield return error;
                    yield break;
                }
                positions[f] = heads[f].Position;
            }
            while (Earliest(heads) is var f and >= 0)
            {
                var head = heads[f];
                if (skip > 0)
                {
                    skip--;
                    Skipped[f]++;
                }
                else
                {
                    lines.Add(head.Chunk!.Lines[head.Index]);
                    entries.Add(head.Chunk.Entries[head.Index]);
                    members.Add(f);
                }
                if (++head.Index == head.Chunk!.Lines.Count)
                {
                    var error = await head.NextChunkAsync();
                    positions[f] = head.Position;
                    if (error is not null)
                    {
                        if (lines.Count > 0)
                        {
                            yield return new ParsedLogReader.Chunk(lines, [.. entries], positions.Sum(), null) { Members = [.. members] };
                        }
                        yield return error;
                        yield break;
                    }
                }
                if (lines.Count == ChunkLines)
                {
                    yield return new ParsedLogReader.Chunk(lines, [.. entries], positions.Sum(), null) { Members = [.. members] };
                    lines = new List<string>(ChunkLines);
                    entries.Clear();
                    members.Clear();
                }
            }
            if (lines.Count > 0)
            {
                yield return new ParsedLogReader.Chunk(lines, [.. entries], positions.Sum(), null) { Members = [.. members] };
            }
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.Chunks.DisposeAsync();
            }
        }
    }

    /// <summary>The file whose next line comes first, or -1 when every file is read.</summary>
    private static int Earliest(Head[] heads)
    {
        var earliest = -1;
        DateTimeOffset time = default;
        for (var f = 0; f < heads.Length; f++)
        {
            if (heads[f].Chunk is not { } chunk)
            {
                continue;
            }
            if (chunk.Entries[heads[f].Index] is not { } entry)
            {
                return f;
            }
            if (earliest < 0 || entry.Time < time)
            {
                earliest = f;
                time = entry.Time;
            }
        }
        return earliest;
    }

    /// <summary>Where the merge stands in one file: its current chunk (null once read to the end) and the next line in it.</summary>
    private sealed class Head(IAsyncEnumerator<ParsedLogReader.Chunk> chunks)
    {
        public IAsyncEnumerator<ParsedLogReader.Chunk> Chunks { get; } = chunks;

        public ParsedLogReader.Chunk? Chunk { get; private set; }

        public int Index { get; set; }

        public long Position { get; private set; }

        /// <summary>Moves to the file's next chunk with lines (or past its end); returns its error chunk if reading failed.</summary>
        public async ValueTask<ParsedLogReader.Chunk?> NextChunkAsync()
        {
            Index = 0;
            while (await Chunks.MoveNextAsync())
            {
                Position = Chunks.Current.Position;
                if (Chunks.Current.Error is not null)
                {
                    Chunk = null;
                    return Chunks.Current;
                }
                if (Chunks.Current.Lines.Count > 0)
                {
                    Chunk = Chunks.Current;
                    return null;
                }
            }
            Chunk = null;
            return null;
        }
    }
}
