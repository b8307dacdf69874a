namespace Analytics.Collector.Enrichment.Urls;

/// <summary>Walks the query string of a URL ("a=1&amp;b=2", after '?' and before '#') without allocating.</summary>
public static class QueryParameters
{
    /// <summary>The query of <paramref name="url"/>, without '?' and fragment; empty when there is none.</summary>
    public static ReadOnlySpan<char> Of(ReadOnlySpan<char> url)
    {
        var fragment = url.IndexOf('#');
        if (fragment >= 0)
        {
            url = url[..fragment];
        }
        var question = url.IndexOf('?');
        return question < 0 ? [] : url[(question + 1)..];
    }

    /// <summary>Splits "key=value" (a bare "key" has an empty value).</summary>
    public static void Split(ReadOnlySpan<char> pair, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        var equals = pair.IndexOf('=');
        key = equals < 0 ? pair : pair[..equals];
        value = equals < 0 ? [] : pair[(equals + 1)..];
    }

    /// <summary>Decodes a form-encoded value ('+' is a space, %XX escapes), cut to <paramref name="max"/> characters.</summary>
    public static string Decode(ReadOnlySpan<char> value, int max)
    {
        string decoded;
        if (value.IndexOfAny('%', '+') < 0)
        {
            decoded = value.Length <= max ? new string(value) : new string(value[..max]);
            return decoded.Trim();
        }
        Span<char> buffer = value.Length <= 512 ? stackalloc char[value.Length] : new char[value.Length];
        value.Replace(buffer, '+', ' ');
        decoded = Uri.UnescapeDataString(buffer);
        return (decoded.Length <= max ? decoded : decoded[..max]).Trim();
    }
}
