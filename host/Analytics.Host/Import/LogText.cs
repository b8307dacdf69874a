using System.Buffers;
using System.Security.Cryptography;

namespace Analytics.Host.Import;

/// <summary>
/// What a log's text (decompressed) was through its last full line: its length in bytes, its lines and its SHA-256.
/// Recorded for each finished file, so that a later file whose text begins with it (the same log grown since, or
/// rotated and compressed) is continued after those lines instead of imported again from its start.
/// </summary>
public sealed record LogText(long Bytes, long Lines, string Sha256)
{
    /// <summary>
    /// Digests a text fed in pieces: through its last full line, and its first N bytes for each N asked about
    /// (the texts of earlier imports), so one pass over a file tells which of them it begins with.
    /// </summary>
    public sealed class Digest(IEnumerable<long> prefixLengths) : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly long[] _prefixes = [.. prefixLengths.Where(n => n > 0).Distinct().Order()];
        private readonly ArrayBufferWriter<byte> _partialLine = new();
        private int _nextPrefix;
        private long _bytes;
        private long _lines;

        /// <summary>SHA-256 (hex) of the text's first N bytes, for each N asked about that the text reaches.</summary>
        public Dictionary<long, string> Prefixes { get; } = [];

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var lastNewline = bytes.LastIndexOf((byte)'\n');
            if (lastNewline < 0)
            {
                _partialLine.Write(bytes);
                return;
            }
            Hash(_partialLine.WrittenSpan);
            _partialLine.Clear();
            Hash(bytes[..(lastNewline + 1)]);
            _lines += bytes[..(lastNewline + 1)].Count((byte)'\n');
            _partialLine.Write(bytes[(lastNewline + 1)..]);
        }

        /// <summary>The text through its last full line (a line still being written when the file was read is left out).</summary>
        public LogText Result() => new(_bytes, _lines, Convert.ToHexStringLower(_sha.GetCurrentHash()));

        public void Dispose() => _sha.Dispose();

        private void Hash(ReadOnlySpan<byte> bytes)
        {
            while (_nextPrefix < _prefixes.Length && _prefixes[_nextPrefix] <= _bytes + bytes.Length)
            {
                var cut = (int)(_prefixes[_nextPrefix] - _bytes);
                _sha.AppendData(bytes[..cut]);
                _bytes += cut;
                bytes = bytes[cut..];
                Prefixes[_prefixes[_nextPrefix++]] = Convert.ToHexStringLower(_sha.GetCurrentHash());
            }
            _sha.AppendData(bytes);
            _bytes += bytes.Length;
        }
    }
}
