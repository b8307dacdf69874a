using Analytics.Collector.Sites;
using Analytics.Pipeline.Hits;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// A hit on its way through the collector's steps: the raw request (which never leaves this process)
/// and the derived fields the steps fill in. Only <see cref="Hit"/> travels on.
/// </summary>
public sealed class HitContext(HttpContext http, BeaconParameters parameters, DateTime receivedAt)
{
    public HttpContext Http { get; } = http;

    public BeaconParameters Parameters { get; } = parameters;

    public DateTime ReceivedAt { get; } = receivedAt;

    public Site? Site { get; set; }

    public Uri? PageUrl { get; set; }

    public Guid VisitorId { get; set; }

    public bool IsNewVisitor { get; set; }

    /// <summary>The outgoing hit, made by <see cref="DescribeStep"/>; later steps fill in its fields.</summary>
    public Hit Hit { get; set; } = null!;
}
