using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;
using Microsoft.AspNetCore.Http;

namespace Analytics.Host.Import;

/// <summary>
/// Turns a pageview line into a hit through the collector's steps, as a live beacon is enriched: the
/// line's IP (for geo only), user-agent and referrer on a synthetic beacon request, the line's time as
/// the hit's, the derived visitor and hit IDs. One request object is reused from line to line
/// (the steps only read it, and nothing keeps it once the hit is built), so a line costs the hit and
/// its strings, not a request's worth of allocations. One caller at a time.
/// </summary>
internal sealed class ImportHitBuilder(HitPipeline pipeline, ClientAddress clientAddress)
{
    private readonly HashSet<Guid> _seenVisitors = [];
    private readonly DefaultHttpContext _http = NewRequest();

    /// <summary>The enriched hit, or null when a step dropped it (counted by its reason, as live).</summary>
    public Hit? Build(LogEntry entry, long lineNumber, string pageUrlPrefix, string siteId, HistoricVisitorIds ids)
    {
        _http.Connection.RemoteIpAddress = entry.Ip;
        if (entry.ForwardedFor.Length > 0)
        {
            _http.Request.Headers["X-Forwarded-For"] = entry.ForwardedFor;
        }
        else
        {
            _http.Request.Headers.Remove("X-Forwarded-For");
        }
        // Behind a trusted proxy the visitor is the client's, as geo is: found the same way as for a live request.
        var visitor = ids.For(entry, entry.ForwardedFor.Length > 0 && entry.Ip is not null ? clientAddress.Resolve(_http) : entry.Ip);
        if (entry.UserAgent.Length > 0)
        {
            _http.Request.Headers.UserAgent = entry.UserAgent;
        }
        else
        {
            _http.Request.Headers.Remove("User-Agent");
        }
        if (entry.UserAgentLogged)
        {
            _http.Items.Remove(HitContext.UserAgentNotLoggedItem);
        }
        else
        {
            _http.Items[HitContext.UserAgentNotLoggedItem] = true;
        }
        _http.Items[ImportVisitorStep.ItemKey] = new ImportedVisitor(visitor, _seenVisitors.Add(visitor));
        var parameters = new BeaconParameters
        {
            Site = siteId,
            Url = pageUrlPrefix + entry.Target,
            Referrer = entry.Referrer,
        };
        var hit = new HitContext(_http, parameters, entry.Time.UtcDateTime) { HitId = ids.HitFor(lineNumber, entry.Time) };
        return pipeline.RunSteps(hit) ? hit.Hit : null;
    }

    private static DefaultHttpContext NewRequest()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/i.gif";
        // A server log proves the page itself: a strict-origin site does not ask for Origin or Referer.
        http.Items[HitContext.ServerLogItem] = true;
        return http;
    }
}
