using Analytics.Collector.Abuse;
using Analytics.Collector.Identity;
using Analytics.Pipeline.Hits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector.Visitors;

/// <summary>
/// A visitor's own data, found by their own cookie (privacy invariant 6): GET /me explains what is kept,
/// GET /me/data exports it, POST /me/erase deletes it and the cookie.
/// </summary>
public static class SelfServiceEndpoints
{
    public static IEndpointRouteBuilder MapSelfService(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/me", Me).ExcludeFromDescription();
        routes.MapGet("/me/data", Data).ExcludeFromDescription();
        routes.MapPost("/me/erase", Erase).ExcludeFromDescription().DisableAntiforgery();
        return routes;
    }

    private static IResult Me(HttpContext http, VisitorCookie cookie, TimeProvider clock, CsrfToken csrf)
    {
        if (!TryGetVisitor(http, cookie, clock, out var id))
        {
            return VisitorPage.Render(http, "Your data", """
                <p>This browser has no visitor ID, so nothing is kept that could be found as yours.
                Visits may still be counted anonymously, without any ID.</p>
                """);
        }
        return VisitorPage.Render(http, "Your data", $"""
            <p>Your visitor ID is <code id="visitor-id">{id:N}</code>. It is a random number kept in a cookie
            on this browser; it is not linked to your name, e-mail or any account.</p>
            <p>Under this ID we keep, for each page you viewed or event you triggered on the sites that use
            this service: {HitFields.VisitorDescription}.
            We never keep your IP address, your full browser identification string, your name or your e-mail.</p>
            <p><a href="/me/data">Download your data (JSON)</a></p>
            <p>Erasing deletes every record kept under this ID and removes the cookie. Totals that were already
            counted (such as "12 visitors on Monday") hold no ID and stay.</p>
            {VisitorPage.Form("/me/erase", csrf.Issue(http), "Erase my data")}
            """);
    }

    private static async Task<IResult> Data(
        HttpContext http, VisitorCookie cookie, TimeProvider clock, SelfServiceRateLimiter limiter, [FromServices] IVisitorData? store)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!limiter.TryAcquire(http.Connection.RemoteIpAddress))
        {
            return TypedResults.StatusCode(StatusCodes.Status429TooManyRequests);
        }
        if (!TryGetVisitor(http, cookie, clock, out var id))
        {
            return TypedResults.Text(NoData, "application/json; charset=utf-8");
        }
        if (store is null)
        {
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        byte[] hits, visits;
        try
        {
            (hits, visits) = await store.ExportAsync(id, http.RequestAborted);
        }
        catch (VisitorDataUnavailableException)
        {
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        return TypedResults.Bytes(Document(hits, visits), "application/json; charset=utf-8");
    }

    private static async Task<IResult> Erase(
        HttpContext http, VisitorCookie cookie, TimeProvider clock, SelfServiceRateLimiter limiter, CsrfToken csrf, [FromServices] IVisitorData? store)
    {
        if (!await csrf.IsValidAsync(http))
        {
            return VisitorPage.Forbidden(http);
        }
        if (!limiter.TryAcquire(http.Connection.RemoteIpAddress))
        {
            return VisitorPage.Render(http, "Please wait", "<p>Too many requests from this address. Try again in a minute.</p>", StatusCodes.Status429TooManyRequests);
        }
        if (TryGetVisitor(http, cookie, clock, out var id) && !await TryEraseAsync(store, id, http.RequestAborted))
        {
            return VisitorPage.Render(http, "Not erased yet",
                "<p>Your data could not be erased just now. Please try again in a few minutes.</p>", StatusCodes.Status503ServiceUnavailable);
        }
        cookie.Delete(http.Response);
        return VisitorPage.Render(http, "Your data is erased",
            "<p>Every record kept under your visitor ID is deleted, and the ID cookie is removed from this browser.</p>");
    }

    /// <summary>False when there is no storage in this process, or it could not erase just now.</summary>
    private static async Task<bool> TryEraseAsync(IVisitorData? store, Guid id, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return false;
        }
        try
        {
            await store.EraseAsync(id, cancellationToken);
            return true;
        }
        catch (VisitorDataUnavailableException)
        {
            return false;
        }
    }

    private static bool TryGetVisitor(HttpContext http, VisitorCookie cookie, TimeProvider clock, out Guid id) =>
        cookie.TryRead(http.Request.Cookies[cookie.Name], VisitorCookie.DayOf(clock.GetUtcNow().UtcDateTime), out id, out _);

    private const string NoData = """{"hits":[],"visits":[]}""";

    /// <summary>{"hits": [...], "visits": [...]} from the two JSON-lines exports.</summary>
    private static byte[] Document(byte[] hits, byte[] visits)
    {
        using var output = new MemoryStream(hits.Length + visits.Length + 32);
        output.Write("{\"hits\":"u8);
        WriteArray(output, hits);
        output.Write(",\"visits\":"u8);
        WriteArray(output, visits);
        output.WriteByte((byte)'}');
        return output.ToArray();
    }

    /// <summary>JSON lines (one object a line) as one JSON array.</summary>
    private static void WriteArray(MemoryStream output, ReadOnlySpan<byte> lines)
    {
        output.WriteByte((byte)'[');
        var first = true;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? default : lines[(end + 1)..];
            if (line.Trim((byte)' ').IsEmpty)
            {
                continue;
            }
            if (!first)
            {
                output.WriteByte((byte)',');
            }
            output.Write(line);
            first = false;
        }
        output.WriteByte((byte)']');
    }
}
