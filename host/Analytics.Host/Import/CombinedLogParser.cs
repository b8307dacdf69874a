using System.Globalization;
using System.Net;

namespace Analytics.Host.Import;

/// <summary>
/// Parses the Combined Log Format (Apache's and nginx's default):
/// <c>IP ident user [10/Oct/2000:13:55:36 -0700] "GET /path HTTP/1.1" 200 2326 "referer" "user-agent"</c>.
/// The Common Log Format (no referer and user-agent) is accepted too. A line that does not parse is
/// reported as bad, never fatal.
/// </summary>
public static class CombinedLogParser
{
    public static bool TryParse(string line, out LogEntry entry)
    {
        entry = null!;
        var span = line.AsSpan().Trim();
        var space = span.IndexOf(' ');
        if (space <= 0 || !IPAddress.TryParse(span[..space], out var ip))
        {
            return false;
        }
        var open = span.IndexOf('[');
        var close = open < 0 ? -1 : span[open..].IndexOf(']') + open;
        if (open < 0 || close <= open || !TryParseTime(span[(open + 1)..close], out var time))
        {
            return false;
        }
        var rest = span[(close + 1)..].TrimStart();
        if (!TryQuoted(ref rest, out var request))
        {
            return false;
        }
        var parts = request.Split(' ');
        if (parts.Length < 2 || parts[0].Length == 0 || !parts[1].StartsWith('/'))
        {
            return false;
        }
        rest = rest.TrimStart();
        var statusEnd = rest.IndexOf(' ');
        var statusText = statusEnd < 0 ? rest : rest[..statusEnd];
        if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
        {
            return false;
        }
        rest = statusEnd < 0 ? [] : rest[(statusEnd + 1)..].TrimStart();
        // Response size: a number or "-".
        var sizeEnd = rest.IndexOf(' ');
        rest = sizeEnd < 0 ? [] : rest[(sizeEnd + 1)..].TrimStart();
        var referrer = "";
        var userAgent = "";
        if (!rest.IsEmpty)
        {
            if (!TryQuoted(ref rest, out referrer))
            {
                return false;
            }
            rest = rest.TrimStart();
            if (!rest.IsEmpty && !TryQuoted(ref rest, out userAgent))
            {
                return false;
            }
        }
        entry = new LogEntry(ip, time, parts[0], parts[1], status, referrer == "-" ? "" : referrer, userAgent == "-" ? "" : userAgent);
        return true;
    }

    /// <summary>10/Oct/2000:13:55:36 -0700</summary>
    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        var space = text.IndexOf(' ');
        if (space < 0 || text.Length - space - 1 != 5)
        {
            return false;
        }
        var zone = text[(space + 1)..];
        if ((zone[0] != '+' && zone[0] != '-')
            || !int.TryParse(zone[1..3], NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(zone[3..5], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || hours > 14 || minutes > 59)
        {
            return false;
        }
        var offset = new TimeSpan(hours, minutes, 0) * (zone[0] == '-' ? -1 : 1);
        if (!DateTime.TryParseExact(text[..space], "dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }
        time = new DateTimeOffset(local, offset);
        return true;
    }

    /// <summary>Reads a "..." field (with \" and \\ escapes, as nginx and Apache write them) and moves past it.</summary>
    private static bool TryQuoted(ref ReadOnlySpan<char> rest, out string value)
    {
        value = "";
        if (rest.IsEmpty || rest[0] != '"')
        {
            return false;
        }
        var builder = new System.Text.StringBuilder();
        for (var i = 1; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '\\' && i + 1 < rest.Length && rest[i + 1] is '"' or '\\')
            {
                builder.Append(rest[++i]);
            }
            else if (c == '"')
            {
                value = builder.ToString();
                rest = rest[(i + 1)..];
                return true;
            }
            else
            {
                builder.Append(c);
            }
        }
        return false;
    }
}
