using System.Net;

namespace Analytics.Host.Import;

/// <summary>
/// One access-log line as parsed. The client's address (or, in a log written with host name lookups, its
/// <see cref="RemoteHost"/> and no address) serves geo and the visitor derivation only; it is never stored.
/// </summary>
public sealed record LogEntry(IPAddress? Ip, DateTimeOffset Time, string Method, string Target, int Status, string Referrer, string UserAgent)
{
    /// <summary>The client's host name when the log has it instead of the address (lower case), else "".</summary>
    public string RemoteHost { get; init; } = "";

    /// <summary>The host that served the line when the log names it (vhost_combined, lower case), else "".</summary>
    public string VirtualHost { get; init; } = "";

    /// <summary>
    /// The X-Forwarded-For addresses logged after the user-agent (nginx's "main" format), else "". The
    /// client is found behind them as for a live request: only through Enrichment:Geo:TrustedProxies.
    /// </summary>
    public string ForwardedFor { get; init; } = "";

    /// <summary>False for the Common Log Format, which has no user-agent field (so says nothing of bots).</summary>
    public bool UserAgentLogged { get; init; } = true;
}
