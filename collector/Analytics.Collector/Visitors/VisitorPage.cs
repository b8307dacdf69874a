using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Visitors;

/// <summary>The small HTML pages visitors see (/me, /optout, /optin): no scripts, nothing from the request echoed.</summary>
internal static class VisitorPage
{
    public static IResult Render(HttpContext http, string title, string bodyHtml, int status = StatusCodes.Status200OK)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)}</title>
            <style>body{"{"}font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em{"}"}code{"{"}word-break:break-all{"}"}</style></head>
            <body>
            <h1>{Encode(title)}</h1>
            {bodyHtml}
            <p><a href="/me">Your data</a> · <a href="/optout">Opt out</a> · <a href="/optin">Opt in</a></p>
            </body>
            </html>
            """;
        return TypedResults.Text(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>A one-button form that POSTs to <paramref name="action"/> with the page's CSRF token.</summary>
    public static string Form(string action, string token, string button) =>
        $"""<form method="post" action="{Encode(action)}"><input type="hidden" name="{CsrfToken.FieldName}" value="{Encode(token)}"><button type="submit">{Encode(button)}</button></form>""";

    public static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    public static IResult Forbidden(HttpContext http) =>
        Render(http, "Request refused", "<p>This form must be sent from its own page. Open the page again and retry.</p>", StatusCodes.Status403Forbidden);
}
