using Analytics.Collector.Identity;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// Takes the visitor ID from a cookie that verifies, or mints a new one; the endpoint sets the cookie.
/// An anonymous hit gets <see cref="Guid.Empty"/> and no cookie.
/// </summary>
public sealed class IdentifyStep(VisitorCookie cookie) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        if (hit.IsAnonymous)
        {
            hit.VisitorId = Guid.Empty;
            hit.IsNewVisitor = false;
            hit.IssueCookie = false;
            return null;
        }
        if (hit.VisitorId != Guid.Empty)
        {
            // A later hit of a batch: the first one already identified the visitor.
            return null;
        }
        var today = VisitorCookie.DayOf(hit.ReceivedAt);
        if (cookie.TryRead(hit.Http.Request.Cookies[cookie.Name], today, out var id, out var reissue))
        {
            hit.VisitorId = id;
            hit.IsNewVisitor = false;
            hit.IssueCookie = reissue;
        }
        else
        {
            hit.VisitorId = VisitorCookie.NewId();
            hit.IsNewVisitor = true;
            hit.IssueCookie = true;
        }
        return null;
    }
}
