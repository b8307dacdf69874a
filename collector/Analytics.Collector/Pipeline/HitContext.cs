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
    /// <summary>
    /// Set in <see cref="HttpContext.Items"/> by callers that replay a site's own server log: the page is
    /// proven by the log itself, so a strict-origin site does not ask for an Origin or Referer header.
    /// </summary>
    public const string ServerLogItem = "analytics.server-log";

    /// <summary>
    /// Set on an imported line of a log format that has no user-agent field (the Common Log Format): no
    /// user-agent says nothing there, where a live request without one comes from a program.
    /// </summary>
    public const string UserAgentNotLoggedItem = "analytics.user-agent-not-logged";

    public HttpContext Http { get; } = http;

    public BeaconParameters Parameters { get; } = parameters;

    public DateTime ReceivedAt { get; } = receivedAt;

    /// <summary><see cref="HitKind.LinkClick"/> for a signed link; otherwise decided from the parameters.</summary>
    public HitKind? Kind { get; init; }

    /// <summary>Campaign of a signed link click (checked by the link endpoint).</summary>
    public string LinkCampaign { get; init; } = "";

    /// <summary>Target of a signed link click (checked by the link endpoint).</summary>
    public Uri? LinkTarget { get; init; }

    public Site? Site { get; set; }

    public Uri? PageUrl { get; set; }

    /// <summary>Consent declined (DNT, Sec-GPC, opt-out) or not asked for (link clicks): no ID, no cookie.</summary>
    public bool IsAnonymous { get; set; }

    /// <summary>
    /// Preset by a caller that derives hit IDs itself (the log import: one per line, so a line read again
    /// after a crash is recognised as stored); otherwise <see cref="DescribeStep"/> mints a UUIDv7.
    /// </summary>
    public Guid? HitId { get; init; }

    /// <summary>Preset by the caller for the later hits of one batch, so a batch shares one ID.</summary>
    public Guid VisitorId { get; set; }

    public bool IsNewVisitor { get; set; }

    /// <summary>The visitor cookie must be (re)issued: a new ID, a cookie from before today, or an older key.</summary>
    public bool IssueCookie { get; set; }

    /// <summary>The outgoing hit, made by <see cref="DescribeStep"/>; later steps fill in its fields.</summary>
    public Hit Hit { get; set; } = null!;

    /// <summary>Why the hit was not handed on (answered all the same); null while it is on its way or once accepted.</summary>
    public DropReason? Dropped { get; internal set; }
}
