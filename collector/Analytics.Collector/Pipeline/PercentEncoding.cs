using System.Buffers;
using System.Text.Unicode;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// ASP.NET leaves an invalid UTF-8 escape such as %C3%28 undecoded instead of failing, so the raw
/// query string is checked here: its percent-decoded bytes must be valid UTF-8.
/// </summary>
public static class PercentEncoding
{
    private const int StackLimit = 1024;

    public static bool DecodesToValidUtf8(ReadOnlySpan<char> raw)
    {
        byte[]? rented = null;
        var bytes = raw.Length <= StackLimit ? stackalloc byte[raw.Length] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%' && i + 2 < raw.Length && char.IsAsciiHexDigit(raw[i + 1]) && char.IsAsciiHexDigit(raw[i + 2]))
                {
                    bytes[length++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                    i += 2;
                }
                else if (c > 0x7F)
                {
                    // Raw non-ASCII characters already arrived decoded by the server; they are valid by construction.
                    continue;
                }
                else
                {
                    bytes[length++] = (byte)c;
                }
            }
            return Utf8.IsValid(bytes[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
