using Analytics.Collector.Identity;
using Analytics.Collector.Sites;
using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// Consent wins: DNT, Sec-GPC or the opt-out cookie make the hit anonymous (no ID, no cookie), or drop
/// it when the site says so. Link clicks are always anonymous: a newsletter click is counted, not tied to anyone.
/// </summary>
public sealed class ConsentStep(VisitorCookie cookie, IOptions<IdentityOptions> options) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        if (hit.Kind == HitKind.LinkClick)
        {
            hit.IsAnonymous = true;
            return null;
        }
        var o = options.Value;
        var request = hit.Http.Request;
        var declined = (o.HonorDoNotTrack && IsOne(request.Headers["DNT"]))
            || (o.HonorGlobalPrivacyControl && IsOne(request.Headers["Sec-GPC"]))
            || request.Cookies.ContainsKey(cookie.OptOutName);
        if (!declined)
        {
            return null;
        }
        if (hit.Site!.ConsentMode == ConsentMode.Drop)
        {
            return DropReason.ConsentDeclined;
        }
        hit.IsAnonymous = true;
        return null;
    }

    private static bool IsOne(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 1 && value[0] is "1";
}
