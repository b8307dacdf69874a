using System.Buffers;
using Analytics.Collector.Identity;
using Analytics.Collector.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Beacon;

/// <summary>
/// The clear-GIF beacon: every request gets the GIF, whatever happens to its hit. A hit that is not stored
/// (rate limit, unknown site, consent, ...) is answered at once with <see cref="DroppedHeader"/> naming why,
/// so a client can tell an answered-and-stored beacon from an answered-and-dropped one; an accepted hit is
/// answered only once the transport holds it.
/// </summary>
public static class BeaconEndpoints
{
    /// <summary>Response header on a beacon whose hit was dropped: the reason(s), as counted on /metrics.</summary>
    public const string DroppedHeader = "X-Analytics-Dropped";

    public static IEndpointRouteBuilder MapBeacon(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/i.gif", [HttpMethods.Get, HttpMethods.Head], Collect).ExcludeFromDescription();
        routes.MapEvents();
        routes.MapScript();
        return routes;
    }

    private static async Task Collect(HttpContext http, HitPipeline pipeline, VisitorCookie cookie)
    {
        if (HttpMethods.IsHead(http.Request.Method))
        {
            // Browsers fetch an image with GET; a HEAD comes from a link checker, a monitor or a mail
            // scanner asking what the URL is. It gets the GIF's headers, and neither a hit nor a cookie.
            await WriteGif(http.Response);
            return;
        }
        var query = http.Request.Query;
        var parameters = new BeaconParameters
        {
            Site = First(query["site"]),
            Url = First(query["url"]),
            Referrer = First(query["ref"]),
            Title = First(query["t"]),
            EventName = First(query["e"]),
            ScreenWidth = First(query["w"]),
            LinkTarget = First(query["l"]),
            Props = Props(http.Request.QueryString.Value, query),
        };
        var context = new HitContext(http, parameters, pipeline.UtcNow);
        var hit = await pipeline.ProcessAsync(context);
        if (context.Dropped is { } reason)
        {
            http.Response.Headers[DroppedHeader] = DroppedValues[(int)reason];
        }
        IssueCookie(http, cookie, hit);
        await WriteGif(http.Response);
    }

    /// <summary>The header's value per reason, made once (no string per dropped beacon).</summary>
    internal static readonly StringValues[] DroppedValues = Enum.GetValues<DropReason>().Select(r => new StringValues(r.ToString())).ToArray();

    /// <summary>Sets the visitor cookie when the hit's ID is new, from an older key, or was issued before today.</summary>
    internal static void IssueCookie(HttpContext http, VisitorCookie cookie, HitContext? hit)
    {
        if (hit is { IssueCookie: true, IsAnonymous: false })
        {
            cookie.Append(http.Response, hit.VisitorId, VisitorCookie.DayOf(hit.ReceivedAt));
        }
    }

    /// <summary>
    /// The GIF and its headers, written into Kestrel's response buffer without a flush of its own: the
    /// server sends headers and body in one write when the request ends (one send, no extra await).
    /// </summary>
    internal static Task WriteGif(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = NoStore;
        headers.Pragma = NoCache;
        headers.Expires = Zero;
        headers.ContentType = GifType;
        response.ContentLength = TransparentGif.Bytes.Length;
        if (!HttpMethods.IsHead(response.HttpContext.Request.Method))
        {
            response.BodyWriter.Write(TransparentGif.Bytes.Span);
        }
        return Task.CompletedTask;
    }

    private static readonly StringValues NoStore = "no-store, no-cache, must-revalidate, max-age=0";
    private static readonly StringValues NoCache = "no-cache";
    private static readonly StringValues Zero = "0";
    private static readonly StringValues GifType = TransparentGif.ContentType;

    /// <summary>Custom properties as p.NAME=value; the query is only walked when one is there.</summary>
    private static IReadOnlyDictionary<string, string> Props(string? raw, IQueryCollection query)
    {
        if (raw is null || (!raw.StartsWith("?p.", StringComparison.Ordinal) && !raw.Contains("&p.", StringComparison.Ordinal)))
        {
            return BeaconParameters.NoProps;
        }
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.Length > 2 && key.StartsWith("p.", StringComparison.Ordinal) && First(values) is { } value)
            {
                props[key[2..]] = value;
            }
        }
        return props;
    }

    private static string? First(StringValues values) => values.Count == 0 ? null : values[0];
}
