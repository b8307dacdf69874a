using System.Globalization;
using System.Net;

namespace Analytics.Host.Import;

/// <summary>
/// Parses the Combined Log Format (Apache's and nginx's default):
/// <c>IP ident user [10/Oct/2000:13:55:36 -0700] "GET /path HTTP/1.1" 200 2326 "referer" "user-agent"</c>.
/// The Common Log Format (no referer and user-agent) is accepted too, and so are both with the virtual
/// host first (Apache's <c>vhost_combined</c>, Debian's <c>other_vhosts_access.log</c>:
/// <c>www.example.com:443 IP ident user [...] ...</c>) and with the client's host name in place of its
/// address. A line that does not parse is reported as bad, never fatal.
/// </summary>
public static class CombinedLogParser
{
    public static bool TryParse(string line, out LogEntry entry)
    {
        var parsed = TryParse(line, materialize: true, out var made, out _);
        entry = made!;
        return parsed;
    }

    /// <summary>
    /// Whether the line parses, as <see cref="TryParse(string, out LogEntry)"/> decides, and its time; no
    /// field is copied into a string. For the survey of a file's time range before the import.
    /// </summary>
    public static bool TryParseTime(string line, out DateTimeOffset time)
    {
        if (TryParse(line, materialize: false, out _, out time))
        {
            return true;
        }
        time = default;
        return false;
    }

