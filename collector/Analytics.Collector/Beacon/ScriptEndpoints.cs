using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector.Beacon;

/// <summary>GET /a.js: the tracking snippet (hand-minified; its readable source sits beside it as analytics.js).</summary>
public static class ScriptEndpoints
{
    private static readonly byte[] Minified = Load("analytics.min.js");

    public static IEndpointRouteBuilder MapScript(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/a.js", Serve).ExcludeFromDescription();
        return routes;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult Serve(HttpContext http)
    {
        // An hour of caching keeps the collector off every page load; a release is picked up within the hour.
        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return TypedResults.Bytes(Minified, "text/javascript; charset=utf-8");
    }

    private static byte[] Load(string name)
    {
        using var stream = typeof(ScriptEndpoints).Assembly.GetManifestResourceStream("Analytics.Collector.Script." + name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
