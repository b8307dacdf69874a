namespace Analytics.Host.Import;

/// <summary>
/// The lines of a log's text, split at '\n' (a '\r' before it dropped), each at most <see cref="MaxChars"/> long.
/// A longer line (a binary or corrupt file, the wrong file) is read past without being held and given as
/// <see cref="TooLongLine"/>, which no parser takes: a bad line, where <see cref="TextReader.ReadLine"/> would
/// hold all of it (a 300 MB line took 6 GB).
/// </summary>
internal sealed class LogLines(TextReader reader)
{
    /// <summary>Far above any real access log line: nginx and Apache refuse request lines and headers over 8 KB by default.</summary>
    public const int MaxChars = 65_536;

    /// <summary>What stands for a line longer than <see cref="MaxChars"/>.</summary>
    public const string TooLongLine = "(a line longer than 65,536 characters, read past)";

    private readonly char[] _buffer = new char[2 * MaxChars];
    private int _start;
    private int _end;
    private bool _skipping;

    /// <summary>The next line, or null at the end of the text.</summary>
    public string? ReadLine()
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf('\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                var line = pending[..newline];
                line = line.EndsWith('\r') ? line[..^1] : line;
                if (_skipping || line.Length > MaxChars)
                {
                    _skipping = false;
                    return TooLongLine;
                }
                return new string(line);
            }
            // (One more for a '\r' before the line's end.)
            if (_skipping || pending.Length > MaxChars + 1)
            {
                // No end of line within the limit: drop what is held and read on to the line's end.
                _skipping = true;
                _start = _end = 0;
            }
            else if (_start > 0)
            {
                pending.CopyTo(_buffer);
                _end = pending.Length;
                _start = 0;
            }
            var read = reader.Read(_buffer.AsSpan(_end));
            if (read == 0)
            {
                return End();
            }
            _end += read;
        }
    }

    /// <summary>The last line, which has no '\n' after it (or null when there is none).</summary>
    private string? End()
    {
        if (_skipping)
        {
            _skipping = false;
            return TooLongLine;
        }
        if (_end == _start)
        {
            return null;
        }
        var line = _buffer.AsSpan(_start, _end - _start);
        _start = _end;
        line = line.EndsWith('\r') ? line[..^1] : line;
        return line.Length > MaxChars ? TooLongLine : new string(line);
    }
}
