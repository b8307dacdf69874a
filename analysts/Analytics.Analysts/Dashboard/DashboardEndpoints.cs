using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Analysts.Dashboard;

/// <summary>
/// The dashboard page per site (/dashboard/SITE, signed in with an API key) and shared links
/// (/share/SITE?auth=TOKEN). The page is static; every number comes from the stats API with the key.
/// </summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/dashboard/{site}", (HttpContext http, DashboardAssets assets) => Serve(http, assets, "index.html")).ExcludeFromDescription();
        routes.MapGet("/share/{site}", (HttpContext http, DashboardAssets assets) => Serve(http, assets, "index.html")).ExcludeFromDescription();
        routes.MapGet("/dashboard/assets/{name}", (string name, HttpContext http, DashboardAssets assets) => Serve(http, assets, name)).ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext http, DashboardAssets assets, string name)
    {
        if (!assets.TryGet(name, out var asset))
        {
            return TypedResults.NotFound();
        }
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.Vary = "Accept-Encoding";
        headers.CacheControl = name == "index.html" ? "no-cache" : "public, max-age=300";
        headers.XContentTypeOptions = "nosniff";
        if (name == "index.html")
        {
            // Only our own scripts and the stats API: a leaked share token cannot be sent elsewhere by injected content.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
            headers["Referrer-Policy"] = "no-referrer";
        }
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var accept = http.Request.Headers.AcceptEncoding.ToString();
        if (accept.Contains("br", StringComparison.Ordinal))
        {
            headers.ContentEncoding = "br";
            return TypedResults.Bytes(asset.Brotli, asset.ContentType);
        }
        if (accept.Contains("gzip", StringComparison.Ordinal))
        {
            headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(asset.Gzip, asset.ContentType);
        }
        return TypedResults.Bytes(asset.Plain, asset.ContentType);
    }
}
