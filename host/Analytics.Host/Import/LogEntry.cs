using System.Net;

namespace Analytics.Host.Import;

/// <summary>One access-log line as parsed. The IP serves geo and the visitor derivation only; it is never stored.</summary>
public sealed record LogEntry(IPAddress Ip, DateTimeOffset Time, string Method, string Target, int Status, string Referrer, string UserAgent);
