using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector.Links;

/// <summary>
/// GET /r/{site}/{campaign}?to=...&amp;sig=...: counts a newsletter click and redirects, only for a valid
/// signature (no open redirect). The click is handed to the transport without waiting: a person is
/// waiting for the page, and a click lost to an overloaded transport is counted (Overloaded), while a
/// redirect delayed by one would be felt by every reader.
/// </summary>
public static class LinkEndpoints
{
    public static IEndpointRouteBuilder MapLinks(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/r/{site}/{campaign}", Follow).ExcludeFromDescription();
        return routes;
    }

    private static IResult Follow(HttpContext http, string site, string campaign, LinkSigner signer, HitPipeline pipeline)
    {
        var query = http.Request.Query;
        var to = query["to"];
        var sig = query["sig"];
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (to.Count != 1 || sig.Count != 1 || signer.Verify(site, campaign, to[0], sig[0]) is not { } target)
        {
            // Nothing from the request is echoed back.
            return TypedResults.Text("This link is not valid.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
        var parameters = new BeaconParameters { Site = site };
        pipeline.ProcessInBackground(new HitContext(http, parameters, pipeline.UtcNow)
        {
            Kind = HitKind.LinkClick,
            LinkCampaign = campaign,
            LinkTarget = target,
        });
        return TypedResults.Redirect(target.AbsoluteUri);
    }
}
