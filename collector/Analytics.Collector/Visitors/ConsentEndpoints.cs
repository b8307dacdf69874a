using Analytics.Collector.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.Collector.Visitors;

/// <summary>
/// /optout and /optin: pages sites can link to, and their CSRF-safe POSTs. Opting out sets the opt-out
/// cookie and removes the visitor cookie; from then on hits are anonymous or dropped, per site.
/// </summary>
public static class ConsentEndpoints
{
    public static IEndpointRouteBuilder MapConsent(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/optout", OptOutPage).ExcludeFromDescription();
        routes.MapPost("/optout", OptOut).ExcludeFromDescription().DisableAntiforgery();
        routes.MapGet("/optin", OptInPage).ExcludeFromDescription();
        routes.MapPost("/optin", OptIn).ExcludeFromDescription().DisableAntiforgery();
        return routes;
    }

    private static IResult OptOutPage(HttpContext http, VisitorCookie cookie, CsrfToken csrf)
    {
        var status = IsOptedOut(http, cookie)
            ? "<p><strong>You are opted out.</strong> This browser is counted without any ID, or not at all.</p>"
            : "<p>You are not opted out. This browser has a random ID in a cookie, so repeat visits can be counted.</p>";
        return VisitorPage.Render(http, "Opt out of analytics", $"""
            {status}
            <p>Opting out removes the ID cookie and sets a cookie that says "no": from then on no ID is used
            for this browser. Sending Do Not Track or Global Privacy Control has the same effect.</p>
            {VisitorPage.Form("/optout", csrf.Issue(http), "Opt out")}
            """);
    }

    private static async Task<IResult> OptOut(HttpContext http, VisitorCookie cookie, CsrfToken csrf)
    {
        if (!await csrf.IsValidAsync(http))
        {
            return VisitorPage.Forbidden(http);
        }
        cookie.AppendOptOut(http.Response);
        cookie.Delete(http.Response);
        return VisitorPage.Render(http, "You are opted out",
            "<p>No ID is used for this browser any more. To undo this, opt in again.</p>");
    }

    private static IResult OptInPage(HttpContext http, VisitorCookie cookie, CsrfToken csrf)
    {
        var status = IsOptedOut(http, cookie)
            ? "<p>You are opted out. Opting in removes the opt-out cookie; a new random ID is given on your next visit.</p>"
            : "<p>You are not opted out.</p>";
        return VisitorPage.Render(http, "Opt in to analytics", $"""
            {status}
            {VisitorPage.Form("/optin", csrf.Issue(http), "Opt in")}
            """);
    }

    private static async Task<IResult> OptIn(HttpContext http, VisitorCookie cookie, CsrfToken csrf)
    {
        if (!await csrf.IsValidAsync(http))
        {
            return VisitorPage.Forbidden(http);
        }
        cookie.DeleteOptOut(http.Response);
        return VisitorPage.Render(http, "You are opted in", "<p>The opt-out cookie is removed.</p>");
    }

    private static bool IsOptedOut(HttpContext http, VisitorCookie cookie) => http.Request.Cookies.ContainsKey(cookie.OptOutName);
}
