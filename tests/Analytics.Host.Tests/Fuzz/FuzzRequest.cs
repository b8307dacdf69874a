using System.Text;

namespace Analytics.Host.Tests.Fuzz;

/// <summary>What a generated request is aimed at, so the property can check what that endpoint promises.</summary>
public enum FuzzTarget
{
    Gif,
    Events,
    Other,
}

/// <summary>One generated request: method, path and query as sent (already percent-encoded), headers and body.</summary>
public sealed record FuzzRequest(FuzzTarget Target, string Method, string PathAndQuery, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType)
{
    public HttpRequestMessage ToMessage()
    {
        // A connection of its own: after an early answer to a refused upload the server closes the
        // connection, and a request sent on it meanwhile would fail for that reason, not its own.
        var message = new HttpRequestMessage(new HttpMethod(Method), PathAndQuery);
        message.Headers.ConnectionClose = true;
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }
        return message;
    }

    /// <summary>Short enough to read in a failure message: long values are cut, bodies summarised.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(Cut(PathAndQuery, 300));
        foreach (var (name, value) in Headers)
        {
            text.Append(" | ").Append(name).Append(": ").Append(Cut(value, 80));
        }
        if (Body is not null)
        {
            text.Append(" | ").Append(ContentType ?? "(no type)").Append(' ').Append(Body.Length).Append(" bytes: ")
                .Append(Cut(Encoding.UTF8.GetString(Body), 200));
        }
        return text.ToString();
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max] + $"...({value.Length} chars)";

    /// <summary>
    /// Percent-encodes a value for a URL. A lone surrogate becomes the three bytes a careless encoder
    /// would write for it (WTF-8, e.g. %ED%B0%80), which is invalid UTF-8: what a hostile client sends.
    /// </summary>
    public static string Encode(string value)
    {
        var text = new StringBuilder(value.Length * 3);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                text.Append(c);
                continue;
            }
            int length;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 2), bytes);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                bytes[0] = (byte)(0xE0 | (c >> 12));
                bytes[1] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[2] = (byte)(0x80 | (c & 0x3F));
                length = 3;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(i, 1), bytes);
            }
            foreach (var b in bytes[..length])
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }
}
