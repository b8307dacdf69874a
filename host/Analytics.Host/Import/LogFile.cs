using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Analytics.Host.Import;

/// <summary>
/// One log file as the import reads it: plain or gzip (by the .gz name or by its first bytes), checked whole before anything
/// is stored. The survey gives the file's fingerprint (so a finished import is not run twice), its
/// lines' time range (so the summary and the retention check know what is coming) and proves a .gz
/// complete: the decompressor reports a cut-off file as a clean end, so the gzip trailer's CRC-32 and
/// length are checked against what was read.
/// </summary>
public sealed record LogFile(string Path, string Fingerprint, long Lines, DateTime? First, DateTime? Last)
{
    /// <summary>The file's text through its last full line (null when made without a survey).</summary>
    public LogText? Text { get; init; }

    /// <summary>SHA-256 (hex) of the text's first N bytes, for each length the survey was asked about that the text reaches.</summary>
    public IReadOnlyDictionary<long, string> TextPrefixes { get; init; } = new Dictionary<long, string>();

    /// <summary>
    /// Several logs read as one (<see cref="MergedLogReader"/>): named by their paths, fingerprinted by theirs (in
    /// order), their lines and time ranges together. It has no text of its own: each file is recorded by its own.
    /// </summary>
    public static LogFile Merged(IReadOnlyList<LogFile> files) => new(
        string.Join(" + ", files.Select(f => f.Path)),
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes("merge:" + string.Join(",", files.Select(f => f.Fingerprint))))),
        files.Sum(f => f.Lines),
        files.Min(f => f.First),
        files.Max(f => f.Last));

    /// <summary>Gzip by its name, or by its first bytes: a rotated log keeps or loses its suffix depending on the rotation's settings.</summary>
    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || Head(path).AsSpan().StartsWith([(byte)0x1F, (byte)0x8B]);

    /// <summary>Other compressors logrotate can be set to use (compresscmd), by their magic bytes, and the command that undoes each.</summary>
    private static readonly (string Name, byte[] Magic, string Decompress)[] Unread =
    [
        ("bzip2", "BZh"u8.ToArray(), "bunzip2 -k"),
        ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "unxz -k"),
        ("zstd", [0x28, 0xB5, 0x2F, 0xFD], "unzstd"),
        ("lz4", [0x04, 0x22, 0x4D, 0x18], "unlz4"),
        ("zip", [0x50, 0x4B, 0x03, 0x04], "unzip"),
        ("7z", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "7z x"),
    ];

    /// <summary>The file's first bytes (up to 8), where compressors put their magic numbers.</summary>
    private static byte[] Head(string path)
    {
        var head = new byte[8];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return head[..file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
    }

    /// <summary>Lines read at most from a file's start for the time of its first access log line.</summary>
    private const int FirstTimeLines = 1000;

    /// <summary>
    /// The files by the time of their first access log line, oldest first (the others where they were, ahead):
    /// the shell expands `access.log*` newest first, and the session tracker continues a visit across two files
    /// only when it reads them in time order.
    /// </summary>
    public static List<string> OldestFirst(IEnumerable<string> files) =>
        [.. files.Select((file, index) => (file, index, time: FirstTime(file))).OrderBy(f => f.time ?? DateTime.MinValue).ThenBy(f => f.index).Select(f => f.file)];

    /// <summary>The time of the first access log line within the first <see cref="FirstTimeLines"/>, or null (none, or unreadable: the survey then says why).</summary>
    private static DateTime? FirstTime(string path)
    {
        try
        {
            var (file, text) = Open(path);
            using (file)
            using (text)
            using (var reader = new StreamReader(text, detectEncodingFromByteOrderMarks: true))
            {
                var lines = new LogLines(reader);
                for (var i = 0; i < FirstTimeLines && lines.ReadLine() is { } line; i++)
                {
                    if (CombinedLogParser.TryParseTime(line, out var time))
                    {
                        return time.UtcDateTime;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Left for the survey, which fails on it with the file's name.
        }
        return null;
    }

    /// <summary>Opens the file's text (decompressed when gzip) for reading from the start.</summary>
    public static (FileStream File, Stream Text) Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous);
        return (file, IsGzip(path) ? new GZipStream(file, CompressionMode.Decompress) : file);
    }

    /// <summary>
    /// Reads the file once (fingerprint, lines, time range, gzip trailer, its text's digest and the digests of
    /// its first <paramref name="textPrefixes"/> bytes); throws <see cref="ImportException"/> when it is missing,
    /// unreadable, cut off or corrupt.
    /// </summary>
    public static async Task<LogFile> SurveyAsync(string path, IEnumerable<long> textPrefixes, CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new ImportException($"{path}: no such file");
        }
        var head = Head(path);
        if (Unread.FirstOrDefault(c => head.AsSpan().StartsWith(c.Magic)) is { Name: { } compressor, Decompress: var command })
        {
            // Read as text it would be a few "bad lines" and nothing imported.
            throw new ImportException($"{path}: compressed with {compressor}; import reads plain text and gzip: decompress it first ({command} {path})");
        }
        // One pass: the fingerprint hashes the file's bytes as the text is read from them.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous);
        await using var raw = new ObservedStream(file, sha.AppendData);
        await using var text = IsGzip(path) ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true) : (Stream)raw;
        var crc = new Crc32();
        using var digest = new LogText.Digest(textPrefixes);
        long length = 0;
        long lines = 0;
        DateTime? first = null, last = null;
        var checking = new ObservedStream(text, bytes =>
        {
            crc.Append(bytes);
            digest.Append(bytes);
            length += bytes.Length;
        });
        using var reader = new StreamReader(checking, detectEncodingFromByteOrderMarks: true);
        try
        {
            // Synchronous reads in bounded lines (LogLines), as the import reads them.
            var logLines = new LogLines(reader);
            while (logLines.ReadLine() is { } line)
            {
                cancellationToken.ThrowIfCancellationRequested();
                lines++;
                if (CombinedLogParser.TryParseTime(line, out var time))
                {
                    first = first is null || time.UtcDateTime < first ? time.UtcDateTime : first;
                    last = last is null || time.UtcDateTime > last ? time.UtcDateTime : last;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ImportException($"{path}: not a valid gzip file ({ex.Message})", ex);
        }
        // Whatever the decompressor left unread still belongs to the file's bytes.
        await raw.CopyToAsync(Stream.Null, cancellationToken);
        var fingerprint = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (IsGzip(path))
        {
            CheckTrailer(path, crc.GetCurrentHashAsUInt32(), length);
        }
        if (lines > 0 && first is null)
        {
            // The wrong file or another log format (JSON, W3C): say so rather than import nothing with exit code 0.
            var which = lines == 1 ? "its one line is not" : $"none of its {lines:N0} lines is";
            throw new ImportException($"{path}: {which} an access log line in Combined or Common Log Format (as nginx and Apache write them)");
        }
        return new LogFile(path, fingerprint, lines, first, last) { Text = digest.Result(), TextPrefixes = digest.Prefixes };
    }

    /// <summary>
    /// A gzip file ends with the CRC-32 and the length (mod 2^32) of what it holds. A single-member file
    /// (what gzip and logrotate write) must match what was read; anything else is cut off or corrupt.
    /// </summary>
    private static void CheckTrailer(string path, uint crc, long length)
    {
        Span<byte> trailer = stackalloc byte[8];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (file.Length < 18)
        {
            throw new ImportException($"{path}: gzip file is cut off ({file.Length} bytes)");
        }
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(trailer);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc || BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != (uint)length)
        {
            throw new ImportException(
                $"{path}: gzip file is cut off or corrupt (its trailer does not match the {length:N0} bytes it decompressed to); "
                + "if it joins several gzip files, decompress it first");
        }
    }

    /// <summary>Passes every byte read to an observer (the CRC of a gzip file's content).</summary>
    private sealed class ObservedStream(Stream inner, Action<ReadOnlySpan<byte>> observe) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            observe(buffer[..read]);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            observe(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>An import that cannot go on, with a message for the person running it (one line, no stack trace).</summary>
public sealed class ImportException : Exception
{
    public ImportException(string message) : base(message)
    {
    }

    public ImportException(string message, Exception inner) : base(message, inner)
    {
    }

    public ImportException()
    {
    }
}
