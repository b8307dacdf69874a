using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Analytics.Host.Import;

/// <summary>
/// Reads a log's lines and parses them on a task of its own, a chunk at a time, a few chunks ahead:
/// reading, decompressing and parsing run in parallel with the pipeline that takes the entries. The
/// chunks arrive in file order; an error while reading (corrupt gzip data) arrives as the last chunk,
/// after every line read before it.
/// </summary>
internal sealed class ParsedLogReader : IAsyncDisposable
{
    private const int ChunkLines = 4096;
    private const int ChunksAhead = 4;

    private readonly Channel<Chunk> _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    /// <param name="reader">The file's text, positioned at its start.</param>
    /// <param name="file">The file underneath (its position is the progress in bytes).</param>
    /// <param name="skipLines">Lines an earlier run imported: read past, not parsed.</param>
    public ParsedLogReader(TextReader reader, Stream file, long skipLines)
    {
        _reading = Task.Run(() => ReadAsync(reader, file, skipLines, _stop.Token));
    }

    /// <summary>The parsed chunks in file order, until the end of the file (or an error chunk).</summary>
    public IAsyncEnumerable<Chunk> Chunks => _chunks.Reader.ReadAllAsync();

    private async Task ReadAsync(TextReader reader, Stream file, long skipLines, CancellationToken cancellationToken)
    {
        try
        {
            // Synchronous reads: this task does nothing else meanwhile, and a line costs less than its await would.
            var lineReader = new LogLines(reader);
            for (long skipped = 0; skipped < skipLines && lineReader.ReadLine() is not null; skipped++)
            {
            }
            while (!cancellationToken.IsCancellationRequested)
            {
                var lines = new List<string>(ChunkLines);
                while (lines.Count < ChunkLines && lineReader.ReadLine() is { } line)
                {
                    lines.Add(line);
                }
                if (lines.Count == 0)
                {
                    break;
                }
                var entries = new LogEntry?[lines.Count];
                for (var i = 0; i < lines.Count; i++)
                {
                    entries[i] = string.IsNullOrWhiteSpace(lines[i]) ? null : CombinedLogParser.TryParse(lines[i], out var entry) ? entry : null;
                }
                await _chunks.Writer.WriteAsync(new Chunk(lines, entries, file.Position, null), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The import stopped taking chunks.
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            try
            {
                await _chunks.Writer.WriteAsync(new Chunk([], [], file.CanSeek ? file.Position : 0, ExceptionDispatchInfo.Capture(ex)), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Nobody is reading any more.
            }
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Unblocks a writer waiting for room, then lets the task end.
        while (_chunks.Reader.TryRead(out _))
        {
        }
        await _reading;
        _stop.Dispose();
    }

    /// <param name="Lines">The raw lines (blank ones included: they keep the line numbers right).</param>
    /// <param name="Entries">Per line its entry, or null when it is blank or does not parse.</param>
    /// <param name="Position">The file's position in bytes after the chunk (compressed bytes for .gz).</param>
    /// <param name="Error">Set on the last chunk when reading failed; it has no lines.</param>
    public sealed record Chunk(IReadOnlyList<string> Lines, LogEntry?[] Entries, long Position, ExceptionDispatchInfo? Error)
    {
        /// <summary>Per line the index of its file, when several files are merged (<see cref="MergedLogReader"/>); null for one file.</summary>
        public int[]? Members { get; init; }
    }
}
