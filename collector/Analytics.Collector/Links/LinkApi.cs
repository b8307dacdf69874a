using Analytics.Collector.Sites;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector.Links;

/// <summary>
/// POST {prefix}/links: signs a newsletter link, as `analytics link` does. A signing endpoint open to
/// anyone would hand out redirects to anywhere, so every request first passes the API's own check.
/// </summary>
public static class LinkApi
{
    /// <param name="routes">Where to map it.</param>
    /// <param name="prefix">The API's path prefix, e.g. /api/v2.</param>
    /// <param name="authorize">The API's check for a caller and a site: null to allow, or the answer that refuses (401, 403, 429).</param>
    public static RouteHandlerBuilder MapLinkSigning(this IEndpointRouteBuilder routes, string prefix, Func<HttpContext, string, IResult?> authorize) =>
        routes.MapPost(prefix + "/links", (LinkRequest request, HttpContext http, LinkSigner signer, SiteRegistry sites) =>
            authorize(http, request.Site ?? "") ?? Sign(request, http, signer, sites));

    private static IResult Sign(LinkRequest request, HttpContext http, LinkSigner signer, SiteRegistry sites)
    {
        if (string.IsNullOrEmpty(request.Site) || !sites.TryGet(request.Site, out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["site"] = ["Not a registered site."] });
        }
        if (!LinkSigner.IsName(request.Campaign ?? ""))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["campaign"] = ["1-64 letters, digits, '-', '_' or '.'."] });
        }
        if (!LinkSigner.TryParseTarget(request.To ?? "", out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["An absolute http(s) URL with a host, no user name, backslash, space or control character."] });
        }
        var path = signer.Sign(request.Site, request.Campaign!, request.To!);
        return TypedResults.Ok(new SignedLink(path, $"{http.Request.Scheme}://{http.Request.Host}{path}"));
    }

    public sealed record LinkRequest(string? Site, string? Campaign, string? To);

    /// <summary>The link as a path on the collector, and as an absolute URL as this request reached it.</summary>
    public sealed record SignedLink(string Path, string Url);
}