    private static bool TryParse(string line, bool materialize, out LogEntry? entry, out DateTimeOffset time)
    {
        entry = null;
        time = default;
        var span = line.AsSpan().Trim();
        var open = span.IndexOf('[');
        if (open <= 0)
        {
            return false;
        }
        // Before the time: "client ident user", or "vhost[:port] client ident user" (vhost_combined). A client
        // given by its address is read as it always was, whatever follows it (a user name with a space).
        var head = span[..open];
        Span<Range> fields = stackalloc Range[5];
        var count = head.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count == 0)
        {
            return false;
        }
        var client = head[fields[0]];
        ReadOnlySpan<char> virtualHost = [];
        if (count == 4 && !IPAddress.TryParse(client, out _))
        {
            virtualHost = HostOf(client);
            client = head[fields[1]];
            if (virtualHost.IsEmpty)
            {
                return false;
            }
        }
        ReadOnlySpan<char> remoteHost = [];
        if (!IPAddress.TryParse(client, out var ip))
        {
            // A host name instead of the address (Apache's HostnameLookups, old logs such as NASA's of 1995),
            // only in the plain three fields.
            ip = null;
            remoteHost = count - (virtualHost.IsEmpty ? 0 : 1) == 3 && IsClientHostName(client) ? client : [];
            if (remoteHost.IsEmpty)
            {
                return false;
            }
        }
        var close = span[open..].IndexOf(']') + open;
        if (close <= open || !TryParseTime(span[(open + 1)..close], out time))
        {
            return false;
        }
        var rest = span[(close + 1)..].TrimStart();
        if (!TryQuoted(ref rest, out var request))
        {
            return false;
        }
        var methodEnd = request.IndexOf(' ');
        var method = methodEnd > 0 ? request[..methodEnd] : request;
        ReadOnlySpan<char> target = [];
        if (methodEnd > 0 && methodEnd + 1 < request.Length && request[methodEnd + 1] == '/')
        {
            var afterMethod = request[(methodEnd + 1)..];
            var targetEnd = afterMethod.IndexOf(' ');
            target = targetEnd < 0 ? afterMethod : afterMethod[..targetEnd];
        }
        // Otherwise a request with no path: "-" (nginx, for a connection that sent no request line before
        // its 400 or 408), a proxy's absolute URL, the bytes of a TLS handshake sent to the plain port. The
        // line itself is well formed: read on, and PageviewFilter skips it (SkipReason.NoPath), not a bad line.
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
        ReadOnlySpan<char> referrer = [];
        ReadOnlySpan<char> userAgent = [];
        // The Common Log Format ends here: a line with no user-agent field, not one that logged none.
        var userAgentLogged = !rest.IsEmpty;
        ReadOnlySpan<char> forwardedFor = [];
        if (userAgentLogged)
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
            // nginx's "main" format (its packages' default) and many Apache setups log X-Forwarded-For next.
            rest = rest.TrimStart();
            if (!rest.IsEmpty && TryQuoted(ref rest, out var next) && IsAddressList(next))
            {
                forwardedFor = next;
            }
        }
        if (materialize)
        {
            entry = new LogEntry(ip, time, Method(method), target.ToString(), status, Field(referrer), Field(userAgent))
            {
                VirtualHost = virtualHost.ToString().ToLowerInvariant(),
                RemoteHost = remoteHost.ToString().ToLowerInvariant(),
                UserAgentLogged = userAgentLogged,
                ForwardedFor = forwardedFor.ToString(),
            };
        }
        return true;
    }

    /// <summary>
    /// The host name of a vhost_combined line's first field (<c>%v:%p</c>: a name, its port after a colon),
    /// or empty when the field is not a host name.
    /// </summary>
    private static ReadOnlySpan<char> HostOf(ReadOnlySpan<char> field)
    {
        var colon = field.LastIndexOf(':');
        var name = colon < 0 ? field : field[..colon];
        if (colon >= 0 && (colon == field.Length - 1 || field[(colon + 1)..].ContainsAnyExcept(Digits)))
        {
            return [];
        }
        return IsHostName(name) ? name : [];
    }

    /// <summary>An X-Forwarded-For value: addresses separated by commas (an unknown hop may be "unknown").</summary>
    private static bool IsAddressList(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.SequenceEqual("-"))
        {
            return false;
        }
        foreach (var part in value.Split(','))
        {
            var hop = value[part].Trim();
            // An IPv4 hop in full dotted form: IPAddress also reads "0.123" or "7", which a duration field could be.
            var address = IPAddress.TryParse(hop, out var parsed) && (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || hop.Count('.') == 3);
            if (!address && !hop.Equals("unknown", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A host name whose last label has a letter: 203.0.113.999 is a broken address, not a name.</summary>
    private static bool IsClientHostName(ReadOnlySpan<char> name) =>
        IsHostName(name) && name[(name.LastIndexOf('.') + 1)..].ContainsAny(Letters);

    private static readonly System.Buffers.SearchValues<char> Letters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static bool IsHostName(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= 253 && !name.ContainsAnyExcept(HostCharacters) && name[0] != '.' && name[0] != '-';

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    private static readonly System.Buffers.SearchValues<char> HostCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

    /// <summary>"GET" is most lines' method: one string for all of them.</summary>
    private static string Method(ReadOnlySpan<char> method) => method.SequenceEqual("GET") ? "GET" : method.ToString();

    /// <summary>A quoted field's value; "-" (none) is "".</summary>
    private static string Field(ReadOnlySpan<char> value) => value.IsEmpty || value.SequenceEqual("-") ? "" : value.ToString();

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>10/Oct/2000:13:55:36 -0700, read by hand: the culture-aware exact parse was the parser's largest cost.</summary>
    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        // dd/MMM/yyyy:HH:mm:ss +hhmm: 26 characters, separators in fixed places.
        if (text.Length != 26 || text[2] != '/' || text[6] != '/' || text[11] != ':' || text[14] != ':' || text[17] != ':' || text[20] != ' '
            || (text[21] != '+' && text[21] != '-'))
        {
            return false;
        }
        var month = 0;
        for (var m = 0; m < Months.Length && month == 0; m++)
        {
            month = text.Slice(3, 3).Equals(Months[m], StringComparison.OrdinalIgnoreCase) ? m + 1 : 0;
        }
        if (month == 0
            || !TryDigits(text.Slice(0, 2), out var day) || !TryDigits(text.Slice(7, 4), out var year)
            || !TryDigits(text.Slice(12, 2), out var hour) || !TryDigits(text.Slice(15, 2), out var minute) || !TryDigits(text.Slice(18, 2), out var second)
            || !TryDigits(text.Slice(22, 2), out var zoneHours) || !TryDigits(text.Slice(24, 2), out var zoneMinutes)
            || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59
            || zoneHours > 14 || zoneMinutes > 59)
        {
            return false;
        }
        var offset = new TimeSpan(zoneHours, zoneMinutes, 0) * (text[21] == '-' ? -1 : 1);
        time = new DateTimeOffset(year, month, day, hour, minute, second, offset);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }

    /// <summary>
    /// Reads a "..." field (with \" and \\ escapes, as nginx and Apache write them) and moves past it. Most
    /// fields have no escapes: their value is then the text between the quotes, not copied.
    /// </summary>
    private static bool TryQuoted(scoped ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> value)
    {
        value = [];
        if (rest.IsEmpty || rest[0] != '"')
        {
            return false;
        }
        var body = rest[1..];
        var end = body.IndexOfAny('"', '\\');
        if (end >= 0 && body[end] == '"')
        {
            value = body[..end];
            rest = body[(end + 1)..];
            return true;
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
