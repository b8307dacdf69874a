using Analytics.Collector.Identity;

namespace Analytics.Collector.Pipeline;

/// <summary>Takes the visitor ID from a valid cookie, or mints a new one (the cookie is set by the endpoint).</summary>
public sealed class IdentifyStep : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        if (VisitorCookie.TryParse(hit.Http.Request.Cookies[VisitorCookie.Name], out var id))
        {
            hit.VisitorId = id;
            hit.IsNewVisitor = false;
        }
        else
        {
            hit.VisitorId = VisitorCookie.NewId();
            hit.IsNewVisitor = true;
        }
        return null;
    }
}
