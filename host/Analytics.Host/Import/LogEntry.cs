using System.Net;

namespace Analytics.Host.Import;

/// <summary>
/// One access-log line as parsed. The IP serves geo and the visitor derivation only; it is never stored.
/// <paramref name="VirtualHost"/> is the host that served the line when the log names it (vhost_combined), else "".
/// </summary>
public sealed record LogEntry(IPAddress Ip, DateTimeOffset Time, string Method, string Target, int Status, string Referrer, string UserAgent, string VirtualHost = "");
