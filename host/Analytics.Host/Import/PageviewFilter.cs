using System.Collections.Frozen;

namespace Analytics.Host.Import;

/// <summary>
/// Which access-log lines are pageviews. Kept: GET requests answered 2xx or 3xx for a path with no file
/// extension or a page extension (.html, .htm, .php, .asp, .aspx, .jsp, .shtml, .xhtml, .cfm). Skipped:
/// a request with no path ("-", an absolute URL), any other method, 1xx/4xx/5xx, assets (any other extension: .css, .js, .png, .ico, .xml, .txt, ...),
/// and machine paths (/.well-known/, /api/, /wp-admin/, /wp-json/, /cgi-bin/, and our own /i.gif).
/// </summary>
public static class PageviewFilter
{
    private static readonly FrozenSet<string> PageExtensions =
        new[] { ".html", ".htm", ".php", ".asp", ".aspx", ".jsp", ".shtml", ".xhtml", ".cfm" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] MachinePrefixes = ["/.well-known/", "/api/", "/wp-admin/", "/wp-json/", "/cgi-bin/", "/i.gif"];

    /// <summary>null when the line is a pageview, else why it is skipped.</summary>
    public static SkipReason? Check(LogEntry entry)
    {
        if (!entry.Target.StartsWith('/'))
        {
            return SkipReason.NoPath;
        }
        if (!string.Equals(entry.Method, "GET", StringComparison.Ordinal))
        {
            return SkipReason.NotGet;
        }
        if (entry.Status is < 200 or >= 400)
        {
            return SkipReason.Status;
        }
        var path = entry.Target;
        var end = path.AsSpan().IndexOfAny('?', '#');
        if (end >= 0)
        {
            path = path[..end];
        }
        if (MachinePrefixes.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            return SkipReason.MachinePath;
        }
        var lastSegment = path[(path.LastIndexOf('/') + 1)..];
        var dot = lastSegment.LastIndexOf('.');
        return dot <= 0 || PageExtensions.Contains(lastSegment[dot..]) ? null : SkipReason.Asset;
    }
}

/// <summary>Why an access-log line is not imported as a pageview.</summary>
public enum SkipReason
{
    /// <summary>The request named no path: "-" (no request line was sent), a proxy's absolute URL, a TLS handshake.</summary>
    NoPath,
    NotGet,
    Status,
    Asset,
    MachinePath,
}
