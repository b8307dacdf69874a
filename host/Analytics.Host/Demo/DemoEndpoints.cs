namespace Analytics.Host.Demo;

/// <summary>A demo page for the demo site, so the first run shows something.</summary>
public static class DemoEndpoints
{
    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/demo", () => TypedResults.Content(Page, "text/html; charset=utf-8")).ExcludeFromDescription();
        routes.MapGet("/", () => TypedResults.Redirect("/demo")).ExcludeFromDescription();
        return routes;
    }

    private const string Page = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Analytics demo</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body>
        <h1>Analytics demo page</h1>
        <p>This page counted itself with the clear-GIF beacon below. Reload it a few times, then open the
        dashboard at <code>/dashboard/demo</code> or ask <code>/api/stats/daily?site=demo</code>, with a key
        from <code>./analytics key create --site demo</code>.</p>
        <script>
          (function () {
            var q = "site=demo&url=" + encodeURIComponent(location.href) +
                    "&ref=" + encodeURIComponent(document.referrer) +
                    "&t=" + encodeURIComponent(document.title) + "&w=" + screen.width;
            new Image().src = "/i.gif?" + q;
          })();
        </script>
        <noscript><img src="/i.gif?site=demo&amp;url=http%3A%2F%2Flocalhost%2Fdemo" alt="" width="1" height="1"></noscript>
        </body>
        </html>
        """;
}
