namespace Analytics.Collector.Enrichment.Urls;

/// <summary>
/// A referrer split without allocating: scheme, host (no user info, no port) and path (no query, no
/// fragment). Only http(s) and app referrers (android-app://) with a host are accepted.
/// </summary>
public readonly ref struct ReferrerUrl
{
    private ReferrerUrl(ReadOnlySpan<char> scheme, ReadOnlySpan<char> host, ReadOnlySpan<char> path)
    {
        Scheme = scheme;
        Host = host;
        Path = path;
    }

    public ReadOnlySpan<char> Scheme { get; }

    public ReadOnlySpan<char> Host { get; }

    public ReadOnlySpan<char> Path { get; }

    public static bool TryParse(ReadOnlySpan<char> url, out ReferrerUrl parts)
    {
        parts = default;
        url = url.Trim();
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return false;
        }
        var scheme = url[..schemeEnd];
        foreach (var c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }
        var rest = url[(schemeEnd + 3)..];
        var hostEnd = rest.IndexOfAny('/', '?', '#');
        var authority = hostEnd < 0 ? rest : rest[..hostEnd];
        var afterHost = hostEnd < 0 ? [] : rest[hostEnd..];
        // Credentials in a referrer (user:password@host) are dropped, never stored.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        var host = authority;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            host = close > 0 ? host[..(close + 1)] : [];
        }
        else if (host.LastIndexOf(':') is var colon and >= 0)
        {
            host = host[..colon];
        }
        host = host.TrimEnd('.');
        if (host.IsEmpty)
        {
            return false;
        }
        var pathEnd = afterHost.IndexOfAny('?', '#');
        var path = pathEnd < 0 ? afterHost : afterHost[..pathEnd];
        parts = new ReferrerUrl(scheme, host, path.IsEmpty || path[0] != '/' ? [] : path);
        return true;
    }
}
