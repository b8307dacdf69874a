using Analytics.Collector.Identity;
using Analytics.Collector.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Beacon;

/// <summary>The clear-GIF beacon: every request gets the GIF, whatever happens to its hit.</summary>
public static class BeaconEndpoints
{
    public static IEndpointRouteBuilder MapBeacon(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/i.gif", [HttpMethods.Get, HttpMethods.Head], Collect).ExcludeFromDescription();
        return routes;
    }

    private static async Task Collect(HttpContext http, HitPipeline pipeline)
    {
        var query = http.Request.Query;
        var parameters = new BeaconParameters
        {
            Site = First(query["site"]),
            Url = First(query["url"]),
            Referrer = First(query["ref"]),
            Title = First(query["t"]),
            EventName = First(query["e"]),
            ScreenWidth = First(query["w"]),
        };
        var hit = await pipeline.ProcessAsync(http, parameters, http.RequestAborted);
        if (hit is { IsNewVisitor: true })
        {
            http.Response.Cookies.Append(VisitorCookie.Name, VisitorCookie.Format(hit.VisitorId), new CookieOptions
            {
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(395),
                Path = "/",
            });
        }
        await WriteGif(http.Response);
    }

    internal static Task WriteGif(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = "no-store, no-cache, must-revalidate, max-age=0";
        headers.Pragma = "no-cache";
        headers.Expires = "0";
        response.ContentType = TransparentGif.ContentType;
        response.ContentLength = TransparentGif.Bytes.Length;
        return HttpMethods.IsHead(response.HttpContext.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(TransparentGif.Bytes).AsTask();
    }

    private static string? First(StringValues values) => values.Count == 0 ? null : values[0];
}
