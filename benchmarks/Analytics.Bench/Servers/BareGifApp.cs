using System.Security.Cryptography;
using Analytics.Collector.Beacon;

namespace Analytics.Bench.Servers;

/// <summary>
/// The bare-Kestrel baseline served by `analytics bench gif-server`: what ASP.NET Core costs before any
/// of our pipeline runs. It does the same visible work as nginx's userid: a cookie for a browser without one.
/// </summary>
public static class BareGifApp
{
    private const string CookieName = "_vid";

    public static WebApplication Build(int port)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/i.gif", (HttpContext http) =>
        {
            if (!http.Request.Cookies.ContainsKey(CookieName))
            {
                http.Response.Cookies.Append(CookieName, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    MaxAge = TimeSpan.FromDays(395),
                    Path = "/",
                });
            }
            var headers = http.Response.Headers;
            headers.CacheControl = "no-store, no-cache, must-revalidate, max-age=0";
            headers.Pragma = "no-cache";
            headers.Expires = "0";
            http.Response.ContentType = TransparentGif.ContentType;
            http.Response.ContentLength = TransparentGif.Bytes.Length;
            return http.Response.Body.WriteAsync(TransparentGif.Bytes).AsTask();
        });
        return app;
    }
}
